import { resolveAttributeType, unknownTypeMessage } from './attribute-types.js';
import { entityNames, findEntity, resourceTypeKey } from './entity-lookup.js';
import { FieldReader, describe, isMap, type JsonMap, type ProblemList } from './fields.js';
import { compilePath, jsonPath } from './jsonpath.js';
import type { AttributeDef, CompiledPath, EntityDef } from './model.js';
import { item, member } from './places.js';

/** Stands in for a path that did not compile; the template is rejected anyway, so it is never evaluated. */
const UNUSABLE_PATH: CompiledPath = { source: '$', normalized: '$', query: jsonPath.compile('$') };

export interface EntitiesRead {
  entities: Record<string, EntityDef>;
  /** Keys of the entities that declare a parent, resolved or not. */
  children: Set<string>;
}

/** Reads and checks `entities`; relationships are checked later against the result. */
export function readEntities(entitiesMap: JsonMap, place: string, problems: ProblemList): EntitiesRead {
  const entities: Record<string, EntityDef> = {};
  const declaredParents = new Map<string, string>();
  const pushFields = new Map<string, string>();
  for (const [key, value] of Object.entries(entitiesMap)) {
    const entityPlace = member(place, key);
    if (!isMap(value)) {
      problems.push({ place: entityPlace, message: `entity ${key} must be a map, found ${describe(value)}` });
      continue;
    }
    const fields = new FieldReader(value, entityPlace, problems);
    const read = readEntity(key, fields, problems);
    entities[key] = read.entity;
    pushFields.set(key, read.pushField);
    const parent = fields.string('parent');
    if (parent !== undefined) declaredParents.set(key, parent);
  }
  findSharedExternalIds(entities, place, problems);
  findSharedResourceTypes(entities, declaredParents, pushFields, place, problems);
  resolveParents(entities, declaredParents, place, problems);
  findParentCycles(entities, place, problems);
  for (const [key, entity] of Object.entries(entities)) {
    checkUniqueId(entity, declaredParents.has(key), member(place, key), problems);
  }
  return { entities, children: new Set(declaredParents.keys()) };
}

/** The entity, and which field its push expression came from (pushExternalId, or externalId standing in). */
function readEntity(key: string, fields: FieldReader, problems: ProblemList): { entity: EntityDef; pushField: string } {
  const externalId = fields.string('externalId', { required: true }) ?? '';
  const push = pushExpression(fields, externalId);
  const entity: EntityDef = {
    key,
    displayName: fields.string('displayName'),
    externalId,
    pushExternalId: push.expression,
    description: fields.string('description'),
    pageSize: fields.integer('pageSize', 1),
    pagesOrderedById: fields.boolean('pagesOrderedById'),
    entityAlias: fields.string('entityAlias'),
    attributes: readAttributes(fields, problems),
    indexedAttributes: [],
  };
  if (fields.has('parent') && push.expression !== '') {
    entity.path = compileOrReport(push.expression, fields.at(push.field), problems);
  }
  return { entity: dropUndefined(entity), pushField: push.field };
}

/** Templates written for polling have no pushExternalId; their externalId serves for push too. */
function pushExpression(fields: FieldReader, externalId: string): { expression: string; field: string } {
  const pushExternalId = fields.string('pushExternalId');
  return pushExternalId === undefined || pushExternalId === ''
    ? { expression: externalId, field: 'externalId' }
    : { expression: pushExternalId, field: 'pushExternalId' };
}

function readAttributes(fields: FieldReader, problems: ProblemList): AttributeDef[] {
  const list = fields.list('attributes', { required: true, nonEmpty: true }) ?? [];
  const place = fields.at('attributes');
  const attributes: AttributeDef[] = [];
  const firstOfName = new Map<string, { index: number; name: string }>();
  list.forEach((value, index) => {
    const attributePlace = item(place, index);
    if (!isMap(value)) {
      problems.push({ place: attributePlace, message: `an attribute must be a map, found ${describe(value)}` });
      return;
    }
    const attribute = readAttribute(new FieldReader(value, attributePlace, problems), problems);
    // Node filters match attribute names without regard to case, so names that differ only in case would collide.
    const folded = attribute.name.toLowerCase();
    const earlier = firstOfName.get(folded);
    if (attribute.name !== '' && earlier !== undefined) {
      problems.push({ place: member(attributePlace, 'name'), message: duplicateNameMessage(attribute.name, earlier) });
    } else {
      firstOfName.set(folded, { index, name: attribute.name });
    }
    attributes.push(attribute);
  });
  return attributes;
}

function duplicateNameMessage(name: string, earlier: { index: number; name: string }): string {
  if (earlier.name === name) return `duplicate attribute name ${JSON.stringify(name)}; attributes[${earlier.index}] has the same name`;
  return (
    `attribute name ${JSON.stringify(name)} differs from ${JSON.stringify(earlier.name)} of attributes[${earlier.index}] only in case; ` +
    'filters match attribute names without regard to case'
  );
}

function readAttribute(fields: FieldReader, problems: ProblemList): AttributeDef {
  const name = fields.string('name', { required: true }) ?? '';
  const externalId = fields.string('externalId', { required: true }) ?? '';
  const push = pushExpression(fields, externalId);
  const declaredType = fields.string('type', { required: true });
  const type = declaredType === undefined ? undefined : resolveAttributeType(declaredType);
  if (declaredType !== undefined && type === undefined) fields.problem('type', unknownTypeMessage(declaredType));
  const attribute: AttributeDef = {
    name,
    externalId,
    pushExternalId: push.expression,
    description: fields.string('description'),
    type: type ?? 'String',
    declaredType: declaredType ?? 'String',
    indexed: fields.boolean('indexed') ?? false,
    uniqueId: fields.boolean('uniqueId') ?? false,
    list: fields.boolean('list') ?? false,
    attributeAlias: fields.string('attributeAlias'),
    path: push.expression === '' ? UNUSABLE_PATH : compileOrReport(push.expression, fields.at(push.field), problems),
  };
  if (attribute.uniqueId && attribute.list) {
    fields.problem('list', `attribute ${name} is the uniqueId, so it cannot be a list`);
  }
  return dropUndefined(attribute);
}

function compileOrReport(source: string, place: string, problems: ProblemList): CompiledPath {
  const compiled = compilePath(source);
  if (compiled.ok) return compiled.path;
  problems.push({ place, message: `invalid JSONPath ${JSON.stringify(source)}: ${compiled.reason}` });
  return UNUSABLE_PATH;
}

/** Parents and relationships name an entity by its externalId (see findEntity), so two sharing one is ambiguous. */
function findSharedExternalIds(entities: Record<string, EntityDef>, place: string, problems: ProblemList): void {
  const firstWith = new Map<string, string>();
  for (const entity of Object.values(entities)) {
    if (entity.externalId === '') continue;
    const earlier = firstWith.get(entity.externalId);
    if (earlier === undefined) {
      firstWith.set(entity.externalId, entity.key);
      continue;
    }
    problems.push({
      place: member(member(place, entity.key), 'externalId'),
      message:
        `entity ${entity.key} has the externalId ${JSON.stringify(entity.externalId)} of entity ${earlier}; ` +
        `"${entity.externalId}.id" in a relationship or a parent would be ambiguous`,
    });
  }
}

/**
 * A SET subject goes to the first top-level entity whose pushExternalId names its resource type, compared as
 * subjectEntity compares them (any case, singular or plural), so a second such entity would never get data.
 * A child entity's pushExternalId is a path relative to its parent's document, so children may share one.
 */
function findSharedResourceTypes(
  entities: Record<string, EntityDef>,
  declaredParents: Map<string, string>,
  pushFields: Map<string, string>,
  place: string,
  problems: ProblemList,
): void {
  const firstFor = new Map<string, EntityDef>();
  for (const entity of Object.values(entities)) {
    if (declaredParents.has(entity.key) || entity.pushExternalId === '') continue;
    const resourceType = resourceTypeKey(entity.pushExternalId);
    const earlier = firstFor.get(resourceType);
    if (earlier === undefined) {
      firstFor.set(resourceType, entity);
      continue;
    }
    problems.push({
      place: member(member(place, entity.key), pushFields.get(entity.key) ?? 'pushExternalId'),
      message:
        `entity ${entity.key} receives the same resource type as entity ${earlier.key} ` +
        `(${JSON.stringify(entity.pushExternalId)} and ${JSON.stringify(earlier.pushExternalId)}); SET subjects would go to ${earlier.key} only`,
    });
  }
}

function resolveParents(
  entities: Record<string, EntityDef>,
  declaredParents: Map<string, string>,
  place: string,
  problems: ProblemList,
): void {
  for (const [key, parentName] of declaredParents) {
    const entity = entities[key];
    const parent = findEntity(entities, parentName);
    if (entity === undefined) continue;
    if (parent === undefined) {
      problems.push({
        place: member(member(place, key), 'parent'),
        message:
          `unknown parent entity ${JSON.stringify(parentName)}; ` +
          `expected the key or externalId of one of: ${entityNames(entities)}`,
      });
      continue;
    }
    entity.parent = parent.key;
  }
}

/** Reports each cycle once, at the parent field of the first entity in template order that is on it. */
function findParentCycles(entities: Record<string, EntityDef>, place: string, problems: ProblemList): void {
  const reported = new Set<string>();
  for (const start of Object.keys(entities)) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !chain.includes(current)) {
      chain.push(current);
      current = entities[current]?.parent;
    }
    if (current !== start || reported.has(start)) continue;
    chain.forEach((key) => reported.add(key));
    problems.push({
      place: member(member(place, start), 'parent'),
      message: `parent cycle: ${[...chain, start].join(' → ')}`,
    });
  }
}

/** A child entity without a uniqueId attribute is identified by its position under its parent. */
function checkUniqueId(entity: EntityDef, isChild: boolean, place: string, problems: ProblemList): void {
  const uniqueIds = entity.attributes.filter((a) => a.uniqueId);
  if (uniqueIds.length === 1) {
    entity.uniqueIdAttribute = uniqueIds[0]?.name;
  } else if (uniqueIds.length > 1) {
    problems.push({
      place: member(place, 'attributes'),
      message:
        `entity ${entity.key} has ${uniqueIds.length} uniqueId attributes ` +
        `(${uniqueIds.map((a) => a.name).join(', ')}); exactly one is allowed`,
    });
  } else if (!isChild && entity.attributes.length > 0) {
    problems.push({
      place: member(place, 'attributes'),
      message: `entity ${entity.key} needs exactly one attribute with uniqueId: true, found none`,
    });
  }
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
