import type Database from 'better-sqlite3';
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
import type { InboxEvent, PushEventOutcome, PushEventPage, PushEventQuery, PushEventRecord } from '../push-events.js';

const PLACEHOLDERS = PUSH_EVENT_COLUMNS.split(',').map(() => '?').join(', ');

const SQL = {
  insert: `INSERT INTO push_events (${PUSH_EVENT_COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (sor_id, dedup_key) DO NOTHING`,
  get: 'SELECT * FROM push_events WHERE sor_id = ? AND id = ?',
  pending: `SELECT ${INBOX_EVENT_COLUMNS} FROM push_events WHERE status = 'accepted' ORDER BY sequence LIMIT ?`,
  complete: `UPDATE push_events SET status = ?, error_description = ?, extracted = ?, operations = ?, applied_at = ?,
      attempts = attempts + 1
    WHERE sor_id = ? AND id = ? AND status = 'accepted'`,
  // A delete that found no node is ignored, yet it is the subject's latest state all the same.
  laterChange: `SELECT EXISTS (SELECT 1 FROM push_events WHERE sor_id = ? AND sequence > ? AND subject = ?
      AND (status = 'applied' OR (status = 'ignored' AND lower(event_type) LIKE '%:prov:delete'))
      AND protocol = 'set' AND lower(event_type) NOT LIKE '%notice')`,
  retry: "UPDATE push_events SET status = 'accepted', error_description = NULL WHERE sor_id = ? AND id = ? AND status = 'failed'",
  deleteBefore: `DELETE FROM push_events WHERE sequence IN (
      SELECT sequence FROM push_events WHERE received_at < ? AND status <> 'accepted' ORDER BY received_at LIMIT ?)`,
} as const;

/** The event log and inbox on SQLite; the store runs completions inside its own transactions. */
export class SqlitePushEvents {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** Records the events in one transaction, in order; a second event with a recorded dedupKey is a duplicate. */
  recordMany(events: readonly PushEventRecord[]): ('recorded' | 'duplicate')[] {
    return this.db.transaction(() => this.insertMany(events)).immediate();
  }

  /**
   * The inserts of recordMany, inside a transaction the caller holds. Not a nested transaction: SQLite makes
   * that a savepoint, whose statement journal is a temporary file created and deleted on every commit.
   */
  insertMany(events: readonly PushEventRecord[]): ('recorded' | 'duplicate')[] {
    const insert = this.statement(SQL.insert);
    return events.map((event) => (insert.run(...pushEventValues(event)).changes === 1 ? 'recorded' : 'duplicate'));
  }

  get(sorId: string, id: string): PushEventRecord | undefined {
    const row = this.statement(SQL.get).get(sorId, id) as PushEventRow | undefined;
    return row && toPushEvent(row, true);
  }

  list(sorId: string, query: PushEventQuery): PushEventPage {
    const size = pageSize(query.limit);
    const where = ['sor_id = ?'];
    const values: unknown[] = [sorId];
    if (query.cursor !== undefined) {
      where.push('sequence < ?');
      values.push(decodeSequenceCursor(query.cursor));
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      values.push(query.status);
    }
    if (query.type !== undefined) {
      where.push('substr(lower(event_type), -length(?)) = lower(?)');
      values.push(query.type, query.type);
    }
    if (query.subject !== undefined) {
      where.push('subject = ?');
      values.push(query.subject);
    }
    if (query.since !== undefined) {
      where.push('received_at >= ?');
      values.push(query.since);
    }
    const rows = this.statement(`SELECT * FROM push_events WHERE ${where.join(' AND ')} ORDER BY sequence DESC LIMIT ?`).all(
      ...values,
      size + 1,
    ) as PushEventRow[];
    const items = rows.slice(0, size).map((row) => toPushEvent(row, true));
    const page: PushEventPage = { items };
    if (rows.length > size) page.nextCursor = encodeSequenceCursor(items[items.length - 1]!.sequence!);
    return page;
  }

  pending(limit: number): InboxEvent[] {
    return (this.statement(SQL.pending).all(limit) as InboxEventRow[]).map((row) => toInboxEvent(row, true));
  }

  markCompleted(sorId: string, id: string, outcome: PushEventOutcome): boolean {
    return (
      this.statement(SQL.complete).run(
        outcome.status,
        outcome.errorDescription ?? null,
        jsonOrNull(outcome.extracted),
        jsonOrNull(outcome.operations),
        outcome.at.toISOString(),
        sorId,
        id,
      ).changes === 1
    );
  }

  hasLaterChangeOf(sorId: string, subject: string, sequence: number): boolean {
    return this.statement(SQL.laterChange).pluck().get(sorId, sequence, subject) === 1;
  }

  retry(sorId: string, id: string): boolean {
    return this.statement(SQL.retry).run(sorId, id).changes === 1;
  }

  deleteBefore(time: Date, limit = -1): number {
    return this.statement(SQL.deleteBefore).run(time.toISOString(), limit).changes;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
