import type { GraphProjection, ScimResourceRecord } from '../graph/scim-resources.js';
import type { GraphStore, WriteOptions } from '../graph/store.js';
import { mergeProjections, projectGroup, projectMembers, projectUser, type Projection, type ScimEntities } from '../scim/projection.js';
import { renderResource } from '../scim/render.js';
import type { Template } from '../template/model.js';

/** How often a resource is read and projected again when a SCIM write keeps getting there first. */
const ATTEMPTS = 8;

export interface ScimRemapContext {
  store: GraphStore;
  sorId: string;
  template: Template;
  entities: ScimEntities;
  /** The SCIM base URL: a resource is projected as SCIM reads render it (with `meta.location`). */
  baseUrl: string;
  options: WriteOptions;
  /** Members projected per transaction. */
  memberPage: number;
}

export type ResourceRemapOutcome =
  | { outcome: 'remapped'; members: number }
  | { outcome: 'deletedMeanwhile' | 'keptChanging'; members: number };

/**
 * Writes a projection only while the resource is still at the version it was projected from. A SCIM write since
 * then has projected the resource itself, and its nodes must not be overwritten with what was read before it.
 */
async function writeAtVersion(context: ScimRemapContext, record: ScimResourceRecord, graph: GraphProjection): Promise<boolean> {
  const result = await context.store.applyScimChange(context.sorId, {
    resource: { kind: 'unchanged', resourceType: record.resourceType, id: record.id, expectedVersion: record.version },
    graph,
    options: context.options,
  });
  return result === 'ok';
}

/** The resource as it is now, after a write found it changed; undefined once it is deleted. */
function readAgain(context: ScimRemapContext, record: ScimResourceRecord): Promise<ScimResourceRecord | undefined> {
  return context.store.getScimResource(context.sorId, record.resourceType, record.id);
}

/** A User's node replaced, with its children, by what the template makes of the resource. */
export async function remapUser(context: ScimRemapContext, record: ScimResourceRecord): Promise<ResourceRemapOutcome> {
  let current: ScimResourceRecord | undefined = record;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const projection = projectUser(context.template, context.entities, renderResource(current, context.baseUrl));
    if (await writeAtVersion(context, current, projection.graph)) return { outcome: 'remapped', members: 0 };
    current = await readAgain(context, current);
    if (!current) return { outcome: 'deletedMeanwhile', members: 0 };
  }
  return { outcome: 'keptChanging', members: 0 };
}

/**
 * A Group's node, then its member nodes a page of member rows per transaction, so that a group of 200,000 members
 * holds up no other write for long. The Group node goes with the first page. A page that finds the group changed
 * (a member added or removed since the page was read) reads the group and that page again, and writes the Group
 * node anew with it, since the write in between may have been projected with the template before this one.
 */
export async function remapGroup(context: ScimRemapContext, record: ScimResourceRecord): Promise<ResourceRemapOutcome> {
  let current: ScimResourceRecord | undefined = record;
  let afterValue: string | undefined;
  let members = 0;
  let withGroupNode = true;
  let stale = 0;
  for (;;) {
    const page = await context.store.listScimMembers(context.sorId, current.id, { ...(afterValue === undefined ? {} : { afterValue }), limit: context.memberPage });
    if (page.length === 0 && !withGroupNode) return { outcome: 'remapped', members };
    const resource = renderResource(current, context.baseUrl);
    const projections: Projection[] = [];
    if (withGroupNode) projections.push(projectGroup(context.template, context.entities, resource));
    if (page.length > 0) projections.push(projectMembers(context.template, context.entities, resource, { removeAll: false, remove: [], add: page }));
    if (await writeAtVersion(context, current, mergeProjections(...projections).graph)) {
      withGroupNode = false;
      stale = 0;
      members += page.length;
      if (page.length < context.memberPage) return { outcome: 'remapped', members };
      afterValue = page[page.length - 1]!.value;
      continue;
    }
    if (++stale >= ATTEMPTS) return { outcome: 'keptChanging', members };
    current = await readAgain(context, current);
    if (!current) return { outcome: 'deletedMeanwhile', members };
    withGroupNode = true;
  }
}
