import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/admin/secrets.js';
import { namesWriteOnlyAttribute, redactWriteOnlyValues } from '../../src/scim/write-only-values.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('redactWriteOnlyValues', () => {
  it('redacts a POST or PUT body\'s password, in any casing, and keeps the rest as sent', () => {
    const body = { schemas: [USER], userName: 'jdoe', password: 'secret123', name: { givenName: 'J' }, emails: [{ value: 'j@example.com' }] };
    expect(redactWriteOnlyValues(body)).toEqual({ ...body, password: REDACTED });
    expect(redactWriteOnlyValues({ userName: 'jdoe', PassWord: 'secret123' })).toEqual({ userName: 'jdoe', PassWord: REDACTED });
  });

  it('redacts URN-qualified passwords and passwords under the core schema\'s object', () => {
    expect(redactWriteOnlyValues({ [`${USER}:password`]: 'secret123' })).toEqual({ [`${USER}:password`]: REDACTED });
    expect(redactWriteOnlyValues({ [USER]: { password: 'secret123', title: 'x' } })).toEqual({ [USER]: { password: REDACTED, title: 'x' } });
  });

  it('redacts any password value, not only strings', () => {
    expect(redactWriteOnlyValues({ password: { value: 'secret123' } })).toEqual({ password: REDACTED });
    expect(redactWriteOnlyValues({ password: 123456 })).toEqual({ password: REDACTED });
  });

  it('redacts PATCH values: no-path value objects and operations whose path names the password', () => {
    const body = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { password: 'Hunter2', active: true } },
        { op: 'replace', path: 'password', value: 'Hunter2' },
        { Op: 'Replace', Path: `${USER}:Password`, Value: 'Hunter2' },
        { op: 'add', value: { [`${USER}:password`]: 'Hunter2' } },
        { op: 'replace', path: 'title', value: 'Engineer' },
      ],
    };
    expect(redactWriteOnlyValues(body)).toEqual({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { password: REDACTED, active: true } },
        { op: 'replace', path: 'password', value: REDACTED },
        { Op: 'Replace', Path: `${USER}:Password`, Value: REDACTED },
        { op: 'add', value: { [`${USER}:password`]: REDACTED } },
        { op: 'replace', path: 'title', value: 'Engineer' },
      ],
    });
  });

  it('redacts Bulk operations\' data', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER], userName: 'a', password: 'secret123' } },
        { method: 'PATCH', path: '/Users/1', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: 'Hunter2' }] } },
      ],
    };
    expect(JSON.stringify(redactWriteOnlyValues(body))).not.toMatch(/secret123|Hunter2/);
    expect(redactWriteOnlyValues(body)).toMatchObject({ Operations: [{ path: '/Users', bulkId: 'a', data: { userName: 'a', password: REDACTED } }, { path: '/Users/1' }] });
  });

  it('leaves bodies without a password, and non-objects, as they are', () => {
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "x"', excludedAttributes: ['password'] };
    expect(redactWriteOnlyValues(search)).toEqual(search);
    expect(redactWriteOnlyValues('password')).toBe('password');
    expect(redactWriteOnlyValues(undefined)).toBeUndefined();
  });

  it('returns a body without write-only values itself, and copies only what leads to one', () => {
    const claims = { jti: 'a', sub_id: { uri: '/Users/1' }, events: { create: { data: { userName: 'a', emails: [{ value: 'a@example.com' }] } } } };
    expect(redactWriteOnlyValues(claims)).toBe(claims);
    const withPassword = { ...claims, events: { create: { data: { ...claims.events.create.data, password: 'secret123' } } } };
    const redacted = redactWriteOnlyValues(withPassword) as typeof withPassword;
    expect(redacted).not.toBe(withPassword);
    expect(redacted.events.create.data.password).toBe(REDACTED);
    expect(redacted.sub_id).toBe(claims.sub_id);
    expect(redacted.events.create.data.emails).toBe(claims.events.create.data.emails);
  });

  it('keeps a "__proto__" key as data when it copies', () => {
    const body = JSON.parse('{"__proto__": {"password": "secret123"}, "userName": "a"}') as Record<string, unknown>;
    const redacted = redactWriteOnlyValues(body) as Record<string, unknown>;
    expect(JSON.stringify(redacted)).toBe('{"__proto__":{"password":"[redacted]"},"userName":"a"}');
  });

  it('does not change the body it was given', () => {
    const body = { userName: 'jdoe', password: 'secret123' };
    redactWriteOnlyValues(body);
    expect(body.password).toBe('secret123');
  });
});

describe('namesWriteOnlyAttribute', () => {
  it.each(['password', 'PASSWORD', `${USER}:password`, 'password[value eq "x"]', 'name.password'])('%s names one', (reference) => {
    expect(namesWriteOnlyAttribute(reference)).toBe(true);
  });
  it.each(['userName', 'passwordHint', 'emails[value eq "password"].value', USER, '/Users/1'])('%s does not', (reference) => {
    expect(namesWriteOnlyAttribute(reference)).toBe(false);
  });
});
