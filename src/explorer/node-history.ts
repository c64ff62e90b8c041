import type { NodeHistoryQuery } from '../graph/batch-reads.js';
import type { PushEventPage } from '../graph/push-events.js';
import type { EntityNode, GraphStore, NodeRef } from '../graph/store.js';

/** Parents are few levels deep; this only guards against a cycle in bad data. */
const MAX_ANCESTORS = 8;

/**
 * The events that created and changed a node, newest first: those whose graph operations name it, and for a
 * child node also those that replaced or deleted one of its ancestors (a child is written with its parent).
 */
export async function nodeHistory(store: GraphStore, sorId: string, node: EntityNode, query: NodeHistoryQuery): Promise<PushEventPage> {
  const refs: NodeRef[] = [{ entity: node.entity, id: node.id }];
  let parent = node.parent;
  while (parent && refs.length <= MAX_ANCESTORS) {
    refs.push(parent);
    parent = (await store.getNode(sorId, parent.entity, parent.id))?.parent;
  }
  return store.listNodeHistory(sorId, refs, query);
}
