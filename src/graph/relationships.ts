import type { AttributeRef, RelationshipDef, RelationshipDirection, ScalarValue, Template } from '../template/model.js';
import type { EntityNode, GraphStore, NodeRef } from './store.js';
import { encodeIndexValue, nodeKey } from './tree.js';

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
  const reached = await resolveRelationshipFrom(store, sorId, template, relationshipKey, [from], direction);
  return reached.get(nodeKey(from.entity, from.id)) ?? [];
}

/**
 * Follows a relationship from many nodes at once: one query per step of the relationship, whatever the number
 * of nodes (a path relationship takes one per step). Answers, for each start node's key (nodeKey), what it reaches.
 */
export async function resolveRelationshipFrom(
  store: GraphStore,
  sorId: string,
  template: Template,
  relationshipKey: string,
  from: readonly NodeRef[],
  direction: RelationshipDirection,
): Promise<Reached> {
  const relationship = relationshipOf(template, relationshipKey);
  const start = startEntity(template, relationship, direction);
  const wrong = from.find((ref) => ref.entity !== start);
  if (wrong) {
    throw new Error(`relationship ${relationshipKey} followed ${direction} starts at ${start}, not at ${wrong.entity}`);
  }
  return follow({ store, sorId, template, pathsInProgress: new Set() }, relationship, from, direction);
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

/** What each start node (by nodeKey) reaches. */
export type Reached = Map<string, EntityNode[]>;

async function follow(
  traversal: Traversal,
  relationship: RelationshipDef,
  from: readonly NodeRef[],
  direction: RelationshipDirection,
): Promise<Reached> {
  if (from.length === 0) return new Map();
  switch (relationship.kind) {
    case 'path':
      return followPath(traversal, relationship, from, direction);
    case 'parentChild':
      return direction === 'Backward' ? childrenOf(traversal, relationship, from) : parentsOf(traversal, from);
    case 'direct': {
      const [source, target] =
        direction === 'Forward' ? [relationship.from, relationship.to] : [relationship.to, relationship.from];
      return joinOnAttribute(traversal, from, source, target);
    }
  }
}

/** Backward walks the steps in reverse order, each in the opposite direction. */
async function followPath(
  traversal: Traversal,
  relationship: Extract<RelationshipDef, { kind: 'path' }>,
  from: readonly NodeRef[],
  direction: RelationshipDirection,
): Promise<Reached> {
  if (traversal.pathsInProgress.has(relationship.key)) {
    throw new Error(`relationship ${relationship.key} refers to itself`);
  }
  const inner = { ...traversal, pathsInProgress: new Set(traversal.pathsInProgress).add(relationship.key) };
  const steps =
    direction === 'Forward'
      ? relationship.steps
      : [...relationship.steps].reverse().map((step) => ({ ...step, direction: opposite(step.direction) }));
  // Each start node's current frontier; every step follows the union of all frontiers at once.
  let reached: Reached = new Map(from.map((ref) => [nodeKey(ref.entity, ref.id), [ref as EntityNode]]));
  for (const step of steps) {
    const frontier = distinct([...reached.values()].flat());
    const next = await follow(inner, relationshipOf(traversal.template, step.relationship), frontier, step.direction);
    reached = new Map(
      [...reached].map(([start, nodes]) => [start, distinct(nodes.flatMap((node) => next.get(nodeKey(node.entity, node.id)) ?? []))]),
    );
    if (next.size === 0) break;
  }
  return reached;
}

async function childrenOf(
  traversal: Traversal,
  relationship: Extract<RelationshipDef, { kind: 'parentChild' }>,
  from: readonly NodeRef[],
): Promise<Reached> {
  const { store, sorId, template } = traversal;
  const children = await store.getChildrenOfMany(sorId, from, entityKeyOf(template, relationship.childEntity));
  const reached: Reached = new Map();
  for (const child of children) {
    if (child.parent) append(reached, nodeKey(child.parent.entity, child.parent.id), child);
  }
  return reached;
}

async function parentsOf(traversal: Traversal, from: readonly NodeRef[]): Promise<Reached> {
  const children = await loadedAll(traversal, from);
  const parentRefs = distinctRefs(children.flatMap((child) => (child.parent ? [child.parent] : [])));
  const parents = await traversal.store.getNodes(traversal.sorId, parentRefs);
  const byKey = new Map(parents.map((parent) => [nodeKey(parent.entity, parent.id), parent]));
  const reached: Reached = new Map();
  for (const child of children) {
    const parent = child.parent && byKey.get(nodeKey(child.parent.entity, child.parent.id));
    if (parent) append(reached, nodeKey(child.entity, child.id), parent);
  }
  return reached;
}

/** Direct relationships join on equal attribute values; every element of a list attribute takes part. */
async function joinOnAttribute(
  traversal: Traversal,
  from: readonly NodeRef[],
  source: AttributeRef,
  target: AttributeRef,
): Promise<Reached> {
  const { store, sorId, template } = traversal;
  const nodes = await loadedAll(traversal, from);
  const valuesOf = (node: EntityNode, attribute: string): ScalarValue[] => {
    const value = Object.hasOwn(node.attributes, attribute) ? node.attributes[attribute] : undefined;
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const values = nodes.flatMap((node) => valuesOf(node, source.attribute));
  const found = await store.findNodesByValues(sorId, entityKeyOf(template, target.entity), target.attribute, values);
  // Matched as the index matches (the encoded text), so that 1 and "1" join alike on both sides.
  const byValue = new Map<string, EntityNode[]>();
  for (const node of found) {
    for (const value of new Set(valuesOf(node, target.attribute).map(encodeIndexValue))) append(byValue, value, node);
  }
  const reached: Reached = new Map();
  for (const node of nodes) {
    const matches = valuesOf(node, source.attribute).flatMap((value) => byValue.get(encodeIndexValue(value)) ?? []);
    if (matches.length > 0) reached.set(nodeKey(node.entity, node.id), distinct(matches));
  }
  return reached;
}

/** Nodes reached by an earlier step of a path are already loaded; the others are read in one query. */
async function loadedAll({ store, sorId }: Traversal, refs: readonly NodeRef[]): Promise<EntityNode[]> {
  const isLoaded = (ref: NodeRef): ref is EntityNode => 'attributes' in ref && 'createdAt' in ref;
  const missing = refs.filter((ref) => !isLoaded(ref));
  const read = missing.length === 0 ? [] : await store.getNodes(sorId, distinctRefs(missing));
  return [...refs.filter(isLoaded), ...read];
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function distinctRefs(refs: readonly NodeRef[]): NodeRef[] {
  const byKey = new Map(refs.map((ref) => [nodeKey(ref.entity, ref.id), { entity: ref.entity, id: ref.id }]));
  return [...byKey.values()];
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
