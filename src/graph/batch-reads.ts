import type { ScalarValue } from '../template/model.js';
import type { PushEventPage } from './push-events.js';
import type { EntityNode, FindOptions, NodeRef } from './store.js';

export interface NodeHistoryQuery {
  limit?: number;
  cursor?: string;
}

/**
 * Reads that answer for many nodes in one query, so that following a relationship from a frontier of nodes
 * costs one round-trip, not one per neighbour. Part of every GraphStore.
 */
export interface GraphBatchReads {
  /** The nodes with these keys; keys without a node are left out. */
  getNodes(sorId: string, refs: readonly NodeRef[]): Promise<EntityNode[]>;
  /** Nodes of an entity whose indexed attribute equals any of the values (for lists: contains one), by id. */
  findNodesByValues(
    sorId: string,
    entity: string,
    attribute: string,
    values: readonly ScalarValue[],
    options?: FindOptions,
  ): Promise<EntityNode[]>;
  /** The children of all these parents, optionally of one child entity only. */
  getChildrenOfMany(sorId: string, parents: readonly NodeRef[], childEntity?: string): Promise<EntityNode[]>;
  /** Event log entries whose graph operations touched one of the nodes, newest first. */
  listNodeHistory(sorId: string, refs: readonly NodeRef[], query?: NodeHistoryQuery): Promise<PushEventPage>;
}

export interface InboxStatistics {
  /** Accepted events not yet applied, across all SoRs. */
  depth: number;
  oldestReceivedAt?: string;
}

/** Cheap aggregate reads for metrics. Part of every GraphStore. */
export interface GraphStatistics {
  inboxStatistics(): Promise<InboxStatistics>;
}
