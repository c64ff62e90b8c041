import type { FilterNode } from '../scim/filter/ast.js';
import type { NodeRef, NodeTree, WriteOptions } from './store.js';
import type { NodeRow } from './tree.js';

export type ScimResourceType = 'User' | 'Group';

/**
 * A SCIM resource as stored: the source of truth for SCIM reads. `document` is the resource without `meta`
 * and, for a Group, without `members` (they live in their own table, one row each).
 */
export interface ScimResourceRecord {
  sorId: string;
  resourceType: ScimResourceType;
  id: string;
  externalId?: string;
  /** `userName` of a User, `displayName` of a Group; unique per SoR and type without regard to case. */
  name: string;
  document: Record<string, unknown>;
  /** Starts at 1 and grows by one on every change; the ETag is W/"version". */
  version: number;
  created: string;
  modified: string;
}

export interface ScimMemberRecord {
  value: string;
  display?: string;
  type?: string;
  ref?: string;
}

/** What happens to the graph in the same transaction as a SCIM write. */
export interface GraphProjection {
  /** Trees replaced with all their children (a User). */
  replace?: NodeTree[];
  /** Rows upserted without touching children they do not list (a Group without its members, one member). */
  upsert?: NodeRow[];
  /** Nodes deleted with everything below them. */
  delete?: NodeRef[];
  /** Nodes whose entity has no child entities (a group member), deleted by key alone. */
  deleteLeaves?: NodeRef[];
  /** Every child of `entity` under `parent` (ids in childIdRanges(parent.id)) is deleted, except those in `keep`. */
  deleteChildren?: { parent: NodeRef; entity: string; keep?: readonly string[] }[];
}

export type ScimResourceWrite =
  | { kind: 'create'; resource: ScimResourceRecord }
  /** Applies only while the stored version is still `expectedVersion`; the record carries the next one. */
  | { kind: 'update'; resource: ScimResourceRecord; expectedVersion: number }
  | { kind: 'delete'; resourceType: ScimResourceType; id: string; expectedVersion?: number }
  /**
   * Leaves the resource as it is; the rest of the change applies only while its stored version is still
   * `expectedVersion` (a remap projecting it again with another template must not overwrite a newer write's nodes).
   */
  | { kind: 'unchanged'; resourceType: ScimResourceType; id: string; expectedVersion: number };

export interface ScimMemberWrite {
  groupId: string;
  removeAll?: boolean;
  remove?: readonly string[];
  add?: readonly ScimMemberRecord[];
}

export interface ScimChange {
  resource: ScimResourceWrite;
  /** One group's member changes; several when a deleted User leaves every group it was in. */
  members?: ScimMemberWrite | readonly ScimMemberWrite[];
  graph: GraphProjection;
  options: WriteOptions;
}

/** `conflict`: the name is taken (409 uniqueness); `stale`: gone or changed since it was read. */
export type ScimChangeResult = 'ok' | 'conflict' | 'stale';

export type ScimSortKey = 'id' | 'name' | 'externalId' | 'created' | 'modified';

export interface ScimQuery {
  filter?: FilterNode;
  sortBy?: ScimSortKey;
  descending?: boolean;
  /** 0-based offset (startIndex - 1). */
  offset?: number;
  count: number;
  /** RFC 9865: continue after this id (ordered by id only). */
  afterId?: string;
  /**
   * Decides for candidates when the filter could not be pushed down to SQL exactly; `decided` gives the
   * truth of the filter's membership tests (membershipTests in scim/filter/to-sql.ts) for this resource.
   */
  matches?: (resource: ScimResourceRecord, decided: ReadonlyMap<FilterNode, boolean>) => boolean;
  /** An order SQL cannot give (an attribute without a column); forces the in-memory path. */
  compare?: (a: ScimResourceRecord, b: ScimResourceRecord) => number;
}

export interface ScimQueryResult {
  resources: ScimResourceRecord[];
  total: number;
  /** Whether SQL alone answered; false when every candidate went through `matches` or `compare`. */
  pushedDown: boolean;
}

/** SCIM 2.0 resources and group members; part of every GraphStore. */
export interface ScimResourceStore {
  getScimResource(sorId: string, resourceType: ScimResourceType, id: string): Promise<ScimResourceRecord | undefined>;
  /**
   * A page of the resources matching the filter, and how many match. A filter that translates to SQL exactly
   * is counted and paged there; otherwise the SQL selects candidates, read in batches, that `matches` decides.
   */
  queryScimResources(sorId: string, resourceType: ScimResourceType, query: ScimQuery): Promise<ScimQueryResult>;
  /** Members of a group in value order, a page at a time. */
  listScimMembers(sorId: string, groupId: string, options: { afterValue?: string; limit: number }): Promise<ScimMemberRecord[]>;
  /** The members among `values` that the group has. */
  findScimMembers(sorId: string, groupId: string, values: readonly string[]): Promise<ScimMemberRecord[]>;
  /** The groups a resource is a direct member of. */
  scimGroupsOf(sorId: string, memberId: string): Promise<{ id: string; name: string }[]>;
  /** The groups each of several resources is a direct member of (a list page's users), in one read; by member id. */
  scimGroupsOfEach(sorId: string, memberIds: readonly string[]): Promise<Map<string, { id: string; name: string }[]>>;
  /** The resource write, its member changes and its graph projection, in one transaction. */
  applyScimChange(sorId: string, change: ScimChange): Promise<ScimChangeResult>;
  /** Many new resources and their projection in one transaction (bulk loading); 'conflict' writes nothing. */
  importScimResources(sorId: string, resources: readonly ScimResourceRecord[], graph: GraphProjection, options: WriteOptions): Promise<ScimChangeResult>;
}
