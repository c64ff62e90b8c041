import type { JsonObject } from './json.js';
import type { PatchError } from './patch-error.js';
import type { ResourceType } from './schema-hints.js';
import type { ValueFilterEngine } from './value-filter.js';

/** A SCIM resource as JSON (a User or a Group, with extension objects under their schema URNs). */
export type ScimResource = JsonObject;

export interface PatchOptions {
  resourceType: ResourceType;
  /**
   * A Group's `members` can hold 200,000 entries, so the caller keeps them out of `resource` and applies
   * `memberChanges` to its store instead. Only for Groups; without it `members` is patched in place.
   */
  separateMembers?: boolean;
  /** How `attr[filter]` is read and matched; the built-in `eq`/`and` engine when absent. */
  valueFilters?: ValueFilterEngine;
}

export interface GroupMember {
  value: string;
  display?: string;
  type?: string;
  $ref?: string;
}

/**
 * One change to a Group's members, in the order the operations asked for them. `remove` lists member ids;
 * `removeWhere` carries a filter other than `value eq "id"` (e.g. `type eq "Group"`) for the store to match.
 */
export type MemberChange =
  | { kind: 'add'; members: GroupMember[] }
  | { kind: 'remove'; values: string[] }
  | { kind: 'removeWhere'; filter: string }
  | { kind: 'removeAll' }
  | { kind: 'replaceAll'; members: GroupMember[] };

export type PatchResult =
  | { ok: true; resource: ScimResource; memberChanges: MemberChange[]; modified: boolean }
  | { ok: false; error: PatchError };
