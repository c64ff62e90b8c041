import { describe, expect, it } from 'vitest';
import { GROUP_APART, PATCH_OP_SCHEMA, bjensen, group, message, refused } from './fixtures.js';

describe('the PatchOp message', () => {
  it.each([
    ['a body that is not an object', [], 'invalidSyntax', 'body: must be a PatchOp object, found an array'],
    ['missing schemas', { Operations: [{ op: 'add', path: 'nickName', value: 'B' }] }, 'invalidSyntax', `schemas: must list "${PATCH_OP_SCHEMA}", found nothing`],
    ['the wrong schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'remove', path: 'nickName' }] }, 'invalidSyntax', `schemas: must list "${PATCH_OP_SCHEMA}", found an array`],
    ['missing Operations', { schemas: [PATCH_OP_SCHEMA] }, 'invalidSyntax', 'Operations: must be a non-empty array, found nothing'],
    ['empty Operations', message(), 'invalidSyntax', 'Operations: must be a non-empty array, found an array'],
    ['an operation that is not an object', message('add'), 'invalidSyntax', 'Operations[0]: must be an object, found the string "add"'],
    ['an unknown op', message({ op: 'move', path: 'nickName', value: 'B' }), 'invalidSyntax', 'Operations[0].op: must be "add", "remove" or "replace", found the string "move"'],
    ['a missing op', message({ path: 'nickName', value: 'B' }), 'invalidSyntax', 'Operations[0].op: must be "add", "remove" or "replace", found nothing'],
    ['a path that is not a string', message({ op: 'add', path: 3, value: 'B' }), 'invalidPath', 'Operations[0].path: must be a string, found the number 3'],
    ['add without a value', message({ op: 'add', path: 'nickName' }), 'invalidValue', 'Operations[0].value: add needs a value'],
    ['replace without a value', message({ op: 'Replace', path: 'nickName' }), 'invalidValue', 'Operations[0].value: replace needs a value'],
    ['no-path add of a non-object', message({ op: 'add', value: 'B' }), 'invalidValue', 'Operations[0].value: add without a path needs an object of attributes, found the string "B"'],
    ['remove without a path', message({ op: 'remove', value: { nickName: 'B' } }), 'noTarget', 'Operations[0].path: remove needs a path naming what to remove'],
  ])('refuses %s', (_case, body, scimType, detail) => {
    const error = refused(bjensen(), body);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toBe(detail);
  });
});

describe('paths', () => {
  it.each([
    ['', 'invalidPath', 'Operations[0].path: the path is empty'],
    ['name..givenName', 'invalidPath', 'Operations[0].path: "name..givenName" is not a valid path: use attribute, attribute.subAttribute or attribute[filter].subAttribute'],
    ['name.given name', 'invalidPath', 'Operations[0].path: "name.given name" is not a valid path: "given name" is not an attribute name'],
    ['1emails', 'invalidPath', 'Operations[0].path: "1emails" is not a valid path: "1emails" is not an attribute name'],
    ['emails[type eq "work"', 'invalidPath', 'Operations[0].path: "emails[type eq \\"work\\"" is not a valid path: "[" is never closed'],
    ['emails[type eq "work"]value', 'invalidPath', 'Operations[0].path: "emails[type eq \\"work\\"]value" is not a valid path: only ".subAttribute" may follow "]"'],
    ['emails.value[type eq "work"]', 'invalidPath', 'Operations[0].path: "emails.value[type eq \\"work\\"]" is not a valid path: use attribute, attribute.subAttribute or attribute[filter].subAttribute'],
    ['emails[type eq work]', 'invalidFilter', 'Operations[0].path: "type eq work" in "emails[type eq work]": work is not a string, number, true, false or null'],
    ['emails[type ne "work"]', 'invalidFilter', 'Operations[0].path: "type ne \\"work\\"" in "emails[type ne \\"work\\"]": unsupported comparison "ne": value filters support "eq" joined by "and"'],
    ['emails[type eq "work" or type eq "home"]', 'invalidFilter', 'Operations[0].path: "type eq \\"work\\" or type eq \\"home\\"" in "emails[type eq \\"work\\" or type eq \\"home\\"]": unsupported operator "or": value filters support "eq" joined by "and"'],
    ['emails[]', 'invalidFilter', 'Operations[0].path: "" in "emails[]": the filter is empty'],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:displayName', 'invalidPath', 'Operations[0].path: "urn:ietf:params:scim:schemas:core:2.0:Group:displayName" does not name an attribute of this resource\'s schema urn:ietf:params:scim:schemas:core:2.0:User'],
  ])('refuses %j', (path, scimType, detail) => {
    const error = refused(bjensen(), message({ op: 'replace', path, value: 'x' }));
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toBe(detail);
  });

  it('names the key of a no-path value whose path is malformed', () => {
    const error = refused(bjensen(), message({ op: 'Replace', value: { displayName: 'ok', 'name..givenName': 'x' } }));
    expect(error.detail).toBe('Operations[0].value["name..givenName"]: "name..givenName" is not a valid path: use attribute, attribute.subAttribute or attribute[filter].subAttribute');
  });

  it.each(['add', 'replace', 'remove'])('refuses a filter on a single-valued attribute that is not complex (%s)', (op) => {
    const error = refused(bjensen(), message({ op, path: 'displayName[value eq "Babs Jensen"]', value: 'x' }));
    expect(error.scimType).toBe('invalidPath');
    expect(error.detail).toBe('Operations[0].path: displayName is a single value, not complex; a filter ("[…]") selects complex values');
  });

  it('refuses a filtered replace on a single-valued complex attribute whose value the filter does not select', () => {
    const error = refused(bjensen(), message({ op: 'replace', path: 'name[givenName eq "Betty"].familyName', value: 'x' }));
    expect(error).toMatchObject({ scimType: 'noTarget', detail: 'Operations[0].path: "name[givenName eq \\"Betty\\"].familyName" matches no value of name, and name holds another' });
  });

  it('refuses a filter on an unknown attribute holding a single value', () => {
    const error = refused({ ...bjensen(), custom: 'x' }, message({ op: 'remove', path: 'custom[value eq "x"]' }));
    expect(error.scimType).toBe('invalidPath');
  });

  it('refuses a sub-attribute of a multi-valued attribute without a filter', () => {
    const error = refused(bjensen(), message({ op: 'replace', path: 'emails.value', value: 'x' }));
    expect(error).toMatchObject({ scimType: 'invalidPath', detail: 'Operations[0].path: emails is multi-valued: select its values with a filter, as in emails[type eq "work"].value' });
  });

  it('refuses a sub-attribute of a simple attribute', () => {
    expect(refused(bjensen(), message({ op: 'replace', path: 'userName.first', value: 'x' })).scimType).toBe('invalidPath');
  });

  it('answers noTarget for a filtered replace that matches nothing and describes no value', () => {
    const error = refused(bjensen(), message({ op: 'replace', path: 'emails[type eq "a" and type eq "b"].value', value: 'x' }));
    expect(error.scimType).toBe('noTarget');
  });
});

describe('read-only and required attributes', () => {
  it.each([
    [{ op: 'replace', path: 'id', value: 'other' }, 'Operations[0].path: id is read-only'],
    [{ op: 'remove', path: 'id' }, 'Operations[0].path: id is read-only'],
    [{ op: 'replace', path: 'meta.lastModified', value: '2030-01-01T00:00:00Z' }, 'Operations[0].path: meta is read-only'],
    [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }, 'Operations[0].path: groups is read-only'],
    [{ op: 'replace', value: { ID: 'other' } }, 'Operations[0].value["ID"]: id is read-only'],
    [{ op: 'remove', path: 'userName' }, 'Operations[0].path: userName is required and cannot be removed'],
    [{ op: 'replace', path: 'userName', value: null }, 'Operations[0].path: userName is required and cannot be removed'],
    [{ op: 'remove', path: 'schemas' }, "Operations[0]: schemas must keep the resource's schema urn:ietf:params:scim:schemas:core:2.0:User"],
  ])('refuses %j with mutability', (operation, detail) => {
    const error = refused(bjensen(), message(operation));
    expect(error.scimType).toBe('mutability');
    expect(error.detail).toBe(detail);
  });

  it('refuses removing a Group’s displayName', () => {
    expect(refused(group(), message({ op: 'remove', path: 'displayName' }), GROUP_APART).scimType).toBe('mutability');
  });
});

describe('value types', () => {
  it.each([
    [{ op: 'replace', path: 'active', value: 'maybe' }, 'Operations[0].value: active expects a boolean (true, false, "True" or "False"), found the string "maybe"'],
    [{ op: 'replace', value: { active: 1 } }, 'Operations[0].value["active"]: active expects a boolean (true, false, "True" or "False"), found the number 1'],
    [{ op: 'replace', path: 'userName', value: 42 }, 'Operations[0].value: userName expects a string, found the number 42'],
    [{ op: 'replace', path: 'name', value: 'Barbara Jensen' }, 'Operations[0].value: name expects an object, found the string "Barbara Jensen"'],
    [{ op: 'add', path: 'emails', value: ['b@example.com'] }, 'Operations[0].value[0]: emails expects an object, found the string "b@example.com"'],
    [{ op: 'add', path: 'emails', value: [{ value: 'b@example.com', primary: 'yes' }] }, 'Operations[0].value[0].primary: primary expects a boolean (true, false, "True" or "False"), found the string "yes"'],
    [{ op: 'replace', path: 'emails[type eq "work"]', value: 'b@example.com' }, 'Operations[0].value: emails expects an object, found the string "b@example.com"'],
    [{ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: 7 }, 'Operations[0].value: manager expects an object, found the number 7'],
    [{ op: 'add', path: 'emails', value: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: true }] }, 'Operations[0].value: 2 values have "primary": true; at most one may'],
    [{ op: 'replace', path: 'password', value: 987654 }, 'Operations[0].value: password expects a string, found a number'],
    [{ op: 'replace', value: { password: true } }, 'Operations[0].value["password"]: password expects a string, found a boolean'],
  ])('refuses %j with invalidValue', (operation, detail) => {
    const error = refused(bjensen(), message(operation));
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toBe(detail);
  });
});
