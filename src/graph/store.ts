import type { AttributeValue, ScalarValue } from '../template/model.js';
import type { GraphBatchReads, GraphStatistics } from './batch-reads.js';
import type { PushEventLog } from './push-events.js';
import type { ScimResourceStore } from './scim-resources.js';

/** A node to write: an entity instance with its typed attributes and its child nodes. */
export interface NodeTree {
  entity: string;
  id: string;
  attributes: Record<string, AttributeValue>;
  children: NodeTree[];
}

export interface NodeRef {
  entity: string;
  id: string;
}

/** A node as stored, with its provenance. */
export interface EntityNode {
  entity: string;
  id: string;
  attributes: Record<string, AttributeValue>;
  parent?: NodeRef;
  createdAt: string;
  updatedAt: string;
  lastEventId?: string;
  /** When a notice event said the node changed upstream, until the next full event replaces it. */
  changedUpstreamAt?: string;
}

export interface WriteOptions {
  /** The event (SET jti, SCIM request id) that caused this write. */
  eventId?: string;
  /** When the write happened; defaults to now. */
  at?: Date;
  /**
   * For each entity key, the attributes to keep in the attribute index: the SoR's indexPlan, read where the
   * write commits, replaces it when the SoR has one.
   */
  indexedAttributes: AttributeIndexPlan;
}

export interface FindOptions {
  /** Compare strings without regard to case. */
  caseInsensitive?: boolean;
  limit?: number;
}

export interface NodePage {
  nodes: EntityNode[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  nextCursor?: string;
}

export interface SystemOfRecordRecord {
  id: string;
  displayName: string;
  description?: string;
  pushType: string;
  deliveryMethod: string;
  /** The template as given (YAML text), so it can be shown and re-validated unchanged. */
  templateYaml: string;
  /** Verification settings (CONTRACT.md), as JSON. */
  verification: Record<string, unknown>;
  options?: SystemOfRecordOptions;
  /**
   * The attribute index the template asks for (indexedAttributesOf). Kept with the SoR so that every write
   * indexes by the plan current when it commits, not by the one it read before a template change. Absent on
   * SoRs saved before it was kept; writes then use their own.
   */
  indexPlan?: AttributeIndexPlan;
  /**
   * Attributes a template change started indexing whose rows are still being built for the nodes written
   * before it (buildAttributeIndexes); searches scan for them meanwhile. Absent when there are none.
   */
  indexBuilds?: AttributeIndexPlan;
  createdAt: string;
  updatedAt: string;
}

/** For each entity key, attributes kept in the attribute index. */
export type AttributeIndexPlan = Readonly<Record<string, readonly string[]>>;

/** Per-SoR switches beyond the template. */
export interface SystemOfRecordOptions {
  /**
   * SCIM 2.0: `strict` (the default) refuses a resource whose `schemas` is missing or lacks the core schema;
   * `relaxed` fixes it up and notes it in the request log.
   */
  scimSchemaChecks?: 'strict' | 'relaxed';
}

export interface PushTokenRecord {
  id: string;
  sorId: string;
  /** SHA-256 of the whole token, hex. The token itself is never stored. */
  hash: string;
  description?: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface PushCredentials {
  sorUpdatedAt: string;
  token?: PushTokenRecord;
}

/**
 * The one storage interface of pushgraph. SQLite and PostgreSQL implement it and share one test suite
 * (test/graph/store-suite.ts). Nothing here keeps state in process memory that another instance sharing
 * the same database would need.
 */
export interface GraphStore extends PushEventLog, GraphBatchReads, GraphStatistics, ScimResourceStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs pending, versioned schema migrations. Safe to call from several instances at once. */
  migrate(): Promise<void>;
  /** Whether migrate() has ever run on this database (schema): pushgraph's tables are there. Creates nothing. */
  isCreated(): Promise<boolean>;
  /** Fails when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  getSetting(key: string): Promise<string | undefined>;
  /** Sets the value only when the key has none; returns whether it was set (first writer wins). */
  setSettingIfAbsent(key: string, value: string): Promise<boolean>;
  setSetting(key: string, value: string): Promise<void>;

  createSystemOfRecord(sor: SystemOfRecordRecord): Promise<void>;
  getSystemOfRecord(id: string): Promise<SystemOfRecordRecord | undefined>;
  listSystemsOfRecord(): Promise<SystemOfRecordRecord[]>;
  /** Returns false when no such SoR exists. */
  updateSystemOfRecord(sor: SystemOfRecordRecord): Promise<boolean>;
  /** Deletes the SoR with its tokens and nodes; returns false when no such SoR exists. */
  deleteSystemOfRecord(id: string): Promise<boolean>;

  /**
   * What a push request checks, in one read: the SoR's updatedAt (undefined when there is no such SoR) and the
   * push token with the given id, whichever SoR it belongs to.
   */
  readPushCredentials(sorId: string, tokenId: string | undefined): Promise<PushCredentials | undefined>;

  createPushToken(token: PushTokenRecord): Promise<void>;
  getPushToken(id: string): Promise<PushTokenRecord | undefined>;
  listPushTokens(sorId: string): Promise<PushTokenRecord[]>;
  /** Returns false when the token does not exist for that SoR or was already revoked. */
  revokePushToken(sorId: string, tokenId: string, at: Date): Promise<boolean>;
  touchPushToken(id: string, at: Date): Promise<void>;
  /** Moves an active token's expiry earlier, to `at`; returns false when it is revoked, expires sooner, or is unknown. */
  expirePushToken(sorId: string, tokenId: string, at: Date): Promise<boolean>;

  /** Replaces a node and all of its children in one transaction (children not in the tree are removed). */
  replaceNode(sorId: string, tree: NodeTree, options: WriteOptions): Promise<void>;
  /** Replaces several nodes in one transaction. */
  replaceNodes(sorId: string, trees: NodeTree[], options: WriteOptions): Promise<void>;
  /** Deletes a node with its children; returns false when it did not exist. */
  deleteNode(sorId: string, entity: string, id: string): Promise<boolean>;
  /**
   * Deletes up to `limit` children of a node, each with what is below it, in one transaction, and returns how many:
   * how a node with very many children (a big group's members) is deleted a page at a time before the node itself.
   */
  deleteSomeChildren(sorId: string, parent: NodeRef, limit: number): Promise<number>;
  getNode(sorId: string, entity: string, id: string): Promise<EntityNode | undefined>;
  /**
   * The id of the `entity` node last built from a SET whose subject is `subjectUri` (the `sub_id.uri` of its stored
   * source), through an index: how an event without data finds a node whose uniqueId came from the data. Only nodes
   * whose id is not their subject's `sub_id.id` are found, so that nodes keyed by it cost no index write; an event
   * finds those by its own `sub_id.id`.
   */
  findNodeIdBySubject(sorId: string, entity: string, subjectUri: string): Promise<string | undefined>;
  /**
   * The ids of every `entity` node last built from a SET about the subject: those findNodeIdBySubject reaches, and the
   * node whose id is the subject's `sub_id.id` if a SET with the subject's `sub_id.uri` built it. One indexed query: how a
   * replacing event whose uniqueId comes from the data finds the nodes its subject had under an older id (a rename).
   */
  findNodeIdsBySubject(sorId: string, entity: string, subject: { uri: string; id?: string }): Promise<string[]>;
  getChildren(sorId: string, entity: string, id: string, childEntity?: string): Promise<EntityNode[]>;
  /** Nodes of an entity whose indexed attribute equals the value (for lists: contains it), via the index. */
  findNodes(sorId: string, entity: string, attribute: string, value: ScalarValue, options?: FindOptions): Promise<EntityNode[]>;
  /** Nodes of an entity in id order, a page at a time. */
  listNodes(sorId: string, entity: string, options?: { limit?: number; cursor?: string }): Promise<NodePage>;
  /** Node count per entity key for one SoR. */
  countNodes(sorId: string): Promise<Record<string, number>>;
  /** How many of an entity's nodes hold a value for the attribute (what a template change would reinterpret). */
  countNodesHolding(sorId: string, entity: string, attribute: string): Promise<number>;
  /**
   * Rewrites, from their stored attributes, the index rows of `attributes` for one page of an entity's nodes
   * (ids after `after`, in id order), in one transaction that holds off writes to those nodes: how the index a
   * template change asks for is built for the nodes written before it. Returns how many nodes the page had and
   * the last one's id, to continue after.
   */
  buildAttributeIndex(sorId: string, entity: string, attributes: readonly string[], after: string | undefined, limit: number): Promise<IndexBuildPage>;
  /** Takes the attributes off the SoR's indexBuilds, leaving any others a later template change added. */
  finishIndexBuild(sorId: string, entity: string, attributes: readonly string[]): Promise<void>;
  /** An entity's nodes with what they were last built from, a page in id order after `after`: what a remap reads. */
  listNodeSources(sorId: string, entity: string, after: string | undefined, limit: number): Promise<NodeSource[]>;
  /**
   * Replaces a node with `tree`, mapped again from its source, if the node is as it was at `expectedUpdatedAt`
   * (else a push changed it meanwhile, with the current template: `changed`). A tree with another id takes the
   * node's place under that id, with its source, and the old node goes with its children, unless a node already has
   * that id (`taken`: the two would merge). Writes in one transaction.
   */
  remapNode(sorId: string, entity: string, id: string, expectedUpdatedAt: string, tree: NodeTree, options: WriteOptions): Promise<RemapOutcome>;
}

export type RemapOutcome = 'remapped' | 'changed' | 'taken';

export interface NodeSource {
  id: string;
  updatedAt: string;
  lastEventId?: string;
  /** The document the node was last built from (a SET's claims); absent for nodes written otherwise. */
  source?: unknown;
}

export interface IndexBuildPage {
  nodes: number;
  last?: string;
}

/** Thrown when a record (a system of record, a push token) is created with an id that is already taken. */
export class DuplicateRecordError extends Error {
  constructor(
    readonly kind: 'systemOfRecord' | 'pushToken',
    readonly id: string,
  ) {
    super(`a ${kind === 'systemOfRecord' ? 'system of record' : 'push token'} with id ${JSON.stringify(id)} already exists`);
    this.name = 'DuplicateRecordError';
  }
}
