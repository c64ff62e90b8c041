import type { EntityNode, GraphStore } from '../graph/store.js';
import type { SystemOfRecord } from '../systems-of-record/service.js';
import { clearScimResources } from './clear-scim-resources.js';
import type { ProgressListener } from './progress.js';

const PAGE = 200;

export interface ClearNodesResult {
  deleted: number;
  /** SCIM 2.0 SoRs: the Users and Groups deleted with the nodes. */
  deletedScimResources?: number;
}

/**
 * Deletes every node of a SoR, keeping the SoR, its tokens and its event log. Top-level nodes are deleted one
 * transaction each (their children go with them), so writers are never blocked for long and progress is
 * reported as it goes; nodes pushed meanwhile may survive. A SCIM 2.0 SoR's SCIM resources are deleted
 * afterwards, each with whatever node it has by then, so that the SCIM API does not go on serving resources
 * the graph no longer has, and a resource created during the node deletion does not outlive its node.
 */
export async function clearNodes(
  store: GraphStore,
  sor: SystemOfRecord,
  publicUrl: string,
  onProgress: ProgressListener = () => undefined,
): Promise<ClearNodesResult> {
  const sorId = sor.record.id;
  const startedAt = new Date().toISOString();
  const roots = Object.values(sor.template.entities).filter((entity) => entity.parent === undefined).map((entity) => entity.key);
  const counts = await store.countNodes(sorId);
  const total = roots.reduce((sum, entity) => sum + (counts[entity] ?? 0), 0);
  let deleted = 0;
  onProgress({ operation: 'clear-nodes', done: 0, total });
  for (const entity of roots) {
    for await (const node of nodesCreatedBy(store, sorId, entity, startedAt)) {
      if (await store.deleteNode(sorId, entity, node.id)) deleted++;
      onProgress({ operation: 'clear-nodes', done: Math.min(deleted, total), total });
    }
  }
  if (sor.record.pushType !== 'SCIM2.0') return { deleted };
  return { deleted, deletedScimResources: await clearScimResources(store, sor, publicUrl, onProgress) };
}

/**
 * The entity's nodes in id order, one pass, leaving out those created after `time`. Reading the first page again
 * until none was left never ended while a sender went on pushing: it deleted each new node as it came.
 */
async function* nodesCreatedBy(store: GraphStore, sorId: string, entity: string, time: string): AsyncGenerator<EntityNode> {
  let cursor: string | undefined;
  do {
    const page = await store.listNodes(sorId, entity, { limit: PAGE, cursor });
    yield* page.nodes.filter((node) => node.createdAt <= time);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
