import { attrPath, type AttrPath, type CompareFilter, type ComparisonOperator, type FilterNode } from './ast.js';
import { defaultCaseRules, isCoreSchema, type AttributeCaseRules } from './case-rules.js';
import { cannotCompare, checkComparison, isOrdering } from './check.js';

/**
 * Whether a SCIM resource (its JSON form) matches a filter, as RFC 7644 §3.4.2.2 defines matching:
 * - attribute names and schema URIs match case-insensitively; a schema-qualified path reads the extension
 *   object of that name (`resource["urn:…:enterprise:2.0:User"].employeeNumber`) or, for a core schema the
 *   resource declares, the resource itself;
 * - a multi-valued attribute matches when any of its values does; a complex attribute compared without a
 *   sub-attribute is compared through its elements' `value` (`emails co "example.com"`);
 * - `ne` matches when no value equals the comparison value, an absent attribute included;
 * - strings compare case-insensitively unless `caseRules` says the attribute is caseExact; ordering is
 *   lexicographic, numeric for numbers, and by instant when both sides are RFC 3339 date-times;
 * - `eq null` matches an attribute without a value (RFC 7643 §2.5), `ne null` one with a value;
 * - a value of another type than the comparison value never matches.
 * Throws `InvalidFilterError` for comparisons RFC 7644 rejects, e.g. `gt` on a boolean.
 * `decided` holds the truth of parts of the filter found elsewhere (group membership, from SQL).
 */
export function matchesFilter(
  resource: Record<string, unknown>,
  filter: FilterNode,
  caseRules: AttributeCaseRules = defaultCaseRules,
  decided?: ReadonlyMap<FilterNode, boolean>,
): boolean {
  return matches(filter, { target: resource, caseRules, decided });
}

/** Where paths are read from: the resource, or inside a value filter one element of `element`. */
interface Scope {
  target: Record<string, unknown>;
  caseRules: AttributeCaseRules;
  element?: AttrPath;
  decided?: ReadonlyMap<FilterNode, boolean>;
}

function matches(filter: FilterNode, scope: Scope): boolean {
  const known = scope.decided?.get(filter);
  if (known !== undefined) return known;
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, scope) && matches(filter.right, scope);
    case 'or':
      return matches(filter.left, scope) || matches(filter.right, scope);
    case 'not':
      return !matches(filter.filter, scope);
    case 'present':
      return isPresent(valuesAt(scope, filter.path));
    case 'compare':
      return comparisonMatches(filter, scope);
    case 'valuePath':
      return elementsOf(scope, filter.path).some((element) => {
        const elementScope: Scope = { target: element, caseRules: scope.caseRules, element: filter.path };
        const test = filter.subAttributeTest;
        return matches(filter.filter, elementScope) && (test === undefined || matches(test, elementScope));
      });
  }
}

function comparisonMatches(comparison: CompareFilter, scope: Scope): boolean {
  checkComparison(comparison);
  const { op, value, path } = comparison;
  if (value === null) return (op === 'eq') !== isPresent(valuesAt(scope, path));
  const caseExact = scope.caseRules(absolutePath(scope, path));
  const values = comparedValues(scope, path);
  if (op === 'ne') return !values.some((actual) => valueMatches(comparison, actual, 'eq', caseExact));
  return values.some((actual) => valueMatches(comparison, actual, op, caseExact));
}

function valueMatches(comparison: CompareFilter, actual: unknown, op: ComparisonOperator, caseExact: boolean): boolean {
  const expected = comparison.value;
  if (typeof actual === 'boolean') {
    if (isOrdering(op)) throw cannotCompare(comparison, 'a boolean attribute');
    return op === 'eq' && actual === expected;
  }
  if (typeof actual === 'number' && typeof expected === 'number') return holds(op, actual - expected);
  if (typeof actual === 'string' && typeof expected === 'string') return stringMatches(op, actual, expected, caseExact);
  return false;
}

function stringMatches(op: ComparisonOperator, actual: string, expected: string, caseExact: boolean): boolean {
  const [left, right] = caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()];
  switch (op) {
    case 'co':
      return left.includes(right);
    case 'sw':
      return left.startsWith(right);
    case 'ew':
      return left.endsWith(right);
    default: {
      const [from, to] = [instantOf(actual), instantOf(expected)];
      if (from !== undefined && to !== undefined) return holds(op, from - to);
      return holds(op, left < right ? -1 : left > right ? 1 : 0);
    }
  }
}

/** Whether `op` holds for two values whose difference has this sign. */
function holds(op: ComparisonOperator, difference: number): boolean {
  switch (op) {
    case 'eq':
      return difference === 0;
    case 'gt':
      return difference > 0;
    case 'ge':
      return difference >= 0;
    case 'lt':
      return difference < 0;
    case 'le':
      return difference <= 0;
    default:
      return false;
  }
}

const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** The instant (ms) of an RFC 3339 date-time, as ordering compares it; undefined for any other text. */
export function instantOf(text: string): number | undefined {
  if (!RFC3339_DATE_TIME.test(text)) return undefined;
  const milliseconds = Date.parse(text.toUpperCase());
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}

/** The values at `path`, arrays flattened and nulls dropped. */
function valuesAt(scope: Scope, path: AttrPath): unknown[] {
  const base = scope.element === undefined ? baseObject(scope.target, path) : scope.target;
  const values = listOf(member(base, path.normalized.attribute));
  const subAttribute = path.normalized.subAttribute;
  if (subAttribute === undefined) return values;
  return values.flatMap((value) => listOf(member(value, subAttribute)));
}

/** The values a comparison looks at: a complex value without a named sub-attribute stands for its `value`. */
function comparedValues(scope: Scope, path: AttrPath): unknown[] {
  const values = valuesAt(scope, path);
  if (path.subAttribute !== undefined) return values;
  return values.flatMap((value) => (isObject(value) ? listOf(member(value, 'value')) : [value]));
}

/** The elements a value filter tests; a primitive element is read as `{value: element}`. */
function elementsOf(scope: Scope, path: AttrPath): Record<string, unknown>[] {
  return valuesAt(scope, path).map((value) => (isObject(value) ? value : { value }));
}

function baseObject(resource: Record<string, unknown>, path: AttrPath): unknown {
  const schema = path.normalized.schema;
  if (schema === undefined) return resource;
  const extension = member(resource, schema);
  if (isObject(extension)) return extension;
  return isCoreSchema(schema) && declaresSchema(resource, schema) ? resource : undefined;
}

/** A resource without `schemas` is given the benefit of the doubt. */
function declaresSchema(resource: Record<string, unknown>, normalizedSchema: string): boolean {
  const schemas = member(resource, 'schemas');
  if (!Array.isArray(schemas)) return true;
  return schemas.some((schema) => typeof schema === 'string' && schema.toLowerCase() === normalizedSchema);
}

/** The path a case rule is asked about: inside `emails[…]`, `type` is `emails.type`. */
function absolutePath(scope: Scope, path: AttrPath): AttrPath {
  const element = scope.element;
  return element === undefined ? path : attrPath(element.schema, element.attribute, path.attribute);
}

function member(value: unknown, normalizedName: string): unknown {
  if (!isObject(value)) return undefined;
  if (Object.hasOwn(value, normalizedName)) return value[normalizedName];
  const key = Object.keys(value).find((name) => name.toLowerCase() === normalizedName);
  return key === undefined ? undefined : value[key];
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((item) => item !== null && item !== undefined) : [value];
}

/** RFC 7644 `pr`: a non-empty value, or for a complex attribute a non-empty sub-attribute. */
function isPresent(values: unknown[]): boolean {
  return values.some(isNonEmpty);
}

function isNonEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.some(isNonEmpty);
  if (isObject(value)) return Object.values(value).some(isNonEmpty);
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
