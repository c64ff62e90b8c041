import { assign, isMultiValued, type Step, type Target } from './context.js';
import { mergeComplex } from './complex-value.js';
import { isJsonObject } from './json.js';
import { appendElements, keepOnePrimary, withoutListed } from './multi-valued.js';
import { normalizeSingleValue, normalizeValues } from './values.js';

/**
 * A remove with a value array removes only the listed values. Entra ID removes members this way
 * (`path: "members"`, `value: [{"value": "id"}]`); the literal reading would remove every member.
 */
function removeListed(target: Target, value: unknown, where: string): void {
  const existing = target.container[target.key];
  if (!Array.isArray(existing)) return;
  const listed = normalizeValues(target.hint, value, where);
  assign(target, withoutListed(existing, listed, target.hint?.identifiedByValue === true));
}

function addValues(target: Target, value: unknown, where: string): void {
  const existing = target.container[target.key];
  const elements = Array.isArray(existing) ? existing : existing === undefined ? [] : [existing];
  const appended = appendElements(elements, normalizeValues(target.hint, value, where), target.hint?.identifiedByValue === true);
  keepOnePrimary(elements, appended, where);
  assign(target, elements);
}

function replaceValues(target: Target, value: unknown, where: string): void {
  const elements = normalizeValues(target.hint, value, where);
  keepOnePrimary(elements, elements, where);
  assign(target, elements);
}

function isComplex(target: Target, value: unknown): boolean {
  if (target.hint !== undefined) return target.hint.type === 'complex';
  return isJsonObject(value) && isJsonObject(target.container[target.key]);
}

/** add, replace or remove of a whole attribute (`path: "emails"`, `"name"`, `"active"`). */
export function applyToWholeAttribute(step: Step, target: Target): void {
  const { op, value, where } = step;
  const multiValued = isMultiValued(target, value);
  if (op === 'remove') {
    if (multiValued && value !== undefined && value !== null) removeListed(target, value, where.value);
    else delete target.container[target.key];
  } else if (value === null) {
    delete target.container[target.key];
  } else if (multiValued) {
    if (op === 'add') addValues(target, value, where.value);
    else replaceValues(target, value, where.value);
  } else if (isComplex(target, value)) {
    const existing = target.container[target.key];
    assign(target, mergeComplex(isJsonObject(existing) ? existing : {}, target.hint, value, where.value));
  } else {
    target.container[target.key] = normalizeSingleValue(target.hint, value, where.value);
  }
}
