import type { GraphStore } from '../graph/store.js';
import type { Template } from '../template/model.js';
import type { ProgressListener } from './progress.js';

const PAGE = 200;

export interface ClearNodesResult {
  deleted: number;
}

/**
 * Deletes every node of a SoR, keeping the SoR, its tokens and its event log. Top-level nodes are deleted one
 * transaction each (their children go with them), so writers are never blocked for long and progress is
 * reported as it goes; nodes pushed meanwhile may survive.
 */
export async function clearNodes(
  store: GraphStore,
  sorId: string,
  template: Template,
  onProgress: ProgressListener = () => undefined,
): Promise<ClearNodesResult> {
  const roots = Object.values(template.entities).filter((entity) => entity.parent === undefined).map((entity) => entity.key);
  const counts = await store.countNodes(sorId);
  const total = roots.reduce((sum, entity) => sum + (counts[entity] ?? 0), 0);
  let deleted = 0;
  onProgress({ operation: 'clear-nodes', done: 0, total });
  for (const entity of roots) {
    for (;;) {
      const page = await store.listNodes(sorId, entity, { limit: PAGE });
      if (page.nodes.length === 0) break;
      for (const node of page.nodes) {
        if (await store.deleteNode(sorId, entity, node.id)) deleted++;
        onProgress({ operation: 'clear-nodes', done: Math.min(deleted, total), total });
      }
    }
  }
  return { deleted };
}
