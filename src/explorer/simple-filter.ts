import type { ScalarValue } from '../template/model.js';

export interface EqualityFilter {
  attribute: string;
  value: ScalarValue;
}

const EQ_FILTER = /^\s*([A-Za-z_][\w.$-]*)\s+eq\s+("(?:[^"\\]|\\.)*"|true|false|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*$/i;

/**
 * The graph-read API's `filter` for now: one `attribute eq value` comparison in SCIM filter syntax,
 * answered from the attribute index. Returns a reason when the filter is not of that form.
 */
export function parseEqualityFilter(text: string): EqualityFilter | { error: string } {
  const match = EQ_FILTER.exec(text);
  if (!match) {
    return { error: `unsupported filter ${JSON.stringify(text)}: use attribute eq "value" (for example userName eq "jdoe@example.com")` };
  }
  const literal = match[2]!;
  let value: ScalarValue;
  if (literal.startsWith('"')) value = JSON.parse(literal) as string;
  else if (/^(true|false)$/i.test(literal)) value = literal.toLowerCase() === 'true';
  else value = Number(literal);
  return { attribute: match[1]!, value };
}
