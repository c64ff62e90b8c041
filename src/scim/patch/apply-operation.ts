import { pathSchemas, type PatchContext, type Step, type Target, type Where } from './context.js';
import { applyToSelectedValues } from './filtered.js';
import { describeJson, findKey, isJsonObject, sameJson, type JsonObject } from './json.js';
import { recordMemberChange, targetsSeparateMembers } from './members.js';
import type { PatchOperation } from './message.js';
import { invalidPath, invalidValue, mutability } from './patch-error.js';
import { parsePath } from './path.js';
import { extensionOwning, findHint, schemaAttributes } from './schema-hints.js';
import { snapshotSchemas, syncSchemas } from './schemas-attribute.js';
import { applyToSubAttribute } from './sub-attribute.js';
import { applyToWholeAttribute } from './whole-attribute.js';

/** The object holding the step's attribute: the resource, or an extension object (created for add/replace). */
function container(context: PatchContext, step: Step): JsonObject | undefined {
  const schema = step.path.schema;
  if (schema === undefined) return context.resource;
  const key = findKey(context.resource, schema);
  const existing = key === undefined ? undefined : context.resource[key];
  if (existing === undefined && step.op !== 'remove') return (context.resource[schema] = {});
  if (existing === undefined || isJsonObject(existing)) return existing;
  throw invalidPath(step.where.path, `the resource's ${schema} is not an object`);
}

/**
 * Read-only attributes (`id`, `meta`, `groups`) refuse any change but accept being sent unchanged, as in
 * Okta's group push `{id, displayName}`; required ones (`userName`, a Group's `displayName`) refuse removal.
 */
function applyGuarded(context: PatchContext, step: Step, target: Target): void {
  const { hint, container: object, key } = target;
  const before = hint?.readOnly ? structuredClone(object[key]) : undefined;
  const had = Object.hasOwn(object, key);
  if (step.path.filter !== undefined) applyToSelectedValues(context, step, target);
  else if (step.path.subAttribute !== undefined) applyToSubAttribute(step, target, step.path.subAttribute);
  else applyToWholeAttribute(step, target);
  if (hint?.readOnly && !sameJson(before, object[key])) throw mutability(step.where.path, `${hint.name} is read-only`);
  if (hint?.required && had && !Object.hasOwn(object, key)) {
    throw mutability(step.where.path, `${hint.name} is required and cannot be removed`);
  }
}

/** A path naming a whole extension (`urn:…:enterprise:2.0:User`) applies its value's attributes one by one. */
function applyToExtension(context: PatchContext, step: Step): void {
  const schema = step.path.schema!;
  const { op, value, where } = step;
  if (op === 'remove' || value === null) {
    const key = findKey(context.resource, schema);
    if (key !== undefined) delete context.resource[key];
    return;
  }
  if (!isJsonObject(value)) {
    throw invalidValue(where.value, `${schema} expects an object of its attributes, found ${describeJson(value)}`);
  }
  applyEach(context, op, value, where.value, (name) => `${schema}:${name}`);
}

/** An unprefixed name that only an extension defines (`department`, `manager`) names that extension's attribute. */
function resolveSchema(context: PatchContext, step: Step, attribute: string): Step {
  const owner = step.path.schema === undefined ? extensionOwning(context.hints, attribute) : undefined;
  return owner === undefined ? step : { ...step, path: { ...step.path, schema: owner } };
}

function applyStep(context: PatchContext, unresolved: Step): void {
  const attribute = unresolved.path.attribute;
  if (attribute === undefined) return applyToExtension(context, unresolved);
  if (targetsSeparateMembers(context, unresolved)) return recordMemberChange(context, unresolved);
  const step = resolveSchema(context, unresolved, attribute);
  const object = container(context, step);
  if (object === undefined) return;
  const hint = findHint(schemaAttributes(context.hints, step.path.schema), attribute);
  const key = findKey(object, attribute) ?? hint?.name ?? attribute;
  applyGuarded(context, step, { container: object, key, hint });
}

/** No-path add/replace: each key of the value is a path, dotted (`name.givenName`) or URN-prefixed (Entra ID). */
function applyEach(context: PatchContext, op: Step['op'], value: JsonObject, where: string, pathOf: (name: string) => string): void {
  for (const [name, attributeValue] of Object.entries(value)) {
    const at = `${where}[${JSON.stringify(name)}]`;
    const path = parsePath(pathOf(name), pathSchemas(context), context.filters, at);
    applyStep(context, { op, path, value: attributeValue, where: { path: at, value: at } });
  }
}

export function applyOperation(context: PatchContext, operation: PatchOperation): void {
  const where = `Operations[${operation.index}]`;
  const before = snapshotSchemas(context.resource, context.hints.core.urn);
  if (operation.path === undefined) {
    applyEach(context, operation.op, operation.value as JsonObject, `${where}.value`, (name) => name);
  } else {
    const at: Where = { path: `${where}.path`, value: `${where}.value` };
    const path = parsePath(operation.path, pathSchemas(context), context.filters, at.path);
    applyStep(context, { op: operation.op, path, value: operation.value, where: at });
  }
  syncSchemas(context.resource, context.hints.core.urn, before, where);
}
