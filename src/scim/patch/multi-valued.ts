import { findKey, isJsonObject, sameJson } from './json.js';
import { invalidValue } from './patch-error.js';

function valueOf(element: unknown): unknown {
  if (!isJsonObject(element)) return element;
  const key = findKey(element, 'value');
  return key === undefined ? undefined : element[key];
}

function sameElement(a: unknown, b: unknown, identifiedByValue: boolean): boolean {
  return identifiedByValue ? valueOf(a) !== undefined && valueOf(a) === valueOf(b) : sameJson(a, b);
}

/**
 * Appends `added` to `elements` in place, skipping values already there (RFC 7644 §3.5.2.1: adding a value
 * the attribute already holds changes nothing). Returns the elements actually appended.
 */
export function appendElements(elements: unknown[], added: unknown[], identifiedByValue: boolean): unknown[] {
  const appended: unknown[] = [];
  for (const element of added) {
    if (elements.some((existing) => sameElement(existing, element, identifiedByValue))) continue;
    elements.push(element);
    appended.push(element);
  }
  return appended;
}

function isPrimary(element: unknown): boolean {
  if (!isJsonObject(element)) return false;
  const key = findKey(element, 'primary');
  return key !== undefined && element[key] === true;
}

/**
 * RFC 7643 §2.4 allows one `primary: true` per attribute, and RFC 7644 §3.5.2 has the server set the
 * others to false when a PATCH makes a value primary. `written` are the elements this operation wrote.
 */
export function keepOnePrimary(elements: unknown[], written: readonly unknown[], where: string): void {
  const primaries = written.filter(isPrimary);
  if (primaries.length > 1) throw invalidValue(where, `${primaries.length} values have "primary": true; at most one may`);
  const [primary] = primaries;
  if (primary === undefined) return;
  for (const element of elements) {
    if (element !== primary && isPrimary(element) && isJsonObject(element)) element[findKey(element, 'primary')!] = false;
  }
}

/** Whether `listed` (an item of a remove's value array) names `element`: all its sub-attributes agree. */
function lists(listed: unknown, element: unknown, identifiedByValue: boolean): boolean {
  if (identifiedByValue || !isJsonObject(listed) || !isJsonObject(element)) return sameElement(listed, element, identifiedByValue);
  return Object.entries(listed).every(([name, value]) => {
    if (value === null) return true;
    const key = findKey(element, name);
    return key !== undefined && sameJson(element[key], value);
  });
}

/** The elements no item of `listed` names; how a remove with a value array reads (Entra ID's member removal). */
export function withoutListed(elements: readonly unknown[], listed: readonly unknown[], identifiedByValue: boolean): unknown[] {
  return elements.filter((element) => !listed.some((item) => lists(item, element, identifiedByValue)));
}
