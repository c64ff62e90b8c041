import type { Logger } from 'pino';
import type { GraphStore } from '../graph/store.js';
import type { ProgressListener } from './progress.js';

const PAGE = 500;

export interface AttributeIndexBuildResult {
  /** Per entity, the attributes whose index rows were built and for how many nodes. */
  built: { entity: string; attributes: string[]; nodes: number }[];
}

/**
 * Builds the index rows a template change asked for (the SoR's indexBuilds) for the nodes written before it, a
 * page of nodes per transaction so that pushes are never held up for long, and takes each entity's attributes off
 * indexBuilds once done: until then searches scan instead of reading an index that lacks those nodes. Safe to run
 * again, or on several instances at once (each page rewrites the same rows), so an interrupted build is resumed
 * by starting it again (the service does at start: resumeAttributeIndexBuilds).
 */
export async function buildAttributeIndexes(
  store: GraphStore,
  sorId: string,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<AttributeIndexBuildResult> {
  const builds = (await store.getSystemOfRecord(sorId))?.indexBuilds ?? {};
  const entities = Object.keys(builds);
  const counts = entities.length > 0 ? await store.countNodes(sorId) : {};
  const total = entities.reduce((sum, entity) => sum + (counts[entity] ?? 0), 0);
  const built: AttributeIndexBuildResult['built'] = [];
  let done = 0;
  if (entities.length > 0) onProgress({ operation: 'build-attribute-index', done, total });
  for (const entity of entities) {
    const attributes = [...builds[entity]!];
    let nodes = 0;
    let after: string | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const page = await store.buildAttributeIndex(sorId, entity, attributes, after, PAGE);
      if (page.nodes === 0) break;
      nodes += page.nodes;
      done += page.nodes;
      after = page.last;
      onProgress({ operation: 'build-attribute-index', done: Math.min(done, total), total });
    }
    await store.finishIndexBuild(sorId, entity, attributes);
    built.push({ entity, attributes, nodes });
  }
  // Nodes deleted meanwhile leave the count short of the total; the last report still says it is done.
  if (entities.length > 0 && done < total) onProgress({ operation: 'build-attribute-index', done: total, total });
  return { built };
}

/** Finishes the builds a stopped service left (a SoR with indexBuilds); stops between pages once `signal` aborts. */
export async function resumeAttributeIndexBuilds(store: GraphStore, logger: Logger, signal: AbortSignal): Promise<void> {
  for (const sor of await store.listSystemsOfRecord()) {
    if (!sor.indexBuilds) continue;
    logger.info({ sorId: sor.id, indexBuilds: sor.indexBuilds }, 'resuming the attribute index build a template change started');
    const { built } = await buildAttributeIndexes(store, sor.id, undefined, signal);
    logger.info({ sorId: sor.id, built }, 'attribute index built');
  }
}
