import { isJsonObject, type JsonObject } from './patch/json.js';
import { badRequest } from './scim-error.js';

/** `attributes` or `excludedAttributes` (RFC 7644 §3.4.2.5), as lower-case paths `name.givenName`, `urn:…:employeenumber`. */
export interface AttributeSelection {
  mode: 'all' | 'only' | 'except';
  paths: string[][];
}

/** Always returned, whatever a client asks (RFC 7643 §2.2 `returned: always`). */
const ALWAYS = new Set(['id', 'schemas']);

export function readSelection(attributes: string | undefined, excluded: string | undefined, schemaUrns: readonly string[]): AttributeSelection {
  if (attributes !== undefined && excluded !== undefined) {
    throw badRequest('invalidValue', '"attributes" and "excludedAttributes" cannot be used together');
  }
  const list = attributes ?? excluded;
  if (list === undefined || list.trim() === '') return { mode: 'all', paths: [] };
  const paths = list.split(',').map((text) => splitPath(text.trim(), schemaUrns)).filter((path) => path.length > 0);
  return { mode: attributes !== undefined ? 'only' : 'except', paths };
}

/** `urn:…:User:manager.value` → [urn, 'manager', 'value']; a core schema prefix is dropped. */
function splitPath(text: string, schemaUrns: readonly string[]): string[] {
  const lower = text.toLowerCase();
  const urn = schemaUrns.find((schema) => lower.startsWith(`${schema.toLowerCase()}:`));
  if (urn !== undefined) {
    const rest = lower.slice(urn.length + 1).split('.');
    return urn.toLowerCase().includes(':core:') ? rest : [urn.toLowerCase(), ...rest];
  }
  if (schemaUrns.some((schema) => schema.toLowerCase() === lower)) return [lower];
  return lower.split('.');
}

/** Whether the selection returns an attribute at all (a Group's members are read only when it does). */
export function selects(selection: AttributeSelection, attribute: string): boolean {
  const name = attribute.toLowerCase();
  if (selection.mode === 'all') return true;
  const named = selection.paths.some((path) => path[0] === name);
  if (selection.mode === 'only') return named;
  return !selection.paths.some((path) => path.length === 1 && path[0] === name);
}

export function applySelection(resource: JsonObject, selection: AttributeSelection): JsonObject {
  if (selection.mode === 'all') return resource;
  return selection.mode === 'only' ? keepOnly(resource, selection.paths, true) : drop(resource, selection.paths, true);
}

function keepOnly(object: JsonObject, paths: string[][], top: boolean): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    const lower = key.toLowerCase();
    if (top && ALWAYS.has(lower)) {
      result[key] = value;
      continue;
    }
    const matching = paths.filter((path) => path[0] === lower);
    if (matching.length === 0) continue;
    if (matching.some((path) => path.length === 1)) result[key] = value;
    else result[key] = selectInside(value, matching.map((path) => path.slice(1)), keepOnly);
  }
  return result;
}

function drop(object: JsonObject, paths: string[][], top: boolean): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    const lower = key.toLowerCase();
    const matching = top && ALWAYS.has(lower) ? [] : paths.filter((path) => path[0] === lower);
    if (matching.some((path) => path.length === 1)) continue;
    result[key] = matching.length === 0 ? value : selectInside(value, matching.map((path) => path.slice(1)), drop);
  }
  return result;
}

function selectInside(value: unknown, paths: string[][], select: (object: JsonObject, paths: string[][], top: boolean) => JsonObject): unknown {
  if (Array.isArray(value)) return value.map((element) => (isJsonObject(element) ? select(element, paths, false) : element));
  return isJsonObject(value) ? select(value, paths, false) : value;
}
