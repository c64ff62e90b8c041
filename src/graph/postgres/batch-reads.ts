import type pg from 'pg';
import type { ScalarValue } from '../../template/model.js';
import type { NodeHistoryQuery } from '../batch-reads.js';
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
  // md5(value_ci) is what the attribute index is keyed by (see the migrations).
  findByValues: query('findByValues', findByValuesSql(true)),
  findByValuesCi: query('findByValuesCi', findByValuesSql(false)),
  childrenOfMany: query(
    'childrenOfMany',
    `SELECT ${columns('n')} FROM nodes n JOIN unnest($2::text[], $3::text[]) AS p (entity, id)
       ON n.sor_id = $1 AND n.parent_entity = p.entity AND n.parent_id = p.id AND n.parent_id IS NOT NULL
     WHERE $4::text IS NULL OR n.entity = $4::text
     ORDER BY n.entity, n.id`,
  ),
  history: query(
    'history',
    `SELECT * FROM push_events
     WHERE sor_id = $1 AND sequence < $3 AND operations IS NOT NULL AND operations @> ANY ($2::jsonb[])
     ORDER BY sequence DESC LIMIT $4`,
  ),
} as const;

function columns(alias: string): string {
  return NODE_COLUMNS.split(', ').map((column) => `${alias}.${column}`).join(', ');
}

function findByValuesSql(exact: boolean): string {
  return `SELECT ${NODE_COLUMNS} FROM nodes
    WHERE sor_id = $1 AND entity = $2 AND id IN (
      SELECT i.node_id FROM node_attribute_index i JOIN unnest($4::text[], $5::text[]) AS v (value_ci, value)
        ON md5(i.value_ci) = md5(v.value_ci) AND i.value_ci = v.value_ci ${exact ? 'AND i.value = v.value' : ''}
      WHERE i.sor_id = $1 AND i.entity = $2 AND i.attribute = $3)
    ORDER BY id LIMIT $6`;
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
    const size = pageSize(query.limit);
    const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeSequenceCursor(query.cursor);
    const touched = refs.map((ref) => JSON.stringify([{ entity: ref.entity, id: ref.id }]));
    const result = await this.pool.query<PushEventRow>({ ...SQL.history, values: [sorId, touched, before, size + 1] });
    const items = result.rows.slice(0, size).map((row) => toPushEvent(row, false));
    const page: PushEventPage = { items };
    if (result.rows.length > size) page.nextCursor = encodeSequenceCursor(items[items.length - 1]!.sequence!);
    return page;
  }

  private async nodes(sql: { name: string; text: string }, values: unknown[]): Promise<EntityNode[]> {
    const result = await this.pool.query<NodeRowRecord>({ ...sql, values });
    return result.rows.map(toEntityNode);
  }
}

function refColumns(refs: readonly NodeRef[]): [string[], string[]] {
  return [refs.map((ref) => ref.entity), refs.map((ref) => ref.id)];
}
