import { describeJson, describeJsonKind, isJsonObject, type JsonObject } from './json.js';
import { invalidValue } from './patch-error.js';
import { findHint, type AttributeHint, type AttributeType } from './schema-hints.js';

const EXPECTED: Readonly<Record<AttributeType, string>> = {
  string: 'a string',
  reference: 'a string (a reference)',
  dateTime: 'a string (a date and time)',
  binary: 'a string (base64)',
  boolean: 'a boolean (true, false, "True" or "False")',
  integer: 'an integer',
  decimal: 'a number',
  complex: 'an object',
};

/** Entra ID sends booleans as the strings "True" and "False". */
function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function scalar(hint: AttributeHint, value: unknown): unknown {
  switch (hint.type) {
    case 'boolean':
      return toBoolean(value);
    case 'integer':
      return Number.isSafeInteger(value) ? value : undefined;
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    default:
      return typeof value === 'string' ? value : undefined;
  }
}

/** A complex value with sub-attribute names in the schema's casing; null sub-attributes are unassigned. */
function complex(hint: AttributeHint, value: JsonObject, where: string): JsonObject {
  const normalized: JsonObject = {};
  for (const [key, subValue] of Object.entries(value)) {
    const subHint = findHint(hint.subAttributes, key);
    const name = subHint?.name ?? key;
    if (subValue === null) continue;
    normalized[name] = subHint === undefined ? structuredClone(subValue) : normalizeSingleValue(subHint, subValue, `${where}.${name}`);
  }
  return normalized;
}

/**
 * One value of the attribute `hint` describes (one element when it is multi-valued), converted to the
 * schema's type or refused with `invalidValue`. Unknown attributes keep the value as sent.
 */
export function normalizeSingleValue(hint: AttributeHint | undefined, value: unknown, where: string): unknown {
  if (hint === undefined) return structuredClone(value);
  if (hint.type === 'complex') {
    if (hint.acceptsBareValue && typeof value === 'string') return { value };
    if (isJsonObject(value)) return complex(hint, value, where);
  } else {
    const converted = scalar(hint, value);
    if (converted !== undefined) return converted;
  }
  const found = hint.writeOnly ? describeJsonKind(value) : describeJson(value);
  throw invalidValue(where, `${hint.name} expects ${EXPECTED[hint.type]}, found ${found}`);
}

/** The elements of a multi-valued attribute; a single element sent without its array is accepted. */
export function normalizeValues(hint: AttributeHint | undefined, value: unknown, where: string): unknown[] {
  const elements = Array.isArray(value) ? value : [value];
  const wherePrefix = Array.isArray(value) ? (index: number) => `${where}[${index}]` : () => where;
  return elements
    .map((element, index) => (element === null ? null : normalizeSingleValue(hint, element, wherePrefix(index))))
    .filter((element) => element !== null);
}
