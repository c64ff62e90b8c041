export { applyPatch } from './apply-patch.js';
export { PATCH_OP_SCHEMA, readPatchMessage } from './message.js';
export { PatchError, type PatchScimType } from './patch-error.js';
export {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  findHint,
  resourceHints,
  schemaAttributes,
  type AttributeHint,
  type AttributeType,
  type ResourceHints,
  type ResourceType,
  type SchemaHints,
} from './schema-hints.js';
export type { GroupMember, MemberChange, PatchOptions, PatchResult, ScimResource } from './types.js';
export { equalityFilters, type CaseRules, type FilterLiteral, type ValueFilterEngine } from './value-filter.js';
