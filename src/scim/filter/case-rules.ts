import type { AttrPath } from './ast.js';

/**
 * Whether string values of the attribute at `path` compare case-sensitively (its `caseExact`
 * characteristic, RFC 7643 §2.2). `path` is always absolute: inside `emails[type eq "work"]` the rule is
 * asked about `emails.type`.
 */
export type AttributeCaseRules = (path: AttrPath) => boolean;

const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:';

/**
 * The common attributes RFC 7643 §3.1 declares `caseExact: true`: `id`, `externalId`,
 * `meta.resourceType` and `meta.version`, plus `meta.location`, a reference. Everything else in the core
 * User and Group schemas is `caseExact: false` (RFC 7643 §8.7.1, `userName` and `members.value`
 * included), as is the RFC 7643 §2.2 default.
 */
const CASE_EXACT_CORE_PATHS: ReadonlySet<string> = new Set([
  'id',
  'externalid',
  'meta.resourcetype',
  'meta.version',
  'meta.location',
]);

/**
 * The `caseExact` characteristics of the RFC 7643 schemas. Any `$ref` is a reference and "a reference is
 * case exact" (RFC 7643 §2.3.7; the §8.7.1 schema says otherwise, erratum 6001). Extension attributes
 * keep the default, `false`.
 */
export const defaultCaseRules: AttributeCaseRules = (path) => {
  const { schema, attribute, subAttribute } = path.normalized;
  if (subAttribute === '$ref') return true;
  if (schema !== undefined && !isCoreSchema(schema)) return false;
  return CASE_EXACT_CORE_PATHS.has(subAttribute === undefined ? attribute : `${attribute}.${subAttribute}`);
};

export function isCoreSchema(normalizedSchema: string): boolean {
  return normalizedSchema.startsWith(CORE_SCHEMA_PREFIX);
}
