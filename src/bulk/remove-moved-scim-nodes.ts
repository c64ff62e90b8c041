import type { EntityNode, GraphStore } from '../graph/store.js';
import type { EntityDef } from '../template/model.js';
import type { ProgressListener } from './progress.js';

const PAGE = 200;
/** Children deleted per transaction: a moved group's member nodes go a page at a time, then the group node. */
const CHILD_PAGE = 500;

/**
 * A top-level node's id is the String of its uniqueId value. One whose id is not (it was keyed by a uniqueId the
 * template no longer has) is what is left of a resource a remap has projected to its new id: no SCIM write can
 * reach it any more.
 */
export function keyedByUniqueId(node: EntityNode, entity: EntityDef): boolean {
  if (entity.uniqueIdAttribute === undefined) return true;
  const value = node.attributes[entity.uniqueIdAttribute];
  return value !== undefined && value !== null && String(value) === node.id;
}

/**
 * Deletes, with their children, the User and Group nodes that a changed uniqueId left behind once every resource
 * was projected to its new id. Nodes are read a page at a time and each is deleted in transactions of its own.
 */
export async function removeMovedScimNodes(
  store: GraphStore,
  sorId: string,
  entities: readonly EntityDef[],
  onProgress: ProgressListener,
): Promise<number> {
  const counts = await store.countNodes(sorId);
  const total = entities.reduce((sum, entity) => sum + (counts[entity.key] ?? 0), 0);
  let done = 0;
  let removed = 0;
  onProgress({ operation: 'remove-moved-scim-nodes', done, total });
  for (const entity of entities) {
    let cursor: string | undefined;
    do {
      const page = await store.listNodes(sorId, entity.key, { limit: PAGE, cursor });
      for (const node of page.nodes) {
        if (!keyedByUniqueId(node, entity) && (await removeNode(store, sorId, node))) removed++;
        done++;
      }
      onProgress({ operation: 'remove-moved-scim-nodes', done: Math.min(done, total), total });
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  if (done < total) onProgress({ operation: 'remove-moved-scim-nodes', done: total, total });
  return removed;
}

async function removeNode(store: GraphStore, sorId: string, node: EntityNode): Promise<boolean> {
  const parent = { entity: node.entity, id: node.id };
  let deleted: number;
  do deleted = await store.deleteSomeChildren(sorId, parent, CHILD_PAGE);
  while (deleted === CHILD_PAGE);
  return store.deleteNode(sorId, node.entity, node.id);
}
