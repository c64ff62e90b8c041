import { assign, isMultiValued, type Step, type Target } from './context.js';
import { setSubAttribute } from './complex-value.js';
import { isJsonObject } from './json.js';
import { invalidPath } from './patch-error.js';

/** add, replace or remove of one sub-attribute of a single-valued complex attribute (`name.givenName`). */
export function applyToSubAttribute(step: Step, target: Target, subAttribute: string): void {
  const { op, value, where } = step;
  const name = target.hint?.name ?? target.key;
  if (isMultiValued(target)) {
    throw invalidPath(where.path, `${name} is multi-valued: select its values with a filter, as in ${name}[type eq "work"].${subAttribute}`);
  }
  const existing = target.container[target.key];
  if ((target.hint !== undefined && target.hint.type !== 'complex') || (existing !== undefined && !isJsonObject(existing))) {
    throw invalidPath(where.path, `${name} is not complex and has no sub-attribute ${subAttribute}`);
  }
  if (op === 'remove' && existing === undefined) return;
  const object = structuredClone(existing ?? {});
  setSubAttribute(object, target.hint, subAttribute, op === 'remove' ? null : value, where.value);
  assign(target, object);
}
