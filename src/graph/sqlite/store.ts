import Database from 'better-sqlite3';
import type { ScalarValue } from '../../template/model.js';
import { decodeCursor, pageSize, toPage } from '../paging.js';
import {
  NODE_COLUMNS,
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
import {
  encodeIndexValue,
  flattenTrees,
  foldCase,
  indexRowKey,
  indexRowsOf,
  nodeKey,
  rowKeys,
  type IndexRow,
  type NodeRow,
} from '../tree.js';
import { appliedMigrations, isCreated, migrate } from './migrations.js';
import { jsonOrNull } from '../push-event-rows.js';
import { GroupCommit } from '../group-commit.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { SqlitePushEvents } from './push-events.js';
import { ScimListingMemo } from '../scim-listing-memo.js';
import { SqliteScimResources } from './scim-resources.js';
import type { GraphProjection, ScimChange, ScimChangeResult, ScimMemberRecord, ScimQuery, ScimQueryResult, ScimResourceRecord, ScimResourceType } from '../scim-resources.js';
import { SqliteBatchReads } from './batch-reads.js';
import { IndexPlanTexts } from './index-plans.js';
import { withoutAttributes } from '../index-builds.js';
import type { InboxStatistics, NodeHistoryQuery } from '../batch-reads.js';
import type {
  GraphWrite,
  InboxEvent,
  PushEventCompletion,
  PushEventPage,
  PushEventQuery,
  PushEventRecord,
} from '../push-events.js';

const BUSY_TIMEOUT_MS = 5000;
/** Keeps the upper levels of a million-node graph's B-trees in memory. */
const CACHE_KIB = 64 * 1024;
/** Index rows land on random pages; checkpointing less often writes each page once for many commits. */
const WAL_CHECKPOINT_PAGES = 10_000;
/** How often the checkpointer thread copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * With the checkpointer running, the commit that fills this much WAL checkpoints on the event loop, as a
 * backstop should the checkpointer fall behind or stop.
 */
const WAL_BACKSTOP_PAGES = 100_000;

const SUBTREE = `
  WITH RECURSIVE subtree (entity, id) AS (
    SELECT @entity, @id
    UNION
    -- CROSS JOIN keeps subtree the outer loop, so each step is a lookup in nodes_parent, not a scan.
    SELECT n.entity, n.id FROM subtree s CROSS JOIN nodes n
    WHERE n.sor_id = @sorId AND n.parent_entity = s.entity AND n.parent_id = s.id
  )`;

const SQL = {
  getSetting: 'SELECT value FROM settings WHERE key = ?',
  setSetting: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  setSettingIfAbsent: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',

  insertSor: `INSERT INTO systems_of_record
      (id, display_name, description, push_type, delivery_method, template_yaml, verification, options, indexed_attributes,
       index_builds, created_at, updated_at)
    VALUES (@id, @displayName, @description, @pushType, @deliveryMethod, @templateYaml, @verification, @options, @indexPlan,
      @indexBuilds, @createdAt, @updatedAt)`,
  getSor: 'SELECT * FROM systems_of_record WHERE id = ?',
  listSors: 'SELECT * FROM systems_of_record ORDER BY created_at, id',
  updateSor: `UPDATE systems_of_record SET display_name = @displayName, description = @description, push_type = @pushType,
      delivery_method = @deliveryMethod, template_yaml = @templateYaml, verification = @verification, options = @options,
      indexed_attributes = @indexPlan, index_builds = @indexBuilds, updated_at = @updatedAt
    WHERE id = @id`,
  deleteSor: 'DELETE FROM systems_of_record WHERE id = ?',
  writeState: 'SELECT indexed_attributes, updated_at FROM systems_of_record WHERE id = ?',
  indexBuilds: 'SELECT index_builds FROM systems_of_record WHERE id = ?',
  setIndexBuilds: 'UPDATE systems_of_record SET index_builds = ? WHERE id = ?',
  nodesAfter: 'SELECT id, attributes FROM nodes WHERE sor_id = ? AND entity = ? AND id > ? ORDER BY id LIMIT ?',
  nodeSourcesAfter: `SELECT id, updated_at, last_event_id, source_document FROM nodes
    WHERE sor_id = ? AND entity = ? AND id > ? ORDER BY id LIMIT ?`,
  nodeUpdatedAt: 'SELECT updated_at FROM nodes WHERE sor_id = ? AND entity = ? AND id = ?',
  deleteAttributeIndexOf: 'DELETE FROM node_attribute_index WHERE sor_id = ? AND entity = ? AND node_id = ? AND attribute = ?',

  insertToken: `INSERT INTO push_tokens (id, sor_id, hash, description, created_at, expires_at, revoked_at, last_used_at)
    VALUES (@id, @sorId, @hash, @description, @createdAt, @expiresAt, @revokedAt, @lastUsedAt)`,
  getToken: 'SELECT * FROM push_tokens WHERE id = ?',
  pushCredentials: `SELECT s.updated_at AS sor_updated_at, t.* FROM systems_of_record s LEFT JOIN push_tokens t ON t.id = ?
    WHERE s.id = ?`,
  listTokens: 'SELECT * FROM push_tokens WHERE sor_id = ? ORDER BY created_at, id',
  revokeToken: 'UPDATE push_tokens SET revoked_at = ? WHERE id = ? AND sor_id = ? AND revoked_at IS NULL',
  touchToken: 'UPDATE push_tokens SET last_used_at = ? WHERE id = ?',
  expireToken: `UPDATE push_tokens SET expires_at = ?
    WHERE id = ? AND sor_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,

  // An upsert in two steps, so that the writer knows whether the node is new: a new node has no index rows or
  // children to reconcile. A replaced root has no parent in its tree, so it keeps the one it had (COALESCE).
  insertNode: `INSERT INTO nodes
      (sor_id, entity, id, parent_entity, parent_id, attributes, created_at, updated_at, last_event_id)
    VALUES (@sorId, @entity, @id, @parentEntity, @parentId, @attributes, @at, @at, @eventId)
    ON CONFLICT (sor_id, entity, id) DO NOTHING`,
  updateNode: `UPDATE nodes SET
      parent_entity = COALESCE(@parentEntity, parent_entity),
      parent_id = COALESCE(@parentId, parent_id),
      attributes = @attributes,
      updated_at = @at,
      last_event_id = @eventId
    WHERE sor_id = @sorId AND entity = @entity AND id = @id`,
  indexKeysOf: 'SELECT attribute, value FROM node_attribute_index WHERE sor_id = ? AND entity = ? AND node_id = ?',
  deleteIndexRow: `DELETE FROM node_attribute_index
    WHERE sor_id = ? AND entity = ? AND node_id = ? AND attribute = ? AND value = ?`,
  deleteNodeIndex: 'DELETE FROM node_attribute_index WHERE sor_id = ? AND entity = ? AND node_id = ?',
  insertIndex: `INSERT INTO node_attribute_index (sor_id, entity, attribute, value, value_ci, node_id)
    VALUES (?, ?, ?, ?, ?, ?)`,
  childRefs: 'SELECT entity, id FROM nodes WHERE sor_id = ? AND parent_entity = ? AND parent_id = ?',
  someChildRefs: 'SELECT entity, id FROM nodes WHERE sor_id = ? AND parent_entity = ? AND parent_id = ? LIMIT ?',
  deleteSubtreeIndex: `${SUBTREE}
    DELETE FROM node_attribute_index
    WHERE sor_id = @sorId AND (entity, node_id) IN (SELECT entity, id FROM subtree)`,
  deleteSubtreeNodes: `${SUBTREE}
    DELETE FROM nodes WHERE sor_id = @sorId AND (entity, id) IN (SELECT entity, id FROM subtree)`,

  getNode: `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = ? AND entity = ? AND id = ?`,
  getChildren: `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = ? AND parent_entity = ? AND parent_id = ?
    ORDER BY entity, id`,
  getChildrenOf: `SELECT ${NODE_COLUMNS} FROM nodes
    WHERE sor_id = ? AND parent_entity = ? AND parent_id = ? AND entity = ? ORDER BY id`,
  findByValue: findNodesSql(true),
  findByValueCi: findNodesSql(false),
  listFirst: `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = ? AND entity = ? ORDER BY id LIMIT ?`,
  listAfter: `SELECT ${NODE_COLUMNS} FROM nodes WHERE sor_id = ? AND entity = ? AND id > ? ORDER BY id LIMIT ?`,
  countNodes: 'SELECT entity, COUNT(*) AS count FROM nodes WHERE sor_id = ? GROUP BY entity ORDER BY entity',
  // json_each matches the member by name, whatever characters it holds (a JSON path would need them quoted).
  countNodesHolding: `SELECT COUNT(*) FROM nodes
    WHERE sor_id = ? AND entity = ? AND EXISTS (SELECT 1 FROM json_each(nodes.attributes) WHERE key = ?)`,
} as const;

/**
 * The node a SET subject built (findNodeIdBySubject). The last two terms repeat the WHERE of the partial index
 * nodes_subject (migration 8): SQLite uses a partial index only for a query that does.
 */
export const NODE_ID_BY_SUBJECT = `SELECT id FROM nodes
  WHERE sor_id = ? AND entity = ? AND json_extract(source_document, '$.sub_id.uri') = ?
    AND source_document IS NOT NULL AND id IS NOT json_extract(source_document, '$.sub_id.id')
  ORDER BY updated_at DESC, id LIMIT 1`;

/**
 * Every node a SET subject built (findNodeIdsBySubject): those in nodes_subject, and the one keyed by its sub_id.id.
 * UNION ALL, since UNION's merge read all the entity's nodes in id order instead of using the partial index.
 */
const NODE_IDS_BY_SUBJECT = `SELECT id FROM nodes
  WHERE sor_id = @sorId AND entity = @entity AND json_extract(source_document, '$.sub_id.uri') = @uri
    AND source_document IS NOT NULL AND id IS NOT json_extract(source_document, '$.sub_id.id')
  UNION ALL
  SELECT id FROM nodes
  WHERE sor_id = @sorId AND entity = @entity AND id = @id AND json_extract(source_document, '$.sub_id.uri') = @uri`;

/** Writes of the inbox worker beyond replacing and deleting trees. */
const SQL_WRITES = {
  getSource: 'SELECT source_document FROM nodes WHERE sor_id = ? AND entity = ? AND id = ?',
  builtBy: "SELECT 1 FROM nodes WHERE sor_id = ? AND entity = ? AND id = ? AND json_extract(source_document, '$.sub_id.uri') = ?",
  setSource: 'UPDATE nodes SET source_document = ?, changed_upstream_at = NULL WHERE sor_id = ? AND entity = ? AND id = ?',
  markChanged: 'UPDATE nodes SET changed_upstream_at = ?, updated_at = ?, last_event_id = ? WHERE sor_id = ? AND entity = ? AND id = ?',
  setAttributes: 'UPDATE nodes SET attributes = ?, updated_at = ?, last_event_id = ? WHERE sor_id = ? AND entity = ? AND id = ?',
} as const;

function findNodesSql(exact: boolean): string {
  return `SELECT ${NODE_COLUMNS} FROM nodes
    WHERE sor_id = @sorId AND entity = @entity AND id IN (
      SELECT node_id FROM node_attribute_index
      WHERE sor_id = @sorId AND entity = @entity AND attribute = @attribute AND value_ci = @valueCi
        ${exact ? 'AND value = @value' : ''})
    ORDER BY id LIMIT @limit`;
}

export interface SqliteStoreOptions {
  /**
   * `elsewhere`: another connection to the same file (the service's main one) runs the checkpoint thread, so
   * this one starts none of its own.
   */
  checkpoints?: 'own' | 'elsewhere';
}

/**
 * The store methods whose writes another connection (the inbox thread's) makes instead of this one once
 * routeWrites is called: those that the pushes make, or that run long. SQLite's write lock is not fair, so with
 * two connections writing one starves behind the other's back-to-back commits.
 */
export const ROUTED_WRITES = [
  'applyScimChange',
  'importScimResources',
  'replaceNodes',
  'deleteNode',
  'deleteSomeChildren',
  'deleteSystemOfRecord',
  'retryPushEvent',
  'deletePushEventsBefore',
  'buildAttributeIndex',
  'remapNode',
] as const;
export type RoutedWrite = (typeof ROUTED_WRITES)[number];

/** Makes the routed writes: event log rows (one result per row), and the ROUTED_WRITES methods. */
export interface RoutedWrites {
  recordPushEvents(events: readonly PushEventRecord[]): Promise<('recorded' | 'duplicate')[]>;
  call<M extends RoutedWrite>(method: M, args: Parameters<SqliteGraphStore[M]>): ReturnType<SqliteGraphStore[M]>;
}

/** What a write reads of its SoR inside its transaction. */
interface SorWriteState {
  plan?: AttributeIndexPlan;
  version: string;
}

/** The embedded store: one SQLite file (WAL) or an in-memory database (`:memory:`). */
export class SqliteGraphStore implements GraphStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly events: SqlitePushEvents;
  /** Concurrent requests' event log rows share a transaction: a commit costs more than the inserts in it. */
  private readonly eventLog: GroupCommit<PushEventRecord, 'recorded' | 'duplicate'>;
  private readonly scim: SqliteScimResources;
  private readonly listingMemo = new ScimListingMemo();
  private readonly indexPlans = new IndexPlanTexts();
  private readonly batchReads: SqliteBatchReads;
  private readonly checkpointer: Checkpointer | undefined;
  private routed: { writes: RoutedWrites; eventLog: GroupCommit<PushEventRecord, 'recorded' | 'duplicate'> } | undefined;

  constructor(
    readonly filename: string,
    options: SqliteStoreOptions = {},
  ) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // Every commit reaches the disk before it returns, so an acknowledged SET or SCIM write survives a power
    // failure too, not only a crash of the process (NORMAL in WAL mode may lose the last commits); only applying
    // an accepted SET does not wait for the disk (completePushEvents). Group commit of the event log pays one
    // fsync per batch.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.pragma(`cache_size = -${CACHE_KIB}`);
    if (filename === ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    } else if (options.checkpoints === 'elsewhere') {
      this.db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    } else {
      this.checkpointer = startCheckpointer(filename, {
        intervalMs: CHECKPOINT_INTERVAL_MS,
        busyTimeoutMs: BUSY_TIMEOUT_MS,
        onLost: () => {
          if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
        },
      });
      this.db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    }
    this.events = new SqlitePushEvents(this.db);
    this.eventLog = new GroupCommit((events) => this.events.recordMany(events));
    this.scim = new SqliteScimResources(this.db, {
      writeTrees: (sorId, trees, options) => this.writeTrees(sorId, trees, this.withIndexPlan(sorId, options)),
      writeRows: (sorId, rows, given) => {
        const options = this.withIndexPlan(sorId, given);
        const at = (options.at ?? new Date()).toISOString();
        for (const row of rows) this.writeNode(sorId, row, at, options.eventId ?? null, options);
      },
      deleteSubtree: (sorId, entity, id) => this.deleteSubtree(sorId, entity, id),
    }, this.listingMemo);
    this.batchReads = new SqliteBatchReads(this.db);
  }

  async migrate(): Promise<void> {
    migrate(this.db);
  }

  async appliedMigrations(): Promise<number[]> {
    return appliedMigrations(this.db);
  }

  async isCreated(): Promise<boolean> {
    return isCreated(this.db);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.eventLog.settled();
    await this.routed?.eventLog.settled();
    this.statements.clear();
    this.db.close();
    await this.checkpointer?.stop();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.statement(SQL.getSetting).pluck().get(key) as string | undefined;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<boolean> {
    return this.statement(SQL.setSettingIfAbsent).run(key, value).changes === 1;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.statement(SQL.setSetting).run(key, value);
  }

  async createSystemOfRecord(sor: SystemOfRecordRecord): Promise<void> {
    try {
      this.statement(SQL.insertSor).run(sorParams(sor));
    } catch (error) {
      throw isPrimaryKeyViolation(error) ? new DuplicateRecordError('systemOfRecord', sor.id) : error;
    }
  }

  async getSystemOfRecord(id: string): Promise<SystemOfRecordRecord | undefined> {
    const row = this.statement(SQL.getSor).get(id) as SystemOfRecordRow | undefined;
    return row && toSystemOfRecord(row);
  }

  async listSystemsOfRecord(): Promise<SystemOfRecordRecord[]> {
    return (this.statement(SQL.listSors).all() as SystemOfRecordRow[]).map(toSystemOfRecord);
  }

  async updateSystemOfRecord(sor: SystemOfRecordRecord): Promise<boolean> {
    return this.statement(SQL.updateSor).run(sorParams(sor)).changes === 1;
  }

  /** Tokens, nodes and index rows go with it (ON DELETE CASCADE). */
  async deleteSystemOfRecord(id: string): Promise<boolean> {
    try {
      if (this.routed) return await this.routed.writes.call('deleteSystemOfRecord', [id]);
      return this.statement(SQL.deleteSor).run(id).changes === 1;
    } finally {
      this.listingMemo.changed(id);
    }
  }

  async createPushToken(token: PushTokenRecord): Promise<void> {
    try {
      this.statement(SQL.insertToken).run({
        id: token.id,
        sorId: token.sorId,
        hash: token.hash,
        description: token.description ?? null,
        createdAt: token.createdAt,
        expiresAt: token.expiresAt ?? null,
        revokedAt: token.revokedAt ?? null,
        lastUsedAt: token.lastUsedAt ?? null,
      });
    } catch (error) {
      throw isPrimaryKeyViolation(error) ? new DuplicateRecordError('pushToken', token.id) : error;
    }
  }

  async readPushCredentials(sorId: string, tokenId: string | undefined): Promise<PushCredentials | undefined> {
    return toPushCredentials(this.statement(SQL.pushCredentials).get(tokenId ?? null, sorId) as PushCredentialsRow | undefined);
  }

  async getPushToken(id: string): Promise<PushTokenRecord | undefined> {
    const row = this.statement(SQL.getToken).get(id) as PushTokenRow | undefined;
    return row && toPushToken(row);
  }

  async listPushTokens(sorId: string): Promise<PushTokenRecord[]> {
    return (this.statement(SQL.listTokens).all(sorId) as PushTokenRow[]).map(toPushToken);
  }

  async revokePushToken(sorId: string, tokenId: string, at: Date): Promise<boolean> {
    return this.statement(SQL.revokeToken).run(at.toISOString(), tokenId, sorId).changes === 1;
  }

  async touchPushToken(id: string, at: Date): Promise<void> {
    this.statement(SQL.touchToken).run(at.toISOString(), id);
  }

  async expirePushToken(sorId: string, tokenId: string, at: Date): Promise<boolean> {
    const time = at.toISOString();
    return this.statement(SQL.expireToken).run(time, tokenId, sorId, time).changes === 1;
  }

  async replaceNode(sorId: string, tree: NodeTree, options: WriteOptions): Promise<void> {
    await this.replaceNodes(sorId, [tree], options);
  }

  async replaceNodes(sorId: string, trees: NodeTree[], options: WriteOptions): Promise<void> {
    if (this.routed) return this.routed.writes.call('replaceNodes', [sorId, trees, options]);
    this.db.transaction(() => this.writeTrees(sorId, trees, this.withIndexPlan(sorId, options))).immediate();
  }

  async deleteNode(sorId: string, entity: string, id: string): Promise<boolean> {
    if (this.routed) return this.routed.writes.call('deleteNode', [sorId, entity, id]);
    return this.db.transaction(() => this.deleteSubtree(sorId, entity, id)).immediate();
  }

  async deleteSomeChildren(sorId: string, parent: NodeRef, limit: number): Promise<number> {
    if (this.routed) return this.routed.writes.call('deleteSomeChildren', [sorId, parent, limit]);
    return this.db
      .transaction(() => {
        const children = this.statement(SQL.someChildRefs).all(sorId, parent.entity, parent.id, limit) as NodeRef[];
        for (const child of children) this.deleteSubtree(sorId, child.entity, child.id);
        return children.length;
      })
      .immediate();
  }

  async getNode(sorId: string, entity: string, id: string): Promise<EntityNode | undefined> {
    const row = this.statement(SQL.getNode).get(sorId, entity, id) as NodeRowRecord | undefined;
    return row && toEntityNode(row);
  }

  async findNodeIdBySubject(sorId: string, entity: string, subjectUri: string): Promise<string | undefined> {
    return this.statement(NODE_ID_BY_SUBJECT).pluck().get(sorId, entity, subjectUri) as string | undefined;
  }

  async findNodeIdsBySubject(sorId: string, entity: string, subject: { uri: string; id?: string }): Promise<string[]> {
    const ids = this.statement(NODE_IDS_BY_SUBJECT).pluck().all({ sorId, entity, uri: subject.uri, id: subject.id ?? null }) as string[];
    return [...new Set(ids)];
  }

  async getChildren(sorId: string, entity: string, id: string, childEntity?: string): Promise<EntityNode[]> {
    const rows =
      childEntity === undefined
        ? this.statement(SQL.getChildren).all(sorId, entity, id)
        : this.statement(SQL.getChildrenOf).all(sorId, entity, id, childEntity);
    return (rows as NodeRowRecord[]).map(toEntityNode);
  }

  async findNodes(
    sorId: string,
    entity: string,
    attribute: string,
    value: ScalarValue,
    options: FindOptions = {},
  ): Promise<EntityNode[]> {
    const encoded = encodeIndexValue(value);
    const key = { sorId, entity, attribute, valueCi: foldCase(encoded), limit: options.limit ?? -1 };
    const rows = (
      options.caseInsensitive
        ? this.statement(SQL.findByValueCi).all(key)
        : this.statement(SQL.findByValue).all({ ...key, value: encoded })
    ) as NodeRowRecord[];
    return rows.map(toEntityNode);
  }

  async listNodes(sorId: string, entity: string, options: { limit?: number; cursor?: string } = {}): Promise<NodePage> {
    const size = pageSize(options.limit);
    const rows = (
      options.cursor === undefined
        ? this.statement(SQL.listFirst).all(sorId, entity, size + 1)
        : this.statement(SQL.listAfter).all(sorId, entity, decodeCursor(options.cursor), size + 1)
    ) as NodeRowRecord[];
    const page = toPage(rows, size);
    const result: NodePage = { nodes: page.items.map(toEntityNode) };
    if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor;
    return result;
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
    if (!this.routed) return this.scim.apply(sorId, change);
    try {
      return await this.routed.writes.call('applyScimChange', [sorId, change]);
    } finally {
      this.listingMemo.changed(sorId);
    }
  }

  async importScimResources(sorId: string, resources: readonly ScimResourceRecord[], graph: GraphProjection, options: WriteOptions): Promise<ScimChangeResult> {
    if (!this.routed) return this.scim.import(sorId, resources, graph, options);
    try {
      return await this.routed.writes.call('importScimResources', [sorId, resources, graph, options]);
    } finally {
      this.listingMemo.changed(sorId);
    }
  }

  async inboxStatistics(): Promise<InboxStatistics> {
    return this.batchReads.inboxStatistics();
  }

  async countNodes(sorId: string): Promise<Record<string, number>> {
    const rows = this.statement(SQL.countNodes).all(sorId) as { entity: string; count: number }[];
    return Object.fromEntries(rows.map((row) => [row.entity, row.count]));
  }

  async countNodesHolding(sorId: string, entity: string, attribute: string): Promise<number> {
    return this.statement(SQL.countNodesHolding).pluck().get(sorId, entity, attribute) as number;
  }

  /** Upserts every node first, so that nodes moved within the new tree are no longer under a stale child. */
  private writeTrees(sorId: string, trees: readonly NodeTree[], options: WriteOptions): void {
    const rows = flattenTrees(trees);
    const at = (options.at ?? new Date()).toISOString();
    const eventId = options.eventId ?? null;
    // Only nodes that existed before can have children that the new trees no longer contain.
    const rewritten = rows.filter((row) => !this.writeNode(sorId, row, at, eventId, options));
    if (rewritten.length === 0) return;
    const written = rowKeys(rows);
    const childRefs = this.statement(SQL.childRefs);
    for (const row of rewritten) {
      for (const child of childRefs.all(sorId, row.entity, row.id) as { entity: string; id: string }[]) {
        if (!written.has(nodeKey(child.entity, child.id))) this.deleteSubtree(sorId, child.entity, child.id);
      }
    }
  }

  /** Writes one node with its index rows; returns whether it is new (and so has no children to reconcile). */
  private writeNode(sorId: string, row: NodeRow, at: string, eventId: string | null, options: WriteOptions): boolean {
    const params = {
      sorId,
      entity: row.entity,
      id: row.id,
      parentEntity: row.parent?.entity ?? null,
      parentId: row.parent?.id ?? null,
      attributes: JSON.stringify(row.attributes),
      at,
      eventId,
    };
    const wanted = indexRowsOf(row, options.indexedAttributes);
    if (this.statement(SQL.insertNode).run(params).changes === 1) {
      this.insertIndexRows(sorId, wanted);
      return true;
    }
    this.statement(SQL.updateNode).run(params);
    // Rewrites only the index rows whose values changed, comparing with what is stored (not with what the
    // current index plan would have produced, so that rows of attributes no longer indexed go too).
    const missing = new Map(wanted.map((index) => [indexRowKey(index.attribute, index.value), index]));
    const deleteIndexRow = this.statement(SQL.deleteIndexRow);
    for (const stored of this.statement(SQL.indexKeysOf).all(sorId, row.entity, row.id) as { attribute: string; value: string }[]) {
      if (!missing.delete(indexRowKey(stored.attribute, stored.value))) {
        deleteIndexRow.run(sorId, row.entity, row.id, stored.attribute, stored.value);
      }
    }
    this.insertIndexRows(sorId, [...missing.values()]);
    return false;
  }

  /** One prepared single-row INSERT each: multi-row INSERTs measured no faster (the B-tree writes dominate). */
  private insertIndexRows(sorId: string, rows: readonly IndexRow[]): void {
    const insertIndex = this.statement(SQL.insertIndex);
    for (const index of rows) insertIndex.run(sorId, index.entity, index.attribute, index.value, index.valueCi, index.nodeId);
  }

  private deleteSubtree(sorId: string, entity: string, id: string): boolean {
    const params = { sorId, entity, id };
    this.statement(SQL.deleteSubtreeIndex).run(params);
    return this.statement(SQL.deleteSubtreeNodes).run(params).changes > 0;
  }

  async recordPushEvent(event: PushEventRecord): Promise<'recorded' | 'duplicate'> {
    return (this.routed?.eventLog ?? this.eventLog).submit(event);
  }

  /**
   * Records batches of events in one transaction on this connection, now, one list of results per batch: the
   * inbox thread's side of routeWrites.
   */
  recordPushEventBatches(batches: readonly (readonly PushEventRecord[])[]): ('recorded' | 'duplicate')[][] {
    return this.db.transaction(() => batches.map((events) => this.events.insertMany(events))).immediate();
  }

  /**
   * Has `writes` make the push writes instead of this connection (undefined: this connection again). Concurrent
   * requests' event log rows are still grouped here first, so the writer gets one batch per commit.
   */
  routeWrites(writes: RoutedWrites | undefined): void {
    this.routed = writes && { writes, eventLog: new GroupCommit((events) => writes.recordPushEvents(events)) };
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
   * Applying an event is committed without waiting for the disk flush (synchronous NORMAL): should a power
   * failure lose that commit, the event is still `accepted` in the inbox, whose own commit was flushed, and is
   * applied again at restart. The WAL is written in order, so the next flushed commit makes this one durable too.
   */
  async completePushEvents(completions: readonly PushEventCompletion[]): Promise<boolean[]> {
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db
        .transaction(() => {
          // Read once per SoR: nothing else writes while this transaction holds the database.
          const states = new Map<string, SorWriteState | undefined>();
          return completions.map(({ sorId, id, outcome, writes, options, templateVersion }) => {
            if (templateVersion !== undefined && this.writeState(sorId, states)?.version !== templateVersion) return false;
            if (!this.events.markCompleted(sorId, id, outcome)) return false;
            const current = writes.length === 0 ? options : this.withIndexPlan(sorId, options, states);
            for (const write of writes) this.applyWrite(sorId, write, current);
            return true;
          });
        })
        .immediate();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  async retryPushEvent(sorId: string, id: string): Promise<boolean> {
    if (this.routed) return this.routed.writes.call('retryPushEvent', [sorId, id]);
    return this.events.retry(sorId, id);
  }

  async hasLaterChangeOf(sorId: string, subject: string, sequence: number): Promise<boolean> {
    return this.events.hasLaterChangeOf(sorId, subject, sequence);
  }

  async deletePushEventsBefore(time: Date, limit?: number): Promise<number> {
    if (this.routed) return this.routed.writes.call('deletePushEventsBefore', [time, limit]);
    return this.events.deleteBefore(time, limit);
  }

  async getNodeSource(sorId: string, entity: string, id: string): Promise<unknown | undefined> {
    const source = this.statement(SQL_WRITES.getSource).pluck().get(sorId, entity, id) as string | null | undefined;
    return source == null ? undefined : JSON.parse(source);
  }

  private applyWrite(sorId: string, write: GraphWrite, options: WriteOptions): void {
    const at = (options.at ?? new Date()).toISOString();
    switch (write.kind) {
      case 'replace':
        this.writeTrees(sorId, [write.tree], options);
        this.statement(SQL_WRITES.setSource).run(jsonOrNull(write.sourceDocument), sorId, write.tree.entity, write.tree.id);
        return;
      case 'delete':
        if (write.builtBy !== undefined && !this.statement(SQL_WRITES.builtBy).get(sorId, write.entity, write.id, write.builtBy)) return;
        this.deleteSubtree(sorId, write.entity, write.id);
        return;
      case 'markChangedUpstream':
        this.statement(SQL_WRITES.markChanged).run(at, at, options.eventId ?? null, sorId, write.entity, write.id);
        return;
      case 'setAttributes': {
        const row = this.statement(SQL.getNode).get(sorId, write.entity, write.id) as NodeRowRecord | undefined;
        if (!row) return;
        const node = toEntityNode(row);
        const attributes = { ...node.attributes, ...write.attributes };
        this.statement(SQL_WRITES.setAttributes).run(JSON.stringify(attributes), at, options.eventId ?? null, sorId, write.entity, write.id);
        this.statement(SQL.deleteNodeIndex).run(sorId, write.entity, write.id);
        const insertIndex = this.statement(SQL.insertIndex);
        for (const index of indexRowsOf({ entity: write.entity, id: write.id, attributes }, options.indexedAttributes)) {
          insertIndex.run(sorId, index.entity, index.attribute, index.value, index.valueCi, index.nodeId);
        }
      }
    }
  }

  async buildAttributeIndex(sorId: string, entity: string, attributes: readonly string[], after: string | undefined, limit: number): Promise<IndexBuildPage> {
    if (this.routed) return this.routed.writes.call('buildAttributeIndex', [sorId, entity, attributes, after, limit]);
    return this.db
      .transaction(() => {
        const rows = this.statement(SQL.nodesAfter).all(sorId, entity, after ?? '', limit) as { id: string; attributes: string }[];
        const plan = { [entity]: attributes };
        const deleteRows = this.statement(SQL.deleteAttributeIndexOf);
        for (const row of rows) {
          for (const attribute of attributes) deleteRows.run(sorId, entity, row.id, attribute);
          this.insertIndexRows(sorId, indexRowsOf({ entity, id: row.id, attributes: JSON.parse(row.attributes) as NodeRow['attributes'] }, plan));
        }
        return rows.length === 0 ? { nodes: 0 } : { nodes: rows.length, last: rows[rows.length - 1]!.id };
      })
      .immediate();
  }

  async finishIndexBuild(sorId: string, entity: string, attributes: readonly string[]): Promise<void> {
    this.db
      .transaction(() => {
        const stored = this.statement(SQL.indexBuilds).pluck().get(sorId) as string | null | undefined;
        if (typeof stored !== 'string') return;
        const remaining = withoutAttributes(JSON.parse(stored) as AttributeIndexPlan, entity, attributes);
        this.statement(SQL.setIndexBuilds).run(remaining === undefined ? null : JSON.stringify(remaining), sorId);
      })
      .immediate();
  }

  async listNodeSources(sorId: string, entity: string, after: string | undefined, limit: number): Promise<NodeSource[]> {
    const rows = this.statement(SQL.nodeSourcesAfter).all(sorId, entity, after ?? '', limit) as {
      id: string;
      updated_at: string;
      last_event_id: string | null;
      source_document: string | null;
    }[];
    return rows.map((row) => nodeSource(row.id, row.updated_at, row.last_event_id, row.source_document === null ? undefined : JSON.parse(row.source_document)));
  }

  async remapNode(sorId: string, entity: string, id: string, expectedUpdatedAt: string, tree: NodeTree, options: WriteOptions): Promise<RemapOutcome> {
    if (this.routed) return this.routed.writes.call('remapNode', [sorId, entity, id, expectedUpdatedAt, tree, options]);
    return this.db
      .transaction(() => {
        if (this.statement(SQL.nodeUpdatedAt).pluck().get(sorId, entity, id) !== expectedUpdatedAt) return 'changed';
        const moved = tree.id !== id;
        if (moved && this.statement(SQL.nodeUpdatedAt).pluck().get(sorId, tree.entity, tree.id) !== undefined) return 'taken';
        const source = moved ? (this.statement(SQL_WRITES.getSource).pluck().get(sorId, entity, id) as string | null) : null;
        if (moved) this.deleteSubtree(sorId, entity, id);
        this.writeTrees(sorId, [tree], this.withIndexPlan(sorId, options));
        if (moved) this.statement(SQL_WRITES.setSource).run(source, sorId, tree.entity, tree.id);
        return 'remapped';
      })
      .immediate();
  }

  /**
   * The SoR's stored index plan and version (see PushEventCompletion.templateVersion), read once per transaction
   * into `read`; undefined when there is no such SoR.
   */
  private writeState(sorId: string, read: Map<string, SorWriteState | undefined>): SorWriteState | undefined {
    if (!read.has(sorId)) {
      const row = this.statement(SQL.writeState).get(sorId) as { indexed_attributes: string | null; updated_at: string } | undefined;
      read.set(sorId, row && { plan: this.indexPlans.read(row.indexed_attributes), version: row.updated_at });
    }
    return read.get(sorId);
  }

  /** Call inside the write's transaction: see WriteOptions.indexedAttributes. */
  private withIndexPlan(sorId: string, options: WriteOptions, read = new Map<string, SorWriteState | undefined>()): WriteOptions {
    const plan = this.writeState(sorId, read)?.plan;
    return plan === undefined ? options : { ...options, indexedAttributes: plan };
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

function sorParams(sor: SystemOfRecordRecord): Record<string, string | null> {
  return {
    id: sor.id,
    displayName: sor.displayName,
    description: sor.description ?? null,
    pushType: sor.pushType,
    deliveryMethod: sor.deliveryMethod,
    templateYaml: sor.templateYaml,
    verification: JSON.stringify(sor.verification),
    options: sor.options === undefined ? null : JSON.stringify(sor.options),
    indexPlan: sor.indexPlan === undefined ? null : JSON.stringify(sor.indexPlan),
    indexBuilds: sor.indexBuilds === undefined ? null : JSON.stringify(sor.indexBuilds),
    createdAt: sor.createdAt,
    updatedAt: sor.updatedAt,
  };
}

function isPrimaryKeyViolation(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
