import type { GraphStore } from '../graph/store.js';
import type { ProgressListener } from './progress.js';

const PAGE = 500;

export interface RetryFailedResult {
  failed: number;
  retried: number;
}

/**
 * Puts every failed event of a SoR back in the inbox, where the worker applies them again in their original
 * order. The failed events are listed first, so progress has a total; one changed meanwhile is skipped.
 */
export async function retryFailedEvents(store: GraphStore, sorId: string, onProgress: ProgressListener = () => undefined): Promise<RetryFailedResult> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPushEvents(sorId, { status: 'failed', limit: PAGE, cursor });
    ids.push(...page.items.map((event) => event.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  // Oldest first, as they were received.
  ids.reverse();
  let retried = 0;
  onProgress({ operation: 'retry-failed', done: 0, total: ids.length });
  for (const [i, id] of ids.entries()) {
    if (await store.retryPushEvent(sorId, id)) retried++;
    onProgress({ operation: 'retry-failed', done: i + 1, total: ids.length });
  }
  return { failed: ids.length, retried };
}
