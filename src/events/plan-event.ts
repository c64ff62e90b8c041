import type { GraphOperation, GraphWrite } from '../graph/push-events.js';
import type { GraphStore, NodeTree } from '../graph/store.js';
import { mapEntity, type MappingError } from '../mapping/map-entity.js';
import { PatchError, applyPatch, readPatchMessage, type PatchScimType } from '../scim/patch/index.js';
import { memberNames } from '../template/jsonpath.js';
import type { AttributeDef, EntityDef, Template } from '../template/model.js';
import { invalidRequest } from './set-error.js';
import { subjectEntity } from './subject-entity.js';
import type { ScimSecurityEvent, SecurityEvent } from './validate-set.js';

/** What an event will do, or did: the writes, the log's view of them, and what was extracted. */
export interface EventPlan {
  status: 'applied' | 'failed' | 'ignored';
  writes: GraphWrite[];
  operations: GraphOperation[];
  extracted?: NodeTree;
  errorDescription?: string;
}

/**
 * Everything that can be checked from the SET and the template alone, before answering: the subject's
 * entity, and for full events the whole mapping (types included), so a sender learns of a bad payload
 * from its 400. Returns the extracted node for the event log.
 */
export function checkEvent(template: Template, event: SecurityEvent): NodeTree | undefined {
  if (!event.kind) return undefined;
  const entity = subjectEntity(template, event.subject.uri);
  switch (event.kind) {
    case 'create:full':
    case 'put:full':
      return mapOrRefuse(template, entity.key, event.claims);
    case 'patch:full':
      if (!Array.isArray((event.payload.data as { Operations?: unknown }).Operations)) {
        throw invalidRequest('a patch:full event must carry a SCIM PatchOp message in "data" (with "Operations")');
      }
      checkPatch(entity, event.payload.data);
      return undefined;
    default:
      // Nothing to check of the subject: its node is looked up when the event is applied (subjectNode).
      return undefined;
  }
}

/** Works out an accepted event's writes against the graph as it is now (the inbox worker's step). */
export async function planEvent(store: GraphStore, sorId: string, template: Template, event: SecurityEvent): Promise<EventPlan> {
  if (!event.kind) return ignored(`"${event.eventUri}" is not a SCIM provisioning event; nothing to change`);
  const entity = subjectEntity(template, event.subject.uri);
  switch (event.kind) {
    case 'create:full':
    case 'put:full':
      return replaceFrom(store, sorId, template, entity, event, event.claims);
    case 'delete':
      return deleteNode(store, sorId, entity, await subjectNode(store, sorId, template, entity, event));
    case 'patch:full':
      return patchNode(store, sorId, template, entity, event, event.payload.data);
    case 'activate':
    case 'deactivate':
      return setActive(store, sorId, template, entity, event, event.kind === 'activate');
    case 'create:notice':
    case 'put:notice':
    case 'patch:notice': {
      const subject = await subjectNode(store, sorId, template, entity, event);
      const id = await existingNodeId(store, sorId, entity, subject);
      if (id === undefined) return ignored(`no ${entity.key} node ${subject.described} to mark as changed`);
      return applied([{ kind: 'markChangedUpstream', entity: entity.key, id }], [{ op: 'markChangedUpstream', entity: entity.key, id }]);
    }
    default:
      return ignored(`"${event.eventUri}" events do not change the graph`);
  }
}

/** A delete that finds no node removes nothing, and the log must not say it was applied. */
async function deleteNode(store: GraphStore, sorId: string, entity: EntityDef, subject: SubjectNode): Promise<EventPlan> {
  const id = await existingNodeId(store, sorId, entity, subject);
  if (id === undefined) return ignored(`no ${entity.key} node ${subject.described} to delete`);
  return applied([{ kind: 'delete', entity: entity.key, id }], [{ op: 'delete', entity: entity.key, id }]);
}

/**
 * Replaces the subject's node with the resource in `claims`. When the uniqueId comes from the data, a change to it (a
 * renamed userName) gives the subject a node under a new id: the nodes it had under other ids are deleted with their
 * children in the same completion, or the graph would show the user twice.
 */
async function replaceFrom(
  store: GraphStore,
  sorId: string,
  template: Template,
  entity: EntityDef,
  event: ScimSecurityEvent,
  claims: Record<string, unknown>,
): Promise<EventPlan> {
  const result = mapEntity(template, entity.key, claims);
  if (!result.ok) return failed(describeMappingErrors(result.errors));
  const node = result.node;
  const former = await formerNodeIds(store, sorId, entity, event, node.id);
  return {
    ...applied(
      [
        ...former.map((id): GraphWrite => ({ kind: 'delete', entity: entity.key, id, builtBy: event.subject.uri })),
        { kind: 'replace', tree: node, sourceDocument: claims },
      ],
      [
        ...former.map((id): GraphOperation => ({ op: 'delete', entity: entity.key, id })),
        { op: 'replace', entity: entity.key, id: node.id, children: countChildren(node) },
      ],
    ),
    extracted: node,
  };
}

/**
 * The subject's nodes under ids other than `id`: every one a SET about it built (more than one only where a rename
 * before this check left the old node behind). A node keyed by `$.sub_id.id` keeps its id as long as its subject does,
 * so the usual template needs no lookup.
 */
async function formerNodeIds(store: GraphStore, sorId: string, entity: EntityDef, event: ScimSecurityEvent, id: string): Promise<string[]> {
  if (keyedBySubjectId(entity)) return [];
  const ids = await store.findNodeIdsBySubject(sorId, entity.key, event.subject);
  return ids.filter((found) => found !== id);
}

const KEYED_BY_SUBJECT_ID = new WeakMap<EntityDef, boolean>();

/** Whether the entity's uniqueId is `$.sub_id.id` (in whatever notation): decided once per compiled template. */
function keyedBySubjectId(entity: EntityDef): boolean {
  let keyed = KEYED_BY_SUBJECT_ID.get(entity);
  if (keyed === undefined) {
    const path = entity.attributes.find((a) => a.name === entity.uniqueIdAttribute)?.path;
    const names = path && memberNames(path);
    keyed = names?.length === 2 && names[0] === 'sub_id' && names[1] === 'id';
    KEYED_BY_SUBJECT_ID.set(entity, keyed);
  }
  return keyed;
}

/**
 * A patch applies to the resource the node was last built from (the `data` of its last full event); the
 * patched resource is then mapped again as if it had arrived in a put:full event.
 */
async function patchNode(
  store: GraphStore,
  sorId: string,
  template: Template,
  entity: EntityDef,
  event: ScimSecurityEvent,
  patch: unknown,
): Promise<EventPlan> {
  const subject = await subjectNode(store, sorId, template, entity, event);
  const resource = await sourceResource(store, sorId, entity, subject);
  if (!resource) return failed(`no ${entity.key} node ${subject.described} built from a full event to apply the patch to`);
  const patched = applyPatch(resource, patch, { resourceType: resourceTypeOf(entity) });
  if (!patched.ok) return failed(`the patch does not apply: ${patched.error.detail}`);
  return replaceFrom(store, sorId, template, entity, event, asFullEvent(event, patched.resource));
}

/**
 * What a PatchOp says on its own (its shape, paths, filters and value types) is checked before the 202 by
 * applying it to an empty resource. What depends on the stored resource is left to the worker: noTarget
 * (nothing there to change) and mutability (a read-only attribute may be sent unchanged).
 */
function checkPatch(entity: EntityDef, patch: unknown): void {
  // The message on its own (a remove without a path is its noTarget) is refused whatever its scimType.
  try {
    readPatchMessage(patch);
  } catch (error) {
    if (error instanceof PatchError) throw invalidRequest(`the patch cannot be applied: ${error.detail}`);
    throw error;
  }
  const probe = applyPatch({}, patch, { resourceType: resourceTypeOf(entity) });
  if (!probe.ok && SELF_EVIDENT_PATCH_ERRORS.has(probe.error.scimType)) {
    throw invalidRequest(`the patch cannot be applied: ${probe.error.detail}`);
  }
}

const SELF_EVIDENT_PATCH_ERRORS: ReadonlySet<PatchScimType> = new Set(['invalidSyntax', 'invalidPath', 'invalidFilter', 'invalidValue']);

function resourceTypeOf(entity: EntityDef): 'User' | 'Group' {
  return /group/i.test(entity.pushExternalId) ? 'Group' : 'User';
}

async function setActive(
  store: GraphStore,
  sorId: string,
  template: Template,
  entity: EntityDef,
  event: ScimSecurityEvent,
  active: boolean,
): Promise<EventPlan> {
  const attribute = activeAttribute(entity);
  if (!attribute) return ignored(`${entity.key} has no Bool attribute named active or enabled`);
  const subject = await subjectNode(store, sorId, template, entity, event);
  const dataKey = /^\$\.events\.\*\.data\.([A-Za-z_]\w*)$/.exec(attribute.pushExternalId)?.[1];
  const resource = await sourceResource(store, sorId, entity, subject);
  if (dataKey && resource) {
    // Keeping the stored resource in step means a later patch does not bring the old value back.
    return replaceFrom(store, sorId, template, entity, event, asFullEvent(event, { ...resource, [dataKey]: active }));
  }
  const id = await existingNodeId(store, sorId, entity, subject);
  if (id === undefined) return failed(`no ${entity.key} node ${subject.described} to ${event.kind}`);
  return applied(
    [{ kind: 'setAttributes', entity: entity.key, id, attributes: { [attribute.name]: active } }],
    [{ op: 'setAttributes', entity: entity.key, id, attributes: [attribute.name] }],
  );
}

function activeAttribute(entity: EntityDef): AttributeDef | undefined {
  const bools = entity.attributes.filter((a) => a.type === 'Bool' && !a.list);
  return bools.find((a) => /^(active|enabled)$/i.test(a.name)) ?? bools.find((a) => /\.(active|enabled)$/i.test(a.pushExternalId));
}

/** Where the node of an event's subject is: its id, if any, and how the log names it when there is no such node. */
interface SubjectNode {
  id: string | undefined;
  /** `"100"` for an id evaluated on the SET, `for sub_id.uri "/Users/100"` for one looked up by the subject. */
  described: string;
}

/**
 * The node of the event's subject. Its id is the uniqueId evaluated on the SET, usually `$.sub_id.id`. An event that
 * does not carry the resource (a delete, an activate, a notice, a patch:full whose `data` is a PatchOp) cannot evaluate
 * a uniqueId taken from the data (`$.events.*.data.userName`), so its node is the one a SET about the same subject built, or else the one whose id is
 * the subject's id (such nodes are not in the subject index: see GraphStore.findNodeIdBySubject).
 */
async function subjectNode(store: GraphStore, sorId: string, template: Template, entity: EntityDef, event: ScimSecurityEvent): Promise<SubjectNode> {
  const mapped = mapEntity(template, entity.key, event.claims);
  if (mapped.ok) return { id: mapped.node.id, described: `"${mapped.node.id}"` };
  // By sub_id.uri, not sub_id.id: validateSet requires the uri of every SCIM subject and leaves the id optional, and the
  // uri is what the event log keys a subject by, so the per-subject order of the inbox and of retries agrees with it.
  const found = await store.findNodeIdBySubject(sorId, entity.key, event.subject.uri);
  return { id: found ?? (await ownNodeById(store, sorId, entity, event)), described: `for sub_id.uri "${event.subject.uri}"` };
}

/**
 * The node whose id is the subject's sub_id.id, unless another subject built it: with a uniqueId from the data, a
 * node's id is a userName, which may equal an unrelated subject's id, and that subject's delete must not remove it.
 */
async function ownNodeById(store: GraphStore, sorId: string, entity: EntityDef, event: ScimSecurityEvent): Promise<string | undefined> {
  if (event.subject.id === undefined) return undefined;
  const source = (await store.getNodeSource(sorId, entity.key, event.subject.id)) as { sub_id?: { uri?: unknown } } | null | undefined;
  const builtBy = source?.sub_id?.uri;
  return typeof builtBy === 'string' && builtBy !== event.subject.uri ? undefined : event.subject.id;
}

async function existingNodeId(store: GraphStore, sorId: string, entity: EntityDef, subject: SubjectNode): Promise<string | undefined> {
  if (subject.id === undefined) return undefined;
  return (await store.getNode(sorId, entity.key, subject.id)) ? subject.id : undefined;
}

/** The resource (the `data` of its last full event) the subject's node was built from. */
async function sourceResource(store: GraphStore, sorId: string, entity: EntityDef, subject: SubjectNode): Promise<Record<string, unknown> | undefined> {
  if (subject.id === undefined) return undefined;
  const source = await store.getNodeSource(sorId, entity.key, subject.id);
  return source === undefined ? undefined : resourceOf(source);
}

function mapOrRefuse(template: Template, entityKey: string, claims: Record<string, unknown>): NodeTree {
  const result = mapEntity(template, entityKey, claims);
  if (!result.ok) throw invalidRequest(describeMappingErrors(result.errors));
  return result.node;
}

function resourceOf(source: unknown): Record<string, unknown> | undefined {
  const events = (source as { events?: Record<string, { data?: unknown }> } | null)?.events;
  const data = events ? Object.values(events)[0]?.data : undefined;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
}

function asFullEvent(event: ScimSecurityEvent, resource: Record<string, unknown>): Record<string, unknown> {
  return { ...event.claims, events: { 'urn:ietf:params:scim:event:prov:put:full': { data: resource } } };
}

function countChildren(node: NodeTree): number {
  return node.children.reduce((sum, child) => sum + 1 + countChildren(child), 0);
}

export function describeMappingErrors(errors: MappingError[]): string {
  return `the SET does not fit the template: ${errors.map((e) => e.message).join('; ')}`;
}

function applied(writes: GraphWrite[], operations: GraphOperation[]): EventPlan {
  return { status: 'applied', writes, operations };
}

function ignored(reason: string): EventPlan {
  return { status: 'ignored', writes: [], operations: [], errorDescription: reason };
}

function failed(reason: string): EventPlan {
  return { status: 'failed', writes: [], operations: [], errorDescription: reason };
}
