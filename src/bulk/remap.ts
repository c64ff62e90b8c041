import type { GraphStore } from '../graph/store.js';
import type { SystemOfRecord } from '../systems-of-record/service.js';
import type { ProgressListener } from './progress.js';
import { remapNodes, type RemapNodesResult } from './remap-nodes.js';
import { remapScimResources, type RemapScimResourcesResult } from './remap-scim-resources.js';

export type RemapResult = RemapNodesResult | RemapScimResourcesResult;

/**
 * Brings a SoR's stored nodes to its current template: a SCIM events SoR maps each node again from the SET it was
 * built from, a SCIM 2.0 SoR projects its Users and Groups again from the resources it keeps.
 */
export function remapSystemOfRecord(store: GraphStore, sor: SystemOfRecord, publicUrl: string, onProgress?: ProgressListener): Promise<RemapResult> {
  return sor.record.pushType === 'SCIM2.0' ? remapScimResources(store, sor, publicUrl, onProgress) : remapNodes(store, sor, onProgress);
}
