import { describe, expect, it } from 'vitest';
import type { ValueFilterEngine } from '../../../src/scim/patch/index.js';
import { ENTERPRISE_USER_SCHEMA, GROUP, USER_SCHEMA, bjensen, group, message, patched, refused, succeeds } from './fixtures.js';

const BABS = { display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223...413861904646', value: '2819c223-7f76-453a-919d-413861904646' };
const JAMES = { display: 'James Smith', $ref: 'https://example.com/v2/Users/08e1d05d...473d93df9210', value: '08e1d05d-121c-4561-8b96-473d93df9210' };

describe('RFC 7644 §3.5.2.1 add', () => {
  it('adds a member (the RFC example)', () => {
    const body = message({ op: 'add', path: 'members', value: [BABS] });
    expect(patched(group(), body, GROUP).members).toEqual([BABS]);
  });

  it('adds attributes without a path, in the schema’s casing ("nickname" is nickName)', () => {
    const body = message({ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } });
    const user = patched(bjensen(), body);
    expect(user.nickName).toBe('Babs');
    expect(user).not.toHaveProperty('nickname');
    expect(user.emails).toEqual(bjensen().emails);
  });

  it('appends to a multi-valued attribute, skipping values it already holds', () => {
    const body = message({ op: 'add', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'b@other.org', type: 'other' }] });
    expect(patched(bjensen(), body).emails).toEqual([...(bjensen().emails as unknown[]), { value: 'b@other.org', type: 'other' }]);
  });

  it('accepts a lone element for a multi-valued attribute', () => {
    const body = message({ op: 'add', path: 'emails', value: { value: 'b@other.org', type: 'other' } });
    expect(patched(bjensen(), body).emails).toHaveLength(3);
  });

  it('replaces a single-valued attribute that already has a value', () => {
    expect(patched(bjensen(), message({ op: 'add', path: 'displayName', value: 'Barbara' })).displayName).toBe('Barbara');
  });

  it('merges sub-attributes into a complex attribute', () => {
    const body = message({ op: 'add', path: 'name', value: { middleName: 'Jane', honorificSuffix: 'III' } });
    expect(patched(bjensen(), body).name).toEqual({ formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificSuffix: 'III' });
  });

  it('sets primary on an added value and clears it on the others', () => {
    const body = message({ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'work', primary: true }] });
    expect(patched(bjensen(), body).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'new@example.com', type: 'work', primary: true },
    ]);
  });

  it('adds an extension attribute by URN-qualified path and lists the extension in schemas', () => {
    const { [ENTERPRISE_USER_SCHEMA]: _extension, ...before } = bjensen();
    before.schemas = [USER_SCHEMA];
    const body = message({ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: '701984' });
    const user = patched(before, body);
    expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '701984' });
    expect(user.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('adds a whole extension object given as the path', () => {
    const body = message({ op: 'add', path: ENTERPRISE_USER_SCHEMA, value: { costCenter: '4130', manager: { value: 'new-boss' } } });
    expect(patched(bjensen(), body)[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '701984', department: 'Tour Operations', costCenter: '4130', manager: { value: 'new-boss' } });
  });

  it('accepts core attributes qualified by the core schema URN', () => {
    const body = message({ op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:User:name.middleName', value: 'Jane' });
    expect((patched(bjensen(), body).name as Record<string, unknown>).middleName).toBe('Jane');
  });

  it('keeps unknown attributes as sent', () => {
    const body = message({ op: 'add', path: 'x-custom', value: { deep: [1, 2] } });
    expect(patched(bjensen(), body)['x-custom']).toEqual({ deep: [1, 2] });
  });
});

describe('RFC 7644 §3.5.2.2 remove', () => {
  const withMembers = () => ({ ...group(), members: [BABS, JAMES] });

  it('removes a single member by filter (the RFC example)', () => {
    const body = message({ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' });
    expect(patched(withMembers(), body, GROUP).members).toEqual([JAMES]);
  });

  it('removes all members', () => {
    expect(patched(withMembers(), message({ op: 'remove', path: 'members' }), GROUP)).toEqual(group());
  });

  it('replaces all members with a remove then an add (the RFC example)', () => {
    const body = message({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [JAMES] });
    expect(patched(withMembers(), body, GROUP).members).toEqual([JAMES]);
  });

  it('removes a sub-attribute and a single-valued attribute', () => {
    const user = patched(bjensen(), message({ op: 'remove', path: 'name.formatted' }, { op: 'remove', path: 'displayName' }));
    expect(user.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara' });
    expect(user).not.toHaveProperty('displayName');
  });

  it('removes the values a filter selects, and the attribute with its last value', () => {
    const user = patched(bjensen(), message({ op: 'remove', path: 'emails[type eq "work"]' }, { op: 'remove', path: 'addresses[type eq "home"]' }));
    expect(user.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
    expect(user.addresses).toHaveLength(1);
    const none = patched(bjensen(), message({ op: 'remove', path: 'emails[type eq "work"]' }, { op: 'remove', path: 'emails[type eq "home"]' }));
    expect(none).not.toHaveProperty('emails');
  });

  it('removes a sub-attribute of the selected values', () => {
    const user = patched(bjensen(), message({ op: 'remove', path: 'addresses[type eq "work"].streetAddress' }));
    expect((user.addresses as Record<string, unknown>[])[0]).not.toHaveProperty('streetAddress');
  });

  it('matches filters on type case-insensitively, as type is not caseExact', () => {
    expect(patched(bjensen(), message({ op: 'remove', path: 'emails[type eq "WORK"]' })).emails).toHaveLength(1);
  });

  it('treats the removal of an unknown or absent attribute as a no-op', () => {
    const result = succeeds(bjensen(), message({ op: 'remove', path: 'nickName' }, { op: 'remove', path: 'x-unknown' }, { op: 'remove', path: 'x-unknown[type eq "a"]' }));
    expect(result.resource).toEqual(bjensen());
    expect(result.modified).toBe(false);
  });

  it('answers noTarget when a filter matches no value (RFC 7644 §3.5.2.2)', () => {
    const error = refused(bjensen(), message({ op: 'remove', path: 'emails[type eq "other"]' }));
    expect(error.scimType).toBe('noTarget');
    expect(error.detail).toBe('Operations[0].path: "emails[type eq \\"other\\"]" matches no value of emails');
  });

  it('treats the removal of a member who is already gone as a no-op', () => {
    const result = succeeds(withMembers(), message({ op: 'remove', path: 'members[value eq "already-gone"]' }), GROUP);
    expect(result.resource).toEqual(withMembers());
  });

  it('removes an extension object and its schemas entry', () => {
    const user = patched(bjensen(), message({ op: 'remove', path: ENTERPRISE_USER_SCHEMA }));
    expect(user).not.toHaveProperty([ENTERPRISE_USER_SCHEMA]);
    expect(user.schemas).toEqual([USER_SCHEMA]);
  });

  it('removes an extension sub-attribute by URN-qualified path', () => {
    const body = message({ op: 'remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName' });
    expect((patched(bjensen(), body)[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>).manager).toEqual({ value: '26118915-6090-4610-87e4-49d8ca9f808d' });
  });
});

describe('RFC 7644 §3.5.2.3 replace', () => {
  it('replaces all members (the RFC example)', () => {
    const body = message({ op: 'replace', path: 'members', value: [JAMES, BABS] });
    expect(patched({ ...group(), members: [BABS] }, body, GROUP).members).toEqual([JAMES, BABS]);
  });

  it('replaces the address selected by a filter (the RFC example)', () => {
    const work = { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true };
    const user = patched(bjensen(), message({ op: 'replace', path: 'addresses[type eq "work"]', value: work }));
    expect(user.addresses).toEqual([work, (bjensen().addresses as unknown[])[1]]);
  });

  it('replaces a sub-attribute of the selected address (the RFC example)', () => {
    const user = patched(bjensen(), message({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }));
    expect((user.addresses as Record<string, unknown>[])[0]!.streetAddress).toBe('1010 Broadway Ave');
  });

  it('replaces attributes without a path (the RFC example)', () => {
    const emails = [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }];
    const user = patched({ ...bjensen(), emails: [{ value: 'old@example.com', type: 'work' }] }, message({ op: 'replace', value: { emails, nickname: 'Babs' } }));
    expect(user.emails).toEqual(emails);
    expect(user.nickName).toBe('Babs');
  });

  it('leaves sub-attributes of a complex attribute that the value omits', () => {
    const user = patched(bjensen(), message({ op: 'replace', path: 'name', value: { givenName: 'Babs' } }));
    expect(user.name).toEqual({ formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Babs' });
  });

  it('makes a value primary and clears primary on the others', () => {
    const user = patched(bjensen(), message({ op: 'replace', path: 'emails[type eq "home"].primary', value: true }));
    expect(user.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
  });

  it('keeps the stored casing of attribute and sub-attribute names', () => {
    const { displayName: _displayName, name: _name, ...rest } = bjensen();
    const before = { ...rest, DisplayName: 'Babs', Name: { GivenName: 'Barbara' } };
    const user = patched(before, message({ op: 'replace', path: 'displayname', value: 'B' }, { op: 'replace', path: 'NAME.givenname', value: 'Bee' }));
    expect(user.DisplayName).toBe('B');
    expect(user.Name).toEqual({ GivenName: 'Bee' });
  });

  it('unassigns an attribute replaced with null or an empty array', () => {
    const user = patched(bjensen(), message({ op: 'replace', path: 'displayName', value: null }, { op: 'replace', path: 'emails', value: [] }));
    expect(user).not.toHaveProperty('displayName');
    expect(user).not.toHaveProperty('emails');
  });

  it('leaves id and meta alone when sent unchanged', () => {
    const { id, meta } = bjensen();
    expect(succeeds(bjensen(), message({ op: 'replace', value: { id, meta } })).modified).toBe(false);
  });
});

describe('atomicity', () => {
  it('leaves the resource as it was when the third operation fails', () => {
    const body = message(
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other' }] },
      { op: 'remove', path: 'emails[type eq "fax"]' },
    );
    const resource = bjensen();
    const error = refused(resource, body);
    expect(error.detail).toMatch(/^Operations\[2\]\.path: /);
    expect(resource).toEqual(bjensen());
  });

  it('never shares objects between the request, the input and the result', () => {
    const value = [{ value: 'new@example.com', type: 'other' }];
    const resource = bjensen();
    const result = patched(resource, message({ op: 'add', path: 'emails', value }));
    value[0]!.value = 'mutated@example.com';
    (result.emails as Record<string, unknown>[])[0]!.value = 'mutated@example.com';
    expect((result.emails as Record<string, unknown>[])[2]!.value).toBe('new@example.com');
    expect(resource).toEqual(bjensen());
  });
});

describe('schemas', () => {
  it('adds an extension URN with add on schemas, without repeating one already listed', () => {
    const body = message({ op: 'add', path: 'schemas', value: [USER_SCHEMA, 'urn:example:params:scim:schemas:extension:acme:1.0:User'] });
    expect(patched(bjensen(), body).schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, 'urn:example:params:scim:schemas:extension:acme:1.0:User']);
  });
});

describe('remove with a value array', () => {
  it('removes only the listed values of any multi-valued attribute', () => {
    const body = message({ op: 'remove', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home' }] });
    expect(patched(bjensen(), body).emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
  });
});

describe('value filters', () => {
  it('match eq comparisons joined by and', () => {
    const body = message({ op: 'replace', path: 'emails[type eq "work" and primary eq true].value', value: 'w@example.com' });
    expect((patched(bjensen(), body).emails as Record<string, unknown>[])[0]!.value).toBe('w@example.com');
  });

  it('can be swapped for another engine (the RFC example with ew)', () => {
    const endsWith: ValueFilterEngine<{ attribute: string; suffix: string; type: string }> = {
      parse(text) {
        const match = /^type eq "(\w+)" and (\w+) ew "([^"]+)"$/.exec(text);
        if (!match) throw new Error('not understood');
        return { type: match[1]!, attribute: match[2]!, suffix: match[3]! };
      },
      matches(element, filter) {
        const record = element as Record<string, string>;
        return record.type === filter.type && String(record[filter.attribute]).endsWith(filter.suffix);
      },
      requiredValues: () => undefined,
    };
    const body = message({ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' });
    const result = succeeds(bjensen(), body, { resourceType: 'User', valueFilters: endsWith });
    expect(result.resource.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('answer invalidFilter when the engine refuses a comparison while matching', () => {
    const refusing: ValueFilterEngine<string> = {
      parse: (text) => text,
      matches: () => {
        throw new Error('"gt" cannot compare a boolean');
      },
      requiredValues: () => undefined,
    };
    const error = refused(bjensen(), message({ op: 'remove', path: 'emails[primary gt true]' }), { resourceType: 'User', valueFilters: refusing });
    expect(error).toMatchObject({ scimType: 'invalidFilter', detail: 'Operations[0].path: "primary gt true": "gt" cannot compare a boolean' });
  });
});
