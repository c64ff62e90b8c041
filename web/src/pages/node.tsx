import { useEffect, useState } from 'preact/hooks';
import { api, enc, type GraphNode, type PushEvent } from '../api';
import { Loading, messageOf, time, useLoad } from '../components/common';
import { NeighbourhoodPicture } from '../components/neighbourhood';
import { Link } from '../router';
import { shortType } from './event-log';
import { labelOf } from './explorer';

export function NodePage({ sorId, entity, nodeId }: { sorId: string; entity: string; nodeId: string }) {
  const base = `/systems-of-record/${enc(sorId)}/entities/${enc(entity)}/nodes/${enc(nodeId)}`;
  const node = useLoad(() => api<GraphNode>(base), [base]);
  const nodePath = (e: string, id: string) => `/sors/${enc(sorId)}/explorer/${enc(e)}/${enc(id)}`;
  return (
    <Loading state={node}>
      {(n) => (
        <section>
          <p>
            <Link to={`/sors/${enc(sorId)}/explorer/${enc(entity)}`}>← {entity}</Link>
          </p>
          <div class="heading">
            <h1 data-testid="node-title">{labelOf(n)}</h1>
            <span class="badge">{n.entity}</span>
          </div>
          <div class="grid-2">
            <div class="card">
              <h2>Attributes</h2>
              <table class="attributes" data-testid="attributes">
                <tbody>
                  {Object.entries(n.attributes).map(([name, value]) => (
                    <tr key={name}>
                      <th>{name}</th>
                      <td class="wrap">{Array.isArray(value) ? value.join(', ') : String(value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p class="muted small-text">
                id {n.id} · updated {time(n.updatedAt)}
                {n.lastEventId && ` by event ${n.lastEventId}`}
              </p>
              {n.parent && (
                <p>
                  Parent: <Link to={nodePath(n.parent.entity, n.parent.id)}>{`${n.parent.entity} ${n.parent.id}`}</Link>
                </p>
              )}
            </div>
            <div class="card">
              <h2>Neighbourhood</h2>
              <NeighbourhoodPicture sorId={sorId} entity={n.entity} nodeId={n.id} />
            </div>
          </div>
          {n.children && Object.keys(n.children).length > 0 && (
            <div class="card">
              <h2>Children</h2>
              {Object.entries(n.children).map(([childEntity, children]) => (
                <div key={childEntity}>
                  <h3>{childEntity}</h3>
                  <ul class="links-list">
                    {children.map((child) => (
                      <li key={child.id}>
                        <Link to={nodePath(child.entity, child.id)}>{labelOf(child)}</Link>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          )}
          <div class="card" data-testid="relationships">
            <h2>Relationships</h2>
            {!n.relationships || n.relationships.length === 0 ? (
              <p class="muted">The template declares no relationship for {n.entity}{n.parent ? '; its parent is linked above' : ''}.</p>
            ) : (
              n.relationships.map((r) => (
                <div key={`${r.key} ${r.direction}`} class="relationship">
                  <h3>
                    {r.displayName ?? r.name} <span class="muted">({r.direction === 'Forward' ? '→' : '←'} {r.toEntity}, {r.total})</span>
                  </h3>
                  {r.nodes.length === 0 ? (
                    <p class="muted">none</p>
                  ) : (
                    <ul class="links-list">
                      {r.nodes.map((link) => (
                        <li key={`${link.entity} ${link.id}`}>
                          <Link to={nodePath(link.entity, link.id)}>{labelOf(link)}</Link>
                        </li>
                      ))}
                    </ul>
                  )}
                  {r.total > r.nodes.length && <p class="muted">and {r.total - r.nodes.length} more</p>}
                </div>
              ))
            )}
          </div>
          <History sorId={sorId} path={`${base}/history`} />
        </section>
      )}
    </Loading>
  );
}

const HISTORY_PAGE = 20;

/** The node's history, newest first, a page at a time: "Older" continues with the cursor of the last page read. */
function History({ sorId, path }: { sorId: string; path: string }) {
  const history = useLoad(() => api<HistoryPage>(`${path}?count=${HISTORY_PAGE}`), [path]);
  const [older, setOlder] = useState<HistoryPage>();
  const [reading, setReading] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => setOlder(undefined), [history.data]);
  const readOlder = async (cursor: string) => {
    setReading(true);
    try {
      const page = await api<HistoryPage>(`${path}?count=${HISTORY_PAGE}&cursor=${enc(cursor)}`);
      setOlder((shown) => ({ items: [...(shown?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
      setError(undefined);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setReading(false);
    }
  };
  return (
    <div class="card" data-testid="history">
      <h2>History</h2>
      <Loading state={history}>
        {(first) => {
          const items = [...first.items, ...(older?.items ?? [])];
          const nextCursor = older ? older.nextCursor : first.nextCursor;
          return items.length === 0 ? (
            <p class="muted">No event in the log touched this node (the log keeps events for its retention period).</p>
          ) : (
            <>
              <ul class="links-list">
                {items.map((event) => (
                  <li key={event.id}>
                    <Link to={`/sors/${enc(sorId)}/events/${enc(event.id)}`}>{time(event.receivedAt)}</Link> {shortType(event.eventType)}{' '}
                    <span class={`status status-${event.status}`}>{event.status}</span>
                  </li>
                ))}
              </ul>
              {error && <p class="error" role="alert">{error}</p>}
              {nextCursor && (
                <button type="button" class="quiet small" disabled={reading} onClick={() => void readOlder(nextCursor)}>
                  Older
                </button>
              )}
            </>
          );
        }}
      </Loading>
    </div>
  );
}

interface HistoryPage {
  items: PushEvent[];
  nextCursor?: string;
}
