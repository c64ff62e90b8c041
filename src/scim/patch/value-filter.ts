import { findKey, isJsonObject } from './json.js';

export type FilterLiteral = string | number | boolean | null;

/** Whether a sub-attribute's string values compare case-exactly (RFC 7643 §2.2 `caseExact`). */
export interface CaseRules {
  caseExact(subAttribute: string): boolean;
}

/**
 * Reads and evaluates the filter inside `attr[...]`. PATCH depends only on this interface so that the
 * full RFC 7644 filter parser (src/scim/filter/) can replace the minimal engine below.
 */
export interface ValueFilterEngine<Filter = unknown> {
  /** Throws an Error whose message says what is wrong with the filter. */
  parse(text: string): Filter;
  matches(element: unknown, filter: Filter, caseRules: CaseRules): boolean;
  /**
   * The sub-attribute values every match has, when the filter is only `eq` comparisons joined by `and`;
   * used to create the element a filtered replace found missing. Undefined for other filters.
   */
  requiredValues(filter: Filter): Record<string, FilterLiteral> | undefined;
}

interface Equality {
  attribute: string;
  value: FilterLiteral;
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/y;
const ATTRIBUTE_NAME = /^(?:[A-Za-z][\w-]*|\$ref)$/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let end = 0;
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = TOKEN.exec(text)) !== null) {
    tokens.push(match[1]!);
    end = TOKEN.lastIndex;
  }
  if (text.slice(end).trim() !== '') throw new Error(`unterminated string in ${JSON.stringify(text)}`);
  return tokens;
}

function literal(token: string | undefined): FilterLiteral {
  if (token === undefined) throw new Error('a comparison value is missing');
  if (token.startsWith('"')) {
    try {
      return JSON.parse(token) as string;
    } catch {
      throw new Error(`${token} is not a valid JSON string`);
    }
  }
  const lower = token.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (lower === 'null') return null;
  if (NUMBER.test(token)) return Number(token);
  throw new Error(`${token} is not a string, number, true, false or null`);
}

function parseEqualities(text: string): Equality[] {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new Error('the filter is empty');
  const equalities: Equality[] = [];
  for (let at = 0; at < tokens.length; at += 4) {
    const [attribute, operator, value, joiner] = tokens.slice(at, at + 4);
    if (!ATTRIBUTE_NAME.test(attribute!)) throw new Error(`${JSON.stringify(attribute)} is not an attribute name`);
    if (operator?.toLowerCase() !== 'eq') {
      throw new Error(`unsupported comparison ${JSON.stringify(operator ?? '')}: value filters support "eq" joined by "and"`);
    }
    equalities.push({ attribute: attribute!, value: literal(value) });
    if (joiner !== undefined && joiner.toLowerCase() !== 'and') {
      throw new Error(`unsupported operator ${JSON.stringify(joiner)}: value filters support "eq" joined by "and"`);
    }
    if (joiner !== undefined && at + 4 >= tokens.length) throw new Error('the filter ends after "and"');
  }
  return equalities;
}

function equal(actual: unknown, expected: FilterLiteral, caseExact: boolean): boolean {
  if (expected === null) return actual === undefined || actual === null;
  if (typeof expected === 'string' && typeof actual === 'string' && !caseExact) {
    return actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}

function matchesAll(element: unknown, equalities: Equality[], caseRules: CaseRules): boolean {
  if (!isJsonObject(element)) return false;
  return equalities.every(({ attribute, value }) => {
    const key = findKey(element, attribute);
    return equal(key === undefined ? undefined : element[key], value, caseRules.caseExact(attribute));
  });
}

function requiredValues(equalities: Equality[]): Record<string, FilterLiteral> | undefined {
  const values: Record<string, FilterLiteral> = {};
  for (const { attribute, value } of equalities) {
    if (Object.hasOwn(values, attribute) && values[attribute] !== value) return undefined;
    values[attribute] = value;
  }
  return values;
}

/** `attr eq value` comparisons joined by `and`: all that Okta and Entra ID send inside brackets. */
export const equalityFilters: ValueFilterEngine<Equality[]> = {
  parse: parseEqualities,
  matches: matchesAll,
  requiredValues,
};
