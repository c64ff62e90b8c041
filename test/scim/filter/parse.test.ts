import { describe, expect, it } from 'vitest';
import {
  FilterSyntaxError,
  InvalidFilterError,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  attrPath,
  formatFilter,
  parseFilter,
  type ComparisonOperator,
  type ComparisonValue,
  type FilterNode,
} from '../../../src/scim/filter/index.js';

const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const compare = (path: string, op: ComparisonOperator, value: ComparisonValue): FilterNode => ({
  kind: 'compare',
  path: pathOf(path),
  op,
  value,
});
const present = (path: string): FilterNode => ({ kind: 'present', path: pathOf(path) });
const and = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'and', left, right });
const or = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'or', left, right });
const not = (filter: FilterNode): FilterNode => ({ kind: 'not', filter });

/** `schema:attribute.subAttribute` with the schema split at its last colon, as the parser does. */
function pathOf(text: string) {
  const colon = text.lastIndexOf(':');
  const [attribute, subAttribute] = text.slice(colon + 1).split('.');
  return attrPath(colon < 0 ? undefined : text.slice(0, colon), attribute!, subAttribute);
}

function syntaxErrorOf(text: string): FilterSyntaxError {
  try {
    parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed ${JSON.stringify(text)}`);
}

describe('parseFilter: the RFC 7644 §3.4.2.2 examples', () => {
  const examples: [string, FilterNode][] = [
    ['userName eq "bjensen"', compare('userName', 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, compare('name.familyName', 'co', "O'Malley")],
    ['userName sw "J"', compare('userName', 'sw', 'J')],
    [`${CORE_USER}:userName sw "J"`, compare(`${CORE_USER}:userName`, 'sw', 'J')],
    ['title pr', present('title')],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', compare('meta.lastModified', 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(present('title'), compare('userType', 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(present('title'), compare('userType', 'eq', 'Intern'))],
    [`schemas eq "${ENTERPRISE_USER}"`, compare('schemas', 'eq', ENTERPRISE_USER)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(
        compare('userType', 'eq', 'Employee'),
        or(compare('emails', 'co', 'example.com'), compare('emails.value', 'co', 'example.org')),
      ),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(
        compare('userType', 'ne', 'Employee'),
        not(or(compare('emails', 'co', 'example.com'), compare('emails.value', 'co', 'example.org'))),
      ),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(compare('userType', 'eq', 'Employee'), compare('emails.type', 'eq', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(compare('userType', 'eq', 'Employee'), {
        kind: 'valuePath',
        path: pathOf('emails'),
        filter: and(compare('type', 'eq', 'work'), compare('value', 'co', '@example.com')),
      }),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        {
          kind: 'valuePath',
          path: pathOf('emails'),
          filter: and(compare('type', 'eq', 'work'), compare('value', 'co', '@example.com')),
        },
        {
          kind: 'valuePath',
          path: pathOf('ims'),
          filter: and(compare('type', 'eq', 'xmpp'), compare('value', 'co', '@foo.com')),
        },
      ),
    ],
  ];

  it.each(examples)('%s', (text, tree) => {
    expect(parseFilter(text)).toEqual(tree);
  });

  it.each(examples)('writes %s back so that it parses to the same tree', (text, tree) => {
    expect(parseFilter(formatFilter(tree))).toEqual(tree);
  });
});

describe('parseFilter: what Okta and Entra ID send', () => {
  it('reads Okta’s user lookup', () => {
    expect(parseFilter('userName eq "jdoe@example.com"')).toEqual(compare('userName', 'eq', 'jdoe@example.com'));
  });

  it('reads Entra ID’s externalId lookup', () => {
    expect(parseFilter('externalId eq "8f5a1c2e-7d0b-4b1a-9c55-0e6f3a2b9d41"')).toEqual(
      compare('externalId', 'eq', '8f5a1c2e-7d0b-4b1a-9c55-0e6f3a2b9d41'),
    );
  });

  it('reads a value path followed by a sub-attribute test', () => {
    expect(parseFilter('emails[type eq "work"].value eq "jdoe@example.com"')).toEqual({
      kind: 'valuePath',
      path: pathOf('emails'),
      filter: compare('type', 'eq', 'work'),
      subAttributeTest: compare('value', 'eq', 'jdoe@example.com'),
    });
  });

  it('reads a sub-attribute presence test after a value path', () => {
    expect(parseFilter('emails[type eq "work"].value pr')).toMatchObject({ subAttributeTest: present('value') });
  });

  it('reads Okta’s member path and Entra ID’s and-ed lookups', () => {
    expect(parseFilter('members[value eq "00u1"]')).toEqual({
      kind: 'valuePath',
      path: pathOf('members'),
      filter: compare('value', 'eq', '00u1'),
    });
    expect(parseFilter('userName eq "a" and externalId eq "b"')).toEqual(
      and(compare('userName', 'eq', 'a'), compare('externalId', 'eq', 'b')),
    );
  });
});

describe('parseFilter: attribute paths', () => {
  it('splits an extension URN from the attribute', () => {
    const filter = parseFilter(`${ENTERPRISE_USER}:employeeNumber eq "701984"`);
    expect(filter).toEqual({
      kind: 'compare',
      path: {
        schema: ENTERPRISE_USER,
        attribute: 'employeeNumber',
        normalized: { schema: ENTERPRISE_USER.toLowerCase(), attribute: 'employeenumber' },
      },
      op: 'eq',
      value: '701984',
    });
  });

  it('splits a core URN from an attribute with a sub-attribute', () => {
    expect(parseFilter(`${CORE_USER}:name.givenName eq "Barbara"`)).toMatchObject({
      path: { schema: CORE_USER, attribute: 'name', subAttribute: 'givenName' },
    });
  });

  it('reads an extension attribute with a sub-attribute', () => {
    expect(parseFilter(`${ENTERPRISE_USER}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toMatchObject({
      path: { schema: ENTERPRISE_USER, attribute: 'manager', subAttribute: 'value' },
    });
  });

  it('reads $ref', () => {
    expect(parseFilter('members.$ref eq "https://example.com/v2/Users/1"')).toMatchObject({
      path: { attribute: 'members', subAttribute: '$ref', normalized: { attribute: 'members', subAttribute: '$ref' } },
    });
  });

  it('keeps the written spelling and a lower-case form', () => {
    expect(parseFilter('NAME.GivenName pr')).toEqual({
      kind: 'present',
      path: {
        attribute: 'NAME',
        subAttribute: 'GivenName',
        normalized: { attribute: 'name', subAttribute: 'givenname' },
      },
    });
  });

  it('accepts hyphens, underscores and digits after the first letter', () => {
    expect(parseFilter('x-custom_attr2 eq 1')).toEqual(compare('x-custom_attr2', 'eq', 1));
  });
});

describe('parseFilter: operators and logic', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('reads %s in any case', (op) => {
    expect(parseFilter(`title ${op.toUpperCase()} "x"`)).toEqual(compare('title', op, 'x'));
    expect(parseFilter(`title ${op[0]!.toUpperCase()}${op[1]!} "x"`)).toEqual(compare('title', op, 'x'));
  });

  it('reads pr, and, or, not in any case', () => {
    expect(parseFilter('title PR AND NOT (userType Eq "x") Or nickName pR')).toEqual(
      or(and(present('title'), not(compare('userType', 'eq', 'x'))), present('nickName')),
    );
  });

  it('binds and tighter than or', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual(or(present('a'), and(present('b'), present('c'))));
    expect(parseFilter('a pr and b pr or c pr')).toEqual(or(and(present('a'), present('b')), present('c')));
  });

  it('binds not tighter than and', () => {
    expect(parseFilter('not (a pr) and b pr')).toEqual(and(not(present('a')), present('b')));
  });

  it('associates chains to the left', () => {
    expect(parseFilter('a pr and b pr and c pr')).toEqual(and(and(present('a'), present('b')), present('c')));
    expect(parseFilter('a pr or b pr or c pr')).toEqual(or(or(present('a'), present('b')), present('c')));
  });

  it('lets parentheses override precedence', () => {
    expect(parseFilter('(a pr or b pr) and c pr')).toEqual(and(or(present('a'), present('b')), present('c')));
    expect(parseFilter('((a pr))')).toEqual(present('a'));
  });

  it('reads logic inside a value filter', () => {
    expect(parseFilter('emails[not (type eq "home") and (primary eq true or value ew ".org")]')).toEqual({
      kind: 'valuePath',
      path: pathOf('emails'),
      filter: and(not(compare('type', 'eq', 'home')), or(compare('primary', 'eq', true), compare('value', 'ew', '.org'))),
    });
  });

  it('tolerates extra whitespace', () => {
    expect(parseFilter('  title   pr\tand\n( userType  eq  "x" )  ')).toEqual(
      and(present('title'), compare('userType', 'eq', 'x')),
    );
  });

  it('reads an attribute named like a keyword', () => {
    expect(parseFilter('not eq "x"')).toEqual(compare('not', 'eq', 'x'));
    expect(parseFilter('and pr')).toEqual(present('and'));
  });
});

describe('parseFilter: comparison values', () => {
  it.each([
    ['true', true],
    ['False', false],
    ['NULL', null],
    ['0', 0],
    ['-12', -12],
    ['3.25', 3.25],
    ['1e3', 1000],
    ['-2.5E-1', -0.25],
    ['""', ''],
  ] as const)('reads %s', (literal, value) => {
    expect(parseFilter(`x eq ${literal}`)).toEqual(compare('x', 'eq', value));
  });

  it.each([
    ['"say \\"hi\\""', 'say "hi"'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"a\\/b"', 'a/b'],
    ['"tab\\tnew\\nline\\r"', 'tab\tnew\nline\r'],
    ['"\\b\\f"', '\b\f'],
    ['"\\u00e9t\\u00C9"', 'étÉ'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"(not) [a] and or"', '(not) [a] and or'],
    ['"Ünïcödé"', 'Ünïcödé'],
  ])('decodes the string %s', (literal, value) => {
    expect(parseFilter(`displayName eq ${literal}`)).toEqual(compare('displayName', 'eq', value));
  });
});

describe('parseFilter: errors', () => {
  it.each([
    ['', 0, 'expected an attribute path, "(" or "not" at position 0, found the end of the filter'],
    ['   ', 3, 'expected an attribute path, "(" or "not" at position 3, found the end of the filter'],
    ['userName equals "x"', 9, 'expected a comparison operator at position 9, found "equals"'],
    ['userName = "x"', 9, 'expected a comparison operator at position 9, found "="'],
    ['userName', 8, 'expected a comparison operator at position 8, found the end of the filter'],
    ['userName eq', 11, 'expected a comparison value (a "quoted string", number, true, false or null) at position 11, found the end of the filter'],
    ['userName eq and title pr', 12, 'at position 12, found "and"'],
    ['userName eq bjensen', 12, 'expected a comparison value (a "quoted string", number, true, false or null) at position 12, found "bjensen"'],
    ["userName eq 'bjensen'", 12, `found "'bjensen'"`],
    ['x eq 01', 5, 'found "01"'],
    ['x eq 1.', 5, 'found "1."'],
    ['x eq 1e999', 5, 'number out of range at position 5'],
    ['userName eq "bjensen', 12, 'unterminated string starting at position 12: expected a closing double quote'],
    ['userName eq "bj\\"', 12, 'unterminated string starting at position 12'],
    ['userName eq "a\\xb"', 14, 'invalid escape \\x at position 14'],
    ['userName eq "a\\u12g4"', 14, 'invalid escape \\u12g4 at position 14'],
    ['(userName eq "x"', 16, 'expected ")" at position 16 to close the "(" at position 0, found the end of the filter'],
    ['((a pr) or (b pr)', 17, 'expected ")" at position 17 to close the "(" at position 0'],
    ['userName eq "x")', 15, 'unbalanced ")" at position 15: no "(" to close'],
    ['(a pr))', 6, 'unbalanced ")" at position 6'],
    ['(a pr]', 5, 'expected "and", "or" or ")" at position 5, found "]"'],
    ['emails[type eq "work"', 21, 'expected "]" at position 21 to close the "[" at position 6, found the end of the filter'],
    ['emails[type eq "work")', 21, 'expected "and", "or" or "]" at position 21, found ")"'],
    ['emails type eq "work"]', 7, 'expected a comparison operator at position 7, found "type"'],
    ['a pr]', 4, 'unbalanced "]" at position 4: no "[" to close'],
    ['userName eq "x" garbage', 16, 'expected "and", "or" or the end of the filter at position 16, found "garbage"'],
    ['title pr "x"', 9, 'expected "and", "or" or the end of the filter at position 9, found the string "x"'],
    ['a pr and', 8, 'expected an attribute path, "(" or "not" at position 8, found the end of the filter'],
    ['a pr or or b pr', 11, 'expected a comparison operator at position 11, found "b"'],
    ['and', 3, 'expected a comparison operator at position 3, found the end of the filter'],
    ['not userName eq "x"', 4, 'expected "(" after "not" at position 4, found "userName"'],
    ['not', 3, 'expected "(" after "not" at position 3, found the end of the filter'],
    ['()', 1, 'expected an attribute path, "(" or "not" at position 1, found ")"'],
    ['"userName" eq "x"', 0, 'expected an attribute path, "(" or "not" at position 0, found the string "userName"'],
    ['1abc eq "x"', 0, 'expected an attribute name at position 0, found "1"'],
    ['user@name eq "x"', 4, 'expected an attribute name at position 4, found "@"'],
    ['name. eq "x"', 5, 'expected an attribute name at position 5, found " "'],
    ['.name eq "x"', 0, 'expected an attribute name at position 0, found "."'],
    ['name..givenName eq "x"', 5, 'expected an attribute name at position 5, found "."'],
    ['name.givenName.first eq "x"', 14, 'unexpected "." at position 14: name.givenName is a sub-attribute'],
    [`${ENTERPRISE_USER}: eq "x"`, ENTERPRISE_USER.length + 1, `expected an attribute name at position ${ENTERPRISE_USER.length + 1}`],
    [':userName eq "x"', 0, 'expected a schema URI at position 0, found ""'],
    ['a[b[c eq 1]]', 3, 'nested value filter at position 3'],
    ['emails[type eq "work" and x[y pr]]', 27, 'nested value filter at position 27'],
    ['emails[emails.type eq "work"]', 7, 'expected a sub-attribute name at position 7, found "emails.type"'],
    [`emails[${CORE_USER}:type eq "work"]`, 7, 'expected a sub-attribute name at position 7'],
    ['name.givenName[value eq "x"]', 14, 'unexpected "[" at position 14: a value filter applies to name'],
    ['emails[type eq "work"] .value eq "x"', 23, 'expected "and", "or" or the end of the filter at position 23, found ".value"'],
    ['emails[type eq "work"].value', 28, 'expected a comparison operator at position 28, found the end of the filter'],
    ['emails[type eq "work"].value.x eq "y"', 28, 'expected an attribute name at position 28, found "."'],
    ['emails[]', 7, 'expected an attribute path, "(" or "not" at position 7, found "]"'],
  ])('rejects %j at position %i', (text, position, message) => {
    const error = syntaxErrorOf(text);
    expect(error.message).toContain(message);
    expect(error.message).toContain(`position ${position}`);
    expect(error.position).toBe(position);
    expect(error.scimType).toBe('invalidFilter');
  });

  it('is an InvalidFilterError, so callers answer 400 invalidFilter for both', () => {
    const error = syntaxErrorOf('userName equals "x"');
    expect(error).toBeInstanceOf(InvalidFilterError);
    expect(error.name).toBe('FilterSyntaxError');
    expect(error.position).toBe(9);
  });

  it('reports an early error before a malformed string later on', () => {
    expect(syntaxErrorOf('userName equals "x and y eq "unterminated').position).toBe(9);
  });

  it(`refuses filters longer than ${MAX_FILTER_LENGTH} characters`, () => {
    const text = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    const error = syntaxErrorOf(text);
    expect(error.position).toBe(MAX_FILTER_LENGTH);
    expect(error.message).toBe(
      `filter too long: expected at most ${MAX_FILTER_LENGTH} characters, found ${text.length} (position ${MAX_FILTER_LENGTH})`,
    );
  });

  it(`accepts a filter of exactly ${MAX_FILTER_LENGTH} characters`, () => {
    const text = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH - 14)}"`;
    expect(text).toHaveLength(MAX_FILTER_LENGTH);
    expect(() => parseFilter(text)).not.toThrow();
  });

  it(`accepts ${MAX_FILTER_DEPTH} levels of nesting`, () => {
    const text = `${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`;
    expect(parseFilter(text)).toEqual(present('a'));
  });

  it(`refuses more than ${MAX_FILTER_DEPTH} levels of nesting, at the opening that goes too deep`, () => {
    const error = syntaxErrorOf(`${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`);
    expect(error.position).toBe(MAX_FILTER_DEPTH);
    expect(error.message).toBe(
      `filter nested too deeply at position ${MAX_FILTER_DEPTH}: at most ${MAX_FILTER_DEPTH} levels of parentheses and value filters`,
    );
  });

  it('counts not (…) and value filters as levels', () => {
    const negations = `${'not ('.repeat(MAX_FILTER_DEPTH)}emails[type pr]${')'.repeat(MAX_FILTER_DEPTH)}`;
    const error = syntaxErrorOf(negations);
    expect(error.position).toBe(MAX_FILTER_DEPTH * 5 + 6);
    expect(error.message).toContain('nested too deeply');
  });

  it('survives hostile nesting without overflowing the stack', () => {
    const error = syntaxErrorOf('('.repeat(MAX_FILTER_LENGTH));
    expect(error.position).toBe(MAX_FILTER_DEPTH);
  });
});
