import type { AttrPath, AttributeTest, FilterNode } from './ast.js';

/** Writes a filter back as SCIM filter text, in the written spelling; `parseFilter` reads it back unchanged. */
export function formatFilter(filter: FilterNode): string {
  switch (filter.kind) {
    case 'compare':
    case 'present':
      return formatTest(filter);
    case 'and':
      return `${grouped(filter.left, ['or'])} and ${grouped(filter.right, ['or', 'and'])}`;
    case 'or':
      return `${formatFilter(filter.left)} or ${grouped(filter.right, ['or'])}`;
    case 'not':
      return `not (${formatFilter(filter.filter)})`;
    case 'valuePath': {
      const test = filter.subAttributeTest === undefined ? '' : `.${formatTest(filter.subAttributeTest)}`;
      return `${formatPath(filter.path)}[${formatFilter(filter.filter)}]${test}`;
    }
  }
}

export function formatPath(path: AttrPath): string {
  const schema = path.schema === undefined ? '' : `${path.schema}:`;
  const subAttribute = path.subAttribute === undefined ? '' : `.${path.subAttribute}`;
  return `${schema}${path.attribute}${subAttribute}`;
}

function formatTest(test: AttributeTest): string {
  const path = formatPath(test.path);
  return test.kind === 'present' ? `${path} pr` : `${path} ${test.op} ${JSON.stringify(test.value)}`;
}

/**
 * Parenthesizes an operand of these kinds: `and` binds tighter than `or`, and chains associate to the
 * left, so `a or (b or c)` keeps its parentheses to parse back into the same tree.
 */
function grouped(filter: FilterNode, kinds: readonly FilterNode['kind'][]): string {
  return kinds.includes(filter.kind) ? `(${formatFilter(filter)})` : formatFilter(filter);
}
