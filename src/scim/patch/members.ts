import type { PatchContext, Step } from './context.js';
import { describeJson, isJsonObject } from './json.js';
import { invalidPath, invalidValue } from './patch-error.js';
import { findHint } from './schema-hints.js';
import type { GroupMember, MemberChange } from './types.js';
import { normalizeSingleValue } from './values.js';

/** Whether the step targets a Group's `members`, which this PATCH returns as changes instead of applying. */
export function targetsSeparateMembers(context: PatchContext, step: Step): boolean {
  return (
    context.separateMembers &&
    context.resourceType === 'Group' &&
    step.path.schema === undefined &&
    step.path.attribute?.toLowerCase() === 'members'
  );
}

function readMember(context: PatchContext, raw: unknown, where: string): GroupMember {
  const hint = findHint(context.hints.core.attributes, 'members');
  const element = normalizeSingleValue(hint, raw, where);
  if (!isJsonObject(element) || typeof element.value !== 'string' || element.value === '') {
    const found = describeJson(isJsonObject(element) ? element.value : raw);
    throw invalidValue(where, `a member needs its id as a non-empty string "value", found ${found}`);
  }
  const member: GroupMember = { value: element.value };
  for (const name of ['display', 'type', '$ref'] as const) {
    const given = element[name];
    if (typeof given === 'string') member[name] = given;
  }
  return member;
}

/** The members a value lists (Okta and Entra ID send arrays; a lone object is accepted), first of each id kept. */
function readMembers(context: PatchContext, value: unknown, where: string): GroupMember[] {
  const list = Array.isArray(value) ? value : [value];
  const members = list.map((raw, index) => readMember(context, raw, Array.isArray(value) ? `${where}[${index}]` : where));
  const seen = new Set<string>();
  return members.filter((member) => !seen.has(member.value) && seen.add(member.value));
}

/** Okta's `members[value eq "id"]` is a removal by id; other filters go to the store as they are. */
function filteredRemoval(context: PatchContext, step: Step): MemberChange {
  const filter = step.path.filter!;
  const described = context.filters.requiredValues(filter.parsed);
  const entries = described === undefined ? [] : Object.entries(described);
  const [only] = entries;
  if (entries.length === 1 && only![0].toLowerCase() === 'value' && typeof only![1] === 'string') {
    return { kind: 'remove', values: [only![1]] };
  }
  return { kind: 'removeWhere', filter: filter.text };
}

function memberChange(context: PatchContext, step: Step): MemberChange | undefined {
  const { op, path, value, where } = step;
  if (path.subAttribute !== undefined || (path.filter !== undefined && op !== 'remove')) {
    throw invalidPath(
      where.path,
      `${JSON.stringify(path.text)}: members are changed as a whole (add or replace "members", remove "members" or members[filter])`,
    );
  }
  if (path.filter !== undefined) return filteredRemoval(context, step);
  if (op === 'add') {
    const members = readMembers(context, value, where.value);
    return members.length === 0 ? undefined : { kind: 'add', members };
  }
  if (op === 'replace') return { kind: 'replaceAll', members: value === null ? [] : readMembers(context, value, where.value) };
  if (value === undefined || value === null) return { kind: 'removeAll' };
  const values = readMembers(context, value, where.value).map((member) => member.value);
  return values.length === 0 ? undefined : { kind: 'remove', values };
}

/**
 * Records a change to a Group's members instead of applying it: with 200,000 members the caller cannot
 * pass them in the resource, and rewriting them all on each PATCH is what makes other servers slow.
 * A filtered remove that matches no member is the store's no-op, as it is in place (see filtered.ts).
 */
export function recordMemberChange(context: PatchContext, step: Step): void {
  const change = memberChange(context, step);
  if (change !== undefined) context.memberChanges.push(change);
}
