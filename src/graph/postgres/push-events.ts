import type pg from 'pg';
import { pageSize } from '../paging.js';
import {
  INBOX_EVENT_COLUMNS,
  PUSH_EVENT_COLUMNS,
  decodeSequenceCursor,
  encodeSequenceCursor,
  jsonOrNull,
  pushEventValues,
  toInboxEvent,
  toPushEvent,
  type InboxEventRow,
  type PushEventRow,
} from '../push-event-rows.js';
import type { InboxEvent, PushEventCompletion, PushEventPage, PushEventQuery, PushEventRecord } from '../push-events.js';

const COLUMN_TYPES: Readonly<Record<string, string>> = {
  received_at: 'timestamptz',
  applied_at: 'timestamptz',
  http_status: 'integer',
  attempts: 'integer',
  authentication: 'jsonb',
  decoded: 'jsonb',
  extracted: 'jsonb',
  operations: 'jsonb',
  notes: 'jsonb',
};
const COLUMNS = PUSH_EVENT_COLUMNS.split(',').map((column) => column.trim());
const PLACEHOLDERS = COLUMNS.map((column, i) => `$${i + 1}${COLUMN_TYPES[column] === 'jsonb' ? '::jsonb' : ''}`).join(', ');

const SQL = {
  // Rows in the order given (WITH ORDINALITY), so that their sequence is the order of receipt. Two rows of one
  // batch with the same dedup key: the first is inserted, the second skipped like any redelivery.
  insertMany: {
    name: 'pushgraph.insertPushEvents',
    text: `INSERT INTO push_events (${PUSH_EVENT_COLUMNS})
      SELECT ${COLUMNS.map((column) => (COLUMN_TYPES[column] === 'jsonb' ? `v.${column}::jsonb` : `v.${column}`)).join(', ')}
      FROM unnest(${COLUMNS.map((column, i) => `$${i + 1}::${COLUMN_TYPES[column] === 'jsonb' ? 'text' : (COLUMN_TYPES[column] ?? 'text')}[]`).join(', ')})
        WITH ORDINALITY AS v (${PUSH_EVENT_COLUMNS}, ord)
      ORDER BY v.ord
      ON CONFLICT (sor_id, dedup_key) DO NOTHING
      RETURNING id`,
  },
  insert: {
    name: 'pushgraph.insertPushEvent',
    text: `INSERT INTO push_events (${PUSH_EVENT_COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (sor_id, dedup_key) DO NOTHING`,
  },
  get: { name: 'pushgraph.getPushEvent', text: 'SELECT * FROM push_events WHERE sor_id = $1 AND id = $2' },
  pending: {
    name: 'pushgraph.pendingPushEvents',
    text: `SELECT ${INBOX_EVENT_COLUMNS} FROM push_events WHERE status = 'accepted' ORDER BY sequence LIMIT $1`,
  },
  // Locks those of the events that are still accepted in inbox order (so that two workers never deadlock), then
  // records their outcomes. A row another worker completed meanwhile fails the status check once its lock is had.
  completeMany: {
    name: 'pushgraph.completePushEvents',
    text: `WITH locked AS MATERIALIZED (
        SELECT id FROM push_events WHERE id = ANY($1::text[]) AND status = 'accepted' ORDER BY sequence FOR UPDATE
      )
      UPDATE push_events p SET status = v.status, error_description = v.error_description, extracted = v.extracted::jsonb,
        operations = v.operations::jsonb, applied_at = v.applied_at, attempts = p.attempts + 1
      FROM locked l JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
        AS v (id, status, error_description, extracted, operations, applied_at) ON v.id = l.id
      WHERE p.id = l.id
      RETURNING p.id`,
  },
  laterChange: {
    name: 'pushgraph.laterChange',
    // A delete that found no node is ignored, yet it is the subject's latest state all the same.
    text: `SELECT EXISTS (SELECT 1 FROM push_events WHERE sor_id = $1 AND sequence > $2 AND subject = $3
      AND (status = 'applied' OR (status = 'ignored' AND lower(event_type) LIKE '%:prov:delete'))
      AND protocol = 'set' AND lower(event_type) NOT LIKE '%notice') AS later`,
  },
  retry: {
    name: 'pushgraph.retryPushEvent',
    text: "UPDATE push_events SET status = 'accepted', error_description = NULL WHERE sor_id = $1 AND id = $2 AND status = 'failed'",
  },
  // The status is checked again on the row deleted: an event retried (put back in the inbox) after the inner SELECT
  // read it is then seen as it is now, accepted, and kept; the inner condition alone deleted it.
  deleteBefore: {
    name: 'pushgraph.deletePushEventsBefore',
    text: `DELETE FROM push_events WHERE status <> 'accepted' AND sequence IN (
      SELECT sequence FROM push_events WHERE received_at < $1 AND status <> 'accepted' ORDER BY received_at LIMIT $2)`,
  },
} as const;

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The event log and inbox on PostgreSQL; completions run on the store's transaction client. */
export class PostgresPushEvents {
  constructor(private readonly pool: pg.Pool) {}

  /** Records the events in one statement, in order; a second event with a recorded dedupKey is a duplicate. */
  async recordMany(events: readonly PushEventRecord[]): Promise<('recorded' | 'duplicate')[]> {
    if (events.length === 1) {
      const result = await this.pool.query({ ...SQL.insert, values: pushEventValues(events[0]!) });
      return [result.rowCount === 1 ? 'recorded' : 'duplicate'];
    }
    const rows = events.map(pushEventValues);
    const result = await this.pool.query<{ id: string }>({ ...SQL.insertMany, values: COLUMNS.map((_, i) => rows.map((row) => row[i])) });
    const inserted = new Set(result.rows.map((row) => row.id));
    return events.map((event) => (inserted.has(event.id) ? 'recorded' : 'duplicate'));
  }

  async get(sorId: string, id: string): Promise<PushEventRecord | undefined> {
    const result = await this.pool.query<PushEventRow>({ ...SQL.get, values: [sorId, id] });
    const row = result.rows[0];
    return row && toPushEvent(row, false);
  }

  async list(sorId: string, query: PushEventQuery): Promise<PushEventPage> {
    const size = pageSize(query.limit);
    const values: unknown[] = [sorId];
    const where = ['sor_id = $1'];
    const add = (condition: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (query.cursor !== undefined) add((n) => `sequence < ${n}`, decodeSequenceCursor(query.cursor));
    if (query.status !== undefined) add((n) => `status = ${n}`, query.status);
    if (query.type !== undefined) add((n) => `right(lower(event_type), length(${n})) = lower(${n})`, query.type);
    if (query.subject !== undefined) add((n) => `subject = ${n}`, query.subject);
    if (query.since !== undefined) add((n) => `received_at >= ${n}`, query.since);
    values.push(size + 1);
    const result = await this.pool.query<PushEventRow>(
      `SELECT * FROM push_events WHERE ${where.join(' AND ')} ORDER BY sequence DESC LIMIT $${values.length}`,
      values,
    );
    const items = result.rows.slice(0, size).map((row) => toPushEvent(row, false));
    const page: PushEventPage = { items };
    if (result.rows.length > size) page.nextCursor = encodeSequenceCursor(items[items.length - 1]!.sequence!);
    return page;
  }

  async pending(limit: number): Promise<InboxEvent[]> {
    const result = await this.pool.query<InboxEventRow>({ ...SQL.pending, values: [limit] });
    return result.rows.map((row) => toInboxEvent(row, false));
  }

  /** Records the outcomes of those of the events that are still accepted; returns the ids this call completed. */
  async completeMany(client: Queryable, completions: readonly PushEventCompletion[]): Promise<Set<string>> {
    const result = await client.query<{ id: string }>({
      ...SQL.completeMany,
      values: [
        completions.map((row) => row.id),
        completions.map((row) => row.outcome.status),
        completions.map((row) => row.outcome.errorDescription ?? null),
        completions.map((row) => jsonOrNull(row.outcome.extracted)),
        completions.map((row) => jsonOrNull(row.outcome.operations)),
        completions.map((row) => row.outcome.at),
      ],
    });
    return new Set(result.rows.map((row) => row.id));
  }

  async hasLaterChangeOf(sorId: string, subject: string, sequence: number): Promise<boolean> {
    return (await this.pool.query<{ later: boolean }>({ ...SQL.laterChange, values: [sorId, sequence, subject] })).rows[0]!.later;
  }

  async retry(sorId: string, id: string): Promise<boolean> {
    return (await this.pool.query({ ...SQL.retry, values: [sorId, id] })).rowCount === 1;
  }

  async deleteBefore(time: Date, limit?: number): Promise<number> {
    return (await this.pool.query({ ...SQL.deleteBefore, values: [time, limit ?? null] })).rowCount ?? 0;
  }
}
