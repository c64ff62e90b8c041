import pg from 'pg';
import type { ScalarValue } from '../../template/model.js';
import { decodeCursor, pageSize, toPage } from '../paging.js';
import {
  NODE_COLUMNS,
  isoTime,
  nodeSource,
  toEntityNode,
  toPushCredentials,
  toPushToken,
  toSystemOfRecord,
  type NodeRowRecord,
  type PushCredentialsRow,
  type PushTokenRow,
  type SystemOfRecordRow,
} from '../rows.js';
import {
  DuplicateRecordError,
  type AttributeIndexPlan,
  type EntityNode,
  type FindOptions,
  type GraphStore,
  type IndexBuildPage,
  type NodeSource,
  type RemapOutcome,
  type NodePage,
  type NodeRef,
  type PushCredentials,
  type NodeTree,
  type PushTokenRecord,
  type SystemOfRecordRecord,
  type WriteOptions,
} from '../store.js';
import { withoutAttributes } from '../index-builds.js';
import { encodeIndexValue, flattenTrees, foldCase, indexRowKey, indexRowsOf, nodeKey, type IndexRow, type NodeRow } from '../tree.js';
import { appliedMigrations, assertSchemaName, migrate } from './migrations.js';
import { GroupCommit } from '../group-commit.js';
import { PostgresPushEvents } from './push-events.js';
import { ScimListingMemo } from '../scim-listing-memo.js';
import { PostgresScimResources } from './scim-resources.js';
import type { GraphProjection, ScimChange, ScimChangeResult, ScimMemberRecord, ScimQuery, ScimQueryResult, ScimResourceRecord, ScimResourceType } from '../scim-resources.js';
import { PostgresBatchReads } from './batch-reads.js';
import type { InboxStatistics, NodeHistoryQuery } from '../batch-reads.js';
import { jsonOrNull } from '../push-event-rows.js';
import type { GraphWrite, InboxEvent, PushEventCompletion, PushEventPage, PushEventQuery, PushEventRecord } from '../push-events.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Every connection uses only this schema (created by migrate()); lets tests and tenants share a database. */
  schema?: string;
  /** Most connections the pool opens. */
  maxConnections?: number;
}

/** Named queries: pg prepares each once per connection and reuses the plan. */
interface Query {
  name: string;
  text: string;
}

function query(name: string, text: string): Query {
  return { name: `pushgraph.${name}`, text };
}

// A replaced root has no parent in its tree, so it keeps the one it had (COALESCE). xmax = 0 marks a row this
// statement inserted: such a node has neither index rows nor children to clean up.
// Time and event id are per row, so that the inbox worker writes the trees of several events in one statement.
const UPSERT_NODES = `INSERT INTO nodes (sor_id, entity, id, parent_entity, parent_id, attributes, created_at, updated_at, last_event_id)
     SELECT $1, w.entity, w.id, w.parent_entity, w.parent_id, w.attributes::jsonb, w.at, w.at, w.event_id
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
       AS w (entity, id, parent_entity, parent_id, attributes, at, event_id)
     ON CONFLICT (sor_id, entity, id) DO UPDATE SET
       parent_entity = COALESCE(excluded.parent_entity, nodes.parent_entity),
       parent_id = COALESCE(excluded.parent_id, nodes.parent_id),
       attributes = excluded.attributes,
       updated_at = excluded.updated_at,
       last_event_id = excluded.last_event_id
     RETURNING entity, id, (xmax = 0) AS inserted`;

/** How often a SoR's DELETE is tried when it deadlocks with push writes (deleteSystemOfRecord). */
const DELETE_SOR_ATTEMPTS = 5;

const SQL = {
  getSetting: query('getSetting', 'SELECT value FROM settings WHERE key = $1'),
  setSetting: query(
    'setSetting',
    'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ),
  setSettingIfAbsent: query(
    'setSettingIfAbsent',
    'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
  ),

  insertSor: query(
    'insertSor',
    `INSERT INTO systems_of_record
       (id, display_name, description, push_type, delivery_method, template_yaml, verification, options, indexed_attributes,
        index_builds, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12)`,
  ),
  getSor: query('getSor', 'SELECT * FROM systems_of_record WHERE id = $1'),
  listSors: query('listSors', 'SELECT * FROM systems_of_record ORDER BY created_at, id'),
  updateSor: query(
    'updateSor',
    `UPDATE systems_of_record SET display_name = $2, description = $3, push_type = $4, delivery_method = $5,
       template_yaml = $6, verification = $7::jsonb, options = $8::jsonb, indexed_attributes = $9::jsonb,
       index_builds = $10::jsonb, updated_at = $11
     WHERE id = $1`,
  ),
  deleteSor: query('deleteSor', 'DELETE FROM systems_of_record WHERE id = $1'),
  // A template change (updateSor) waits for the writes that read the plan before it, and those after it see its plan.
  // With the SoR's version, which completions check (PushEventCompletion.templateVersion).
  lockIndexPlan: query('lockIndexPlan', 'SELECT indexed_attributes, updated_at FROM systems_of_record WHERE id = $1 FOR SHARE'),
  lockIndexBuilds: query('lockIndexBuilds', 'SELECT index_builds FROM systems_of_record WHERE id = $1 FOR UPDATE'),
  setIndexBuilds: query('setIndexBuilds', 'UPDATE systems_of_record SET index_builds = $2::jsonb WHERE id = $1'),
  // FOR SHARE: a write of one of these nodes waits for the page (and the page for it), so the rows built are
  // those of the node as it is.
  lockNodesAfter: query(
    'lockNodesAfter',
    'SELECT id, attributes FROM nodes WHERE sor_id = $1 AND entity = $2 AND id > $3 ORDER BY id LIMIT $4 FOR SHARE',
  ),
  nodeSourcesAfter: query(
    'nodeSourcesAfter',
    `SELECT id, updated_at, last_event_id, source_document FROM nodes
     WHERE sor_id = $1 AND entity = $2 AND id > $3 ORDER BY id LIMIT $4`,
  ),
  // FOR UPDATE: a push of the node waits for the remap (and the remap for it, then finds it changed).
  lockNodeForRemap: query(
    'lockNodeForRemap',
    'SELECT updated_at, source_document FROM nodes WHERE sor_id = $1 AND entity = $2 AND id = $3 FOR UPDATE',
  ),
  deleteAttributeIndexOf: query(
    'deleteAttributeIndexOf',
    'DELETE FROM node_attribute_index WHERE sor_id = $1 AND entity = $2 AND node_id = ANY($3::text[]) AND attribute = ANY($4::text[])',
  ),

  insertToken: query(
    'insertToken',
    `INSERT INTO push_tokens (id, sor_id, hash, description, created_at, expires_at, revoked_at, last_used_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  ),
  getToken: query('getToken', 'SELECT * FROM push_tokens WHERE id = $1'),
  pushCredentials: query(
    'pushCredentials',
    'SELECT s.updated_at AS sor_updated_at, t.* FROM systems_of_record s LEFT JOIN push_tokens t ON t.id = $2 WHERE s.id = $1',
  ),
  pushCredentialsMany: query(
    'pushCredentialsMany',
    `SELECT q.ord, s.updated_at AS sor_updated_at, t.*
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q (sor_id, token_id, ord)
     JOIN systems_of_record s ON s.id = q.sor_id
     LEFT JOIN push_tokens t ON t.id = q.token_id`,
  ),
  listTokens: query('listTokens', 'SELECT * FROM push_tokens WHERE sor_id = $1 ORDER BY created_at, id'),
  revokeToken: query(
    'revokeToken',
    'UPDATE push_tokens SET revoked_at = $3 WHERE id = $2 AND sor_id = $1 AND revoked_at IS NULL',
  ),
  touchToken: query('touchToken', 'UPDATE push_tokens SET last_used_at = $2 WHERE id = $1'),
  expireToken: query(
    'expireToken',
    `UPDATE push_tokens SET expires_at = $3
     WHERE id = $2 AND sor_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)`,
  ),

  upsertNodes: query(
    'upsertNodes',
    UPSERT_NODES,
  ),
  // upsertNodes and, in the same statement, the index rows of the nodes it inserted (all of theirs); returns the
  // nodes that existed before, whose children and index rows the statements below then bring in line.
  writeNodes: query(
    'writeNodes',
    `WITH written AS (
       ${UPSERT_NODES}
     ), indexed AS (
       INSERT INTO node_attribute_index (sor_id, entity, attribute, value, value_ci, node_id)
       SELECT $1, i.entity, i.attribute, i.value, i.value_ci, i.node_id
       FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
         AS i (entity, attribute, value, value_ci, node_id)
       WHERE (i.entity, i.node_id) IN (SELECT entity, id FROM written WHERE inserted)
     )
     SELECT entity, id FROM written WHERE NOT inserted`,
  ),
  // Children of rewritten nodes that the new trees do not contain, with everything below them.
  deleteStaleDescendants: query(
    'deleteStaleDescendants',
    `WITH RECURSIVE rewritten (entity, id) AS (
       SELECT * FROM unnest($2::text[], $3::text[])
     ), written (entity, id) AS (
       SELECT * FROM unnest($4::text[], $5::text[])
     ), stale (entity, id) AS (
       SELECT n.entity, n.id FROM nodes n JOIN rewritten r
         ON n.sor_id = $1 AND n.parent_entity = r.entity AND n.parent_id = r.id AND n.parent_id IS NOT NULL
       WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.entity = n.entity AND w.id = n.id)
       UNION
       SELECT n.entity, n.id FROM nodes n JOIN stale s
         ON n.sor_id = $1 AND n.parent_entity = s.entity AND n.parent_id = s.id AND n.parent_id IS NOT NULL
     ), dropped_index AS (
       DELETE FROM node_attribute_index i USING stale s WHERE i.sor_id = $1 AND i.entity = s.entity AND i.node_id = s.id
     )
     DELETE FROM nodes n USING stale s WHERE n.sor_id = $1 AND n.entity = s.entity AND n.id = s.id`,
  ),
  // The stored index rows of rewritten nodes. LATERAL … OFFSET 0 (here and below) keeps one index probe per node:
  // with the array's size known, the planner otherwise sometimes scans every index row of the SoR instead.
  storedIndexOf: query(
    'storedIndexOf',
    `SELECT r.entity, r.id AS node_id, i.attribute, i.value
     FROM unnest($2::text[], $3::text[]) AS r (entity, id) CROSS JOIN LATERAL (
       SELECT i.attribute, i.value FROM node_attribute_index i
       WHERE i.sor_id = $1 AND i.entity = r.entity AND i.node_id = r.id OFFSET 0
     ) i`,
  ),
  deleteIndexRows: query(
    'deleteIndexRows',
    `DELETE FROM node_attribute_index WHERE ctid = ANY (ARRAY(
       SELECT i.ctid FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS d (entity, node_id, attribute, value)
       CROSS JOIN LATERAL (
         SELECT i.ctid FROM node_attribute_index i
         WHERE i.sor_id = $1 AND i.entity = d.entity AND i.node_id = d.node_id AND i.attribute = d.attribute
           AND i.value = d.value OFFSET 0
       ) i))`,
  ),
  deleteIndexOf: query(
    'deleteIndexOf',
    `DELETE FROM node_attribute_index i USING unnest($2::text[], $3::text[]) AS w (entity, id)
     WHERE i.sor_id = $1 AND i.entity = w.entity AND i.node_id = w.id`,
  ),
  deleteNodesByKey: query(
    'deleteNodesByKey',
    'DELETE FROM nodes n USING unnest($2::text[], $3::text[]) AS d (entity, id) WHERE n.sor_id = $1 AND n.entity = d.entity AND n.id = d.id',
  ),
  insertIndex: query(
    'insertIndex',
    `INSERT INTO node_attribute_index (sor_id, entity, attribute, value, value_ci, node_id)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
  ),
  deleteSubtree: query(
    'deleteSubtree',
    `WITH RECURSIVE subtree (entity, id) AS (
       SELECT $2::text COLLATE "C", $3::text COLLATE "C"
       UNION
       SELECT n.entity, n.id FROM nodes n JOIN subtree s
         ON n.sor_id = $1 AND n.parent_entity = s.entity AND n.parent_id = s.id AND n.parent_id IS NOT NULL
     ), dropped_index AS (
       DELETE FROM node_attribute_index i USING subtree s WHERE i.sor_id = $1 AND i.entity = s.entity AND i.node_id = s.id
     )
     DELETE FROM nodes n USING subtree s WHERE n.sor_id = $1 AND n.entity = s.entity AND n.id = s.id
     RETURNING n.entity, n.id`,
  ),

  // Most deleted nodes (users, members) have no children. Checking first lets their delete go by key: the
  // recursive subtree query's plan hash-joins all of `nodes` when one group holds most of them.
  someChildRefs: query('someChildRefs', 'SELECT entity, id FROM nodes WHERE sor_id = $1 AND parent_entity = $2 AND parent_id = $3 LIMIT $4'),
  hasChildren: query('hasChildren', 'SELECT 1 FROM nodes WHERE sor_id = $1 AND parent_entity = $2 AND parent_id = $3 LIMIT 1'),
  deleteLeaf: query(
    'deleteLeaf',
    `WITH dropped_index AS (
       DELETE FROM node_attribute_index WHERE sor_id = $1 AND entity = $2 AND node_id = $3
     )
     DELETE FROM nodes WHERE sor_id = $1 AND entity = $2 AND id = $3
     RETURNING entity, id`,
  ),

  getNode: query('getNode', `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = $1 AND entity = $2 AND id = $3`),
  getChildren: query(
    'getChildren',
    `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = $1 AND parent_entity = $2 AND parent_id = $3
     ORDER BY entity, id`,
  ),
  getChildrenOf: query(
    'getChildrenOf',
    `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = $1 AND parent_entity = $2 AND parent_id = $3 AND entity = $4
     ORDER BY id`,
  ),
  findByValue: query('findByValue', findNodesSql(true)),
  findByValueCi: query('findByValueCi', findNodesSql(false)),
  listFirst: query(
    'listFirst',
    `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = $1 AND entity = $2 ORDER BY id LIMIT $3`,
  ),
  listAfter: query(
    'listAfter',
    `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = $1 AND entity = $2 AND id > $3 ORDER BY id LIMIT $4`,
  ),
  countNodes: query(
    'countNodes',
    'SELECT entity, count(*)::int AS count FROM nodes WHERE sor_id = $1 GROUP BY entity ORDER BY entity',
  ),
  countNodesHolding: query(
    'countNodesHolding',
    'SELECT count(*)::int AS count FROM nodes WHERE sor_id = $1 AND entity = $2 AND attributes ? $3',
  ),
} as const;

/** The node a SET subject built (findNodeIdBySubject), through the partial index nodes_subject (migration 8). */
export const NODE_ID_BY_SUBJECT = query(
  'nodeIdBySubject',
  `SELECT id FROM nodes
   WHERE sor_id = $1 AND entity = $2 AND (source_document -> 'sub_id' ->> 'uri') = $3
     AND source_document IS NOT NULL AND id IS DISTINCT FROM (source_document -> 'sub_id' ->> 'id')
   ORDER BY updated_at DESC, id LIMIT 1`,
);

/** Every node a SET subject built (findNodeIdsBySubject): those in nodes_subject, and the one keyed by its sub_id.id. */
const NODE_IDS_BY_SUBJECT = query(
  'nodeIdsBySubject',
  `SELECT id FROM nodes
   WHERE sor_id = $1 AND entity = $2 AND (source_document -> 'sub_id' ->> 'uri') = $3
     AND source_document IS NOT NULL AND id IS DISTINCT FROM (source_document -> 'sub_id' ->> 'id')
   UNION ALL
   SELECT id FROM nodes
   WHERE sor_id = $1 AND entity = $2 AND id = $4 AND (source_document -> 'sub_id' ->> 'uri') = $3`,
);

/** Writes of the inbox worker beyond replacing and deleting trees. */
const SQL_WRITES = {
  getSource: query('getSource', 'SELECT source_document FROM nodes WHERE sor_id = $1 AND entity = $2 AND id = $3'),
  lockBuiltBy: query(
    'lockBuiltBy',
    `SELECT 1 FROM nodes WHERE sor_id = $1 AND entity = $2 AND id = $3 AND (source_document -> 'sub_id' ->> 'uri') = $4 FOR UPDATE`,
  ),
  setSources: query(
    'setSources',
    `UPDATE nodes n SET source_document = v.document::jsonb, changed_upstream_at = NULL
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v (sor_id, entity, id, document)
     WHERE n.sor_id = v.sor_id AND n.entity = v.entity AND n.id = v.id`,
  ),
  markChanged: query(
    'markChanged',
    'UPDATE nodes SET changed_upstream_at = $1, updated_at = $1, last_event_id = $2 WHERE sor_id = $3 AND entity = $4 AND id = $5',
  ),
  setAttributes: query(
    'setAttributes',
    'UPDATE nodes SET attributes = $1::jsonb, updated_at = $2, last_event_id = $3 WHERE sor_id = $4 AND entity = $5 AND id = $6',
  ),
} as const;

function findNodesSql(exact: boolean): string {
  return `SELECT ${NODE_COLUMNS} FROM nodes
    WHERE sor_id = $1 AND entity = $2 AND id IN (
      SELECT node_id FROM node_attribute_index
      WHERE sor_id = $1 AND entity = $2 AND attribute = $3 AND md5(value_ci) = md5($4::text) AND value_ci = $4::text
        ${exact ? 'AND value = $6::text' : ''})
    ORDER BY id LIMIT $5`;
}

/** PostgreSQL storage; several instances may share one database. */
export class PostgresGraphStore implements GraphStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private readonly events: PostgresPushEvents;
  /** Concurrent requests' event log rows share a statement: one round trip and one commit for a batch. */
  private readonly eventLog: GroupCommit<PushEventRecord, 'recorded' | 'duplicate'>;
  /**
   * Concurrent push requests' credential reads share one query. Each read is sent only after its request
   * arrived, so it sees every change committed before that, such as a revoked token.
   */
  private readonly credentialReads: GroupCommit<{ sorId: string; tokenId: string | null }, PushCredentials | undefined>;
  private readonly scim: PostgresScimResources;
  private readonly listingMemo = new ScimListingMemo();
  private readonly batchReads: PostgresBatchReads;

  constructor(options: PostgresStoreOptions) {
    if (options.schema !== undefined) assertSchemaName(options.schema);
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      // An acknowledged write is on disk even where the server's default says otherwise.
      options: ['-c synchronous_commit=on', ...(options.schema === undefined ? [] : [`-c search_path=${options.schema}`])].join(' '),
    });
    // An idle connection that breaks would otherwise crash the process; the next query reports the problem.
    this.pool.on('error', () => undefined);
    this.events = new PostgresPushEvents(this.pool);
    this.eventLog = new GroupCommit((events) => this.events.recordMany(events));
    this.credentialReads = new GroupCommit((reads) => this.readPushCredentialsMany(reads));
    this.scim = new PostgresScimResources(this.pool, {
      transaction: (work) => this.transaction(work),
      writeTrees: async (client, sorId, trees, options) => this.writeTrees(client, sorId, trees, await this.withIndexPlan(client, sorId, options)),
      writeRows: async (client, sorId, rows, given) => {
        const options = await this.withIndexPlan(client, sorId, given);
        const sorted = [...rows].sort(byEntityAndId);
        const rewritten = await this.upsertNodes(client, sorId, sorted, options);
        if (rewritten.length > 0) await client.query({ ...SQL.deleteIndexOf, values: [sorId, ...columns(rewritten)] });
        await this.insertIndexRows(client, sorId, sorted, options);
      },
      deleteTree: (client, sorId, entity, id) => this.deleteTree(client, sorId, entity, id),
      deleteLeaves: async (client, sorId, refs) => {
        const keys = [refs.map((ref) => ref.entity), refs.map((ref) => ref.id)];
        await client.query({ ...SQL.deleteIndexOf, values: [sorId, ...keys] });
        await client.query({ ...SQL.deleteNodesByKey, values: [sorId, ...keys] });
      },
    }, this.listingMemo);
    this.batchReads = new PostgresBatchReads(this.pool);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await migrate(client, this.schema);
    } finally {
      client.release();
    }
  }

  async appliedMigrations(): Promise<number[]> {
    const client = await this.pool.connect();
    try {
      return await appliedMigrations(client);
    } finally {
      client.release();
    }
  }

  async isCreated(): Promise<boolean> {
    // Resolved through the search_path, which holds only the configured schema when there is one.
    const result = await this.pool.query<{ found: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS found");
    return result.rows[0]!.found;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.credentialReads.settled();
    await this.eventLog.settled();
    await this.pool.end();
  }

  async getSetting(key: string): Promise<string | undefined> {
    const result = await this.pool.query<{ value: string }>({ ...SQL.getSetting, values: [key] });
    return result.rows[0]?.value;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<boolean> {
    const result = await this.pool.query({ ...SQL.setSettingIfAbsent, values: [key, value] });
    return result.rowCount === 1;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.pool.query({ ...SQL.setSetting, values: [key, value] });
  }

  async createSystemOfRecord(sor: SystemOfRecordRecord): Promise<void> {
    try {
      await this.pool.query({ ...SQL.insertSor, values: [...sorValues(sor), sor.createdAt, sor.updatedAt] });
    } catch (error) {
      throw isUniqueViolation(error) ? new DuplicateRecordError('systemOfRecord', sor.id) : error;
    }
  }

  async getSystemOfRecord(id: string): Promise<SystemOfRecordRecord | undefined> {
    const result = await this.pool.query<SystemOfRecordRow>({ ...SQL.getSor, values: [id] });
    const row = result.rows[0];
    return row && toSystemOfRecord(row);
  }

  async listSystemsOfRecord(): Promise<SystemOfRecordRecord[]> {
    const result = await this.pool.query<SystemOfRecordRow>(SQL.listSors);
    return result.rows.map(toSystemOfRecord);
  }

  async updateSystemOfRecord(sor: SystemOfRecordRecord): Promise<boolean> {
    const result = await this.pool.query({ ...SQL.updateSor, values: [...sorValues(sor), sor.updatedAt] });
    return result.rowCount === 1;
  }

  /**
   * Tokens, nodes and index rows go with it (ON DELETE CASCADE). A SoR's DELETE locks its row and then every row
   * its foreign keys cascade to, while a push write locks its own rows and then the SoR's (checking a foreign key,
   * or reading the index plan): one racing the DELETE can deadlock with it, and PostgreSQL then ends one of the two. The DELETE is tried again (the write it waited for is
   * committed or rolled back by then), so an operator's deletion during pushes does not fail with a 500.
   */
  async deleteSystemOfRecord(id: string): Promise<boolean> {
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await this.pool.query({ ...SQL.deleteSor, values: [id] })).rowCount === 1;
        } catch (error) {
          if (!isDeadlock(error) || attempt === DELETE_SOR_ATTEMPTS) throw error;
        }
      }
    } finally {
      this.listingMemo.changed(id);
    }
  }

  async createPushToken(token: PushTokenRecord): Promise<void> {
    const values = [
      token.id,
      token.sorId,
      token.hash,
      token.description ?? null,
      token.createdAt,
      token.expiresAt ?? null,
      token.revokedAt ?? null,
      token.lastUsedAt ?? null,
    ];
    try {
      await this.pool.query({ ...SQL.insertToken, values });
    } catch (error) {
      throw isUniqueViolation(error) ? new DuplicateRecordError('pushToken', token.id) : error;
    }
  }

  async readPushCredentials(sorId: string, tokenId: string | undefined): Promise<PushCredentials | undefined> {
    return this.credentialReads.submit({ sorId, tokenId: tokenId ?? null });
  }

  private async readPushCredentialsMany(reads: readonly { sorId: string; tokenId: string | null }[]): Promise<(PushCredentials | undefined)[]> {
    if (reads.length === 1) {
      const result = await this.pool.query<PushCredentialsRow>({ ...SQL.pushCredentials, values: [reads[0]!.sorId, reads[0]!.tokenId] });
      return [toPushCredentials(result.rows[0])];
    }
    const result = await this.pool.query<PushCredentialsRow & { ord: string }>({
      ...SQL.pushCredentialsMany,
      values: [reads.map((read) => read.sorId), reads.map((read) => read.tokenId)],
    });
    const found = reads.map((): PushCredentials | undefined => undefined);
    for (const row of result.rows) found[Number(row.ord) - 1] = toPushCredentials(row);
    return found;
  }

  async getPushToken(id: string): Promise<PushTokenRecord | undefined> {
    const result = await this.pool.query<PushTokenRow>({ ...SQL.getToken, values: [id] });
    const row = result.rows[0];
    return row && toPushToken(row);
  }

  async listPushTokens(sorId: string): Promise<PushTokenRecord[]> {
    const result = await this.pool.query<PushTokenRow>({ ...SQL.listTokens, values: [sorId] });
    return result.rows.map(toPushToken);
  }

  async revokePushToken(sorId: string, tokenId: string, at: Date): Promise<boolean> {
    const result = await this.pool.query({ ...SQL.revokeToken, values: [sorId, tokenId, at] });
    return result.rowCount === 1;
  }

  async touchPushToken(id: string, at: Date): Promise<void> {
    await this.pool.query({ ...SQL.touchToken, values: [id, at] });
  }

  async expirePushToken(sorId: string, tokenId: string, at: Date): Promise<boolean> {
    return (await this.pool.query({ ...SQL.expireToken, values: [sorId, tokenId, at] })).rowCount === 1;
  }

  async replaceNode(sorId: string, tree: NodeTree, options: WriteOptions): Promise<void> {
    await this.replaceNodes(sorId, [tree], options);
  }

  async replaceNodes(sorId: string, trees: NodeTree[], options: WriteOptions): Promise<void> {
    if (trees.length === 0) return;
    await this.transaction(async (client) => this.writeTrees(client, sorId, trees, await this.withIndexPlan(client, sorId, options)));
  }

  private async writeTrees(client: pg.PoolClient, sorId: string, trees: readonly NodeTree[], options: WriteOptions): Promise<void> {
    await this.writeTreeBatch(client, sorId, [{ rows: flattenTrees(trees), options }]);
  }

  /**
   * Writes the node rows of several writes (each with its own time, event and index plan) in one statement, and a
   * second only when some nodes existed before. The writes must not share a node.
   */
  private async writeTreeBatch(client: pg.PoolClient, sorId: string, parts: readonly { rows: readonly NodeRow[]; options: WriteOptions }[]): Promise<void> {
    const stamped = parts.flatMap(({ rows, options }) => {
      const at = options.at ?? new Date();
      const eventId = options.eventId ?? null;
      return rows.map((row) => ({ row, at, eventId }));
    });
    if (stamped.length === 0) return;
    stamped.sort((a, b) => byEntityAndId(a.row, b.row));
    const rows = stamped.map((item) => item.row);
    const indexRows = parts.flatMap(({ rows: partRows, options }) => partRows.flatMap((row) => indexRowsOf(row, options.indexedAttributes)));
    const result = await client.query<{ entity: string; id: string }>({
      ...SQL.writeNodes,
      values: [
        sorId,
        ...nodeColumns(rows),
        stamped.map((item) => item.at),
        stamped.map((item) => item.eventId),
        ...indexColumns(indexRows),
      ],
    });
    const rewritten = result.rows;
    if (rewritten.length === 0) return;
    // Statements run after writeNodes locked the rewritten nodes, so they see those nodes' current rows.
    await client.query({ ...SQL.deleteStaleDescendants, values: [sorId, ...columns(rewritten), ...columns(rows)] });
    await this.rewriteChangedIndexRows(client, sorId, rewritten, indexRows);
  }

  /**
   * Brings the index rows of nodes that existed before in line with their new attributes, touching only rows whose
   * values changed. Compares with the rows stored, not with what the current index plan would have produced, so
   * that rows of attributes no longer indexed go too.
   */
  private async rewriteChangedIndexRows(
    client: pg.PoolClient,
    sorId: string,
    rewritten: readonly { entity: string; id: string }[],
    indexRows: readonly IndexRow[],
  ): Promise<void> {
    const rewrittenKeys = new Set(rewritten.map((ref) => nodeKey(ref.entity, ref.id)));
    const key = (entity: string, nodeId: string, attribute: string, value: string) =>
      `${nodeKey(entity, nodeId)}\u0000${indexRowKey(attribute, value)}`;
    const missing = new Map<string, IndexRow>();
    for (const index of indexRows) {
      if (rewrittenKeys.has(nodeKey(index.entity, index.nodeId))) {
        missing.set(key(index.entity, index.nodeId, index.attribute, index.value), index);
      }
    }
    const stored = await client.query<{ entity: string; node_id: string; attribute: string; value: string }>({
      ...SQL.storedIndexOf,
      values: [sorId, ...columns(rewritten)],
    });
    const unwanted = stored.rows.filter((row) => !missing.delete(key(row.entity, row.node_id, row.attribute, row.value)));
    if (unwanted.length > 0) {
      await client.query({
        ...SQL.deleteIndexRows,
        values: [
          sorId,
          unwanted.map((row) => row.entity),
          unwanted.map((row) => row.node_id),
          unwanted.map((row) => row.attribute),
          unwanted.map((row) => row.value),
        ],
      });
    }
    if (missing.size > 0) await client.query({ ...SQL.insertIndex, values: [sorId, ...indexColumns([...missing.values()])] });
  }

  async deleteNode(sorId: string, entity: string, id: string): Promise<boolean> {
    return this.transaction((client) => this.deleteTree(client, sorId, entity, id));
  }

  async deleteSomeChildren(sorId: string, parent: NodeRef, limit: number): Promise<number> {
    return this.transaction(async (client) => {
      const children = (await client.query<NodeRef>({ ...SQL.someChildRefs, values: [sorId, parent.entity, parent.id, limit] })).rows;
      for (const child of children) await this.deleteTree(client, sorId, child.entity, child.id);
      return children.length;
    });
  }

  async findNodeIdBySubject(sorId: string, entity: string, subjectUri: string): Promise<string | undefined> {
    const result = await this.pool.query<{ id: string }>({ ...NODE_ID_BY_SUBJECT, values: [sorId, entity, subjectUri] });
    return result.rows[0]?.id;
  }

  async findNodeIdsBySubject(sorId: string, entity: string, subject: { uri: string; id?: string }): Promise<string[]> {
    const result = await this.pool.query<{ id: string }>({ ...NODE_IDS_BY_SUBJECT, values: [sorId, entity, subject.uri, subject.id ?? null] });
    return [...new Set(result.rows.map((row) => row.id))];
  }

  async getNode(sorId: string, entity: string, id: string): Promise<EntityNode | undefined> {
    const result = await this.pool.query<NodeRowRecord>({ ...SQL.getNode, values: [sorId, entity, id] });
    const row = result.rows[0];
    return row && toEntityNode(row);
  }

  async getChildren(sorId: string, entity: string, id: string, childEntity?: string): Promise<EntityNode[]> {
    const result =
      childEntity === undefined
        ? await this.pool.query<NodeRowRecord>({ ...SQL.getChildren, values: [sorId, entity, id] })
        : await this.pool.query<NodeRowRecord>({ ...SQL.getChildrenOf, values: [sorId, entity, id, childEntity] });
    return result.rows.map(toEntityNode);
  }

  async findNodes(
    sorId: string,
    entity: string,
    attribute: string,
    value: ScalarValue,
    options: FindOptions = {},
  ): Promise<EntityNode[]> {
    const encoded = encodeIndexValue(value);
    const key = [sorId, entity, attribute, foldCase(encoded), options.limit ?? null];
    const result = options.caseInsensitive
      ? await this.pool.query<NodeRowRecord>({ ...SQL.findByValueCi, values: key })
      : await this.pool.query<NodeRowRecord>({ ...SQL.findByValue, values: [...key, encoded] });
    return result.rows.map(toEntityNode);
  }

  async listNodes(sorId: string, entity: string, options: { limit?: number; cursor?: string } = {}): Promise<NodePage> {
    const size = pageSize(options.limit);
    const result =
      options.cursor === undefined
        ? await this.pool.query<NodeRowRecord>({ ...SQL.listFirst, values: [sorId, entity, size + 1] })
        : await this.pool.query<NodeRowRecord>({
            ...SQL.listAfter,
            values: [sorId, entity, decodeCursor(options.cursor), size + 1],
          });
    const page = toPage(result.rows, size);
    const nodes: NodePage = { nodes: page.items.map(toEntityNode) };
    if (page.nextCursor !== undefined) nodes.nextCursor = page.nextCursor;
    return nodes;
  }

  async getNodes(sorId: string, refs: readonly NodeRef[]): Promise<EntityNode[]> {
    return this.batchReads.getNodes(sorId, refs);
  }

  async findNodesByValues(sorId: string, entity: string, attribute: string, values: readonly ScalarValue[], options?: FindOptions): Promise<EntityNode[]> {
    return this.batchReads.findNodesByValues(sorId, entity, attribute, values, options);
  }

  async getChildrenOfMany(sorId: string, parents: readonly NodeRef[], childEntity?: string): Promise<EntityNode[]> {
    return this.batchReads.getChildrenOfMany(sorId, parents, childEntity);
  }

  async listNodeHistory(sorId: string, refs: readonly NodeRef[], query?: NodeHistoryQuery): Promise<PushEventPage> {
    return this.batchReads.listNodeHistory(sorId, refs, query);
  }

  async getScimResource(sorId: string, resourceType: ScimResourceType, id: string): Promise<ScimResourceRecord | undefined> {
    return this.scim.get(sorId, resourceType, id);
  }

  async queryScimResources(sorId: string, resourceType: ScimResourceType, query: ScimQuery): Promise<ScimQueryResult> {
    return this.scim.query(sorId, resourceType, query);
  }

  async listScimMembers(sorId: string, groupId: string, options: { afterValue?: string; limit: number }): Promise<ScimMemberRecord[]> {
    return this.scim.members(sorId, groupId, options);
  }

  async findScimMembers(sorId: string, groupId: string, values: readonly string[]): Promise<ScimMemberRecord[]> {
    return this.scim.findMembers(sorId, groupId, values);
  }

  async scimGroupsOf(sorId: string, memberId: string): Promise<{ id: string; name: string }[]> {
    return this.scim.groupsOf(sorId, memberId);
  }

  async scimGroupsOfEach(sorId: string, memberIds: readonly string[]): Promise<Map<string, { id: string; name: string }[]>> {
    return this.scim.groupsOfEach(sorId, memberIds);
  }

  async applyScimChange(sorId: string, change: ScimChange): Promise<ScimChangeResult> {
    return this.scim.apply(sorId, change);
  }

  async importScimResources(sorId: string, resources: readonly ScimResourceRecord[], graph: GraphProjection, options: WriteOptions): Promise<ScimChangeResult> {
    return this.scim.import(sorId, resources, graph, options);
  }

  async inboxStatistics(): Promise<InboxStatistics> {
    return this.batchReads.inboxStatistics();
  }

  async countNodes(sorId: string): Promise<Record<string, number>> {
    const result = await this.pool.query<{ entity: string; count: number }>({ ...SQL.countNodes, values: [sorId] });
    return Object.fromEntries(result.rows.map((row) => [row.entity, row.count]));
  }

  async countNodesHolding(sorId: string, entity: string, attribute: string): Promise<number> {
    const result = await this.pool.query<{ count: number }>({ ...SQL.countNodesHolding, values: [sorId, entity, attribute] });
    return result.rows[0]!.count;
  }

  async recordPushEvent(event: PushEventRecord): Promise<'recorded' | 'duplicate'> {
    return this.eventLog.submit(event);
  }

  async getPushEvent(sorId: string, id: string): Promise<PushEventRecord | undefined> {
    return this.events.get(sorId, id);
  }

  async listPushEvents(sorId: string, query: PushEventQuery = {}): Promise<PushEventPage> {
    return this.events.list(sorId, query);
  }

  async pendingPushEvents(limit: number): Promise<InboxEvent[]> {
    return this.events.pending(limit);
  }

  /**
   * One transaction per batch: the outcomes in one statement, the node trees that events replace in one
   * statement per run of such events (a run ends at another kind of write, or at an event that shares a node
   * with the run), then the source documents of every replaced node in one statement. The worker never puts
   * two events of one subject in a batch, so only a rename's delete, conditional on the node's source (GraphWrite's
   * builtBy), depends on another event's source document: the sources so far are written before it.
   */
  async completePushEvents(completions: readonly PushEventCompletion[]): Promise<boolean[]> {
    return this.transaction(async (client) => {
      // The SoRs' rows first, then their events: a SoR's DELETE locks them in that order (its row, then the rows its
      // foreign keys cascade to), and a batch that locked its events first deadlocked with it, failing the DELETE.
      const plans = new Map<string, AttributeIndexPlan | undefined>();
      const versions = new Map<string, string>();
      for (const sorId of [...new Set(completions.map((c) => c.sorId))].sort()) {
        const locked = await this.lockIndexPlan(client, sorId);
        plans.set(sorId, locked?.plan);
        if (locked) versions.set(sorId, locked.version);
      }
      // An event planned with a template since replaced is left accepted, to be planned again with the new one.
      const current = completions.filter((c) => c.templateVersion === undefined || versions.get(c.sorId) === c.templateVersion);
      const claimed = await this.events.completeMany(client, current);
      const sources: { sorId: string; entity: string; id: string; document: string | null }[] = [];
      let run: { sorId: string; parts: { rows: NodeRow[]; options: WriteOptions }[]; keys: Set<string> } | undefined;
      const writeRun = async () => {
        if (run) await this.writeTreeBatch(client, run.sorId, run.parts);
        run = undefined;
      };
      const writeSources = async () => {
        if (sources.length > 0) await this.setSources(client, sources.splice(0));
      };
      for (const { sorId, id, writes, options: given } of completions) {
        if (!claimed.has(id)) continue;
        const options = { ...given, indexedAttributes: plans.get(sorId) ?? given.indexedAttributes };
        for (const write of writes) {
          if (write.kind !== 'replace') {
            await writeRun();
            // A delete conditional on the node's source must see the sources the events before it wrote.
            if (write.kind === 'delete' && write.builtBy !== undefined) await writeSources();
            await this.applyWrite(client, sorId, write, options);
            continue;
          }
          const rows = flattenTrees([write.tree]);
          const keys = rows.map((row) => nodeKey(row.entity, row.id));
          if (run && (run.sorId !== sorId || keys.some((key) => run!.keys.has(key)))) await writeRun();
          run ??= { sorId, parts: [], keys: new Set() };
          run.parts.push({ rows, options });
          for (const key of keys) run.keys.add(key);
          sources.push({ sorId, entity: write.tree.entity, id: write.tree.id, document: jsonOrNull(write.sourceDocument) });
        }
      }
      await writeRun();
      await writeSources();
      return completions.map((completion) => claimed.has(completion.id));
    });
  }

  private async setSources(client: pg.PoolClient, sources: readonly { sorId: string; entity: string; id: string; document: string | null }[]): Promise<void> {
    await client.query({
      ...SQL_WRITES.setSources,
      values: [sources.map((s) => s.sorId), sources.map((s) => s.entity), sources.map((s) => s.id), sources.map((s) => s.document)],
    });
  }

  async retryPushEvent(sorId: string, id: string): Promise<boolean> {
    return this.events.retry(sorId, id);
  }

  async hasLaterChangeOf(sorId: string, subject: string, sequence: number): Promise<boolean> {
    return this.events.hasLaterChangeOf(sorId, subject, sequence);
  }

  async deletePushEventsBefore(time: Date, limit?: number): Promise<number> {
    return this.events.deleteBefore(time, limit);
  }

  async getNodeSource(sorId: string, entity: string, id: string): Promise<unknown | undefined> {
    const result = await this.pool.query<{ source_document: unknown }>({ ...SQL_WRITES.getSource, values: [sorId, entity, id] });
    return result.rows[0]?.source_document ?? undefined;
  }

  async buildAttributeIndex(sorId: string, entity: string, attributes: readonly string[], after: string | undefined, limit: number): Promise<IndexBuildPage> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ id: string; attributes: NodeRow['attributes'] }>({ ...SQL.lockNodesAfter, values: [sorId, entity, after ?? '', limit] });
      if (rows.length === 0) return { nodes: 0 };
      await client.query({ ...SQL.deleteAttributeIndexOf, values: [sorId, entity, rows.map((row) => row.id), attributes] });
      const nodes = rows.map((row) => ({ entity, id: row.id, attributes: row.attributes }));
      await this.insertIndexRows(client, sorId, nodes, { indexedAttributes: { [entity]: attributes } });
      return { nodes: rows.length, last: rows[rows.length - 1]!.id };
    });
  }

  async finishIndexBuild(sorId: string, entity: string, attributes: readonly string[]): Promise<void> {
    await this.transaction(async (client) => {
      const stored = (await client.query<{ index_builds: AttributeIndexPlan | null }>({ ...SQL.lockIndexBuilds, values: [sorId] })).rows[0]?.index_builds;
      if (!stored) return;
      const remaining = withoutAttributes(stored, entity, attributes);
      await client.query({ ...SQL.setIndexBuilds, values: [sorId, remaining === undefined ? null : JSON.stringify(remaining)] });
    });
  }

  async listNodeSources(sorId: string, entity: string, after: string | undefined, limit: number): Promise<NodeSource[]> {
    const { rows } = await this.pool.query<{ id: string; updated_at: Date; last_event_id: string | null; source_document: unknown }>({
      ...SQL.nodeSourcesAfter,
      values: [sorId, entity, after ?? '', limit],
    });
    return rows.map((row) => nodeSource(row.id, isoTime(row.updated_at), row.last_event_id, row.source_document));
  }

  async remapNode(sorId: string, entity: string, id: string, expectedUpdatedAt: string, tree: NodeTree, given: WriteOptions): Promise<RemapOutcome> {
    return this.transaction(async (client) => {
      const options = await this.withIndexPlan(client, sorId, given);
      const found = (await client.query<{ updated_at: Date; source_document: unknown }>({ ...SQL.lockNodeForRemap, values: [sorId, entity, id] })).rows[0];
      if (!found || isoTime(found.updated_at) !== expectedUpdatedAt) return 'changed';
      const moved = tree.id !== id;
      if (moved && (await client.query({ ...SQL.lockNodeForRemap, values: [sorId, tree.entity, tree.id] })).rowCount !== 0) return 'taken';
      if (moved) await this.deleteTree(client, sorId, entity, id);
      await this.writeTrees(client, sorId, [tree], options);
      if (moved) {
        const document = found.source_document === null ? null : JSON.stringify(found.source_document);
        await client.query({ ...SQL_WRITES.setSources, values: [[sorId], [tree.entity], [tree.id], [document]] });
      }
      return 'remapped';
    });
  }

  /** Call at the start of the write's transaction: see WriteOptions.indexedAttributes and SQL.lockIndexPlan. */
  private async withIndexPlan(client: pg.PoolClient, sorId: string, options: WriteOptions): Promise<WriteOptions> {
    const plan = (await this.lockIndexPlan(client, sorId))?.plan;
    return plan === undefined ? options : { ...options, indexedAttributes: plan };
  }

  /** The SoR's stored index plan and its version; undefined when there is no such SoR. */
  private async lockIndexPlan(client: pg.PoolClient, sorId: string): Promise<{ plan?: AttributeIndexPlan; version: string } | undefined> {
    const row = (await client.query<{ indexed_attributes: AttributeIndexPlan | null; updated_at: Date }>({ ...SQL.lockIndexPlan, values: [sorId] })).rows[0];
    return row && { plan: row.indexed_attributes ?? undefined, version: isoTime(row.updated_at) };
  }

  /** A write of one event other than a replace, which completePushEvents batches. */
  private async applyWrite(client: pg.PoolClient, sorId: string, write: Exclude<GraphWrite, { kind: 'replace' }>, options: WriteOptions): Promise<void> {
    const at = options.at ?? new Date();
    switch (write.kind) {
      case 'delete':
        if (write.builtBy !== undefined) {
          const built = await client.query({ ...SQL_WRITES.lockBuiltBy, values: [sorId, write.entity, write.id, write.builtBy] });
          if (built.rowCount === 0) return;
        }
        await this.deleteTree(client, sorId, write.entity, write.id);
        return;
      case 'markChangedUpstream':
        await client.query({ ...SQL_WRITES.markChanged, values: [at, options.eventId ?? null, sorId, write.entity, write.id] });
        return;
      case 'setAttributes': {
        const found = await client.query<NodeRowRecord>({ ...SQL.getNode, values: [sorId, write.entity, write.id] });
        const row = found.rows[0];
        if (!row) return;
        const attributes = { ...toEntityNode(row).attributes, ...write.attributes };
        await client.query({
          ...SQL_WRITES.setAttributes,
          values: [JSON.stringify(attributes), at, options.eventId ?? null, sorId, write.entity, write.id],
        });
        await client.query({ ...SQL.deleteIndexOf, values: [sorId, [write.entity], [write.id]] });
        await this.insertIndexRows(client, sorId, [{ entity: write.entity, id: write.id, attributes }], options);
      }
    }
  }

  /** Deletes a node with everything below it; a node without children goes by key alone. */
  private async deleteTree(client: pg.PoolClient, sorId: string, entity: string, id: string): Promise<boolean> {
    const leaf = (await client.query({ ...SQL.hasChildren, values: [sorId, entity, id] })).rowCount === 0;
    const result = await client.query({ ...(leaf ? SQL.deleteLeaf : SQL.deleteSubtree), values: [sorId, entity, id] });
    return (result.rowCount ?? 0) > 0;
  }

  /** Returns the nodes that existed before: only they can have index rows or children to clean up. */
  private async upsertNodes(
    client: pg.PoolClient,
    sorId: string,
    rows: readonly NodeRow[],
    options: WriteOptions,
  ): Promise<{ entity: string; id: string }[]> {
    const result = await client.query<{ entity: string; id: string; inserted: boolean }>({
      ...SQL.upsertNodes,
      values: [
        sorId,
        ...nodeColumns(rows),
        rows.map(() => options.at ?? new Date()),
        rows.map(() => options.eventId ?? null),
      ],
    });
    return result.rows.filter((row) => !row.inserted);
  }

  private async insertIndexRows(
    client: pg.PoolClient,
    sorId: string,
    rows: readonly NodeRow[],
    options: WriteOptions,
  ): Promise<void> {
    const indexRows = rows.flatMap((row) => indexRowsOf(row, options.indexedAttributes));
    if (indexRows.length === 0) return;
    await client.query({
      ...SQL.insertIndex,
      values: [
        sorId,
        indexRows.map((row) => row.entity),
        indexRows.map((row) => row.attribute),
        indexRows.map((row) => row.value),
        indexRows.map((row) => row.valueCi),
        indexRows.map((row) => row.nodeId),
      ],
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** A fixed order, so concurrent batches that share nodes lock them in the same order instead of deadlocking. */
function byEntityAndId(a: NodeRow, b: NodeRow): number {
  return a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A batch of node rows as the column arrays the `unnest` statements take. */
function nodeColumns(rows: readonly NodeRow[]): unknown[] {
  return [
    rows.map((row) => row.entity),
    rows.map((row) => row.id),
    rows.map((row) => row.parent?.entity ?? null),
    rows.map((row) => row.parent?.id ?? null),
    rows.map((row) => JSON.stringify(row.attributes)),
  ];
}

function columns(refs: readonly { entity: string; id: string }[]): [string[], string[]] {
  return [refs.map((ref) => ref.entity), refs.map((ref) => ref.id)];
}

/** Index rows as the arrays the statements unnest: entity, attribute, value, value_ci, node_id. */
function indexColumns(rows: readonly IndexRow[]): [string[], string[], string[], string[], string[]] {
  return [
    rows.map((row) => row.entity),
    rows.map((row) => row.attribute),
    rows.map((row) => row.value),
    rows.map((row) => row.valueCi),
    rows.map((row) => row.nodeId),
  ];
}

function sorValues(sor: SystemOfRecordRecord): unknown[] {
  return [
    sor.id,
    sor.displayName,
    sor.description ?? null,
    sor.pushType,
    sor.deliveryMethod,
    sor.templateYaml,
    JSON.stringify(sor.verification),
    sor.options === undefined ? null : JSON.stringify(sor.options),
    sor.indexPlan === undefined ? null : JSON.stringify(sor.indexPlan),
    sor.indexBuilds === undefined ? null : JSON.stringify(sor.indexBuilds),
  ];
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '23505';
}

/** PostgreSQL's deadlock_detected: the transaction was ended to break a lock cycle, and can be tried again. */
function isDeadlock(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '40P01';
}
