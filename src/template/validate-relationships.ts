import { entityNames, findAttribute, findEntity } from './entity-lookup.js';
import { FieldReader, describe, isMap, type JsonMap, type ProblemList } from './fields.js';
import type { AttributeRef, EntityDef, RelationshipDef, RelationshipDirection } from './model.js';
import { item, member } from './places.js';
import type { EntitiesRead } from './validate-entities.js';

const DIRECTIONS: readonly RelationshipDirection[] = ['Forward', 'Backward'];

type PathStep = { relationship: string; direction: RelationshipDirection };

/** Reads and checks `relationships` against the entities already read. */
export function readRelationships(
  relationshipsMap: JsonMap,
  place: string,
  { entities, children }: EntitiesRead,
  problems: ProblemList,
): Record<string, RelationshipDef> {
  const relationships: Record<string, RelationshipDef> = {};
  for (const [key, value] of Object.entries(relationshipsMap)) {
    const relationshipPlace = member(place, key);
    if (!isMap(value)) {
      const message = `relationship ${key} must be a map, found ${describe(value)}`;
      problems.push({ place: relationshipPlace, message });
      continue;
    }
    const fields = new FieldReader(value, relationshipPlace, problems);
    const relationship = readRelationship(key, fields, { entities, children }, problems);
    if (relationship !== undefined) relationships[key] = relationship;
  }
  checkPaths(relationships, relationshipsMap, place, problems);
  return relationships;
}

function readRelationship(
  key: string,
  fields: FieldReader,
  { entities, children }: EntitiesRead,
  problems: ProblemList,
): RelationshipDef | undefined {
  const common = { key, name: fields.string('name') ?? key, displayName: fields.string('displayName') };
  if (common.displayName === undefined) delete common.displayName;
  const kinds = [
    fields.has('fromAttribute') || fields.has('toAttribute') ? 'direct (fromAttribute, toAttribute)' : undefined,
    fields.has('childEntity') ? 'parent/child (childEntity)' : undefined,
    fields.has('path') ? 'path (path)' : undefined,
  ].filter((kind) => kind !== undefined);
  if (kinds.length !== 1) {
    problems.push({
      place: fields.place,
      message:
        kinds.length === 0
          ? `relationship ${key} is none of the three kinds: give fromAttribute and toAttribute (direct), ` +
            'childEntity (parent/child) or path (path)'
          : `relationship ${key} mixes the fields of several kinds: ${kinds.join(', ')}`,
    });
    return undefined;
  }
  if (fields.has('childEntity')) return readParentChild(common, fields, entities, children);
  if (fields.has('path')) return readPath(common, fields, problems);
  return readDirect(common, fields, entities);
}

type Common = { key: string; name: string; displayName?: string };

function readDirect(
  common: Common,
  fields: FieldReader,
  entities: Record<string, EntityDef>,
): RelationshipDef | undefined {
  const from = readAttributeRef(fields, 'fromAttribute', entities);
  const to = readAttributeRef(fields, 'toAttribute', entities);
  if (from === undefined || to === undefined) return undefined;
  return { kind: 'direct', ...common, from, to };
}

/**
 * `Entity.attribute`, where the entity is named by key or externalId and the attribute by name or externalId.
 * Both parts may contain dots (`Users.$..["urn:…:User"].manager.value`), so every entity whose key or
 * externalId is a prefix is tried, longest first.
 */
function readAttributeRef(
  fields: FieldReader,
  field: string,
  entities: Record<string, EntityDef>,
): AttributeRef | undefined {
  const reference = fields.string(field, { required: true });
  if (reference === undefined) return undefined;
  const candidates = entityPrefixes(reference, entities);
  for (const { entity, rest } of candidates) {
    const attribute = findAttribute(entity, rest);
    if (attribute !== undefined) return { entity: entity.key, attribute: attribute.name };
  }
  const best = candidates[0];
  if (best === undefined) {
    fields.problem(
      field,
      `unknown entity in ${JSON.stringify(reference)}; expected "<entity>.<attribute>" where the entity is ` +
        `the key or externalId of one of: ${entityNames(entities)}`,
    );
  } else {
    fields.problem(
      field,
      `entity ${best.entity.key} has no attribute ${JSON.stringify(best.rest)} (by name or externalId); ` +
        `its attributes: ${best.entity.attributes.map((a) => a.name).filter((name) => name !== '').join(', ')}`,
    );
  }
  return undefined;
}

function entityPrefixes(reference: string, entities: Record<string, EntityDef>): { entity: EntityDef; rest: string }[] {
  const matches: { entity: EntityDef; prefix: string; byKey: boolean }[] = [];
  for (const entity of Object.values(entities)) {
    if (reference.startsWith(`${entity.key}.`)) matches.push({ entity, prefix: entity.key, byKey: true });
    if (entity.externalId !== entity.key && entity.externalId !== '' && reference.startsWith(`${entity.externalId}.`)) {
      matches.push({ entity, prefix: entity.externalId, byKey: false });
    }
  }
  matches.sort((a, b) => b.prefix.length - a.prefix.length || Number(b.byKey) - Number(a.byKey));
  return matches.map(({ entity, prefix }) => ({ entity, rest: reference.slice(prefix.length + 1) }));
}

function readParentChild(
  common: Common,
  fields: FieldReader,
  entities: Record<string, EntityDef>,
  children: Set<string>,
): RelationshipDef | undefined {
  const childName = fields.string('childEntity', { required: true });
  if (childName === undefined) return undefined;
  const child = findEntity(entities, childName);
  if (child === undefined) {
    fields.problem(
      'childEntity',
      `unknown entity ${JSON.stringify(childName)}; expected the key or externalId of one of: ${entityNames(entities)}`,
    );
    return undefined;
  }
  if (child.parent === undefined) {
    // An entity whose parent could not be resolved has its problem reported at its own parent field.
    if (!children.has(child.key)) {
      fields.problem(
        'childEntity',
        `entity ${child.key} has no parent, so it cannot be the child of a parent/child relationship`,
      );
    }
    return undefined;
  }
  return { kind: 'parentChild', ...common, parentEntity: child.parent, childEntity: child.key };
}

function readPath(common: Common, fields: FieldReader, problems: ProblemList): RelationshipDef | undefined {
  const list = fields.list('path', { required: true, nonEmpty: true });
  if (list === undefined) return undefined;
  const steps: PathStep[] = [];
  list.forEach((value, index) => {
    const stepPlace = item(fields.at('path'), index);
    if (!isMap(value)) {
      const message = `a path step must be a map with relationship and direction, found ${describe(value)}`;
      problems.push({ place: stepPlace, message });
      return;
    }
    const stepFields = new FieldReader(value, stepPlace, problems);
    const relationship = stepFields.string('relationship', { required: true });
    const direction = readDirection(stepFields);
    if (relationship !== undefined && direction !== undefined) steps.push({ relationship, direction });
  });
  return steps.length === list.length ? { kind: 'path', ...common, steps } : undefined;
}

function readDirection(fields: FieldReader): RelationshipDirection | undefined {
  const direction = fields.string('direction', { required: true });
  if (direction === undefined) return undefined;
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    fields.problem('direction', `unknown direction ${JSON.stringify(direction)}; expected Forward or Backward`);
    return undefined;
  }
  return direction as RelationshipDirection;
}

type Ends = { start: string; end: string };

/**
 * Checks every path relationship: each step names a relationship, consecutive steps meet at the same
 * entity, and path relationships do not refer to each other in a cycle.
 */
function checkPaths(
  relationships: Record<string, RelationshipDef>,
  relationshipsMap: JsonMap,
  place: string,
  problems: ProblemList,
): void {
  const cycles = findPathCycles(relationships);
  const ends = new PathEnds(relationships, cycles.members);
  for (const relationship of Object.values(relationships)) {
    if (relationship.kind !== 'path') continue;
    const stepsPlace = member(member(place, relationship.key), 'path');
    relationship.steps.forEach((step, index) => {
      const stepPlace = member(item(stepsPlace, index), 'relationship');
      if (!Object.hasOwn(relationshipsMap, step.relationship)) {
        problems.push({
          place: stepPlace,
          message:
            `unknown relationship ${JSON.stringify(step.relationship)}; ` +
            `expected one of: ${Object.keys(relationshipsMap).join(', ')}`,
        });
      }
      const cycle = cycles.reported.get(`${relationship.key}#${index}`);
      if (cycle !== undefined) {
        const message = `path relationships refer to each other in a cycle: ${cycle.join(' → ')}`;
        problems.push({ place: stepPlace, message });
      }
    });
    checkConnections(relationship.steps, ends, stepsPlace, problems);
  }
}

/** Step i ends at some entity; step i + 1 must start there. Steps whose ends are unknown are skipped. */
function checkConnections(steps: PathStep[], ends: PathEnds, stepsPlace: string, problems: ProblemList): void {
  steps.forEach((step, index) => {
    const previous = steps[index - 1];
    const previousEnds = previous === undefined ? undefined : ends.ofStep(previous);
    const stepEnds = ends.ofStep(step);
    if (previousEnds === undefined || stepEnds === undefined || previousEnds.end === stepEnds.start) return;
    problems.push({
      place: member(item(stepsPlace, index), 'relationship'),
      message:
        `steps do not connect: path[${index - 1}] (${describeStep(previous as PathStep)}) ends at entity ` +
        `${previousEnds.end}, but path[${index}] (${describeStep(step)}) starts at entity ${stepEnds.start}`,
    });
  });
}

function describeStep(step: PathStep): string {
  return `${step.relationship}, ${step.direction}`;
}

/** The entities a relationship leads from and to, followed in a direction (path relationships recursively). */
class PathEnds {
  private readonly known = new Map<string, Ends | undefined>();

  constructor(
    private readonly relationships: Record<string, RelationshipDef>,
    private readonly inCycle: Set<string>,
  ) {}

  ofStep(step: PathStep): Ends | undefined {
    const ends = this.of(step.relationship);
    if (ends === undefined) return undefined;
    return step.direction === 'Forward' ? ends : { start: ends.end, end: ends.start };
  }

  /** Forward ends: from → to for direct relationships, child → parent for parent/child ones. */
  private of(key: string): Ends | undefined {
    if (this.known.has(key)) return this.known.get(key);
    const relationship = Object.hasOwn(this.relationships, key) ? this.relationships[key] : undefined;
    const ends = relationship === undefined || this.inCycle.has(key) ? undefined : this.forward(relationship);
    this.known.set(key, ends);
    return ends;
  }

  private forward(relationship: RelationshipDef): Ends | undefined {
    switch (relationship.kind) {
      case 'direct':
        return { start: relationship.from.entity, end: relationship.to.entity };
      case 'parentChild':
        return { start: relationship.childEntity, end: relationship.parentEntity };
      case 'path':
        return this.ofSteps(relationship.steps);
    }
  }

  private ofSteps(steps: PathStep[]): Ends | undefined {
    const first = steps[0];
    const last = steps[steps.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const start = this.ofStep(first)?.start;
    const end = this.ofStep(last)?.end;
    return start === undefined || end === undefined ? undefined : { start, end };
  }
}

type StepRef = { key: string; index: number };

/**
 * Finds cycles among path relationships that name each other as steps (depth first, in template order).
 * Each cycle is reported once, at the step where it was entered.
 */
function findPathCycles(relationships: Record<string, RelationshipDef>): {
  members: Set<string>;
  reported: Map<string, string[]>;
} {
  const members = new Set<string>();
  const reported = new Map<string, string[]>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: StepRef[] = [];
  const visit = (key: string): void => {
    state.set(key, 'visiting');
    const relationship = relationships[key];
    const steps = relationship?.kind === 'path' ? relationship.steps : [];
    steps.forEach((step, index) => {
      const next = step.relationship;
      if (!Object.hasOwn(relationships, next) || relationships[next]?.kind !== 'path') return;
      stack.push({ key, index });
      if (state.get(next) === 'visiting') {
        const cycle = stack.slice(stack.findIndex((ref) => ref.key === next));
        const entry = cycle[0] as StepRef;
        cycle.forEach((ref) => members.add(ref.key));
        reported.set(`${entry.key}#${entry.index}`, [...cycle.map((ref) => ref.key), next]);
      } else if (!state.has(next)) {
        visit(next);
      }
      stack.pop();
    });
    state.set(key, 'done');
  };
  for (const key of Object.keys(relationships)) {
    if (!state.has(key)) visit(key);
  }
  return { members, reported };
}
