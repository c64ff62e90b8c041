import { describe, expect, it } from 'vitest';
import { GROUP, GROUP_APART, bjensen, group, patched, refused, succeeds } from './fixtures.js';

// The bodies below are what Okta sends, as its SCIM 2.0 provisioning documentation shows them.

describe('Okta user PATCH', () => {
  it('deactivates a user with a no-path replace of active', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    };
    const result = succeeds(bjensen(), body);
    expect(result.resource).toEqual({ ...bjensen(), active: false });
    expect(result.modified).toBe(true);
  });

  it('reactivates a user the same way', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: true } }],
    };
    expect(patched({ ...bjensen(), active: false }, body).active).toBe(true);
  });

  it('reports an unchanged resource when the user is already inactive', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    };
    expect(succeeds({ ...bjensen(), active: false }, body).modified).toBe(false);
  });
});

describe('Okta group push', () => {
  it('renames a group with replace {id, displayName}, ignoring the unchanged id', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2 renamed' } }],
    };
    expect(patched(group(), body, GROUP_APART)).toEqual({ ...group(), displayName: 'Test SCIMv2 renamed' });
  });

  it('refuses a rename whose id differs from the group id (mutability)', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { id: 'another-id', displayName: 'Test SCIMv2 renamed' } }],
    };
    const error = refused(group(), body, GROUP_APART);
    expect(error.scimType).toBe('mutability');
    expect(error.detail).toBe('Operations[0].value["id"]: id is read-only');
  });

  it('removes a member by filter without a value', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' }],
    };
    const result = succeeds(group(), body, GROUP_APART);
    expect(result.memberChanges).toEqual([{ kind: 'remove', values: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] }]);
    expect(result.resource).toEqual(group());
  });

  it('removes a member by filter with a value, which it ignores', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'remove',
          path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]',
          value: [{ value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'test.user@okta.local' }],
        },
      ],
    };
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([
      { kind: 'remove', values: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] },
    ]);
  });

  it('adds members with path members and values without type', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'add',
          path: 'members',
          value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }],
        },
      ],
    };
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([
      { kind: 'add', members: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
    ]);
  });

  it('updates membership with a remove and an add in one PATCH, in order', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
        { op: 'add', path: 'members', value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
      ],
    };
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([
      { kind: 'remove', values: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] },
      { kind: 'add', members: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
    ]);
  });

  it('applies the same member changes in place when members are in the resource', () => {
    const withMembers = {
      ...group(),
      members: [
        { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'old.user@okta.local' },
        { value: 'c3f3f0e0-0000-4000-8000-000000000001', display: 'kept.user@okta.local' },
      ],
    };
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
        { op: 'add', path: 'members', value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
      ],
    };
    expect(patched(withMembers, body, GROUP).members).toEqual([
      { value: 'c3f3f0e0-0000-4000-8000-000000000001', display: 'kept.user@okta.local' },
      { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
    ]);
  });
});
