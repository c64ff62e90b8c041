import { describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA, GROUP, GROUP_APART, USER_SCHEMA, entraUser, group, patched, succeeds } from './fixtures.js';

// The bodies below are what Entra ID's provisioning service sends, as Microsoft's SCIM documentation shows them.

describe('Entra ID user PATCH', () => {
  it('accepts capitalised op names', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' },
        { op: 'Add', path: 'nickName', value: 'Babs' },
        { op: 'Remove', path: 'name.familyName' },
      ],
    };
    const user = patched(entraUser(), body);
    expect(user.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
    expect(user.nickName).toBe('Babs');
    expect(user.name).toEqual({ givenName: 'givenName' });
  });

  it('disables a user with active "False"', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    };
    expect(patched(entraUser(), body).active).toBe(false);
  });

  it('converts "True" and "False" for boolean sub-attributes and in no-path values', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', value: { active: 'True' } },
        { op: 'Add', path: 'phoneNumbers', value: [{ type: 'mobile', value: '+1 555 0100', primary: 'False' }] },
      ],
    };
    const user = patched({ ...entraUser(), active: false }, body);
    expect(user.active).toBe(true);
    expect(user.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100', primary: false }]);
  });

  it('applies a no-path replace whose keys are dotted, filtered and URN-prefixed', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Replace',
          value: {
            displayName: 'Pvlo',
            'emails[type eq "work"].value': 'TestBcwqnm@test.microsoft.com',
            'name.givenName': 'Gtfd',
            'name.familyName': 'Pkqf',
            externalId: 'Eqpj',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Eqpj',
          },
        },
      ],
    };
    expect(patched(entraUser(), body)).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id: '48af03ac28ad4fb88478',
      externalId: 'Eqpj',
      userName: 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081',
      active: true,
      displayName: 'Pvlo',
      name: { familyName: 'Pkqf', givenName: 'Gtfd' },
      emails: [{ primary: true, type: 'work', value: 'TestBcwqnm@test.microsoft.com' }],
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: 'Eqpj' },
    });
  });

  it('stores a manager sent as a bare string as {value}', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: '2819c223-7f76-453a-919d-413861904646' },
      ],
    };
    const user = patched(entraUser(), body);
    expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: '2819c223-7f76-453a-919d-413861904646' } });
    expect(user.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('replaces a manager, dropping the previous manager’s displayName', () => {
    const before = {
      ...entraUser(),
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'old-manager', displayName: 'Old Manager' } },
    };
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: 'new-manager' }],
    };
    expect(patched(before, body)[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales', manager: { value: 'new-manager' } });
  });

  it('removes the manager and, with it, the emptied extension', () => {
    const before = {
      ...entraUser(),
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'old-manager' } },
    };
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager' }],
    };
    expect(patched(before, body)).toEqual(entraUser());
  });

  describe('a value filter on the single-valued manager, read as a one-element list', () => {
    const MANAGER = `${ENTERPRISE_USER_SCHEMA}:manager`;
    const managed = () => ({
      ...entraUser(),
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'mgr-1', displayName: 'Manager One' } },
    });
    const remove = (path: string) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Remove', path }] });

    it.each([`${MANAGER}[value eq "mgr-1"]`, 'manager[value eq "mgr-1"]', 'MANAGER[VALUE eq "mgr-1"]'])('removes the manager the filter matches: %s', (path) => {
      expect(patched(managed(), remove(path))[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales' });
    });

    it('removes the emptied extension with the manager', () => {
      const before = { ...managed(), [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'mgr-1' } } };
      expect(patched(before, remove(`${MANAGER}[value eq "mgr-1"]`))).toEqual({ ...entraUser(), schemas: [USER_SCHEMA] });
    });

    it.each([`${MANAGER}[value eq "mgr-2"]`, 'manager[value eq "mgr-2"]'])('changes nothing when the filter matches another manager: %s', (path) => {
      const result = succeeds(managed(), remove(path));
      expect(result.modified).toBe(false);
      expect(result.resource).toEqual(managed());
    });

    it('changes nothing when there is no manager', () => {
      expect(succeeds(entraUser(), remove(`${MANAGER}[value eq "mgr-1"]`)).modified).toBe(false);
    });

    it('replaces a sub-attribute of the manager the filter matches', () => {
      const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: `${MANAGER}[value eq "mgr-1"].displayName`, value: 'Boss' }] };
      expect(patched(managed(), body)[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales', manager: { value: 'mgr-1', displayName: 'Boss' } });
    });
  });

  describe('enterprise attributes named without the URN prefix', () => {
    it.each([
      ['Replace', 'department', 'Tour Operations'],
      ['Add', 'employeeNumber', '701984'],
      ['replace', 'costCenter', '4130'],
    ])('%s %s changes the enterprise extension, not a top-level attribute', (op, path, value) => {
      const user = patched(entraUser(), { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op, path, value }] });
      expect(user[path]).toBeUndefined();
      expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({ [path]: value });
      expect(user.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    });

    it('adds a manager sent as a bare id, and reads no-path keys the same way', () => {
      const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Add', path: 'manager', value: 'mgr-9' }, { op: 'Replace', value: { department: 'Sales' } }] };
      expect(patched(entraUser(), body)[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: 'mgr-9' }, department: 'Sales' });
    });

    it('removes an unprefixed enterprise attribute', () => {
      const before = { ...entraUser(), schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', costCenter: '4130' } };
      const user = patched(before, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Remove', path: 'department' }] });
      expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({ costCenter: '4130' });
    });

    it('leaves core attributes where they are', () => {
      const user = patched(entraUser(), { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'displayName', value: 'Babs' }] });
      expect(user.displayName).toBe('Babs');
      expect(user[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
    });
  });

  it('keeps roles whose values are JSON-encoded strings as the strings sent', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Add',
          path: 'roles',
          value: [{ value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' }],
        },
      ],
    };
    expect(patched(entraUser(), body).roles).toEqual([
      { value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' },
    ]);
  });

  it('replaces emails[type eq "work"].value on the work e-mail', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    };
    const user = patched(entraUser(), body);
    expect(user.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(user.name).toEqual({ familyName: 'updatedFamilyName', givenName: 'givenName' });
  });

  it('adds a work e-mail when replace on emails[type eq "work"].value finds none', () => {
    const before = { ...entraUser(), emails: [{ type: 'home', value: 'home@example.org' }] };
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' }],
    };
    expect(patched(before, body).emails).toEqual([
      { type: 'home', value: 'home@example.org' },
      { type: 'work', value: 'updatedEmail@microsoft.com' },
    ]);
  });

  it('adds the emails attribute when the user has none', () => {
    const { emails: _emails, ...before } = entraUser();
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' }],
    };
    expect(patched(before, body).emails).toEqual([{ type: 'work', value: 'updatedEmail@microsoft.com' }]);
  });
});

describe('Entra ID group PATCH', () => {
  it('adds members, dropping "$ref": null', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
    };
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([{ kind: 'add', members: [{ value: 'f648f8d5ea4e4cd38e9c' }] }]);
  });

  it('removes only the members listed in a remove of path "members" with a value array', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
    };
    expect(succeeds(group(), body, GROUP_APART).memberChanges).toEqual([{ kind: 'remove', values: ['f648f8d5ea4e4cd38e9c'] }]);
    const withMembers = { ...group(), members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'a2f2d7f1c0e44b1c9d35' }] };
    expect(patched(withMembers, body, GROUP).members).toEqual([{ value: 'a2f2d7f1c0e44b1c9d35' }]);
  });

  it('returns several membership changes of one PATCH in order', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Add', path: 'members', value: [{ value: 'user-1' }, { value: 'user-2' }, { value: 'user-1' }] },
        { op: 'Remove', path: 'members', value: [{ value: 'user-3' }, { value: 'user-4' }] },
        { op: 'Add', path: 'members', value: [{ value: 'group-5', type: 'Group' }] },
        { op: 'Replace', path: 'displayName', value: 'Renamed' },
      ],
    };
    const result = succeeds(group(), body, GROUP_APART);
    expect(result.memberChanges).toEqual([
      { kind: 'add', members: [{ value: 'user-1' }, { value: 'user-2' }] },
      { kind: 'remove', values: ['user-3', 'user-4'] },
      { kind: 'add', members: [{ value: 'group-5', type: 'Group' }] },
    ]);
    expect(result.resource).toEqual({ ...group(), displayName: 'Renamed' });
  });

  it('renames a group with a capitalised Replace', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
    };
    expect(patched(group(), body, GROUP_APART).displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });
});
