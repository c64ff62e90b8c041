import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, runWithProgress, type Progress, type PushEvent } from '../api';
import { Empty, messageOf, ProgressBar, time } from '../components/common';
import { instantOf, localInputOf } from '../components/local-time';
import { Link } from '../router';
import { errorCell } from './event-error';
import { appendOlder, reachesShown, refreshShown, type NewestEvents, type ShownEvents } from './event-log-rows';

const STATUSES = ['', 'accepted', 'applied', 'failed', 'ignored', 'refused', 'duplicate'];
const POLL_MS = 2000;
const MAX_PAGE = 500;
const MAX_CATCH_UP_PAGES = 10;

interface Filters {
  status: string;
  type: string;
  subject: string;
  since: string;
}

function readFilters(): Filters {
  const query = new URLSearchParams(location.search);
  return { status: query.get('status') ?? '', type: query.get('type') ?? '', subject: query.get('subject') ?? '', since: instantOf(query.get('since') ?? '') };
}

function queryOf(filters: Filters, cursor?: string, count?: number): string {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.type) query.set('type', filters.type);
  if (filters.subject) query.set('subject', filters.subject);
  if (filters.since) query.set('since', filters.since);
  if (cursor) query.set('cursor', cursor);
  if (count) query.set('count', String(count));
  return query.toString();
}

/**
 * The event log with a live tail: while Live is on, the newest events are read again every two seconds and merged
 * above the rows already shown (older pages included), so new events appear on top and none shown disappears.
 */
export function EventLogPage({ sorId }: { sorId: string }) {
  const [filters, setFilters] = useState<Filters>(readFilters);
  const [shown, setShown] = useState<ShownEvents<PushEvent>>();
  const [live, setLive] = useState(true);
  const [error, setError] = useState<string>();
  const seen = useRef(new Set<string>());
  const [fresh, setFresh] = useState(new Set<string>());
  // What is on screen, for a refresh to decide how far down to read; and the filters it belongs to, so that an
  // answer for filters since changed is dropped.
  const current = useRef<ShownEvents<PushEvent>>({ rows: [] });
  const view = useRef('');
  const viewOf = () => `${sorId} ${queryOf(filters)}`;
  const show = (next: ShownEvents<PushEvent>) => {
    current.current = next;
    setShown(next);
  };
  const list = (cursor?: string, count?: number) =>
    api<NewestEvents<PushEvent>>(`/systems-of-record/${enc(sorId)}/events?${queryOf(filters, cursor, count)}`);

  const load = async () => {
    const asked = viewOf();
    try {
      let newest = await list();
      // More than a page arrived since the last refresh: read on down to the rows shown, a bounded number of pages.
      for (let pages = 0; pages < MAX_CATCH_UP_PAGES && !reachesShown(current.current, newest); pages++) {
        const next = await list(newest.nextCursor, MAX_PAGE);
        newest = { items: [...newest.items, ...next.items], nextCursor: next.nextCursor };
      }
      if (asked !== view.current) return;
      const first = seen.current.size === 0;
      setFresh(new Set(first ? [] : newest.items.filter((e) => !seen.current.has(e.id)).map((e) => e.id)));
      newest.items.forEach((e) => seen.current.add(e.id));
      show(refreshShown(current.current, newest));
      setError(undefined);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  useEffect(() => {
    seen.current = new Set();
    view.current = viewOf();
    current.current = { rows: [] };
    const search = queryOf(filters);
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
    void load();
  }, [sorId, filters.status, filters.type, filters.subject, filters.since]);

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [live, sorId, filters.status, filters.type, filters.subject, filters.since]);

  const loadOlder = async () => {
    const asked = viewOf();
    const from = current.current.olderCursor;
    if (!from) return;
    try {
      const page = await list(from);
      if (asked !== view.current || current.current.olderCursor !== from) return;
      show(appendOlder(current.current, page));
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  const set = (key: keyof Filters) => (e: { currentTarget: { value: string } }) => setFilters({ ...filters, [key]: e.currentTarget.value });
  const all = shown?.rows ?? [];
  return (
    <section>
      <div class="heading">
        <h1>Event log</h1>
        <label class="toggle">
          <input type="checkbox" name="live" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} /> Live
          {live && <span class="live-dot" aria-hidden="true" />}
        </label>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select name="status" value={filters.status} onChange={set('status')}>
            {STATUSES.map((s) => (
              <option value={s} key={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event type
          <input name="type" placeholder="prov:create:full" value={filters.type} onChange={set('type')} />
        </label>
        <label>
          Subject
          <input name="subject" placeholder="/Users/2819c223" value={filters.subject} onChange={set('subject')} />
        </label>
        <label>
          Since
          <input
            name="since"
            type="datetime-local"
            value={localInputOf(filters.since)}
            onChange={(e) => setFilters({ ...filters, since: instantOf(e.currentTarget.value) })}
          />
        </label>
      </form>
      <RetryFailed sorId={sorId} onDone={() => void load()} />
      {error && <p class="error" role="alert">{error}</p>}
      {shown === undefined ? (
        <p class="muted">Loading…</p>
      ) : all.length === 0 ? (
        <Empty title={filters.status || filters.type || filters.subject || filters.since ? 'No event matches these filters' : 'No event yet'}>
          <p>
            Events appear here as senders push them, accepted or refused. Create a push token on the{' '}
            <Link to={`/sors/${enc(sorId)}`}>setup page</Link> and send the curl line shown there; this list updates by itself.
          </p>
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="events" data-testid="event-log">
            <thead>
              <tr>
                <th>Received</th>
                <th>Status</th>
                <th>Event</th>
                <th>Subject</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {all.map((event) => (
                <tr key={event.id} class={fresh.has(event.id) ? 'fresh' : undefined} data-status={event.status}>
                  <td>
                    <Link to={`/sors/${enc(sorId)}/events/${enc(event.id)}`}>{time(event.receivedAt)}</Link>
                  </td>
                  <td>
                    <span class={`status status-${event.status}`}>{event.status}</span>
                  </td>
                  <td>{shortType(event.eventType) ?? `${event.method} ${event.protocol.toUpperCase()}`}</td>
                  <td class="wrap">{event.subject}</td>
                  <ErrorCell event={event} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {shown?.olderCursor && (
        <button type="button" class="quiet" onClick={loadOlder}>
          Older events
        </button>
      )}
    </section>
  );
}

function ErrorCell({ event }: { event: PushEvent }) {
  const { text, title } = errorCell(event);
  return (
    <td class="wrap" title={title}>
      {text}
    </td>
  );
}

export function shortType(uri: string | undefined): string | undefined {
  return uri?.replace(/^urn:ietf:params:scim:event:/i, '');
}

function RetryFailed({ sorId, onDone }: { sorId: string; onDone: () => void }) {
  const [progress, setProgress] = useState<Progress>();
  const [message, setMessage] = useState<string>();
  const retry = async () => {
    setMessage(undefined);
    try {
      const result = await runWithProgress<{ failed: number; retried: number }>(`/systems-of-record/${enc(sorId)}/events/retry-failed`, 'POST', setProgress);
      setMessage(result.failed === 0 ? 'No failed event to retry.' : `${result.retried} failed event${result.retried === 1 ? '' : 's'} put back in the inbox.`);
      onDone();
    } catch (failure) {
      setMessage(messageOf(failure));
    }
  };
  return (
    <div class="inline">
      <button type="button" class="quiet small" onClick={retry}>
        Retry all failed
      </button>
      <ProgressBar progress={progress} label="Retrying" />
      {message && <span class="muted">{message}</span>}
    </div>
  );
}
