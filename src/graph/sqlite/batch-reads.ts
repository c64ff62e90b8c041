import type Database from 'better-sqlite3';
import type { ScalarValue } from '../../template/model.js';
import type { InboxStatistics, NodeHistoryQuery } from '../batch-reads.js';
import { pageSize } from '../paging.js';
import { decodeSequenceCursor, encodeSequenceCursor, toPushEvent, type PushEventRow } from '../push-event-rows.js';
import type { PushEventPage } from '../push-events.js';
import { NODE_COLUMNS, toEntityNode, type NodeRowRecord } from '../rows.js';
import type { EntityNode, FindOptions, NodeRef } from '../store.js';
import { encodeIndexValue, foldCase } from '../tree.js';

/** Many keys travel as one JSON array parameter, read back with json_each: one statement whatever their number. */
const REFS = `SELECT json_extract(r.value, '$[0]') AS entity, json_extract(r.value, '$[1]') AS id FROM json_each(@refs) r`;

const SQL = {
  getNodes: `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = @sorId AND (entity, id) IN (${REFS}) ORDER BY entity, id`,
  findByValues: findByValuesSql(true),
  findByValuesCi: findByValuesSql(false),
  childrenOfMany: `SELECT ${NODE_COLUMNS} FROM nodes
    WHERE sor_id = @sorId AND parent_id IS NOT NULL AND (parent_entity, parent_id) IN (${REFS})
      AND (@childEntity IS NULL OR entity = @childEntity)
    ORDER BY entity, id`,
  // push_event_nodes is kept from push_events.operations by triggers (migration 5).
  history: `SELECT * FROM push_events
    WHERE sequence IN (
      SELECT n.sequence FROM (${REFS}) r CROSS JOIN push_event_nodes n
      WHERE n.sor_id = @sorId AND n.entity = r.entity AND n.node_id = r.id AND n.sequence < @before)
    ORDER BY sequence DESC LIMIT @limit`,
  inbox: "SELECT count(*) AS depth, min(received_at) AS oldest FROM push_events WHERE status = 'accepted'",
} as const;

function findByValuesSql(exact: boolean): string {
  return `SELECT ${NODE_COLUMNS} FROM nodes
    WHERE sor_id = @sorId AND entity = @entity AND id IN (
      SELECT node_id FROM node_attribute_index
      WHERE sor_id = @sorId AND entity = @entity AND attribute = @attribute
        AND value_ci IN (SELECT value FROM json_each(@valuesCi))
        ${exact ? 'AND value IN (SELECT value FROM json_each(@values))' : ''})
    ORDER BY id LIMIT @limit`;
}

/** GraphBatchReads on SQLite. */
export class SqliteBatchReads {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  getNodes(sorId: string, refs: readonly NodeRef[]): EntityNode[] {
    if (refs.length === 0) return [];
    return this.nodes(SQL.getNodes, { sorId, refs: refsJson(refs) });
  }

  findNodesByValues(sorId: string, entity: string, attribute: string, values: readonly ScalarValue[], options: FindOptions = {}): EntityNode[] {
    if (values.length === 0) return [];
    const encoded = [...new Set(values.map(encodeIndexValue))];
    const params = { sorId, entity, attribute, valuesCi: JSON.stringify(encoded.map(foldCase)), limit: options.limit ?? -1 };
    if (options.caseInsensitive) return this.nodes(SQL.findByValuesCi, params);
    return this.nodes(SQL.findByValues, { ...params, values: JSON.stringify(encoded) });
  }

  getChildrenOfMany(sorId: string, parents: readonly NodeRef[], childEntity?: string): EntityNode[] {
    if (parents.length === 0) return [];
    return this.nodes(SQL.childrenOfMany, { sorId, refs: refsJson(parents), childEntity: childEntity ?? null });
  }

  listNodeHistory(sorId: string, refs: readonly NodeRef[], query: NodeHistoryQuery = {}): PushEventPage {
    const size = pageSize(query.limit);
    const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeSequenceCursor(query.cursor);
    const rows = this.statement(SQL.history).all({ sorId, refs: refsJson(refs), before, limit: size + 1 }) as PushEventRow[];
    const items = rows.slice(0, size).map((row) => toPushEvent(row, true));
    const page: PushEventPage = { items };
    if (rows.length > size) page.nextCursor = encodeSequenceCursor(items[items.length - 1]!.sequence!);
    return page;
  }

  inboxStatistics(): InboxStatistics {
    const row = this.statement(SQL.inbox).get() as { depth: number; oldest: string | null };
    return { depth: row.depth, ...(row.oldest === null ? {} : { oldestReceivedAt: row.oldest }) };
  }

  private nodes(sql: string, params: Record<string, unknown>): EntityNode[] {
    return (this.statement(sql).all(params) as NodeRowRecord[]).map(toEntityNode);
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

function refsJson(refs: readonly NodeRef[]): string {
  return JSON.stringify(refs.map((ref) => [ref.entity, ref.id]));
}
