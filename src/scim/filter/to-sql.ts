import type { AttrPath, AttributeTest, CompareFilter, FilterNode, ValuePathFilter } from './ast.js';
import { isCoreSchema } from './case-rules.js';
import { isOrdering } from './check.js';
import { instantOf } from './evaluate.js';
import { jsonTestToSql, jsonValuePathToSql } from './json-to-sql.js';

/** How one backend writes a parameter and folds case (the same folding as the stored copies: toLowerCase). */
export interface SqlDialect {
  /** Adds a parameter and returns its placeholder. */
  param(value: unknown): string;
  /** How many parameters there are, and dropping those added after that, for a branch that is given up. */
  mark(): number;
  reset(mark: number): void;
  fold(expression: string): string;
  /** Each takes the value itself, since some backends need the parameter twice. */
  contains(expression: string, value: string): string;
  startsWith(expression: string, value: string): string;
  endsWith(expression: string, value: string): string;
  /** The text at a path of the resource's JSON document (keys from the schema table, never from requests). */
  jsonText(path: readonly string[]): string;
  /** Whether an element of the array at `path` satisfies `condition`, which reads it with elementText. */
  elementsExist(path: readonly string[], condition: string): string;
  elementText(key: string): string;
  /** Whether the JSON value at `ref` is of this kind (NULL when there is none). */
  jsonIs(ref: JsonRef, kind: 'true' | 'false' | 'boolean' | 'object'): string;
  /** Text of the document (a jsonText or elementText) case-folded as JavaScript's toLowerCase folds it. */
  foldText(text: string): TextSource;
  /** `expression sign value` in code point order: JavaScript's order too while `value` is all below U+D800. */
  order(expression: string, sign: '<' | '<=' | '>' | '>=', value: string): string;
  /**
   * A date-time column (created_at, modified_at) compared as matchesFilter compares its value as rendered in
   * `meta` with an RFC 3339 value: as instants in milliseconds (`instant`), or, where the rendered value is
   * no date-time, as case-folded text with `folded`. Exact.
   */
  compareInstant(column: string, op: 'eq' | 'gt' | 'ge' | 'lt' | 'le', instant: number, folded: string): string;
  /** A date-time column's value as rendered in `meta`, case-folded, for text tests. */
  renderedTime(column: string): TextSource;
}

/** A value of the document: at a path from its root, or a key of the element elementsExist reads. */
export type JsonRef = { path: readonly string[] } | { key: string };

/**
 * An expression holding text as matchesFilter sees it, except in rows where `undecided` holds (a backend
 * that cannot fold some characters as JavaScript does): tests there are left to the evaluator.
 */
export interface TextSource {
  text: string;
  undecided?: string;
}

/** A SQL condition; when `exact` is false it selects a superset that the in-memory evaluator narrows. */
export interface SqlCondition {
  sql: string;
  exact: boolean;
}

/** The query reads scim_resources as `r`. */
export interface FilterTable {
  resourceType: 'User' | 'Group';
  /** Whether a scim_group_members row `m` of the group `r` satisfies the condition. */
  membersExists(condition: string): string;
  /** Whether a scim_group_members row `m` naming `r` as its member, with its group `g`, satisfies the condition. */
  groupsExists(condition: string): string;
}

/** How a membership attribute (a Group's `members`, a User's `groups`) reads from its rows. */
interface Membership {
  exists(condition: string): string;
  /** Undefined for a sub-attribute no row has, which is absent from every resource. */
  column(subAttribute: string, dialect: SqlDialect): Column | undefined;
  /** Sub-attributes resources have but the rows cannot give. */
  unsupported: ReadonlySet<string>;
}

const EVERYTHING: SqlCondition = { sql: '1=1', exact: false };
const NOTHING = '1=0';

interface Column {
  expression: string;
  /** Holds case-folded text, compared with folded values. */
  folded: boolean;
  /** NULL when the attribute has no value. */
  nullable: boolean;
}

/**
 * Pushes a SCIM filter down to SQL. Hand-written: only the attributes kept in columns (id, externalId,
 * userName or displayName, and a Group's members) translate exactly; tests on other schema attributes narrow
 * the candidates through the JSON document (json-to-sql.ts), anything else becomes "true", and matchesFilter
 * decides on the superset of candidates the query returns. `and`/`or` of supersets is a superset,
 * exact when both sides are; `not` of a superset is not one, so it becomes "true" unless its inside is exact.
 */
export function filterToSql(filter: FilterNode, table: FilterTable, dialect: SqlDialect): SqlCondition {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = filterToSql(filter.left, table, dialect);
      const right = filterToSql(filter.right, table, dialect);
      return { sql: `(${left.sql} ${filter.kind.toUpperCase()} ${right.sql})`, exact: left.exact && right.exact };
    }
    case 'not': {
      const mark = dialect.mark();
      const inner = filterToSql(filter.filter, table, dialect);
      if (inner.exact) return { sql: `NOT coalesce(${inner.sql}, 1=0)`, exact: true };
      dialect.reset(mark);
      return EVERYTHING;
    }
    case 'valuePath': {
      const membership = membershipOf(filter.path, table);
      return membership ? valuePathToSql(filter, membership, dialect) : jsonValuePathToSql(filter, table.resourceType, dialect);
    }
    case 'compare':
    case 'present':
      return testToSql(filter, table, dialect);
  }
}

function resourceColumn(path: AttrPath, table: FilterTable): Column | undefined {
  const { schema, attribute, subAttribute } = path.normalized;
  if (subAttribute !== undefined) return undefined;
  if (schema !== undefined && !(isCoreSchema(schema) && schema.endsWith(`:${table.resourceType.toLowerCase()}`))) return undefined;
  if (attribute === 'id') return { expression: 'r.id', folded: false, nullable: false };
  if (attribute === 'externalid') return { expression: 'r.external_id', folded: false, nullable: true };
  const named = table.resourceType === 'User' ? 'username' : 'displayname';
  if (attribute === named) return { expression: 'r.name_ci', folded: true, nullable: false };
  return undefined;
}

function testToSql(test: AttributeTest, table: FilterTable, dialect: SqlDialect): SqlCondition {
  const membership = membershipOf(test.path, table);
  if (membership) {
    const sub = test.path.normalized.subAttribute ?? 'value';
    if (membership.unsupported.has(sub)) throw new UntranslatableMembershipTest(test);
    const column = membership.column(sub, dialect);
    if (column === undefined) return { sql: absentMatches(test), exact: true };
    if (test.kind === 'compare' && test.value === null) {
      const any = membership.exists(present(column));
      return { sql: test.op === 'eq' ? `NOT ${any}` : any, exact: true };
    }
    const inner = test.kind === 'present' ? present(column) : compare(test.op === 'ne' ? { ...test, op: 'eq' } : test, column, dialect);
    const exists = membership.exists(inner);
    return { sql: test.kind === 'compare' && test.op === 'ne' ? `NOT ${exists}` : exists, exact: true };
  }
  const column = resourceColumn(test.path, table);
  if (column === undefined) return jsonTestToSql(test, table.resourceType, dialect);
  if (test.kind === 'compare' && !columnAgrees(test)) return EVERYTHING;
  return { sql: test.kind === 'present' ? present(column) : compare(test, column, dialect), exact: true };
}

/**
 * Whether SQL compares a column value as matchesFilter does: not for a date-time value (any spelling of it),
 * which it compares as an instant with date-time values, nor for ordering by code points at or above U+D800,
 * where JavaScript's code unit order differs from the columns' (UTF-8 bytes, code points).
 */
function columnAgrees(test: CompareFilter): boolean {
  const { op, value } = test;
  if (typeof value !== 'string' || op === 'co' || op === 'sw' || op === 'ew') return true;
  if (instantOf(value) !== undefined) return false;
  return !isOrdering(op) || !/[\uD800-\uFFFF]/.test(value + value.toLowerCase());
}

function valuePathToSql(filter: ValuePathFilter, membership: Membership, dialect: SqlDialect): SqlCondition {
  const mark = dialect.mark();
  const inner = elementFilter(filter.filter, membership, dialect);
  const test = filter.subAttributeTest === undefined ? '1=1' : elementFilter(filter.subAttributeTest, membership, dialect);
  if (inner === undefined || test === undefined) {
    dialect.reset(mark);
    throw new UntranslatableMembershipTest(filter);
  }
  return { sql: membership.exists(`${inner} AND ${test}`), exact: true };
}

/** A filter on one membership row; undefined when some part cannot be written exactly. */
function elementFilter(filter: FilterNode, membership: Membership, dialect: SqlDialect): string | undefined {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = elementFilter(filter.left, membership, dialect);
      const right = elementFilter(filter.right, membership, dialect);
      return left === undefined || right === undefined ? undefined : `(${left} ${filter.kind.toUpperCase()} ${right})`;
    }
    case 'not': {
      const inner = elementFilter(filter.filter, membership, dialect);
      return inner === undefined ? undefined : `NOT coalesce(${inner}, 1=0)`;
    }
    case 'valuePath':
      return undefined;
    case 'present':
    case 'compare': {
      if (membership.unsupported.has(filter.path.normalized.attribute)) return undefined;
      const column = membership.column(filter.path.normalized.attribute, dialect);
      if (column === undefined) return absentMatches(filter);
      return filter.kind === 'present' ? present(column) : compare(filter, column, dialect);
    }
  }
}

/**
 * Membership lives in rows of its own, not in the documents the evaluator reads, so a test on it is always
 * decided in SQL: exactly, or for a candidate of an in-memory filter as a column beside it (membershipTests).
 * A test SQL cannot decide exactly is refused (a 400 invalidFilter) rather than answered wrongly.
 */
export class UntranslatableMembershipTest extends Error {
  constructor(readonly filter: FilterNode) {
    super('this test on group membership is not supported; compare members or groups by value, display or type');
  }
}

/** The tests on membership in a filter, outside any value filter: their truth comes from SQL, per resource. */
export function membershipTests(filter: FilterNode, table: Pick<FilterTable, 'resourceType'>): FilterNode[] {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return [...membershipTests(filter.left, table), ...membershipTests(filter.right, table)];
    case 'not':
      return membershipTests(filter.filter, table);
    default:
      return isMembership(filter.path, table.resourceType) ? [filter] : [];
  }
}

/** A group's `$ref` in a user's `groups` is its URL, which depends on the address the service is reached at. */
const UNSUPPORTED_MEMBERSHIP_PARTS: Readonly<Record<'User' | 'Group', ReadonlySet<string>>> = { Group: new Set(), User: new Set(['$ref']) };

function membershipOf(path: AttrPath, table: FilterTable): Membership | undefined {
  if (!isMembership(path, table.resourceType)) return undefined;
  const unsupported = UNSUPPORTED_MEMBERSHIP_PARTS[table.resourceType];
  if (table.resourceType === 'Group') return { exists: (condition) => table.membersExists(condition), column: memberColumn, unsupported };
  return { exists: (condition) => table.groupsExists(condition), column: groupColumn, unsupported };
}

function isMembership(path: AttrPath, resourceType: 'User' | 'Group'): boolean {
  const { schema, attribute } = path.normalized;
  const [name, urn] = resourceType === 'Group' ? ['members', 'urn:ietf:params:scim:schemas:core:2.0:group'] : ['groups', 'urn:ietf:params:scim:schemas:core:2.0:user'];
  return attribute === name && (schema === undefined || schema === urn);
}

/** A user's groups: `value` is the group's id, `display` its displayName; every membership is "direct". */
function groupColumn(subAttribute: string, dialect: SqlDialect): Column | undefined {
  switch (subAttribute) {
    case 'value':
      return { expression: dialect.fold('m.group_id'), folded: true, nullable: false };
    case 'display':
      return { expression: 'g.name_ci', folded: true, nullable: false };
    case 'type':
      return { expression: "'direct'", folded: true, nullable: false };
    default:
      return undefined;
  }
}

/** A sub-attribute no membership row has is absent from every resource: only `ne` and `eq null` match it. */
function absentMatches(test: AttributeTest): string {
  return test.kind === 'compare' && (test.op === 'ne' || (test.op === 'eq' && test.value === null)) ? '1=1' : NOTHING;
}

/** Member values, displays and types compare without regard to case; `$ref` is a reference, case-exact. */
function memberColumn(subAttribute: string, dialect: SqlDialect): Column | undefined {
  switch (subAttribute) {
    case 'value':
    case 'display':
    case 'type':
      return { expression: dialect.fold(`m.${subAttribute}`), folded: true, nullable: subAttribute !== 'value' };
    case '$ref':
      return { expression: 'm.ref', folded: false, nullable: true };
    default:
      return undefined;
  }
}

function present(column: Column): string {
  return column.nullable ? `(${column.expression} IS NOT NULL AND ${column.expression} <> '')` : `${column.expression} <> ''`;
}

/** Callers leave to the evaluator what SQL would compare otherwise than matchesFilter (columnAgrees). */
function compare(test: CompareFilter, column: Column, dialect: SqlDialect): string {
  const { op, value } = test;
  if (value === null) {
    const absent = column.nullable ? `(${column.expression} IS NULL OR ${column.expression} = '')` : `${column.expression} = ''`;
    return op === 'eq' ? absent : `NOT ${absent}`;
  }
  if (typeof value !== 'string') return op === 'ne' ? '1=1' : NOTHING;
  const text = column.folded ? value.toLowerCase() : value;
  const expression = column.expression;
  const notNull = (sql: string) => (column.nullable ? `coalesce(${sql}, 1=0)` : sql);
  switch (op) {
    case 'eq':
      return notNull(`${expression} = ${dialect.param(text)}`);
    case 'ne':
      return `NOT ${notNull(`${expression} = ${dialect.param(text)}`)}`;
    case 'co':
    case 'sw':
    case 'ew': {
      if (text === '') return column.nullable ? `${expression} IS NOT NULL` : '1=1';
      const method = { co: 'contains', sw: 'startsWith', ew: 'endsWith' } as const;
      return notNull(dialect[method[op]](expression, text));
    }
    default: {
      const sign = { gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
      return notNull(`${expression} ${sign} ${dialect.param(text)}`);
    }
  }
}
