import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../src/scim/filter/index.js';
import { filterToSql, type SqlDialect } from '../../../src/scim/filter/to-sql.js';

function translate(filter: string, resourceType: 'User' | 'Group' = 'User') {
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
    expect(translate('userName eq "a" and nickName pr')).toMatchObject({ sql: '(r.name_ci = $1 AND 1=1)', exact: false });
    expect(translate('not (title eq "b") and userName eq "a"')).toEqual({ sql: '(1=1 AND r.name_ci = $1)', exact: false, params: ['a'] });
    expect(translate('not (userName sw "a")')).toMatchObject({ sql: 'NOT coalesce(starts(r.name_ci, $1), 1=0)', exact: true });
  });

  it('leaves date-time comparisons to the evaluator, which compares them as instants', () => {
    expect(translate('userName eq "2024-01-01T00:00:00Z"')).toEqual({ sql: '1=1', exact: false, params: [] });
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

  it('narrows tests on document attributes with a case-folded superset', () => {
    expect(translate('title eq "Boss"')).toEqual({ sql: 'fold(json(title)) = $1', exact: false, params: ['boss'] });
    expect(translate('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m1"').sql).toBe(
      'fold(json(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager.value)) = $1',
    );
    expect(translate('emails[type eq "work"].value eq "a@b.c"')).toEqual({ sql: 'ANY(emails: fold(e.type) = $1 AND fold(e.value) = $2)', exact: false, params: ['work', 'a@b.c'] });
    expect(translate('emails co "example"').sql).toBe('ANY(emails: contains(fold(e.value), $1))');
    expect(translate('active eq true')).toEqual({ sql: '1=1', exact: false, params: [] });
    expect(translate('x-custom eq "a"')).toEqual({ sql: '1=1', exact: false, params: [] });
  });

  it('treats a number or boolean compared with a text column as matching nothing', () => {
    expect(translate('userName eq 5')).toMatchObject({ sql: '1=0', exact: true });
  });
});
