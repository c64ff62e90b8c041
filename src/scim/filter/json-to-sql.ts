import { findHint, resourceHints, type AttributeHint } from '../patch/schema-hints.js';
import type { AttrPath, AttributeTest, FilterNode, ValuePathFilter } from './ast.js';
import type { SqlCondition, SqlDialect } from './to-sql.js';

/** Where a schema attribute lives in a stored document: a single value, or a sub-attribute of each element. */
type JsonTarget = { kind: 'value'; path: string[] } | { kind: 'elements'; array: string[]; sub: string };

const EVERYTHING: SqlCondition = { sql: '1=1', exact: false };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;
const TEXT_TYPES = new Set(['string', 'reference']);

/**
 * Narrows the candidates for tests on attributes kept only in the JSON document (`title`, `name.givenName`,
 * `emails[type eq "work"].value`, enterprise attributes). Stored documents use the schemas' spelling and
 * shapes (resource-document.ts), so a JSON path finds every value the evaluator would; the condition is
 * a superset (both sides case-folded), never exact, and matchesFilter decides on what it selects.
 */
export function jsonTestToSql(test: AttributeTest, resourceType: 'User' | 'Group', dialect: SqlDialect): SqlCondition {
  const target = jsonTarget(test.path, resourceType);
  if (target === undefined) return EVERYTHING;
  if (target.kind === 'value') {
    const sql = textTest(test, dialect.jsonText(target.path), dialect);
    return sql === undefined ? EVERYTHING : { sql, exact: false };
  }
  const sql = textTest(test, dialect.elementText(target.sub), dialect);
  return sql === undefined ? EVERYTHING : { sql: dialect.elementsExist(target.array, sql), exact: false };
}

export function jsonValuePathToSql(filter: ValuePathFilter, resourceType: 'User' | 'Group', dialect: SqlDialect): SqlCondition {
  const hint = schemaHint(filter.path, resourceType);
  if (hint === undefined || !hint.hint.multiValued || hint.hint.type !== 'complex' || filter.path.normalized.subAttribute !== undefined) return EVERYTHING;
  const mark = dialect.mark();
  const inner = elementCondition(filter.filter, hint.hint, dialect);
  const test = filter.subAttributeTest === undefined ? '1=1' : elementCondition(filter.subAttributeTest, hint.hint, dialect);
  if (inner === '1=1' && test === '1=1') {
    dialect.reset(mark);
    return EVERYTHING;
  }
  return { sql: dialect.elementsExist([...hint.container, hint.hint.name], `${inner} AND ${test}`), exact: false };
}

/** A superset condition on one element; "1=1" where nothing narrows. */
function elementCondition(filter: FilterNode, hint: AttributeHint, dialect: SqlDialect): string {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return `(${elementCondition(filter.left, hint, dialect)} ${filter.kind.toUpperCase()} ${elementCondition(filter.right, hint, dialect)})`;
    case 'not':
    case 'valuePath':
      return '1=1';
    case 'compare':
    case 'present': {
      const sub = findHint(hint.subAttributes, filter.path.normalized.attribute);
      if (sub === undefined || !TEXT_TYPES.has(sub.type) || filter.path.normalized.subAttribute !== undefined) return '1=1';
      const mark = dialect.mark();
      const sql = textTest(filter, dialect.elementText(sub.name), dialect);
      if (sql === undefined) dialect.reset(mark);
      return sql ?? '1=1';
    }
  }
}

function textTest(test: AttributeTest, expression: string, dialect: SqlDialect): string | undefined {
  if (test.kind !== 'compare' || typeof test.value !== 'string' || test.value === '') return undefined;
  const folded = dialect.fold(expression);
  const value = test.value.toLowerCase();
  switch (test.op) {
    case 'eq':
      return RFC3339.test(test.value) ? undefined : `${folded} = ${dialect.param(value)}`;
    case 'co':
      return dialect.contains(folded, value);
    case 'sw':
      return dialect.startsWith(folded, value);
    case 'ew':
      return dialect.endsWith(folded, value);
    default:
      return undefined;
  }
}

function schemaHint(path: AttrPath, resourceType: 'User' | 'Group'): { hint: AttributeHint; container: string[] } | undefined {
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

function jsonTarget(path: AttrPath, resourceType: 'User' | 'Group'): JsonTarget | undefined {
  const found = schemaHint(path, resourceType);
  if (found === undefined || found.hint.readOnly || (resourceType === 'Group' && found.hint.name === 'members')) return undefined;
  const { hint, container } = found;
  const subName = path.normalized.subAttribute;
  if (hint.type === 'complex') {
    const sub = findHint(hint.subAttributes, subName ?? 'value');
    if (sub === undefined || !TEXT_TYPES.has(sub.type)) return undefined;
    return hint.multiValued ? { kind: 'elements', array: [...container, hint.name], sub: sub.name } : { kind: 'value', path: [...container, hint.name, sub.name] };
  }
  if (subName !== undefined || hint.multiValued || !TEXT_TYPES.has(hint.type)) return undefined;
  return { kind: 'value', path: [...container, hint.name] };
}
