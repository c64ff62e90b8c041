import { indexedAttributesOf } from '../graph/tree.js';
import type { GraphStore } from '../graph/store.js';
import { mapEntity } from '../mapping/map-entity.js';
import { describeMappingErrors } from '../events/plan-event.js';
import type { SystemOfRecord } from '../systems-of-record/service.js';
import type { ProgressListener } from './progress.js';

const PAGE = 200;
/** Nodes left as they were are counted; this many are also named, with why. */
const MAX_NAMED = 20;

export interface RemapNodesResult {
  remapped: number;
  /** Nodes left as they were, by why. */
  skipped: {
    /** Written otherwise than by a full event (no source document to map again). */
    noSource: number;
    /** Changed by an event after their last full one (an activate or deactivate without a source, a notice). */
    changedSince: number;
    /** The current template cannot map their source (the errors a push of it would get). */
    notMapped: number;
    /** A push changed them while the remap ran; the push was mapped with the current template. */
    pushedMeanwhile: number;
    /** Their new id (a new uniqueId's value) is another node's: moved, the two would have merged. */
    idTaken: number;
  };
  /** Up to 20 of the nodes left as they were, with why. */
  leftAsTheyWere: { entity: string; id: string; reason: string }[];
}

/**
 * Maps a SCIM events SoR's top-level nodes again, with their children, from the document each was last built from
 * (the claims of its last full event, kept as the node's source), with the SoR's current template: how a template
 * change reaches the nodes pushed before it (new attributes, another type or list shape, another uniqueId). A node
 * a push changes meanwhile is left to that push. A page of nodes is read at a time and each node written in a
 * transaction of its own, so pushes are never held up for long.
 */
export async function remapNodes(
  store: GraphStore,
  sor: SystemOfRecord,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<RemapNodesResult> {
  const sorId = sor.record.id;
  const roots = Object.values(sor.template.entities).filter((entity) => entity.parent === undefined);
  const counts = await store.countNodes(sorId);
  const total = roots.reduce((sum, entity) => sum + (counts[entity.key] ?? 0), 0);
  const indexedAttributes = indexedAttributesOf(sor.template);
  const result: RemapNodesResult = { remapped: 0, skipped: { noSource: 0, changedSince: 0, notMapped: 0, pushedMeanwhile: 0, idTaken: 0 }, leftAsTheyWere: [] };
  const leave = (entity: string, id: string, why: keyof RemapNodesResult['skipped'], reason: string) => {
    result.skipped[why]++;
    if (result.leftAsTheyWere.length < MAX_NAMED) result.leftAsTheyWere.push({ entity, id, reason });
  };
  let done = 0;
  onProgress({ operation: 'remap-nodes', done, total });
  for (const entity of roots) {
    let after: string | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const page = await store.listNodeSources(sorId, entity.key, after, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.id;
      for (const node of page) {
        done++;
        if (node.source === undefined) {
          leave(entity.key, node.id, 'noSource', 'not written by a full event, so there is nothing to map again');
        } else if (jtiOf(node.source) !== node.lastEventId) {
          leave(entity.key, node.id, 'changedSince', 'changed by an event after its last full one (activate, deactivate or a notice); push it again in full');
        } else {
          const mapped = mapEntity(sor.template, entity.key, node.source);
          if (!mapped.ok) {
            leave(entity.key, node.id, 'notMapped', describeMappingErrors(mapped.errors));
          } else {
            const outcome = await store.remapNode(sorId, entity.key, node.id, node.updatedAt, mapped.node, { eventId: node.lastEventId, indexedAttributes });
            if (outcome === 'remapped') result.remapped++;
            else if (outcome === 'changed') leave(entity.key, node.id, 'pushedMeanwhile', 'pushed again while the remap ran, with the current template');
            else leave(entity.key, node.id, 'idTaken', `its new id "${mapped.node.id}" is another ${entity.key} node's; moved, the two would merge`);
          }
        }
        onProgress({ operation: 'remap-nodes', done: Math.min(done, total), total });
      }
    }
  }
  if (done < total) onProgress({ operation: 'remap-nodes', done: total, total });
  return result;
}

function jtiOf(source: unknown): unknown {
  return typeof source === 'object' && source !== null ? (source as { jti?: unknown }).jti : undefined;
}
