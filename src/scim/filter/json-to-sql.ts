import { findHint, resourceHints, type AttributeHint, type AttributeType } from '../patch/schema-hints.js';
import { attrPath, type AttrPath, type AttributeTest, type CompareFilter, type FilterNode, type ValuePathFilter } from './ast.js';
import { defaultCaseRules } from './case-rules.js';
import { isOrdering } from './check.js';
import { instantOf, matchesFilter } from './evaluate.js';
import type { JsonRef, SqlCondition, SqlDialect, TextSource } from './to-sql.js';

type ResourceType = 'User' | 'Group';

/**
 * A test in SQL, bounded from both sides: `maybe` holds for every resource that matches (a superset),
 * `surely` only for resources that match (a subset); they are the same where SQL decides exactly. Bounds
 * make `ne` and `not` narrow too: not(test) lies between NOT surely and NOT maybe. Only one of the two
 * ends up in the query, so both use the same parameters in the same order.
 */
interface Bounds {
  maybe: string;
  surely: string;
}

const ALL: Bounds = { maybe: '1=1', surely: '1=1' };
const NONE: Bounds = { maybe: '1=0', surely: '1=0' };
const UNKNOWN: Bounds = { maybe: '1=1', surely: '1=0' };
const TEXT_TYPES: ReadonlySet<AttributeType> = new Set(['string', 'reference', 'binary']);
const ORDER_SIGNS = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/** What a test reads: a typed value of the document, or a date-time column rendered as meta.created/lastModified. */
type Value = { kind: 'json'; ref: JsonRef; type: AttributeType; caseExact: boolean } | { kind: 'time'; column: string };

/**
 * Narrows the candidates for tests on attributes kept only in the JSON document (`title`, `active`,
 * `name.givenName`, `emails[type eq "work"].value`, enterprise attributes) and on `meta`. It relies on what
 * resource-document.ts guarantees of stored documents: attributes of the schemas are spelled as the schemas
 * spell them and hold values of their type (booleans are booleans, complex values objects). On that, the
 * condition is exact where the backend compares as matchesFilter does (see SqlDialect), a superset otherwise.
 */
export function jsonTestToSql(test: AttributeTest, resourceType: ResourceType, dialect: SqlDialect): SqlCondition {
  const mark = dialect.mark();
  return conditionOf(documentTest(test, resourceType, dialect), dialect, mark);
}

export function jsonValuePathToSql(filter: ValuePathFilter, resourceType: ResourceType, dialect: SqlDialect): SqlCondition {
  const found = schemaHint(filter.path, resourceType);
  if (found === undefined || found.hint.readOnly || filter.path.normalized.subAttribute !== undefined) return conditionOf(UNKNOWN);
  const { hint, container } = found;
  if (!hint.multiValued || hint.type !== 'complex') return conditionOf(UNKNOWN);
  const mark = dialect.mark();
  const inner = elementFilter(filter.filter, hint, filter.path, dialect);
  const test = filter.subAttributeTest === undefined ? ALL : elementFilter(filter.subAttributeTest, hint, filter.path, dialect);
  return conditionOf(someElement([...container, hint.name], combine('and', inner, test), dialect), dialect, mark);
}

function conditionOf(bounds: Bounds, dialect?: SqlDialect, mark?: number): SqlCondition {
  if (bounds.maybe === '1=1' && bounds.surely !== '1=1') {
    if (dialect !== undefined && mark !== undefined) dialect.reset(mark);
    return { sql: '1=1', exact: false };
  }
  return { sql: bounds.maybe, exact: bounds.maybe === bounds.surely };
}

function documentTest(test: AttributeTest, resourceType: ResourceType, dialect: SqlDialect): Bounds {
  const found = schemaHint(test.path, resourceType);
  // A core-schema prefix reads the document itself: stored documents never hold an object of that name (readResource).
  if (found === undefined) return UNKNOWN;
  const { hint, container } = found;
  if (container.length === 0 && hint.name === 'meta') return metaTest(test, resourceType, dialect);
  if (hint.readOnly || (resourceType === 'Group' && hint.name === 'members')) return UNKNOWN;
  const caseExact = defaultCaseRules(test.path);
  const subName = test.path.normalized.subAttribute;
  if (hint.type !== 'complex') {
    if (subName !== undefined || hint.multiValued) return UNKNOWN;
    return attributeTest(test, { kind: 'json', ref: { path: [...container, hint.name] }, type: hint.type, caseExact }, dialect);
  }
  const sub = findHint(hint.subAttributes, subName ?? 'value');
  const some = hint.multiValued ? (bounds: Bounds) => someElement([...container, hint.name], bounds, dialect) : (bounds: Bounds) => bounds;
  if (subName === undefined && (test.kind === 'present' || test.value === null)) {
    // `pr` on a complex value looks at all its sub-attributes: only a superset here.
    const present = hint.multiValued ? some(UNKNOWN) : { maybe: dialect.jsonIs({ path: [...container, hint.name] }, 'object'), surely: '1=0' };
    return test.kind === 'compare' && test.op === 'eq' ? negate(present) : present;
  }
  if (sub === undefined) return UNKNOWN;
  const ref: JsonRef = hint.multiValued ? { key: sub.name } : { path: [...container, hint.name, sub.name] };
  return attributeTest(test, { kind: 'json', ref, type: sub.type, caseExact }, dialect, some);
}

/** `meta` is rendered from columns: resourceType is the query's, created and lastModified are columns. */
function metaTest(test: AttributeTest, resourceType: ResourceType, dialect: SqlDialect): Bounds {
  switch (test.path.normalized.subAttribute) {
    case 'resourcetype':
      try {
        return matchesFilter({ schemas: [resourceHints(resourceType).core.urn], meta: { resourceType } }, test) ? ALL : NONE;
      } catch {
        return UNKNOWN;
      }
    case 'created':
      return attributeTest(test, { kind: 'time', column: 'r.created_at' }, dialect);
    case 'lastmodified':
      return attributeTest(test, { kind: 'time', column: 'r.modified_at' }, dialect);
    default:
      return UNKNOWN;
  }
}

/**
 * A test on an attribute whose values `value` reads; `some` turns a test on one value into one on the
 * attribute (an element of a multi-valued attribute). `ne` and `eq null` match when no value matches.
 */
function attributeTest(test: AttributeTest, value: Value, dialect: SqlDialect, some: (bounds: Bounds) => Bounds = (bounds) => bounds): Bounds {
  if (test.kind === 'present') return some(presentTest(value, dialect));
  if (test.value === null) {
    const present = some(presentTest(value, dialect));
    return test.op === 'eq' ? negate(present) : present;
  }
  if (test.op === 'ne') return negate(some(compareTest({ ...test, op: 'eq' }, value, dialect)));
  return some(compareTest(test, value, dialect));
}

function presentTest(value: Value, dialect: SqlDialect): Bounds {
  if (value.kind === 'time') return ALL;
  if (value.type === 'boolean') return exact(dialect.jsonIs(value.ref, 'boolean'));
  if (TEXT_TYPES.has(value.type)) return exact(`${textOf(value.ref, dialect)} <> ''`);
  return UNKNOWN;
}

/** One value against `test` (neither `ne` nor null); a value of another type never matches. */
function compareTest(test: CompareFilter, value: Value, dialect: SqlDialect): Bounds {
  const expected = test.value;
  if (value.kind === 'time') {
    if (typeof expected !== 'string') return NONE;
    const instant = instantOf(expected);
    if (instant !== undefined && (test.op === 'eq' || isOrdering(test.op))) {
      return exact(dialect.compareInstant(value.column, test.op as 'eq' | 'gt' | 'ge' | 'lt' | 'le', instant, expected.toLowerCase()));
    }
    return textTest(test, dialect.renderedTime(value.column), expected.toLowerCase(), dialect);
  }
  if (value.type === 'boolean') {
    // Ordering a boolean makes matchesFilter refuse the filter: its candidates must reach it.
    if (isOrdering(test.op)) return UNKNOWN;
    return test.op === 'eq' && typeof expected === 'boolean' ? exact(dialect.jsonIs(value.ref, expected ? 'true' : 'false')) : NONE;
  }
  if (!TEXT_TYPES.has(value.type)) return UNKNOWN;
  if (typeof expected !== 'string') return NONE;
  const text = textOf(value.ref, dialect);
  return value.caseExact ? textTest(test, { text }, expected, dialect) : textTest(test, dialect.foldText(text), expected.toLowerCase(), dialect);
}

/** `test` on text, `expected` folded as `source` is. */
function textTest(test: CompareFilter, source: TextSource, expected: string, dialect: SqlDialect): Bounds {
  const { op } = test;
  const text = source.text;
  let sql: string;
  switch (op) {
    case 'co':
    case 'sw':
    case 'ew': {
      // Every string contains "", however it folds.
      if (expected === '') return exact(`${text} IS NOT NULL`);
      const method = { co: 'contains', sw: 'startsWith', ew: 'endsWith' } as const;
      sql = dialect[method[op]](text, expected);
      break;
    }
    default:
      // Date-times compare as instants when both sides are; text order agrees with JavaScript's below U+D800.
      if (instantOf(test.value as string) !== undefined) return UNKNOWN;
      if (op === 'eq') sql = `${text} = ${dialect.param(expected)}`;
      else if (op === 'ne' || SURROGATE_OR_ABOVE.test(expected)) return UNKNOWN;
      else sql = dialect.order(text, ORDER_SIGNS[op], expected);
  }
  const undecided = source.undecided;
  return undecided === undefined ? exact(sql) : { maybe: `(${undecided} OR ${sql})`, surely: `(NOT coalesce(${undecided}, 1=0) AND ${sql})` };
}

/** A test inside `path[…]` on one element of a multi-valued complex attribute. */
function elementFilter(filter: FilterNode, hint: AttributeHint, path: AttrPath, dialect: SqlDialect): Bounds {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return combine(filter.kind, elementFilter(filter.left, hint, path, dialect), elementFilter(filter.right, hint, path, dialect));
    case 'not':
      return negate(elementFilter(filter.filter, hint, path, dialect));
    case 'valuePath':
      return UNKNOWN;
    case 'compare':
    case 'present': {
      const sub = findHint(hint.subAttributes, filter.path.normalized.attribute);
      if (sub === undefined || sub.type === 'complex' || filter.path.normalized.subAttribute !== undefined) return UNKNOWN;
      const caseExact = defaultCaseRules(attrPath(path.schema, path.attribute, filter.path.attribute));
      return attributeTest(filter, { kind: 'json', ref: { key: sub.name }, type: sub.type, caseExact }, dialect);
    }
  }
}

function exact(sql: string): Bounds {
  return { maybe: sql, surely: sql };
}

function negate(bounds: Bounds): Bounds {
  const not = (sql: string) => (sql === '1=1' ? '1=0' : sql === '1=0' ? '1=1' : `NOT coalesce(${sql}, 1=0)`);
  return { maybe: not(bounds.surely), surely: not(bounds.maybe) };
}

function combine(kind: 'and' | 'or', left: Bounds, right: Bounds): Bounds {
  const join = (a: string, b: string) => `(${a} ${kind.toUpperCase()} ${b})`;
  return { maybe: join(left.maybe, right.maybe), surely: join(left.surely, right.surely) };
}

function someElement(array: readonly string[], bounds: Bounds, dialect: SqlDialect): Bounds {
  const exists = (condition: string) => (condition === '1=0' ? '1=0' : dialect.elementsExist(array, condition));
  return { maybe: exists(bounds.maybe), surely: exists(bounds.surely) };
}

function textOf(ref: JsonRef, dialect: SqlDialect): string {
  return 'key' in ref ? dialect.elementText(ref.key) : dialect.jsonText(ref.path);
}

function schemaHint(path: AttrPath, resourceType: ResourceType): { hint: AttributeHint; container: string[] } | undefined {
  const hints = resourceHints(resourceType);
  const schema = path.normalized.schema;
  if (schema === undefined || schema === hints.core.urn.toLowerCase()) {
    const hint = findHint(hints.core.attributes, path.normalized.attribute);
    return hint && { hint, container: [] };
  }
  const extension = hints.extensions.find((candidate) => candidate.urn.toLowerCase() === schema);
  const hint = extension && findHint(extension.attributes, path.normalized.attribute);
  return hint && { hint, container: [extension!.urn] };
}
