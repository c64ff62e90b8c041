import { describe, expect, it } from 'vitest';
import { compilePath, normalizePath, selectsElementsOf } from '../../src/template/jsonpath.js';

describe('normalizePath', () => {
  it.each([
    ['userName', "$['userName']"],
    ['members', "$['members']"],
    ['name.givenName', "$['name.givenName']"],
    ["it's", "$['it\\'s']"],
    ['say "hi"', `$['say "hi"']`],
    ['back\\slash', "$['back\\\\slash']"],
    ['tab\there', "$['tab\\there']"],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', "$['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber']"],
    ['$.name.formatted', '$.name.formatted'],
    ['$..["$ref"]', '$..["$ref"]'],
  ])('%j becomes %j', (source, normalized) => {
    expect(normalizePath(source)).toBe(normalized);
  });
});

describe('compilePath', () => {
  it('compiles a bare name with dots as one member', () => {
    const compiled = compilePath('name.givenName');
    if (!compiled.ok) throw new Error(compiled.reason);
    expect(compiled.path.query.query({ 'name.givenName': 'A', name: { givenName: 'B' } }).values()).toEqual(['A']);
  });

  it('compiles bare names with quotes and backslashes to the same member', () => {
    for (const name of ["it's", 'say "hi"', 'back\\slash', 'tab\there']) {
      const compiled = compilePath(name);
      if (!compiled.ok) throw new Error(compiled.reason);
      expect(compiled.path.query.query({ [name]: 1 }).values()).toEqual([1]);
    }
  });

  it('compiles RFC 9535 expressions from the catalog', () => {
    for (const source of [
      '$.events.*.data.emails.*',
      '$..["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value',
      '$.events..["https://schemas.openid.net/secevent/caep/event-type/session-revoked"].reason_admin.en',
    ]) {
      expect(compilePath(source).ok).toBe(true);
    }
  });

  it.each(['$.a[', '$..', '$.a b', "$[?@.a == 'x'", '$.a[?match(@.b)]'])('rejects %j with the library reason', (source) => {
    const compiled = compilePath(source);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.reason.length).toBeGreaterThan(0);
  });
});

describe('selectsElementsOf', () => {
  const selects = (source: string) => {
    const compiled = compilePath(source);
    if (!compiled.ok) throw new Error(compiled.reason);
    return selectsElementsOf(compiled.path, 'members');
  };

  it.each(['members', "$['members']", '$.members', '$["members"]', '$.members[*]', '$.members.*', "$['members'][*]"])('%j selects the members', (source) => {
    expect(selects(source)).toBe(true);
  });

  it.each(['$..members', '$.members[0]', '$.members[*, *]', '$.members[*].value', '$.members[?@.type]', '$.member', '$.groups[*]', '$[*]', '$.*.members'])(
    '%j does not',
    (source) => {
      expect(selects(source)).toBe(false);
    },
  );
});
