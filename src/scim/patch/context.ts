import { isJsonObject, type JsonObject } from './json.js';
import type { OperationName } from './message.js';
import type { AttributePath, PathSchemas } from './path.js';
import { CORE_SCHEMAS, findHint, type AttributeHint, type ResourceHints, type ResourceType } from './schema-hints.js';
import type { MemberChange } from './types.js';
import type { CaseRules, ValueFilterEngine } from './value-filter.js';

/** The state of one PATCH: the working copy of the resource and what has been decided so far. */
export interface PatchContext {
  resource: JsonObject;
  resourceType: ResourceType;
  hints: ResourceHints;
  filters: ValueFilterEngine;
  separateMembers: boolean;
  memberChanges: MemberChange[];
}

/** Where to point error messages: at the path, and at the value, of the operation or value key at hand. */
export interface Where {
  path: string;
  value: string;
}

/** One operation aimed at one attribute. */
export interface Step {
  op: OperationName;
  path: AttributePath;
  value: unknown;
  where: Where;
}

/** The attribute a step changes: `container[key]`, in the resource or in an extension object. */
export interface Target {
  container: JsonObject;
  key: string;
  hint?: AttributeHint;
}

export function pathSchemas(context: PatchContext): PathSchemas {
  const { hints, resource } = context;
  const known = hints.extensions.map((extension) => extension.urn);
  const present = Object.keys(resource).filter(
    (key) => /^urn:/i.test(key) && !known.some((urn) => urn.toLowerCase() === key.toLowerCase()),
  );
  return { core: hints.core.urn, cores: CORE_SCHEMAS, extensions: [...known, ...present] };
}

export function caseRules(hint: AttributeHint | undefined): CaseRules {
  return { caseExact: (subAttribute) => findHint(hint?.subAttributes, subAttribute)?.caseExact ?? false };
}

export function isMultiValued(target: Target, value?: unknown): boolean {
  if (target.hint !== undefined) return target.hint.multiValued === true;
  return Array.isArray(target.container[target.key]) || Array.isArray(value);
}

/** Sets or, for an empty value, unassigns: RFC 7643 §2.5 treats null, [] and unassigned alike. */
export function assign(target: Target, value: unknown): void {
  const empty =
    value === null || (Array.isArray(value) && value.length === 0) || (isJsonObject(value) && Object.keys(value).length === 0);
  if (empty) delete target.container[target.key];
  else target.container[target.key] = value;
}
