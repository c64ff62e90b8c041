// A hand-written recursive-descent parser for the RFC 7644 §3.4.2.2 filter grammar: reading filters is
// the product's own logic, so it is built here rather than taken from a parser library.
import {
  attrPath,
  type AttrPath,
  type AttributeTest,
  type ComparisonOperator,
  type ComparisonValue,
  type FilterNode,
  type ValuePathFilter,
} from './ast.js';
import { FilterSyntaxError } from './errors.js';
import { Scanner, describeToken, type PunctuationToken, type Token, type WordToken } from './tokens.js';

export const MAX_FILTER_LENGTH = 4096;
/** How deep parentheses, `not (…)` and value filters may nest; guards the recursion against hostile input. */
export const MAX_FILTER_DEPTH = 50;

const COMPARISON_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const SCHEMA_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~%!$&'*+,;=:/@-]+$/;
// RFC 7643 §2.1 ATTRNAME, plus the leading "$" of `$ref` that the ABNF forgets (RFC 7643 erratum 8924).
const NAME_START = /[A-Za-z$]/;
const NAME_CHAR = /[A-Za-z0-9_$-]/;

/** Parses a SCIM filter, e.g. `userName eq "bjensen"`; throws `FilterSyntaxError` naming the position. */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterSyntaxError(
      `filter too long: expected at most ${MAX_FILTER_LENGTH} characters, found ${text.length} (position ${MAX_FILTER_LENGTH})`,
      MAX_FILTER_LENGTH,
    );
  }
  return new FilterParser(text).parseWhole();
}

class FilterParser {
  private readonly tokens: Scanner;
  private depth = 0;
  private inValueFilter = false;

  constructor(source: string) {
    this.tokens = new Scanner(source);
  }

  parseWhole(): FilterNode {
    const filter = this.parseOr();
    const token = this.tokens.peek();
    if (token.kind === ')' || token.kind === ']') {
      const opening = token.kind === ')' ? '(' : '[';
      throw syntaxError(`unbalanced "${token.kind}" at position ${token.start}: no "${opening}" to close`, token);
    }
    if (token.kind !== 'end') throw expected('"and", "or" or the end of the filter', token);
    return filter;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (isKeyword(this.tokens.peek(), 'or')) {
      this.tokens.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseFactor();
    while (isKeyword(this.tokens.peek(), 'and')) {
      this.tokens.next();
      left = { kind: 'and', left, right: this.parseFactor() };
    }
    return left;
  }

  private parseFactor(): FilterNode {
    const token = this.tokens.peek();
    if (token.kind === '(') return this.parseGroup();
    if (token.kind === 'word' && this.startsNegation(token)) return this.parseNegation(token);
    if (token.kind === 'word') return this.parseAttributeFilter(token);
    throw expected('an attribute path, "(" or "not"', token);
  }

  /** `not` negates only when a `(` follows; before an operator it is an attribute named "not". */
  private startsNegation(token: WordToken): boolean {
    if (token.text.toLowerCase() !== 'not') return false;
    const next = this.tokens.peek(1);
    if (next.kind === '(') return true;
    if (next.kind === '[' || (next.kind === 'word' && isOperatorWord(next.text))) return false;
    throw expected('"(" after "not"', next);
  }

  private parseNegation(notToken: WordToken): FilterNode {
    this.tokens.next();
    const opening = this.tokens.next() as PunctuationToken;
    return { kind: 'not', filter: this.parseEnclosed(opening, notToken.start) };
  }

  private parseGroup(): FilterNode {
    const opening = this.tokens.next() as PunctuationToken;
    return this.parseEnclosed(opening, opening.start);
  }

  /** The filter between `opening` and its matching `)` or `]`, one nesting level deeper. */
  private parseEnclosed(opening: PunctuationToken, levelStart: number): FilterNode {
    this.enterLevel(levelStart);
    const inner = this.parseOr();
    this.expectClosing(opening);
    this.depth--;
    return inner;
  }

  private enterLevel(position: number): void {
    this.depth++;
    if (this.depth > MAX_FILTER_DEPTH) {
      throw new FilterSyntaxError(
        `filter nested too deeply at position ${position}: at most ${MAX_FILTER_DEPTH} levels of parentheses and value filters`,
        position,
      );
    }
  }

  private expectClosing(opening: PunctuationToken): void {
    const closing = opening.kind === '(' ? ')' : ']';
    const token = this.tokens.next();
    if (token.kind === closing) return;
    if (token.kind === 'end') {
      throw syntaxError(
        `expected "${closing}" at position ${token.start} to close the "${opening.kind}" at position ${opening.start}, found the end of the filter`,
        token,
      );
    }
    throw expected(`"and", "or" or "${closing}"`, token);
  }

  private parseAttributeFilter(pathToken: WordToken): FilterNode {
    this.tokens.next();
    const path = parseAttrPath(this.tokens.source, pathToken);
    if (this.inValueFilter && (path.schema !== undefined || path.subAttribute !== undefined)) {
      throw syntaxError(
        `expected a sub-attribute name at position ${pathToken.start}, found ${describeToken(pathToken)}: inside "[…]" paths name sub-attributes of the filtered attribute`,
        pathToken,
      );
    }
    if (this.tokens.peek().kind === '[') return this.parseValuePath(path);
    return this.parseAttributeTest(path);
  }

  private parseValuePath(path: AttrPath): ValuePathFilter {
    const opening = this.tokens.next() as PunctuationToken;
    if (this.inValueFilter) {
      throw syntaxError(`nested value filter at position ${opening.start}: a "[…]" filter cannot contain another (RFC 7644 §3.4.2.2)`, opening);
    }
    if (path.subAttribute !== undefined) {
      throw syntaxError(
        `unexpected "[" at position ${opening.start}: a value filter applies to ${path.attribute}, not to its sub-attribute ${path.subAttribute}`,
        opening,
      );
    }
    this.inValueFilter = true;
    const filter = this.parseEnclosed(opening, opening.start);
    this.inValueFilter = false;
    const subAttributeTest = this.parseSubAttributeTest();
    if (subAttributeTest === undefined) return { kind: 'valuePath', path, filter };
    return { kind: 'valuePath', path, filter, subAttributeTest };
  }

  /** The `.value eq "x"` that may follow `emails[type eq "work"]`. */
  private parseSubAttributeTest(): AttributeTest | undefined {
    const token = this.tokens.peek();
    if (token.kind !== 'word' || token.spaced || !token.text.startsWith('.')) return undefined;
    this.tokens.next();
    const name = checkName(this.tokens.source, token.text.slice(1), token.start + 1);
    return this.parseAttributeTest(attrPath(undefined, name, undefined));
  }

  private parseAttributeTest(path: AttrPath): AttributeTest {
    const token = this.tokens.next();
    const op = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARISON_OPERATORS.has(op)) throw expected('a comparison operator', token);
    return { kind: 'compare', path, op: op as ComparisonOperator, value: parseValue(this.tokens.next()) };
  }
}

function parseValue(token: Token): ComparisonValue {
  if (token.kind === 'string') return token.value;
  const literal = token.kind === 'word' ? token.text : '';
  switch (literal.toLowerCase()) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
  }
  if (!JSON_NUMBER.test(literal)) {
    throw expected('a comparison value (a "quoted string", number, true, false or null)', token);
  }
  const value = Number(literal);
  if (!Number.isFinite(value)) throw syntaxError(`number out of range at position ${token.start}: ${literal}`, token);
  return value;
}

/** Splits `[schema ":"] attribute ["." subAttribute]`; the attribute name never contains ":". */
function parseAttrPath(source: string, token: WordToken): AttrPath {
  const colon = token.text.lastIndexOf(':');
  const schema = colon >= 0 ? token.text.slice(0, colon) : undefined;
  if (schema !== undefined && !SCHEMA_URI.test(schema)) {
    throw syntaxError(`expected a schema URI at position ${token.start}, found ${JSON.stringify(schema)}`, token);
  }
  const namesStart = token.start + colon + 1;
  const [attributeName, subAttributeName, ...rest] = token.text.slice(colon + 1).split('.');
  const attribute = checkName(source, attributeName!, namesStart);
  if (subAttributeName === undefined) return attrPath(schema, attribute, undefined);
  const subStart = namesStart + attribute.length + 1;
  const subAttribute = checkName(source, subAttributeName, subStart);
  if (rest.length > 0) {
    const dot = subStart + subAttribute.length;
    throw new FilterSyntaxError(
      `unexpected "." at position ${dot}: ${attribute}.${subAttribute} is a sub-attribute and has no sub-attributes of its own`,
      dot,
    );
  }
  return attrPath(schema, attribute, subAttribute);
}

/** Checks an attribute name starting at `position` in `source`. */
function checkName(source: string, name: string, position: number): string {
  const bad = firstInvalidNameChar(name);
  if (bad < 0) return name;
  const at = position + bad;
  const found = at < source.length ? JSON.stringify(source[at]) : 'the end of the filter';
  throw new FilterSyntaxError(`expected an attribute name at position ${at}, found ${found}`, at);
}

/** The index of the first character that cannot stand there in a name; 0 for an empty name; -1 if none. */
function firstInvalidNameChar(name: string): number {
  if (name === '') return 0;
  for (let index = 0; index < name.length; index++) {
    if (!(index === 0 ? NAME_START : NAME_CHAR).test(name[index]!)) return index;
  }
  return -1;
}

function isKeyword(token: Token, keyword: 'and' | 'or'): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

function isOperatorWord(text: string): boolean {
  const lower = text.toLowerCase();
  return lower === 'pr' || COMPARISON_OPERATORS.has(lower);
}

function expected(what: string, token: Token): FilterSyntaxError {
  return syntaxError(`expected ${what} at position ${token.start}, found ${describeToken(token)}`, token);
}

function syntaxError(message: string, token: Token): FilterSyntaxError {
  return new FilterSyntaxError(message, token.start);
}
