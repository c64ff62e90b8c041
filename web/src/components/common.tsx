import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type Progress } from '../api';

/** Loads data for a page; `reload` fetches again. Errors become a message on the page. */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data }),
      (error: unknown) => live && setState({ error: messageOf(error) }),
    );
    return () => {
      live = false;
    };
  }, [...keys, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.problem.detail ?? error.problem.title;
  return error instanceof Error ? error.message : String(error);
}

export function Loading<T>(props: { state: { data?: T; error?: string }; children: (data: T) => preact.ComponentChildren }) {
  if (props.state.error) return <p class="error" role="alert">{props.state.error}</p>;
  if (props.state.data === undefined) return <p class="muted">Loading…</p>;
  return <>{props.children(props.state.data)}</>;
}

export function CopyButton(props: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="small"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(props.text);
        } catch {
          fallbackCopy(props.text);
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? 'Copied' : (props.label ?? 'Copy')}
    </button>
  );
}

/** Clipboard API needs a secure context; plain http on a LAN address falls back to a selection. */
function fallbackCopy(text: string): void {
  const area = document.createElement('textarea');
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyLine(props: { text: string; testId?: string }) {
  return (
    <div class="copy-line">
      <code data-testid={props.testId}>{props.text}</code>
      <CopyButton text={props.text} />
    </div>
  );
}

export function ProgressBar(props: { progress?: Progress; label: string }) {
  const { progress } = props;
  if (!progress) return null;
  const share = progress.total ? progress.done / progress.total : 0;
  return (
    <div class="progress" role="progressbar" aria-valuenow={progress.done} aria-valuemax={progress.total} aria-label={props.label}>
      <div class="progress-fill" style={{ width: `${Math.round(share * 100)}%` }} />
      <span>
        {props.label}: {progress.done}
        {progress.total !== undefined ? ` of ${progress.total}` : ''}
      </span>
    </div>
  );
}

export function Json(props: { value: unknown }) {
  return <pre class="json">{JSON.stringify(props.value, null, 2)}</pre>;
}

export function Empty(props: { title: string; children: preact.ComponentChildren }) {
  return (
    <div class="empty">
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

export function time(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
