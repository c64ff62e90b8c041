import type { CompareFilter, ComparisonOperator, FilterNode } from './ast.js';
import { InvalidFilterError } from './errors.js';
import { formatPath } from './format.js';

const ORDERING: ReadonlySet<ComparisonOperator> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<ComparisonOperator> = new Set(['co', 'sw', 'ew']);

/**
 * Rejects comparisons that parse but cannot be answered, before any resource is read:
 * ordering a boolean (RFC 7644 §3.4.2.2 requires `400 invalidFilter`), a substring match on a value that
 * is not a string, and any operator but `eq`/`ne` with `null`.
 */
export function checkFilter(filter: FilterNode): void {
  switch (filter.kind) {
    case 'compare':
      checkComparison(filter);
      return;
    case 'present':
      return;
    case 'and':
    case 'or':
      checkFilter(filter.left);
      checkFilter(filter.right);
      return;
    case 'not':
      checkFilter(filter.filter);
      return;
    case 'valuePath':
      checkFilter(filter.filter);
      if (filter.subAttributeTest !== undefined) checkFilter(filter.subAttributeTest);
      return;
  }
}

export function checkComparison(comparison: CompareFilter): void {
  const { op, value } = comparison;
  if (value === null && op !== 'eq' && op !== 'ne') throw cannotCompare(comparison, 'null');
  if (typeof value === 'boolean' && op !== 'eq' && op !== 'ne') throw cannotCompare(comparison, 'a boolean');
  if (typeof value === 'number' && SUBSTRING.has(op)) throw cannotCompare(comparison, 'a number');
}

export function isOrdering(op: ComparisonOperator): boolean {
  return ORDERING.has(op);
}

/** Also thrown while evaluating, when `gt`/`ge`/`lt`/`le` meets a boolean attribute value. */
export function cannotCompare(comparison: CompareFilter, what: string): InvalidFilterError {
  return new InvalidFilterError(
    `"${comparison.op}" cannot compare ${what} (${formatPath(comparison.path)} ${comparison.op} ${JSON.stringify(comparison.value)})`,
  );
}
