import type { FilterNode } from './filter/ast.js';
import { checkFilter, matchesFilter, parseFilter } from './filter/index.js';
import type { FilterLiteral, ValueFilterEngine } from './patch/index.js';

/** The whole RFC 7644 filter grammar inside PATCH paths (`emails[type eq "work" or primary eq true]`). */
export const fullValueFilters: ValueFilterEngine<FilterNode> = {
  parse(text) {
    const filter = parseFilter(text);
    checkFilter(filter);
    return filter;
  },
  matches(element, filter, caseRules) {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) return false;
    return matchesFilter(element as Record<string, unknown>, filter, (path) => caseRules.caseExact(path.attribute));
  },
  requiredValues(filter) {
    const values: Record<string, FilterLiteral> = {};
    const collect = (node: FilterNode): boolean => {
      if (node.kind === 'and') return collect(node.left) && collect(node.right);
      if (node.kind !== 'compare' || node.op !== 'eq' || node.path.subAttribute !== undefined || node.path.schema !== undefined) return false;
      if (Object.hasOwn(values, node.path.attribute) && values[node.path.attribute] !== node.value) return false;
      values[node.path.attribute] = node.value;
      return true;
    };
    return collect(filter) ? values : undefined;
  },
};
