import { describe } from '../template/fields.js';
import type { AttributeDef, EntityDef } from '../template/model.js';
import { normalizedPath, type Location } from './location.js';

export interface MappingError {
  entity: string;
  attribute?: string;
  /** Where in the document: the offending value's normalized path, or the template path that failed. */
  path: string;
  value?: unknown;
  expected?: string;
  message: string;
}

/** A value in the document together with where it was found. */
export interface Found {
  value: unknown;
  location: Location;
}

export function unknownEntity(entityKey: string): MappingError {
  return { entity: entityKey, path: '$', message: `the template has no entity ${JSON.stringify(entityKey)}` };
}

export function wrongType(entity: EntityDef, attribute: AttributeDef, found: Found, expected: string): MappingError {
  const path = normalizedPath(found.location);
  return {
    entity: entity.key,
    attribute: attribute.name,
    path,
    value: found.value,
    expected,
    message: `${entity.key}.${attribute.name}: expected ${expected} at ${path}, found ${describeFound(found.value)}`,
  };
}

/**
 * An integer beyond ±(2^53-1) has already lost digits when the JSON was parsed, so quoting it would show a
 * number the sender never sent.
 */
function describeFound(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return 'an integer beyond ±(2^53-1), which cannot be read exactly (send it as a string to a String attribute)';
  }
  return describe(value);
}

export function multipleValues(entity: EntityDef, attribute: AttributeDef, matches: Found[]): MappingError {
  const places = matches.map((match) => normalizedPath(match.location)).join(', ');
  return {
    entity: entity.key,
    attribute: attribute.name,
    path: attribute.path.normalized,
    value: matches.map((match) => match.value),
    message:
      `${entity.key}.${attribute.name}: ${attribute.path.source} matched multiple values ` +
      `(${matches.length}: ${places}); a non-list attribute takes one value`,
  };
}

export function missingId(entity: EntityDef, attribute: AttributeDef, scope: Found): MappingError {
  const source = attribute.path.normalized;
  const under = scope.location.length === 0 ? '' : ` under ${normalizedPath(scope.location)}`;
  return {
    entity: entity.key,
    attribute: attribute.name,
    path: source,
    message:
      `${entity.key}.${attribute.name}: the uniqueId attribute has no value at ${source}${under}; ` +
      'the node needs an id',
  };
}

export function noUniqueId(entity: EntityDef, scope: Found): MappingError {
  return {
    entity: entity.key,
    path: normalizedPath(scope.location),
    message: `entity ${entity.key} has no uniqueId attribute, so its nodes cannot be identified on their own`,
  };
}

export const CHILD_ELEMENTS = 'an object or a list of objects';

export function notAnObject(child: EntityDef, found: Found): MappingError {
  const path = normalizedPath(found.location);
  return {
    entity: child.key,
    path,
    value: found.value,
    expected: CHILD_ELEMENTS,
    message:
      `${child.key}: expected ${CHILD_ELEMENTS} at ${path} (from ${child.path?.source}), ` +
      `found ${describe(found.value)}`,
  };
}
