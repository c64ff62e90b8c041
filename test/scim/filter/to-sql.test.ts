import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../src/scim/filter/index.js';
import { filterToSql, type SqlDialect } from '../../../src/scim/filter/to-sql.js';

/** `undecided`: fold as PostgreSQL does, leaving text outside ASCII to the evaluator. */
function translate(filter: string, resourceType: 'User' | 'Group' = 'User', options: { undecided?: boolean } = {}) {
  const params: unknown[] = [];
  const dialect: SqlDialect = {
    param(value) {
      params.push(value);
      return `$${params.length}`;
    },
    mark: () => params.length,
    reset(mark) {
      params.length = mark;
    },
    fold: (expression) => `fold(${expression})`,
    contains: (expression, value) => `contains(${expression}, ${dialect.param(value)})`,
    startsWith: (expression, value) => `starts(${expression}, ${dialect.param(value)})`,
    endsWith: (expression, value) => `ends(${expression}, ${dialect.param(value)})`,
    jsonText: (path) => `json(${path.join('.')})`,
    elementsExist: (path, condition) => `ANY(${path.join('.')}: ${condition})`,
    elementText: (key) => `e.${key}`,
    jsonIs: (ref, kind) => `is(${'key' in ref ? `e.${ref.key}` : ref.path.join('.')}, ${kind})`,
    foldText: (text) => ({ text: `fold(${text})`, ...(options.undecided ? { undecided: `odd(${text})` } : {}) }),
    order: (expression, sign, value) => `${expression} ${sign} ${dialect.param(value)}`,
    compareInstant: (column, op, instant, folded) => `instant(${column} ${op} ${dialect.param(instant)}, ${dialect.param(folded)})`,
    renderedTime: (column) => ({ text: `rendered(${column})` }),
  };
  const condition = filterToSql(parseFilter(filter), { resourceType, membersExists: (inner) => `EXISTS(${inner})`, groupsExists: (inner) => `GROUPS(${inner})` }, dialect);
  return { ...condition, params };
}

describe('filterToSql', () => {
  it('turns eq on userName into a lookup of the case-folded column', () => {
    expect(translate('userName eq "Bjensen@Example.com"')).toEqual({ sql: 'r.name_ci = $1', exact: true, params: ['bjensen@example.com'] });
  });

  it('compares id and externalId case-exactly, NULL-safe for externalId', () => {
    expect(translate('externalId eq "E-1"')).toEqual({ sql: 'coalesce(r.external_id = $1, 1=0)', exact: true, params: ['E-1'] });
    expect(translate('id eq "A"').sql).toBe('r.id = $1');
  });

  it('keeps and/or exact only when both sides are, and drops the parameters of a given-up not', () => {
    expect(translate('userName eq "a" and name pr')).toMatchObject({ sql: '(r.name_ci = $1 AND is(name, object))', exact: false });
    expect(translate('userName eq "a" and nickName pr')).toMatchObject({ sql: "(r.name_ci = $1 AND json(nickName) <> '')", exact: true });
    expect(translate('not (title eq "b") and userName eq "a"', 'User', { undecided: true })).toEqual({ sql: '(1=1 AND r.name_ci = $1)', exact: false, params: ['a'] });
    expect(translate('not (title eq "b")')).toEqual({ sql: 'NOT coalesce(fold(json(title)) = $1, 1=0)', exact: true, params: ['b'] });
    expect(translate('not (userName sw "a")')).toMatchObject({ sql: 'NOT coalesce(starts(r.name_ci, $1), 1=0)', exact: true });
  });

  it('leaves date-time comparisons to the evaluator, which compares them as instants', () => {
    expect(translate('userName eq "2024-01-01T00:00:00Z"')).toEqual({ sql: '1=1', exact: false, params: [] });
    expect(translate('userName eq "2024-01-01t00:00:00+01:00"')).toEqual({ sql: '1=1', exact: false, params: [] });
  });

  it('leaves ordering by code points above U+D800 to the evaluator, whose code unit order differs there', () => {
    expect(translate('userName lt "\u{1F600}"')).toEqual({ sql: '1=1', exact: false, params: [] });
    expect(translate('userName gt "\uFF3A"')).toEqual({ sql: '1=1', exact: false, params: [] });
    expect(translate('userName sw "\u{1F600}"')).toMatchObject({ exact: true });
    expect(translate('userName gt "z"')).toMatchObject({ sql: 'r.name_ci > $1', exact: true });
  });

  it('answers Group member filters from the members table', () => {
    expect(translate('members[value eq "u1" and type eq "User"]', 'Group')).toEqual({
      sql: 'EXISTS((fold(m.value) = $1 AND coalesce(fold(m.type) = $2, 1=0)) AND 1=1)',
      exact: true,
      params: ['u1', 'user'],
    });
    expect(translate('members.value ne "u1"', 'Group').sql).toBe('NOT EXISTS(fold(m.value) = $1)');
    expect(translate('members eq null', 'Group').sql).toBe("NOT EXISTS(fold(m.value) <> '')");
  });

  it('tests document text case-folded, exactly where the backend folds as JavaScript does', () => {
    expect(translate('title eq "Boss"')).toEqual({ sql: 'fold(json(title)) = $1', exact: true, params: ['boss'] });
    expect(translate('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m1"').sql).toBe(
      'fold(json(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager.value)) = $1',
    );
    expect(translate('emails[type eq "work"].value eq "a@b.c"')).toEqual({ sql: 'ANY(emails: (fold(e.type) = $1 AND fold(e.value) = $2))', exact: true, params: ['work', 'a@b.c'] });
    expect(translate('emails co "example"').sql).toBe('ANY(emails: contains(fold(e.value), $1))');
    expect(translate('title sw ""')).toMatchObject({ sql: 'fold(json(title)) IS NOT NULL', exact: true });
    expect(translate('manager.$ref eq "https://x/Users/A"').sql).toBe('1=1');
    expect(translate('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.$ref eq "https://x/Users/A"')).toMatchObject({ exact: true, params: ['https://x/Users/A'] });
  });

  it('keeps text the backend may fold otherwise as candidates, on both sides of a negation', () => {
    const pg = (filter: string) => translate(filter, 'User', { undecided: true });
    expect(pg('title eq "Boss"')).toEqual({ sql: '(odd(json(title)) OR fold(json(title)) = $1)', exact: false, params: ['boss'] });
    expect(pg('title ne "Boss"')).toEqual({
      sql: 'NOT coalesce((NOT coalesce(odd(json(title)), 1=0) AND fold(json(title)) = $1), 1=0)',
      exact: false,
      params: ['boss'],
    });
    expect(pg('emails[not (type eq "work")]')).toMatchObject({
      sql: 'ANY(emails: (NOT coalesce((NOT coalesce(odd(e.type), 1=0) AND fold(e.type) = $1), 1=0) AND 1=1))',
      exact: false,
    });
  });

  it('orders document text unless date-times or code units above U+D800 could order it otherwise', () => {
    expect(translate('title gt "M"')).toEqual({ sql: 'fold(json(title)) > $1', exact: true, params: ['m'] });
    expect(translate('title le "\uE000"')).toEqual({ sql: '1=1', exact: false, params: [] });
    expect(translate('title lt "2025-01-01T00:00:00Z"')).toEqual({ sql: '1=1', exact: false, params: [] });
    expect(translate('title gt 5')).toMatchObject({ sql: '1=0', exact: true });
  });

  it('tests booleans by their JSON type, and never matches a boolean with another type', () => {
    expect(translate('active eq true')).toEqual({ sql: 'is(active, true)', exact: true, params: [] });
    expect(translate('active ne false')).toMatchObject({ sql: 'NOT coalesce(is(active, false), 1=0)', exact: true });
    expect(translate('active pr')).toMatchObject({ sql: 'is(active, boolean)', exact: true });
    expect(translate('active eq null')).toMatchObject({ sql: 'NOT coalesce(is(active, boolean), 1=0)', exact: true });
    expect(translate('active eq "true"')).toMatchObject({ sql: '1=0', exact: true });
    expect(translate('active ne 1')).toMatchObject({ sql: '1=1', exact: true });
    expect(translate('emails[primary eq true]')).toMatchObject({ sql: 'ANY(emails: (is(e.primary, true) AND 1=1))', exact: true });
    expect(translate('emails.primary ne true')).toMatchObject({ sql: 'NOT coalesce(ANY(emails: is(e.primary, true)), 1=0)', exact: true });
    // matchesFilter refuses to order a boolean value; the candidates that have one must reach it.
    expect(translate('active gt "a"')).toEqual({ sql: '1=1', exact: false, params: [] });
  });

  it('answers meta from the columns it is rendered from', () => {
    expect(translate('meta.lastModified gt "2025-01-01T01:00:00+01:00"')).toEqual({
      sql: 'instant(r.modified_at gt $1, $2)',
      exact: true,
      params: [Date.UTC(2025, 0, 1), '2025-01-01t01:00:00+01:00'],
    });
    expect(translate('meta.created sw "2025"')).toEqual({ sql: 'starts(rendered(r.created_at), $1)', exact: true, params: ['2025'] });
    expect(translate('meta.created pr')).toMatchObject({ sql: '1=1', exact: true });
    expect(translate('meta.created eq 5')).toMatchObject({ sql: '1=0', exact: true });
    expect(translate('meta.resourceType eq "User"')).toMatchObject({ sql: '1=1', exact: true });
    expect(translate('meta.resourceType eq "User"', 'Group')).toMatchObject({ sql: '1=0', exact: true });
    expect(translate('meta.location pr')).toMatchObject({ sql: '1=1', exact: false });
  });

  it('narrows pr on a complex value to a superset, and leaves what it cannot read', () => {
    expect(translate('name pr')).toEqual({ sql: 'is(name, object)', exact: false, params: [] });
    expect(translate('emails pr')).toMatchObject({ sql: 'ANY(emails: 1=1)', exact: false });
    expect(translate('not (name pr)')).toMatchObject({ sql: '1=1', exact: false });
    expect(translate('urn:ietf:params:scim:schemas:core:2.0:User:title eq "x"')).toEqual(translate('title eq "x"'));
    expect(translate('x-custom eq "a"')).toEqual({ sql: '1=1', exact: false, params: [] });
  });

  it('treats a number or boolean compared with a text column as matching nothing', () => {
    expect(translate('userName eq 5')).toMatchObject({ sql: '1=0', exact: true });
  });
});
