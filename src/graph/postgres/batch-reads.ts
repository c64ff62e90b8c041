import type pg from 'pg';
import type { ScalarValue } from '../../template/model.js';
import type { InboxStatistics, NodeHistoryQuery } from '../batch-reads.js';
import { pageSize } from '../paging.js';
import { decodeSequenceCursor, encodeSequenceCursor, toPushEvent, type PushEventRow } from '../push-event-rows.js';
import type { PushEventPage } from '../push-events.js';
import { NODE_COLUMNS, toEntityNode, type NodeRowRecord } from '../rows.js';
import type { EntityNode, FindOptions, NodeRef } from '../store.js';
import { encodeIndexValue, foldCase } from '../tree.js';

function query(name: string, text: string) {
  return { name: `pushgraph.batch.${name}`, text };
}

const SQL = {
  getNodes: query(
    'getNodes',
    `SELECT ${columns('n')} FROM nodes n JOIN unnest($2::text[], $3::text[]) AS r (entity, id)
       ON n.sor_id = $1 AND n.entity = r.entity AND n.id = r.id
     ORDER BY n.entity, n.id`,
  ),
  findByValues: query('findByValues', findByValuesSql(true)),
  findByValuesCi: query('findByValuesCi', findByValuesSql(false)),
  childrenOfMany: query(
    'childrenOfMany',
    `SELECT ${columns('n')} FROM nodes n JOIN unnest($2::text[], $3::text[]) AS p (entity, id)
       ON n.sor_id = $1 AND n.parent_entity = p.entity AND n.parent_id = p.id AND n.parent_id IS NOT NULL
     WHERE $4::text IS NULL OR n.entity = $4::text
     ORDER BY n.entity, n.id`,
  ),
  // One `@>` per node, ORed, so that the GIN index on operations (migration 5) answers each.
  history: (refs: number) =>
    query(
      `history${refs}`,
      `SELECT * FROM push_events
       WHERE sor_id = $1 AND sequence < $2 AND (${Array.from({ length: refs }, (_, i) => `operations @> $${i + 4}::jsonb`).join(' OR ')})
       ORDER BY sequence DESC LIMIT $3`,
    ),
  inbox: query('inbox', "SELECT count(*)::int AS depth, min(received_at) AS oldest FROM push_events WHERE status = 'accepted'"),
} as const;

function columns(alias: string): string {
  return NODE_COLUMNS.split(', ').map((column) => `${alias}.${column}`).join(', ');
}

/** `md5(value_ci) = ANY (…)` is an index condition the planner picks even before the tables were analysed. */
function findByValuesSql(exact: boolean): string {
  return `SELECT ${columns('n')} FROM nodes n JOIN (
      SELECT DISTINCT i.node_id FROM node_attribute_index i
      WHERE i.sor_id = $1 AND i.entity = $2 AND i.attribute = $3
        AND md5(i.value_ci) = ANY (ARRAY(SELECT md5(v) FROM unnest($4::text[]) AS v))
        AND i.value_ci = ANY ($4::text[]) ${exact ? 'AND i.value = ANY ($5::text[])' : ''}
    ) m ON n.sor_id = $1 AND n.entity = $2 AND n.id = m.node_id
    ORDER BY n.id LIMIT $6`;
}

/** GraphBatchReads on PostgreSQL: many keys travel as arrays, unnested into a join. */
export class PostgresBatchReads {
  constructor(private readonly pool: pg.Pool) {}

  async getNodes(sorId: string, refs: readonly NodeRef[]): Promise<EntityNode[]> {
    if (refs.length === 0) return [];
    return this.nodes(SQL.getNodes, [sorId, ...refColumns(refs)]);
  }

  async findNodesByValues(
    sorId: string,
    entity: string,
    attribute: string,
    values: readonly ScalarValue[],
    options: FindOptions = {},
  ): Promise<EntityNode[]> {
    if (values.length === 0) return [];
    const encoded = [...new Set(values.map(encodeIndexValue))];
    const sql = options.caseInsensitive ? SQL.findByValuesCi : SQL.findByValues;
    return this.nodes(sql, [sorId, entity, attribute, encoded.map(foldCase), encoded, options.limit ?? null]);
  }

  async getChildrenOfMany(sorId: string, parents: readonly NodeRef[], childEntity?: string): Promise<EntityNode[]> {
    if (parents.length === 0) return [];
    return this.nodes(SQL.childrenOfMany, [sorId, ...refColumns(parents), childEntity ?? null]);
  }

  async listNodeHistory(sorId: string, refs: readonly NodeRef[], query: NodeHistoryQuery = {}): Promise<PushEventPage> {
    if (refs.length === 0) return { items: [] };
    const size = pageSize(query.limit);
    const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeSequenceCursor(query.cursor);
    const touched = refs.map((ref) => JSON.stringify([{ entity: ref.entity, id: ref.id }]));
    const result = await this.pool.query<PushEventRow>({ ...SQL.history(touched.length), values: [sorId, before, size + 1, ...touched] });
    const items = result.rows.slice(0, size).map((row) => toPushEvent(row, false));
    const page: PushEventPage = { items };
    if (result.rows.length > size) page.nextCursor = encodeSequenceCursor(items[items.length - 1]!.sequence!);
    return page;
  }

  async inboxStatistics(): Promise<InboxStatistics> {
    const row = (await this.pool.query<{ depth: number; oldest: Date | null }>(SQL.inbox)).rows[0]!;
    return { depth: row.depth, ...(row.oldest === null ? {} : { oldestReceivedAt: row.oldest.toISOString() }) };
  }

  private async nodes(sql: { name: string; text: string }, values: unknown[]): Promise<EntityNode[]> {
    const result = await this.pool.query<NodeRowRecord>({ ...sql, values });
    return result.rows.map(toEntityNode);
  }
}

function refColumns(refs: readonly NodeRef[]): [string[], string[]] {
  return [refs.map((ref) => ref.entity), refs.map((ref) => ref.id)];
}
