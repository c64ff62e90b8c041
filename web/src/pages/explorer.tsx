import { useState } from 'preact/hooks';
import { api, enc, type EntityType, type GraphNode } from '../api';
import { Empty, Loading, messageOf, useLoad } from '../components/common';
import { Link, navigate } from '../router';

interface SearchResult {
  items: GraphNode[];
  nextCursor?: string;
  plan?: string;
  truncated?: boolean;
}

/** Entity types with counts, and node search with SCIM filters (or a page of nodes without one). */
export function ExplorerPage({ sorId, entity }: { sorId: string; entity?: string }) {
  const entities = useLoad(() => api<{ items: EntityType[] }>(`/systems-of-record/${enc(sorId)}/entities`), [sorId]);
  return (
    <section>
      <h1>Explorer</h1>
      <Loading state={entities}>
        {({ items }) =>
          items.every((e) => e.count === 0) ? (
            <Empty title="The graph is empty">
              <p>
                Nothing has been pushed to this system of record yet. Create a push token on the <Link to={`/sors/${enc(sorId)}`}>setup page</Link>,
                push a User, and it shows up here; the <Link to={`/sors/${enc(sorId)}/events`}>event log</Link> tells why a push was refused.
              </p>
            </Empty>
          ) : (
            <>
              <ul class="chips">
                {items.map((e) => (
                  <li key={e.id}>
                    <Link to={`/sors/${enc(sorId)}/explorer/${enc(e.id)}`} class={e.id === entity ? 'chip active' : 'chip'}>
                      {e.id} <span class="count">{e.count}</span>
                    </Link>
                  </li>
                ))}
              </ul>
              <Search sorId={sorId} entities={items} entity={entity ?? items.find((e) => e.count > 0)?.id ?? items[0]!.id} />
            </>
          )
        }
      </Loading>
    </section>
  );
}

function Search({ sorId, entities, entity }: { sorId: string; entities: EntityType[]; entity: string }) {
  const [filter, setFilter] = useState(new URLSearchParams(location.search).get('filter') ?? '');
  const [applied, setApplied] = useState(filter);
  const [pages, setPages] = useState<GraphNode[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<string>();
  const state = useLoad(async () => {
    setPages([]);
    const result = await api<SearchResult>(`/systems-of-record/${enc(sorId)}/entities/${enc(entity)}/nodes?${query(applied)}`);
    setCursor(result.nextCursor);
    return result;
  }, [sorId, entity, applied]);
  const type = entities.find((e) => e.id === entity);
  const more = async () => {
    try {
      const result = await api<SearchResult>(`/systems-of-record/${enc(sorId)}/entities/${enc(entity)}/nodes?${query(applied, cursor)}`);
      setPages([...pages, ...result.items]);
      setCursor(result.nextCursor);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <div class="card">
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filter);
          history.replaceState(null, '', `${location.pathname}${filter ? `?filter=${enc(filter)}` : ''}`);
        }}
      >
        <select name="entity" value={entity} onChange={(e) => navigate(`/sors/${enc(sorId)}/explorer/${enc(e.currentTarget.value)}`)}>
          {entities.map((e) => (
            <option value={e.id} key={e.id}>
              {e.id}
            </option>
          ))}
        </select>
        <input
          name="filter"
          placeholder={type?.indexedAttributes[0] ? `${type.indexedAttributes[0]} eq "…"` : 'SCIM filter'}
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      <p class="muted small-text">
        SCIM filter syntax: <code>userName eq "jdoe@example.com"</code>, <code>displayName co "admin" and active eq true</code>. Fast on{' '}
        {type?.indexedAttributes.join(', ') || 'indexed attributes'}; other filters scan.
      </p>
      {error && <p class="error">{error}</p>}
      <Loading state={state}>
        {(result) => {
          const nodes = [...result.items, ...pages];
          return nodes.length === 0 ? (
            <p class="muted">No {entity} matches.</p>
          ) : (
            <>
              <ul class="results" data-testid="search-results">
                {nodes.map((node) => (
                  <li key={node.id}>
                    <Link to={`/sors/${enc(sorId)}/explorer/${enc(node.entity)}/${enc(node.id)}`}>{labelOf(node)}</Link>
                    <span class="muted"> {node.id}</span>
                  </li>
                ))}
              </ul>
              {result.truncated && <p class="muted">More matched than one search reads; narrow the filter.</p>}
              {cursor && (
                <button type="button" class="quiet" onClick={more}>
                  More
                </button>
              )}
            </>
          );
        }}
      </Loading>
    </div>
  );
}

function query(filter: string, cursor?: string): string {
  const params = new URLSearchParams({ count: '50' });
  if (filter.trim()) params.set('filter', filter);
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}

export function labelOf(node: { id: string; attributes?: Record<string, unknown>; label?: string }): string {
  if (node.label) return node.label;
  for (const name of ['displayName', 'name', 'userName', 'display', 'value']) {
    const value = node.attributes?.[name];
    if (typeof value === 'string' && value) return value;
  }
  return node.id;
}
