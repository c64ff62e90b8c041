import type { GraphOperation, GraphWrite } from '../graph/push-events.js';
import type { GraphStore, NodeTree } from '../graph/store.js';
import { mapEntity, type MappingError } from '../mapping/map-entity.js';
import { PatchError, applyPatch, readPatchMessage, type PatchScimType } from '../scim/patch/index.js';
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
      subjectId(template, entity, event);
      checkPatch(entity, event.payload.data);
      return undefined;
    default:
      subjectId(template, entity, event);
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
      return replaceFrom(template, entity, event.claims);
    case 'delete': {
      const id = subjectId(template, entity, event);
      return applied([{ kind: 'delete', entity: entity.key, id }], [{ op: 'delete', entity: entity.key, id }]);
    }
    case 'patch:full':
      return patchNode(store, sorId, template, entity, event, event.payload.data);
    case 'activate':
    case 'deactivate':
      return setActive(store, sorId, template, entity, event, event.kind === 'activate');
    case 'create:notice':
    case 'put:notice':
    case 'patch:notice': {
      const id = subjectId(template, entity, event);
      if (!(await store.getNode(sorId, entity.key, id))) return ignored(`no ${entity.key} node "${id}" to mark as changed`);
      return applied([{ kind: 'markChangedUpstream', entity: entity.key, id }], [{ op: 'markChangedUpstream', entity: entity.key, id }]);
    }
    default:
      return ignored(`"${event.eventUri}" events do not change the graph`);
  }
}

function replaceFrom(template: Template, entity: EntityDef, claims: Record<string, unknown>): EventPlan {
  const result = mapEntity(template, entity.key, claims);
  if (!result.ok) return failed(describeMappingErrors(result.errors));
  const node = result.node;
  return {
    ...applied(
      [{ kind: 'replace', tree: node, sourceDocument: claims }],
      [{ op: 'replace', entity: entity.key, id: node.id, children: countChildren(node) }],
    ),
    extracted: node,
  };
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
  const id = subjectId(template, entity, event);
  const source = await store.getNodeSource(sorId, entity.key, id);
  const resource = source === undefined ? undefined : resourceOf(source);
  if (!resource) return failed(`no ${entity.key} node "${id}" built from a full event to apply the patch to`);
  const patched = applyPatch(resource, patch, { resourceType: resourceTypeOf(entity) });
  if (!patched.ok) return failed(`the patch does not apply: ${patched.error.detail}`);
  return replaceFrom(template, entity, asFullEvent(event, patched.resource));
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
  const id = subjectId(template, entity, event);
  const dataKey = /^\$\.events\.\*\.data\.([A-Za-z_]\w*)$/.exec(attribute.pushExternalId)?.[1];
  const source = await store.getNodeSource(sorId, entity.key, id);
  const resource = source === undefined ? undefined : resourceOf(source);
  if (dataKey && resource) {
    // Keeping the stored resource in step means a later patch does not bring the old value back.
    return replaceFrom(template, entity, asFullEvent(event, { ...resource, [dataKey]: active }));
  }
  if (!(await store.getNode(sorId, entity.key, id))) return failed(`no ${entity.key} node "${id}" to ${event.kind}`);
  return applied(
    [{ kind: 'setAttributes', entity: entity.key, id, attributes: { [attribute.name]: active } }],
    [{ op: 'setAttributes', entity: entity.key, id, attributes: [attribute.name] }],
  );
}

function activeAttribute(entity: EntityDef): AttributeDef | undefined {
  const bools = entity.attributes.filter((a) => a.type === 'Bool' && !a.list);
  return bools.find((a) => /^(active|enabled)$/i.test(a.name)) ?? bools.find((a) => /\.(active|enabled)$/i.test(a.pushExternalId));
}

/** The node id of the event's subject: the uniqueId attribute evaluated on the SET (usually `$.sub_id.id`). */
function subjectId(template: Template, entity: EntityDef, event: ScimSecurityEvent): string {
  const result = mapEntity(template, entity.key, event.claims);
  if (result.ok) return result.node.id;
  if (event.subject.id) return event.subject.id;
  throw invalidRequest(describeMappingErrors(result.errors));
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
