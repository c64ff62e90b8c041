import { useEffect, useState } from 'preact/hooks';

const BASE = '/console';

/** The path under /console, e.g. `/sors/abc/events`. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener('pushgraph-navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('pushgraph-navigate', update);
    };
  }, []);
  return path;
}

function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path === '' ? '/' : path;
}

export function navigate(path: string): void {
  history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new Event('pushgraph-navigate'));
  window.scrollTo(0, 0);
}

/** A link inside the console: a real href (so it opens in a new tab too), navigated without a reload. */
export function Link(props: { to: string; children: preact.ComponentChildren; class?: string; title?: string }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      class={props.class}
      title={props.title}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

/** Matches `/sors/:id/events` against a path; answers the named parts, decoded. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const found = new RegExp(`^${source}/?$`).exec(path);
  if (!found) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]));
}
