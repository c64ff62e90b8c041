import type { ScimResourceRecord, ScimResourceType } from '../graph/scim-resources.js';
import type { GraphStore } from '../graph/store.js';
import { indexedAttributesOf } from '../graph/tree.js';
import { scimEntities } from '../scim/projection.js';
import { ScimError } from '../scim/scim-error.js';
import type { SystemOfRecord } from '../systems-of-record/service.js';
import type { EntityDef } from '../template/model.js';
import type { ProgressListener } from './progress.js';
import { remapGroup, remapUser, type ResourceRemapOutcome, type ScimRemapContext } from './remap-scim-resource.js';
import { removeMovedScimNodes } from './remove-moved-scim-nodes.js';

const PAGE = 200;
const MEMBER_PAGE = 500;
/** Resources left as they were are counted; this many are also named, with why. */
const MAX_NAMED = 20;
/** Stands in for a SCIM request id on the nodes a remap writes (their `lastEventId`). */
const REMAP_EVENT_ID = 'remap';
const TYPES: readonly ScimResourceType[] = ['User', 'Group'];

export interface RemapScimResourcesResult {
  /** Resources projected again, and the group members among them (one GroupMember node each). */
  remapped: { users: number; groups: number; members: number };
  /** Nodes a changed uniqueId left behind, keyed by the old one: deleted, with their children. */
  removedNodes: number;
  /** Resources whose nodes were not written again, by why. */
  skipped: {
    /** The template cannot map the resource (what a SCIM write of it would now be refused for). */
    notMapped: number;
    /** Deleted by a SCIM request while the remap ran (its nodes with it). */
    deletedMeanwhile: number;
    /** Changed by SCIM requests every time it was read again; each of them projected it itself. */
    keptChanging: number;
  };
  /** Up to 20 of the resources left, with why. */
  leftAsTheyWere: { resourceType: ScimResourceType; id: string; reason: string }[];
}

export interface RemapScimResourcesOptions {
  /** Members projected per transaction (tests make it small). */
  memberPage?: number;
}

/**
 * Projects every User and Group of a SCIM 2.0 SoR again through its current template, the way SCIM writes project
 * them (scim/projection.ts), from the resources and member rows it keeps: how a template change reaches the nodes
 * provisioned before it without provisioning them again. Each resource is written in a transaction of its own, and a
 * group's members a page per transaction; each write applies only while the resource is at the version it was
 * projected from (else it is read and projected again), so a SCIM write meanwhile is never overwritten with older
 * data. Nodes keyed by a uniqueId the template replaced are deleted at the end, once the resources have their new ones.
 */
export async function remapScimResources(
  store: GraphStore,
  sor: SystemOfRecord,
  publicUrl: string,
  onProgress: ProgressListener = () => undefined,
  options: RemapScimResourcesOptions = {},
): Promise<RemapScimResourcesResult> {
  const sorId = sor.record.id;
  const entities = scimEntities(sor.template);
  const context: ScimRemapContext = {
    store,
    sorId,
    template: sor.template,
    entities,
    baseUrl: `${publicUrl}/scim/v2/${sorId}`,
    options: { eventId: REMAP_EVENT_ID, indexedAttributes: indexedAttributesOf(sor.template) },
    memberPage: options.memberPage ?? MEMBER_PAGE,
  };
  const result: RemapScimResourcesResult = {
    remapped: { users: 0, groups: 0, members: 0 },
    removedNodes: 0,
    skipped: { notMapped: 0, deletedMeanwhile: 0, keptChanging: 0 },
    leftAsTheyWere: [],
  };
  const leave = (record: ScimResourceRecord, why: keyof RemapScimResourcesResult['skipped'], reason: string) => {
    result.skipped[why]++;
    if (result.leftAsTheyWere.length < MAX_NAMED) result.leftAsTheyWere.push({ resourceType: record.resourceType, id: record.id, reason });
  };
  let total = 0;
  for (const type of TYPES) total += (await store.queryScimResources(sorId, type, { count: 0 })).total;
  let done = 0;
  onProgress({ operation: 'remap-scim-resources', done, total });
  for (const type of TYPES) {
    if (!entities[type]) continue;
    for await (const page of resourcePages(store, sorId, type)) {
      for (const record of page) {
        const outcome = await remapResource(context, record);
        if ('notMapped' in outcome) leave(record, 'notMapped', outcome.notMapped);
        else countOutcome(result, record, outcome, leave);
        done++;
        onProgress({ operation: 'remap-scim-resources', done: Math.min(done, total), total });
      }
    }
  }
  if (done < total) onProgress({ operation: 'remap-scim-resources', done: total, total });
  const topLevel = TYPES.map((type) => entities[type]).filter((entity): entity is EntityDef => entity !== undefined);
  result.removedNodes = await removeMovedScimNodes(store, sorId, topLevel, onProgress);
  return result;
}

/** A resource's projection; one the template cannot map is left, with what a SCIM write of it would be told. */
async function remapResource(context: ScimRemapContext, record: ScimResourceRecord): Promise<ResourceRemapOutcome | { notMapped: string }> {
  try {
    return record.resourceType === 'User' ? await remapUser(context, record) : await remapGroup(context, record);
  } catch (error) {
    if (error instanceof ScimError && error.status === 400) return { notMapped: error.detail };
    throw error;
  }
}

function countOutcome(
  result: RemapScimResourcesResult,
  record: ScimResourceRecord,
  { outcome, members }: ResourceRemapOutcome,
  leave: (record: ScimResourceRecord, why: keyof RemapScimResourcesResult['skipped'], reason: string) => void,
): void {
  result.remapped.members += members;
  if (outcome === 'remapped') result.remapped[record.resourceType === 'User' ? 'users' : 'groups']++;
  else if (outcome === 'deletedMeanwhile') leave(record, outcome, 'deleted by a SCIM request while the remap ran');
  else leave(record, outcome, 'changed by SCIM requests each time it was read again; each of them projected it with the template it had');
}

/** The type's resources in id order, a page at a time; resources created meanwhile are projected by their create. */
async function* resourcePages(store: GraphStore, sorId: string, type: ScimResourceType): AsyncGenerator<ScimResourceRecord[]> {
  let afterId = '';
  for (;;) {
    const { resources } = await store.queryScimResources(sorId, type, { count: PAGE, afterId });
    if (resources.length === 0) return;
    yield resources;
    afterId = resources[resources.length - 1]!.id;
  }
}
