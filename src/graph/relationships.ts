import type { AttributeRef, RelationshipDef, RelationshipDirection, ScalarValue, Template } from '../template/model.js';
import type { EntityNode, GraphStore, NodeRef } from './store.js';
import { nodeKey } from './tree.js';

/** A relationship as seen from one entity: following it in `direction` leads to nodes of `toEntity`. */
export interface EntityRelationship {
  relationship: RelationshipDef;
  direction: RelationshipDirection;
  toEntity: string;
}

/** The entities a relationship connects when followed Forward. */
export interface RelationshipEnds {
  fromEntity: string;
  toEntity: string;
}

/** The nodes reached from `from` by following a relationship of the template in the given direction. */
export async function resolveRelationship(
  store: GraphStore,
  sorId: string,
  template: Template,
  relationshipKey: string,
  from: NodeRef,
  direction: RelationshipDirection,
): Promise<EntityNode[]> {
  const relationship = relationshipOf(template, relationshipKey);
  const start = startEntity(template, relationship, direction);
  if (start !== from.entity) {
    throw new Error(
      `relationship ${relationshipKey} followed ${direction} starts at ${start}, not at ${from.entity}`,
    );
  }
  return follow({ store, sorId, template, pathsInProgress: new Set() }, relationship, [from], direction);
}

/** Which relationships start at an entity, in which direction, and where they lead (for showing a node). */
export function relationshipsOf(template: Template, entityKey: string): EntityRelationship[] {
  const result: EntityRelationship[] = [];
  for (const relationship of Object.values(template.relationships)) {
    const ends = relationshipEnds(template, relationship.key);
    if (ends.fromEntity === entityKey) result.push({ relationship, direction: 'Forward', toEntity: ends.toEntity });
    if (ends.toEntity === entityKey) result.push({ relationship, direction: 'Backward', toEntity: ends.fromEntity });
  }
  return result;
}

export function relationshipEnds(template: Template, relationshipKey: string, seen = new Set<string>()): RelationshipEnds {
  const relationship = relationshipOf(template, relationshipKey);
  switch (relationship.kind) {
    case 'direct':
      return {
        fromEntity: entityKeyOf(template, relationship.from.entity),
        toEntity: entityKeyOf(template, relationship.to.entity),
      };
    case 'parentChild':
      return {
        fromEntity: entityKeyOf(template, relationship.childEntity),
        toEntity: entityKeyOf(template, relationship.parentEntity),
      };
    case 'path':
      return pathEnds(template, relationship, seen);
  }
}

function pathEnds(
  template: Template,
  relationship: Extract<RelationshipDef, { kind: 'path' }>,
  seen: Set<string>,
): RelationshipEnds {
  if (seen.has(relationship.key)) throw new Error(`relationship ${relationship.key} refers to itself`);
  const inner = new Set(seen).add(relationship.key);
  const ends = relationship.steps.map((step) => {
    const stepEnds = relationshipEnds(template, step.relationship, inner);
    return step.direction === 'Forward' ? stepEnds : { fromEntity: stepEnds.toEntity, toEntity: stepEnds.fromEntity };
  });
  const first = ends[0];
  const last = ends[ends.length - 1];
  if (!first || !last) throw new Error(`relationship ${relationship.key} has an empty path`);
  return { fromEntity: first.fromEntity, toEntity: last.toEntity };
}

interface Traversal {
  store: GraphStore;
  sorId: string;
  template: Template;
  /** Path relationships being followed, to stop a path that (indirectly) contains itself. */
  pathsInProgress: Set<string>;
}

async function follow(
  traversal: Traversal,
  relationship: RelationshipDef,
  from: readonly NodeRef[],
  direction: RelationshipDirection,
): Promise<EntityNode[]> {
  if (relationship.kind === 'path') return followPath(traversal, relationship, from, direction);
  const reached = await Promise.all(from.map((ref) => followStep(traversal, relationship, ref, direction)));
  return distinct(reached.flat());
}

/** Backward walks the steps in reverse order, each in the opposite direction. */
async function followPath(
  traversal: Traversal,
  relationship: Extract<RelationshipDef, { kind: 'path' }>,
  from: readonly NodeRef[],
  direction: RelationshipDirection,
): Promise<EntityNode[]> {
  if (traversal.pathsInProgress.has(relationship.key)) {
    throw new Error(`relationship ${relationship.key} refers to itself`);
  }
  const inner = { ...traversal, pathsInProgress: new Set(traversal.pathsInProgress).add(relationship.key) };
  const steps =
    direction === 'Forward'
      ? relationship.steps
      : [...relationship.steps].reverse().map((step) => ({ ...step, direction: opposite(step.direction) }));
  let frontier: NodeRef[] = [...from];
  let nodes: EntityNode[] = [];
  for (const step of steps) {
    nodes = await follow(inner, relationshipOf(traversal.template, step.relationship), frontier, step.direction);
    frontier = nodes;
    if (frontier.length === 0) break;
  }
  return nodes;
}

async function followStep(
  traversal: Traversal,
  relationship: Exclude<RelationshipDef, { kind: 'path' }>,
  from: NodeRef,
  direction: RelationshipDirection,
): Promise<EntityNode[]> {
  const { store, sorId, template } = traversal;
  if (relationship.kind === 'parentChild') {
    if (direction === 'Backward') {
      return store.getChildren(sorId, from.entity, from.id, entityKeyOf(template, relationship.childEntity));
    }
    const child = await loaded(traversal, from);
    const parent = child?.parent && (await store.getNode(sorId, child.parent.entity, child.parent.id));
    return parent ? [parent] : [];
  }
  const [source, target] =
    direction === 'Forward' ? [relationship.from, relationship.to] : [relationship.to, relationship.from];
  return joinOnAttribute(traversal, from, source, target);
}

/** Direct relationships join on equal attribute values; every element of a list attribute takes part. */
async function joinOnAttribute(
  traversal: Traversal,
  from: NodeRef,
  source: AttributeRef,
  target: AttributeRef,
): Promise<EntityNode[]> {
  const { store, sorId, template } = traversal;
  const node = await loaded(traversal, from);
  const value = node?.attributes[source.attribute];
  if (value === undefined) return [];
  const values: ScalarValue[] = Array.isArray(value) ? value : [value];
  const targetEntity = entityKeyOf(template, target.entity);
  const found = await Promise.all(
    values.map((each) => store.findNodes(sorId, targetEntity, target.attribute, each)),
  );
  return distinct(found.flat());
}

/** Nodes reached by an earlier step of a path are already loaded. */
async function loaded({ store, sorId }: Traversal, ref: NodeRef): Promise<EntityNode | undefined> {
  return 'attributes' in ref && 'createdAt' in ref ? (ref as EntityNode) : store.getNode(sorId, ref.entity, ref.id);
}

function startEntity(template: Template, relationship: RelationshipDef, direction: RelationshipDirection): string {
  const ends = relationshipEnds(template, relationship.key);
  return direction === 'Forward' ? ends.fromEntity : ends.toEntity;
}

function relationshipOf(template: Template, key: string): RelationshipDef {
  const relationship = Object.hasOwn(template.relationships, key) ? template.relationships[key] : undefined;
  if (!relationship) throw new Error(`the template has no relationship ${key}`);
  return relationship;
}

/** Templates name entities by key or by externalId (`members` for GroupMember); the graph uses keys. */
function entityKeyOf(template: Template, name: string): string {
  if (Object.hasOwn(template.entities, name)) return name;
  const byExternalId = Object.values(template.entities).find((entity) => entity.externalId === name);
  if (!byExternalId) throw new Error(`the template has no entity ${name}`);
  return byExternalId.key;
}

function opposite(direction: RelationshipDirection): RelationshipDirection {
  return direction === 'Forward' ? 'Backward' : 'Forward';
}

function distinct(nodes: readonly EntityNode[]): EntityNode[] {
  const byKey = new Map<string, EntityNode>();
  for (const node of nodes) {
    const key = nodeKey(node.entity, node.id);
    if (!byKey.has(key)) byKey.set(key, node);
  }
  return [...byKey.values()];
}
