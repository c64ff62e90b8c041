import type { GraphOperation } from '../graph/push-events.js';
import type { GraphProjection, ScimMemberRecord } from '../graph/scim-resources.js';
import type { NodeRef, NodeTree } from '../graph/store.js';
import { flattenTrees } from '../graph/tree.js';
import { mapEntity, type MappingOptions } from '../mapping/map-entity.js';
import { firstMemberName, isMemberPath, selectsElementsOf } from '../template/jsonpath.js';
import type { EntityDef, Template, TemplateProblem } from '../template/model.js';
import { member } from '../template/places.js';
import type { JsonObject } from './patch/json.js';
import type { ResourceType } from './patch/schema-hints.js';
import { renderMember } from './render.js';
import { badRequest } from './scim-error.js';

/** Which template entities SCIM resources land in: top-level User and Group, and the Group's member children. */
export interface ScimEntities {
  User?: EntityDef;
  Group?: EntityDef;
  /** Child entities of Group read from `members`: each member is one node of these. */
  members: EntityDef[];
}

export function scimEntities(template: Template): ScimEntities {
  const entities = Object.values(template.entities);
  const topLevel = (type: ResourceType) =>
    entities.find((entity) => entity.parent === undefined && [entity.key, entity.externalId, entity.pushExternalId].some((name) => name.replace(/s$/, '') === type));
  const group = topLevel('Group');
  const members = entities.filter((entity) => group !== undefined && entity.parent === group.key && entity.path !== undefined && selectsElementsOf(entity.path, 'members'));
  return { User: topLevel('User'), Group: group, members };
}

/**
 * A SCIM 2.0 SoR projects member changes one member at a time (projectMembers), so each member node needs an id
 * of its own: identified by position, every added or removed member would be position 0 under its Group,
 * overwriting or deleting another member's node. Re-projecting the whole member list on every change instead
 * is what makes big groups slow on other servers.
 */
export function scimMembersProblems(template: Template): TemplateProblem[] {
  const { Group: group, members } = scimEntities(template);
  const problems: TemplateProblem[] = [];
  for (const entity of members) {
    const uniqueId = entity.attributes.find((attribute) => attribute.name === entity.uniqueIdAttribute);
    if (uniqueId === undefined || !isMemberPath(uniqueId.path, 'value')) {
      problems.push({
        place: member(member('entities', entity.key), 'attributes'),
        message:
          `the Group members child entity ${entity.key} needs its uniqueId attribute to be the member's "value": on a SCIM ` +
          '2.0 system of record memberships change one at a time, each member found by its value (not its position or another attribute)',
      });
    }
  }
  // A child reading only some members (a filter, an index) cannot be kept right one member change at a time.
  const partial = Object.values(template.entities).filter(
    (entity) => group !== undefined && entity.parent === group.key && !members.includes(entity) && entity.path !== undefined && firstMemberName(entity.path) === 'members',
  );
  for (const entity of partial) {
    problems.push({
      place: member(member('entities', entity.key), 'pushExternalId'),
      message: `a SCIM 2.0 Group's members child entity must select every member (members, or $.members[*]), not ${JSON.stringify(entity.pushExternalId)}`,
    });
  }
  return problems;
}

/** The graph writes of one SCIM request, with what the event log shows about them. */
export interface Projection {
  graph: GraphProjection;
  operations: GraphOperation[];
  extracted?: unknown;
}

/**
 * An element of a SCIM multi-valued attribute may lack the sub-attribute its child entity is keyed by (Entra ID
 * removes `emails[type eq "work"].value`); it stays in the resource and has no node in the graph.
 */
export const SCIM_MAPPING: MappingOptions = { unkeyedChildren: 'skip' };

function mapped(template: Template, entity: EntityDef, document: JsonObject): NodeTree {
  const result = mapEntity(template, entity.key, document, SCIM_MAPPING);
  if (!result.ok) throw badRequest('invalidValue', `the resource does not fit the system of record's template: ${result.errors.map((error) => error.message).join('; ')}`);
  return result.node;
}

/** A User replaces its node with all its children (e-mails, phone numbers, …). */
export function projectUser(template: Template, entities: ScimEntities, resource: JsonObject): Projection {
  if (!entities.User) return { graph: {}, operations: [] };
  const tree = mapped(template, entities.User, resource);
  return {
    graph: { replace: [tree] },
    operations: [{ op: 'replace', entity: tree.entity, id: tree.id, children: tree.children.length }],
    extracted: tree,
  };
}

/** A Group's own node and its non-member children; its member nodes are left as they are. */
export function projectGroup(template: Template, entities: ScimEntities, resource: JsonObject): Projection & { node?: NodeRef } {
  if (!entities.Group) return { graph: {}, operations: [] };
  const tree = mapped(template, entities.Group, resource);
  const memberEntities = new Set(entities.members.map((entity) => entity.key));
  const others = tree.children.filter((child) => !memberEntities.has(child.entity));
  const node = { entity: tree.entity, id: tree.id };
  const otherEntities = Object.values(template.entities).filter((entity) => entity.parent === entities.Group!.key && !memberEntities.has(entity.key));
  return {
    node,
    graph: {
      upsert: flattenTrees([{ ...tree, children: others }]),
      deleteChildren: otherEntities.map((entity) => ({ parent: node, entity: entity.key, keep: others.map((child) => child.id) })),
    },
    operations: [{ op: 'upsert', entity: tree.entity, id: tree.id, children: others.length }],
    extracted: { ...tree, children: others },
  };
}

/** The net change to a Group's members: what the members table and the member nodes must undergo. */
export interface MemberDelta {
  removeAll: boolean;
  remove: ScimMemberRecord[];
  add: ScimMemberRecord[];
}

/** Each member is one child node, mapped as `{...group, members: [member]}` would map it; ids are childNodeId(group, value). */
export function projectMembers(template: Template, entities: ScimEntities, group: JsonObject, delta: MemberDelta): Projection {
  const graph: GraphProjection = { upsert: [], delete: [], deleteLeaves: [], deleteChildren: [] };
  const operations: GraphOperation[] = [];
  if (!entities.Group || entities.members.length === 0) return { graph, operations };
  const memberEntities = new Set(entities.members.map((entity) => entity.key));
  const childrenOf = (members: readonly ScimMemberRecord[]): NodeTree[] => {
    if (members.length === 0) return [];
    const tree = mapped(template, entities.Group!, { ...group, members: members.map(renderMember) });
    return tree.children.filter((child) => memberEntities.has(child.entity));
  };
  const parent = { entity: entities.Group.key, id: mapped(template, entities.Group, group).id };
  const added = childrenOf(delta.add);
  if (delta.removeAll) {
    for (const entity of memberEntities) graph.deleteChildren!.push({ parent, entity, keep: added.map((child) => child.id) });
    operations.push({ op: 'delete', entity: [...memberEntities].join(','), id: `${parent.id}:*` });
  }
  const leaves = new Set(entities.members.filter((member) => !Object.values(template.entities).some((entity) => entity.parent === member.key)).map((member) => member.key));
  for (const child of childrenOf(delta.remove)) {
    (leaves.has(child.entity) ? graph.deleteLeaves! : graph.delete!).push({ entity: child.entity, id: child.id });
    operations.push({ op: 'delete', entity: child.entity, id: child.id });
  }
  graph.upsert = flattenTrees(added.map((child) => ({ ...child }))).map((row) => (row.parent ? row : { ...row, parent }));
  for (const child of added) operations.push({ op: 'upsert', entity: child.entity, id: child.id });
  return { graph, operations };
}

export function mergeProjections(...projections: Projection[]): Projection {
  const graph: GraphProjection = {};
  for (const { graph: next } of projections) {
    for (const key of ['replace', 'upsert', 'delete', 'deleteLeaves', 'deleteChildren'] as const) {
      const items = next[key] as unknown[] | undefined;
      if (items?.length) (graph[key] as unknown[]) = [...((graph[key] as unknown[] | undefined) ?? []), ...items];
    }
  }
  return { graph, operations: projections.flatMap((projection) => projection.operations), extracted: projections.find((p) => p.extracted !== undefined)?.extracted };
}
