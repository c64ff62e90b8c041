import type { GraphStore } from '../graph/store.js';
import type { ScimResourceType } from '../graph/scim-resources.js';
import { ScimResources } from '../scim/resources.js';
import { ScimError } from '../scim/scim-error.js';
import type { SystemOfRecord } from '../systems-of-record/service.js';
import type { ProgressListener } from './progress.js';

const PAGE = 200;
/** Groups first: each takes its member rows along, so no User is left in a group while it is deleted. */
const ORDER: readonly ScimResourceType[] = ['Group', 'User'];
/** Stands in for a request id on the writes; a delete writes no node that would keep it. */
const CLEAR_EVENT_ID = 'clear';

/**
 * Deletes every SCIM resource of a SCIM 2.0 SoR with its member rows and nodes, each the way a SCIM DELETE
 * does it (one transaction), so that the SCIM API and the graph agree afterwards and an IdP can provision the
 * same userNames and displayNames again. Resources created after it started survive, with their nodes.
 */
export async function clearScimResources(
  store: GraphStore,
  sor: SystemOfRecord,
  publicUrl: string,
  onProgress: ProgressListener = () => undefined,
): Promise<number> {
  const sorId = sor.record.id;
  const resources = new ScimResources(store, sor, `${publicUrl}/scim/v2/${sorId}`, CLEAR_EVENT_ID);
  const startedAt = new Date().toISOString();
  let total = 0;
  for (const type of ORDER) total += (await store.queryScimResources(sorId, type, { count: 0 })).total;
  let deleted = 0;
  onProgress({ operation: 'clear-scim-resources', done: 0, total });
  for (const type of ORDER) {
    for await (const id of resourcesCreatedBy(store, sorId, type, startedAt)) {
      if (await deleteIfPresent(resources, type, id)) deleted++;
      onProgress({ operation: 'clear-scim-resources', done: Math.min(deleted, total), total });
    }
  }
  return deleted;
}

/**
 * The ids of the type's resources in id order, one pass, leaving out those created after `time`: reading the first
 * page again until none was left never ended while an IdP went on provisioning, deleting each new user as it came.
 */
async function* resourcesCreatedBy(store: GraphStore, sorId: string, type: ScimResourceType, time: string): AsyncGenerator<string> {
  let afterId = '';
  for (;;) {
    const page = await store.queryScimResources(sorId, type, { count: PAGE, afterId });
    if (page.resources.length === 0) return;
    yield* page.resources.filter((resource) => resource.created <= time).map((resource) => resource.id);
    afterId = page.resources[page.resources.length - 1]!.id;
  }
}

async function deleteIfPresent(resources: ScimResources, type: ScimResourceType, id: string): Promise<boolean> {
  try {
    await resources.delete(type, id, undefined);
    return true;
  } catch (error) {
    // Deleted by the IdP since the page was read.
    if (error instanceof ScimError && error.status === 404) return false;
    throw error;
  }
}
