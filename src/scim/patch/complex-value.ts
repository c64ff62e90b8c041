import { describeJson, findKey, isJsonObject, type JsonObject } from './json.js';
import { invalidValue } from './patch-error.js';
import { findHint, type AttributeHint } from './schema-hints.js';
import { normalizeSingleValue } from './values.js';

function valueOf(object: JsonObject | undefined): unknown {
  const key = object === undefined ? undefined : findKey(object, 'value');
  return key === undefined ? undefined : object![key];
}

/**
 * Sets one sub-attribute of a complex value in place, keeping the stored casing; null unassigns it.
 * Changing the `value` of a reference (the enterprise `manager`) drops the sub-attributes that described
 * the previous one, such as its displayName.
 */
export function setSubAttribute(object: JsonObject, hint: AttributeHint | undefined, name: string, value: unknown, where: string): void {
  const subHint = findHint(hint?.subAttributes, name);
  const key = findKey(object, name) ?? subHint?.name ?? name;
  if (value === null) {
    delete object[key];
    return;
  }
  const normalized = normalizeSingleValue(subHint, value, where);
  if (hint?.identifiedByValue && key.toLowerCase() === 'value' && valueOf(object) !== normalized) {
    for (const stale of Object.keys(object)) delete object[stale];
  }
  object[key] = normalized;
}

/**
 * Merges `value`'s sub-attributes into a complex value: RFC 7644 §3.5.2.1 and §3.5.2.3 leave the
 * sub-attributes the client did not send unchanged, for add and replace alike.
 */
export function mergeComplex(existing: JsonObject, hint: AttributeHint | undefined, value: unknown, where: string): JsonObject {
  const incoming = hint?.acceptsBareValue && typeof value === 'string' ? { value } : value;
  if (!isJsonObject(incoming)) throw invalidValue(where, `${hint?.name ?? 'the attribute'} expects an object, found ${describeJson(value)}`);
  const merged = structuredClone(existing);
  const valueKey = findKey(incoming, 'value');
  if (valueKey !== undefined) setSubAttribute(merged, hint, valueKey, incoming[valueKey], `${where}.${valueKey}`);
  for (const [name, subValue] of Object.entries(incoming)) {
    if (name !== valueKey) setSubAttribute(merged, hint, name, subValue, `${where}.${name}`);
  }
  return merged;
}
