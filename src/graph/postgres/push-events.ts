import type pg from 'pg';
import { pageSize } from '../paging.js';
import {
  PUSH_EVENT_COLUMNS,
  decodeSequenceCursor,
  encodeSequenceCursor,
  jsonOrNull,
  pushEventValues,
  toPushEvent,
  type PushEventRow,
} from '../push-event-rows.js';
import type { PushEventOutcome, PushEventPage, PushEventQuery, PushEventRecord } from '../push-events.js';

const PLACEHOLDERS = PUSH_EVENT_COLUMNS.split(',')
  .map((column, i) => `$${i + 1}${/authentication|decoded|extracted|operations|notes/.test(column) ? '::jsonb' : ''}`)
  .join(', ');

const SQL = {
  insert: {
    name: 'pushgraph.insertPushEvent',
    text: `INSERT INTO push_events (${PUSH_EVENT_COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (sor_id, dedup_key) DO NOTHING`,
  },
  get: { name: 'pushgraph.getPushEvent', text: 'SELECT * FROM push_events WHERE sor_id = $1 AND id = $2' },
  pending: {
    name: 'pushgraph.pendingPushEvents',
    text: "SELECT * FROM push_events WHERE status = 'accepted' ORDER BY sequence LIMIT $1",
  },
  complete: {
    name: 'pushgraph.completePushEvent',
    text: `UPDATE push_events SET status = $3, error_description = $4, extracted = $5::jsonb, operations = $6::jsonb,
        applied_at = $7, attempts = attempts + 1
      WHERE sor_id = $1 AND id = $2 AND status = 'accepted'`,
  },
  retry: {
    name: 'pushgraph.retryPushEvent',
    text: "UPDATE push_events SET status = 'accepted', error_description = NULL WHERE sor_id = $1 AND id = $2 AND status = 'failed'",
  },
  deleteBefore: {
    name: 'pushgraph.deletePushEventsBefore',
    text: "DELETE FROM push_events WHERE received_at < $1 AND status <> 'accepted'",
  },
} as const;

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The event log and inbox on PostgreSQL; completions run on the store's transaction client. */
export class PostgresPushEvents {
  constructor(private readonly pool: pg.Pool) {}

  async record(event: PushEventRecord): Promise<'recorded' | 'duplicate'> {
    const result = await this.pool.query({ ...SQL.insert, values: pushEventValues(event) });
    return result.rowCount === 1 ? 'recorded' : 'duplicate';
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

  async pending(limit: number): Promise<PushEventRecord[]> {
    const result = await this.pool.query<PushEventRow>({ ...SQL.pending, values: [limit] });
    return result.rows.map((row) => toPushEvent(row, false));
  }

  async markCompleted(client: Queryable, sorId: string, id: string, outcome: PushEventOutcome): Promise<boolean> {
    const result = await client.query({
      ...SQL.complete,
      values: [sorId, id, outcome.status, outcome.errorDescription ?? null, jsonOrNull(outcome.extracted), jsonOrNull(outcome.operations), outcome.at],
    });
    return result.rowCount === 1;
  }

  async retry(sorId: string, id: string): Promise<boolean> {
    return (await this.pool.query({ ...SQL.retry, values: [sorId, id] })).rowCount === 1;
  }

  async deleteBefore(time: Date): Promise<number> {
    return (await this.pool.query({ ...SQL.deleteBefore, values: [time] })).rowCount ?? 0;
  }
}
