import { describe, expect, it } from 'vitest';
import { parsePath, type PathSchemas } from '../../../src/scim/patch/path.js';
import { equalityFilters } from '../../../src/scim/patch/index.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA, bjensen, message, patched } from './fixtures.js';

const schemas: PathSchemas = {
  core: USER_SCHEMA,
  cores: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:core:2.0:Group'],
  extensions: [ENTERPRISE_USER_SCHEMA],
};

const parse = (text: string) => {
  const { filter, ...path } = parsePath(text, schemas, equalityFilters, 'path');
  return filter === undefined ? path : { ...path, filter: filter.text };
};

describe('parsePath', () => {
  it.each([
    ['userName', { attribute: 'userName' }],
    ['name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
    ['members.$ref', { attribute: 'members', subAttribute: '$ref' }],
    ['emails[type eq "work"]', { attribute: 'emails', filter: 'type eq "work"' }],
    ['emails[type eq "work"].value', { attribute: 'emails', filter: 'type eq "work"', subAttribute: 'value' }],
    ['emails[value eq "a]b"].display', { attribute: 'emails', filter: 'value eq "a]b"', subAttribute: 'display' }],
    [`${USER_SCHEMA}:name.familyName`, { attribute: 'name', subAttribute: 'familyName' }],
    [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`, { schema: ENTERPRISE_USER_SCHEMA, attribute: 'employeeNumber' }],
    [`${ENTERPRISE_USER_SCHEMA}:manager.value`, { schema: ENTERPRISE_USER_SCHEMA, attribute: 'manager', subAttribute: 'value' }],
    ['URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:employeeNumber', { schema: ENTERPRISE_USER_SCHEMA, attribute: 'employeeNumber' }],
    [ENTERPRISE_USER_SCHEMA, { schema: ENTERPRISE_USER_SCHEMA }],
    ['urn:example:params:scim:schemas:extension:acme:1.0:User:costCode', { schema: 'urn:example:params:scim:schemas:extension:acme:1.0:User', attribute: 'costCode' }],
  ])('reads %s', (text, expected) => {
    expect(parse(text)).toEqual({ text, ...expected });
  });
});

describe('schema extensions', () => {
  it('stores an attribute of an unknown extension under its URN and lists the URN in schemas', () => {
    const body = message({ op: 'add', path: 'urn:example:params:scim:schemas:extension:acme:1.0:User:costCode', value: 'CC-7' });
    const user = patched(bjensen(), body);
    expect(user['urn:example:params:scim:schemas:extension:acme:1.0:User']).toEqual({ costCode: 'CC-7' });
    expect(user.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, 'urn:example:params:scim:schemas:extension:acme:1.0:User']);
  });
});
