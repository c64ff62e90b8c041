import { describeJson, findKey, isJsonObject, type JsonObject } from './json.js';
import { invalidPath, invalidSyntax, invalidValue, noTarget } from './patch-error.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type OperationName = 'add' | 'remove' | 'replace';

/** One checked entry of `Operations`; `value` is undefined when the client sent none. */
export interface PatchOperation {
  index: number;
  op: OperationName;
  path?: string;
  value?: unknown;
}

const OPERATION_NAMES: readonly OperationName[] = ['add', 'remove', 'replace'];

/** Member names are matched case-insensitively, as SCIM attribute names are. */
function member(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

function checkSchemas(body: JsonObject): void {
  const schemas = member(body, 'schemas');
  const listed = Array.isArray(schemas) && schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase());
  if (!listed) throw invalidSyntax('schemas', `must list ${JSON.stringify(PATCH_OP_SCHEMA)}, found ${describeJson(schemas)}`);
}

function readOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isJsonObject(raw)) throw invalidSyntax(where, `must be an object, found ${describeJson(raw)}`);
  const op = member(raw, 'op');
  const name = typeof op === 'string' ? OPERATION_NAMES.find((known) => known === op.toLowerCase()) : undefined;
  if (name === undefined) throw invalidSyntax(`${where}.op`, `must be "add", "remove" or "replace", found ${describeJson(op)}`);
  const path = member(raw, 'path') ?? undefined;
  if (path !== undefined && typeof path !== 'string') throw invalidPath(`${where}.path`, `must be a string, found ${describeJson(path)}`);
  const value = member(raw, 'value');
  if (name === 'remove' && path === undefined) throw noTarget(`${where}.path`, 'remove needs a path naming what to remove');
  if (name !== 'remove' && value === undefined) throw invalidValue(`${where}.value`, `${name} needs a value`);
  if (name !== 'remove' && path === undefined && !isJsonObject(value)) {
    throw invalidValue(`${where}.value`, `${name} without a path needs an object of attributes, found ${describeJson(value)}`);
  }
  return { index, op: name, path, value };
}

/** Checks the PatchOp message (RFC 7644 §3.5.2) and returns its operations in order. */
export function readPatchMessage(body: unknown): PatchOperation[] {
  if (!isJsonObject(body)) throw invalidSyntax('body', `must be a PatchOp object, found ${describeJson(body)}`);
  checkSchemas(body);
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('Operations', `must be a non-empty array, found ${describeJson(operations)}`);
  }
  return operations.map(readOperation);
}
