export type {
  AttrPath,
  AttributeTest,
  CompareFilter,
  ComparisonOperator,
  ComparisonValue,
  FilterNode,
  LogicalFilter,
  NotFilter,
  PresentFilter,
  ValuePathFilter,
} from './ast.js';
export { attrPath } from './ast.js';
export { defaultCaseRules, type AttributeCaseRules } from './case-rules.js';
export { checkFilter } from './check.js';
export { FilterSyntaxError, InvalidFilterError } from './errors.js';
export { matchesFilter } from './evaluate.js';
export { formatFilter, formatPath } from './format.js';
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from './parse.js';
