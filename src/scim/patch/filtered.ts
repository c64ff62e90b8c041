import { assign, caseRules, isMultiValued, type PatchContext, type Step, type Target } from './context.js';
import { mergeComplex, setSubAttribute } from './complex-value.js';
import { describeJson, isJsonObject, type JsonObject } from './json.js';
import { keepOnePrimary } from './multi-valued.js';
import { invalidFilter, invalidPath, invalidValue, noTarget } from './patch-error.js';
import type { CaseRules } from './value-filter.js';
import { normalizeSingleValue } from './values.js';

interface Selection {
  elements: unknown[];
  matched: unknown[];
  parsed: unknown;
  /** A single-valued complex attribute (the enterprise `manager`), read as a list of its one value or of none. */
  single: boolean;
}

/** A full filter engine may refuse a comparison only when it meets a value (`gt` on a boolean). */
function matching(context: PatchContext, step: Step, elements: unknown[], rules: CaseRules): unknown[] {
  try {
    return elements.filter((element) => context.filters.matches(element, step.path.filter!.parsed, rules));
  } catch (error) {
    throw invalidFilter(step.where.path, `${JSON.stringify(step.path.filter!.text)}: ${(error as Error).message}`);
  }
}

function select(context: PatchContext, step: Step, target: Target): Selection {
  const existing = target.container[target.key];
  const name = target.hint?.name ?? target.key;
  const single = target.hint === undefined ? existing !== undefined && !Array.isArray(existing) : !isMultiValued(target);
  const complex = target.hint === undefined ? isJsonObject(existing) : target.hint.type === 'complex';
  if (single && !complex) {
    throw invalidPath(step.where.path, `${name} is a single value, not complex; a filter ("[…]") selects complex values`);
  }
  const { parsed } = step.path.filter!;
  const elements = single ? (existing === undefined ? [] : [existing]) : Array.isArray(existing) ? existing : [];
  return { elements, matched: matching(context, step, elements, caseRules(target.hint)), parsed, single };
}

/** Writes the selected elements back: a single-valued attribute takes its one element, or is unassigned. */
function assignElements(target: Target, selection: Selection, elements: unknown[]): void {
  assign(target, selection.single ? (elements[0] ?? null) : elements);
}

/**
 * RFC 7644 §3.5.2.2 answers `noTarget` when a filtered remove matches nothing. References to other
 * resources (`members`) are the exception: IdPs send removals of members that are already gone, which must
 * not fail the whole PATCH.
 */
function removeSelected(step: Step, target: Target, selection: Selection): void {
  const { elements, matched } = selection;
  const subAttribute = step.path.subAttribute;
  if (matched.length === 0) {
    if (target.hint?.identifiedByValue || (target.hint === undefined && elements.length === 0)) return;
    throw noTarget(step.where.path, `${JSON.stringify(step.path.text)} matches no value of ${target.hint?.name ?? target.key}`);
  }
  if (subAttribute === undefined) {
    assignElements(target, selection, elements.filter((element) => !matched.includes(element)));
    return;
  }
  for (const element of matched) {
    if (isJsonObject(element)) setSubAttribute(element, target.hint, subAttribute, null, step.where.value);
  }
  assignElements(target, selection, elements.filter((element) => !isJsonObject(element) || Object.keys(element).length > 0));
}

/**
 * A filtered add or replace that matches nothing adds the value the filter describes: Entra ID replaces
 * `emails[type eq "work"].value` on users that have no work e-mail yet, meaning "add it". RFC 7644
 * §3.5.2.3 would answer `noTarget`, which remains the answer when the filter describes no single value.
 */
function addDescribed(context: PatchContext, step: Step, target: Target, selection: Selection): void {
  if (step.value === null) return;
  const name = target.hint?.name ?? target.key;
  if (selection.single && selection.elements.length > 0) {
    throw noTarget(step.where.path, `${JSON.stringify(step.path.text)} matches no value of ${name}, and ${name} holds another`);
  }
  const described = context.filters.requiredValues(selection.parsed);
  if (described === undefined) {
    throw noTarget(step.where.path, `${JSON.stringify(step.path.text)} matches no value, and its filter does not describe one to add`);
  }
  const base = Object.fromEntries(Object.entries(described).filter(([, value]) => value !== null));
  const subAttribute = step.path.subAttribute;
  if (subAttribute === undefined && !isJsonObject(step.value)) {
    const found = describeJson(step.value);
    throw invalidValue(step.where.value, `${JSON.stringify(step.path.text)} selects whole values: expected an object, found ${found}`);
  }
  let element = normalizeSingleValue(target.hint, base, step.where.value) as JsonObject;
  if (subAttribute === undefined) element = mergeComplex(element, target.hint, step.value, step.where.value);
  else setSubAttribute(element, target.hint, subAttribute, step.value, step.where.value);
  selection.elements.push(element);
  keepOnePrimary(selection.elements, [element], step.where.value);
  assignElements(target, selection, selection.elements);
}

function updateSelected(step: Step, target: Target, selection: Selection): void {
  const { elements, matched } = selection;
  const subAttribute = step.path.subAttribute;
  const written: unknown[] = [];
  for (const element of matched) {
    const index = elements.indexOf(element);
    const object = isJsonObject(element) ? element : {};
    let updated: unknown;
    if (subAttribute !== undefined) {
      updated = structuredClone(object);
      setSubAttribute(updated as JsonObject, target.hint, subAttribute, step.value, step.where.value);
    } else if (step.op === 'add') {
      updated = mergeComplex(object, target.hint, step.value, step.where.value);
    } else {
      updated = step.value === null ? null : normalizeSingleValue(target.hint, step.value, step.where.value);
    }
    elements[index] = updated;
    written.push(updated);
  }
  keepOnePrimary(elements, written, step.where.value);
  assignElements(target, selection, elements.filter((element) => element !== null && !(isJsonObject(element) && Object.keys(element).length === 0)));
}

/** add, replace or remove of the values a filter selects (`emails[type eq "work"].value`, `members[value eq "x"]`). */
export function applyToSelectedValues(context: PatchContext, step: Step, target: Target): void {
  const selection = select(context, step, target);
  if (step.op === 'remove') removeSelected(step, target, selection);
  else if (selection.matched.length === 0) addDescribed(context, step, target, selection);
  else updateSelected(step, target, selection);
}
