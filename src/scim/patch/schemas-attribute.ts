import { findKey, isJsonObject, type JsonObject } from './json.js';
import { mutability } from './patch-error.js';

/** What `syncSchemas` compares against: the state before an operation. */
export interface SchemasSnapshot {
  /** The extension objects (keys are schema URNs) the resource held, lower-cased. */
  extensions: Set<string>;
  coreListed: boolean;
}

function isExtensionKey(key: string): boolean {
  return /^urn:/i.test(key);
}

function presentExtensions(resource: JsonObject): Set<string> {
  return new Set(Object.keys(resource).filter((key) => isExtensionKey(key) && isJsonObject(resource[key])).map((key) => key.toLowerCase()));
}

function schemasList(resource: JsonObject): unknown[] | undefined {
  const key = findKey(resource, 'schemas');
  const schemas = key === undefined ? undefined : resource[key];
  return Array.isArray(schemas) ? schemas : undefined;
}

function lists(schemas: unknown[] | undefined, urn: string): boolean {
  return schemas?.some((item) => typeof item === 'string' && item.toLowerCase() === urn.toLowerCase()) === true;
}

export function snapshotSchemas(resource: JsonObject, coreSchema: string): SchemasSnapshot {
  return { extensions: presentExtensions(resource), coreListed: lists(schemasList(resource), coreSchema) };
}

/**
 * Keeps `schemas` (RFC 7643 §3) in step with the extension objects after an operation: an extension the
 * operation filled in is listed, one it emptied or removed is dropped. The core schema must stay.
 */
export function syncSchemas(resource: JsonObject, coreSchema: string, before: SchemasSnapshot, where: string): void {
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    if (isExtensionKey(key) && isJsonObject(value) && Object.keys(value).length === 0) delete resource[key];
  }
  const schemas = schemasList(resource);
  if (before.coreListed && !lists(schemas, coreSchema)) {
    throw mutability(where, `schemas must keep the resource's schema ${coreSchema}`);
  }
  if (schemas === undefined) return;
  const after = presentExtensions(resource);
  for (const key of Object.keys(resource)) {
    if (after.has(key.toLowerCase()) && !lists(schemas, key)) schemas.push(key);
  }
  for (let index = schemas.length - 1; index >= 0; index -= 1) {
    const item = schemas[index];
    if (typeof item === 'string' && before.extensions.has(item.toLowerCase()) && !after.has(item.toLowerCase())) schemas.splice(index, 1);
  }
}
