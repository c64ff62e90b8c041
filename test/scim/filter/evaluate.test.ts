import { describe, expect, it } from 'vitest';
import {
  InvalidFilterError,
  attrPath,
  checkFilter,
  defaultCaseRules,
  matchesFilter,
  parseFilter,
  type AttrPath,
} from '../../../src/scim/filter/index.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** After RFC 7643 §8.2 and §8.3. */
const bjensen = {
  schemas: [CORE_USER, ENTERPRISE_USER],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: '701984',
  userName: 'bjensen',
  name: {
    formatted: 'Ms. Barbara J Jensen, III',
    familyName: 'Jensen',
    givenName: 'Barbara',
    middleName: 'Jane',
    honorificPrefix: 'Ms.',
    honorificSuffix: 'III',
  },
  displayName: 'Babs Jensen',
  nickName: 'Babs',
  profileUrl: 'https://login.example.com/bjensen',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  userType: 'Employee',
  title: 'Tour Guide',
  active: true,
  groups: [
    { value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', $ref: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' },
  ],
  [ENTERPRISE_USER]: {
    employeeNumber: '701984',
    costCenter: '4130',
    organization: 'Universal Studios',
    division: 'Theme Park',
    department: 'Tour Operations',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-08-01T18:29:49.793Z',
    version: 'W/"a330bc54f0671c9"',
    location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
  },
};

/** An intern without a title, whose last change is the RFC examples' instant written with an offset. */
const omalley = {
  schemas: [CORE_USER],
  id: 'c3a26dd3-27a0-4dec-a2ac-ce211e105f97',
  userName: 'Jim.OMalley',
  name: { familyName: "O'Malley", givenName: 'Jim' },
  userType: 'Intern',
  title: '',
  active: false,
  emails: [{ value: 'jim@omalley.net', type: 'work' }],
  ims: [{ value: 'jim@foo.com', type: 'xmpp' }],
  meta: { resourceType: 'User', created: '2011-05-13T06:42:34+02:00', lastModified: '2011-05-13T06:42:34+02:00' },
};

/** As Entra ID provisions a user: work mail outside example.com, a home address inside it. */
const jdoe = {
  schemas: [CORE_USER, ENTERPRISE_USER],
  id: 'a5b1f0c2-3d4e-4f60-8a7b-9c0d1e2f3a4b',
  externalId: 'JDoe-Ext-1',
  userName: 'jdoe@contoso.com',
  userType: 'Employee',
  title: 'Engineer',
  active: true,
  emails: [
    { value: 'jdoe@contoso.com', type: 'work', primary: true },
    { value: 'john@example.com', type: 'home', primary: false },
  ],
  [ENTERPRISE_USER]: { employeeNumber: '1234', department: 'R&D' },
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2010-01-23T04:56:22Z' },
};

const tourGuides = {
  schemas: [CORE_GROUP],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Tour Guides',
  members: [
    { value: '2819c223-7f76-453a-919d-413861904646', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen', type: 'User' },
    { value: '902c246b-6245-4190-8e05-00816be7344a', $ref: 'https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge', type: 'User' },
    { value: 'fc348aa8-3835-40eb-a20b-c726e15c55b5', display: 'Ride Operators', type: 'Group' },
  ],
  meta: { resourceType: 'Group', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
};

const emptyGroup = { schemas: [CORE_GROUP], id: '6c5bb468-14b2-4183-baf2-06d523e03bd3', displayName: 'Night Shift', members: [] };

const users = { bjensen, omalley, jdoe };

function matchingUsers(filter: string): string[] {
  const parsed = parseFilter(filter);
  return Object.entries(users)
    .filter(([, user]) => matchesFilter(user, parsed))
    .map(([name]) => name);
}

const matches = (resource: Record<string, unknown>, filter: string) => matchesFilter(resource, parseFilter(filter));

describe('matchesFilter: the RFC 7644 §3.4.2.2 examples', () => {
  it.each([
    ['userName eq "bjensen"', ['bjensen']],
    [`name.familyName co "O'Malley"`, ['omalley']],
    ['userName sw "J"', ['omalley', 'jdoe']],
    [`${CORE_USER}:userName sw "J"`, ['omalley', 'jdoe']],
    ['title pr', ['bjensen', 'jdoe']],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['bjensen']],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['bjensen', 'omalley']],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', ['jdoe']],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', ['omalley', 'jdoe']],
    ['title pr and userType eq "Employee"', ['bjensen', 'jdoe']],
    ['title pr or userType eq "Intern"', ['bjensen', 'omalley', 'jdoe']],
    [`schemas eq "${ENTERPRISE_USER}"`, ['bjensen', 'jdoe']],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ['bjensen', 'jdoe']],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ['omalley']],
    ['userType eq "Employee" and (emails.type eq "work")', ['bjensen', 'jdoe']],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ['bjensen']],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ['bjensen', 'omalley']],
  ])('%s matches %j', (filter, expected) => {
    expect(matchingUsers(filter)).toEqual(expected);
  });
});

describe('matchesFilter: what Okta and Entra ID ask', () => {
  it('finds Okta’s user by userName, ignoring case (userName is not caseExact)', () => {
    expect(matchingUsers('userName eq "BJensen"')).toEqual(['bjensen']);
    expect(matchingUsers('userName eq "nobody"')).toEqual([]);
  });

  it('finds Entra ID’s user by externalId, respecting case (externalId is caseExact)', () => {
    expect(matchingUsers('externalId eq "JDoe-Ext-1"')).toEqual(['jdoe']);
    expect(matchingUsers('externalId eq "jdoe-ext-1"')).toEqual([]);
  });

  it('tests the sub-attribute of the element the value filter selected', () => {
    expect(matchingUsers('emails[type eq "work"].value eq "jdoe@contoso.com"')).toEqual(['jdoe']);
    expect(matchingUsers('emails[type eq "home"].value eq "jdoe@contoso.com"')).toEqual([]);
    expect(matchingUsers('emails[type eq "home"].value eq "john@example.com"')).toEqual(['jdoe']);
    expect(matchingUsers('emails[type eq "home"].value pr')).toEqual(['bjensen', 'jdoe']);
  });

  it('finds a group member as Okta’s member removal names it', () => {
    expect(matches(tourGuides, 'members[value eq "902c246b-6245-4190-8e05-00816be7344a"]')).toBe(true);
    expect(matches(tourGuides, 'members[value eq "00000000-0000-0000-0000-000000000000"]')).toBe(false);
  });
});

describe('matchesFilter: value filters', () => {
  it('requires one element to satisfy the whole value filter, unlike separate comparisons', () => {
    expect(matches(jdoe, 'emails[type eq "work" and value co "@example.com"]')).toBe(false);
    expect(matches(jdoe, 'emails.type eq "work" and emails.value co "@example.com"')).toBe(true);
  });

  it('applies logic and booleans inside the brackets', () => {
    expect(matches(jdoe, 'emails[primary eq true and not (type eq "home")]')).toBe(true);
    expect(matches(jdoe, 'emails[primary eq false and value ew "@contoso.com"]')).toBe(false);
  });

  it('reads group members by type and display', () => {
    expect(matches(tourGuides, 'members[type eq "Group" and display sw "ride"]')).toBe(true);
    expect(matches(tourGuides, 'members[type eq "Group" and display sw "babs"]')).toBe(false);
  });

  it('reads a qualified attribute’s elements', () => {
    expect(matches(bjensen, `${CORE_USER}:emails[type eq "home"]`)).toBe(true);
  });

  it('reads the elements of a multi-valued simple attribute as their value', () => {
    expect(matches(bjensen, `schemas[value eq "${ENTERPRISE_USER}"]`)).toBe(true);
    expect(matches(omalley, `schemas[value eq "${ENTERPRISE_USER}"]`)).toBe(false);
  });

  it('matches nothing on a missing or empty attribute', () => {
    expect(matches(emptyGroup, 'members[value pr]')).toBe(false);
    expect(matches(omalley, 'addresses[type eq "work"]')).toBe(false);
  });
});

describe('matchesFilter: attribute paths', () => {
  it('matches attribute names and sub-attribute names in any case', () => {
    expect(matches(bjensen, 'USERNAME eq "bjensen"')).toBe(true);
    expect(matches(bjensen, 'Name.FamilyName eq "jensen"')).toBe(true);
    expect(matches(bjensen, 'EMAILS[TYPE eq "work"].VALUE eq "bjensen@example.com"')).toBe(true);
    expect(matches({ UserName: 'bjensen' }, 'userName eq "bjensen"')).toBe(true);
  });

  it('reads a qualified extension attribute from the extension object, with the URN in any case', () => {
    expect(matchingUsers(`${ENTERPRISE_USER}:employeeNumber eq "701984"`)).toEqual(['bjensen']);
    expect(matchingUsers(`${ENTERPRISE_USER.toUpperCase()}:EMPLOYEENUMBER eq "1234"`)).toEqual(['jdoe']);
    expect(matchingUsers(`${ENTERPRISE_USER}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toEqual(['bjensen']);
    expect(matchingUsers(`${ENTERPRISE_USER}:department pr`)).toEqual(['bjensen', 'jdoe']);
  });

  it('reads an unqualified name from the core schema only', () => {
    expect(matchingUsers('employeeNumber eq "701984"')).toEqual([]);
  });

  it('reads a core-qualified name only from a resource of that schema', () => {
    expect(matches(bjensen, `${CORE_USER}:name.givenName eq "Barbara"`)).toBe(true);
    expect(matches(tourGuides, `${CORE_USER}:displayName eq "Tour Guides"`)).toBe(false);
    expect(matches(tourGuides, `${CORE_GROUP}:displayName eq "tour guides"`)).toBe(true);
  });

  it('reads an unknown schema as no value', () => {
    expect(matches(bjensen, 'urn:example:unknown:2.0:User:userName pr')).toBe(false);
  });
});

describe('matchesFilter: operators', () => {
  it('compares a complex multi-valued attribute without sub-attribute through its values', () => {
    expect(matches(bjensen, 'emails eq "BJENSEN@example.com"')).toBe(true);
    expect(matches(bjensen, 'emails ew "@jensen.org"')).toBe(true);
    expect(matches(bjensen, 'groups eq "e9e30dba-f08f-4109-8486-d5c6a331660a"')).toBe(true);
  });

  it('matches co, sw and ew on substrings, case-insensitively unless caseExact', () => {
    expect(matches(bjensen, 'displayName co "S JEN"')).toBe(true);
    expect(matches(bjensen, 'displayName sw "babs"')).toBe(true);
    expect(matches(bjensen, 'displayName ew "JENSEN"')).toBe(true);
    expect(matches(bjensen, 'id sw "2819C223"')).toBe(false);
    expect(matches(bjensen, 'id sw "2819c223"')).toBe(true);
    expect(matches(bjensen, 'displayName co ""')).toBe(true);
  });

  it('matches ne when no value equals, an absent attribute included', () => {
    expect(matchingUsers('nickName ne "babs"')).toEqual(['omalley', 'jdoe']);
    expect(matches(bjensen, 'emails.type ne "work"')).toBe(false);
    expect(matches(bjensen, 'emails.type ne "other"')).toBe(true);
  });

  it('orders strings lexicographically, after case folding unless caseExact', () => {
    expect(matches(bjensen, 'displayName gt "babs"')).toBe(true);
    expect(matches(bjensen, 'displayName lt "BABS JENSEN, III"')).toBe(true);
    expect(matches(bjensen, 'displayName ge "Babs Jensen"')).toBe(true);
    expect(matches(bjensen, 'displayName le "Babs"')).toBe(false);
    expect(matches(bjensen, 'id gt "2819C223"')).toBe(true);
  });

  it('orders and equates RFC 3339 date-times by instant', () => {
    expect(matches(omalley, 'meta.lastModified eq "2011-05-13T04:42:34Z"')).toBe(true);
    expect(matches(omalley, 'meta.lastModified ne "2011-05-13T04:42:34.000Z"')).toBe(false);
    expect(matches(bjensen, 'meta.lastModified gt "2011-08-01T18:29:49Z"')).toBe(true);
    expect(matches(bjensen, 'meta.lastModified lt "2011-08-01T20:29:50+02:00"')).toBe(true);
    expect(matches(bjensen, 'meta.created le "2010-01-23t04:56:22z"')).toBe(true);
  });

  it('falls back to string order when one side is not a date-time', () => {
    expect(matches(bjensen, 'meta.created gt "2010"')).toBe(true);
    expect(matches(bjensen, 'meta.created eq "2010-01-23"')).toBe(false);
  });

  it('compares numbers numerically and never equates them with strings', () => {
    const device = { schemas: ['urn:example:Device'], loginCount: 42, ratio: 0.5, serial: '42' };
    expect(matches(device, 'loginCount eq 42')).toBe(true);
    expect(matches(device, 'loginCount eq 42.0')).toBe(true);
    expect(matches(device, 'loginCount gt 9')).toBe(true);
    expect(matches(device, 'loginCount le 4.2e1')).toBe(true);
    expect(matches(device, 'ratio lt 1')).toBe(true);
    expect(matches(device, 'loginCount eq "42"')).toBe(false);
    expect(matches(device, 'serial eq 42')).toBe(false);
    expect(matches(device, 'serial gt 1')).toBe(false);
  });

  it('compares booleans with eq and ne only', () => {
    expect(matchingUsers('active eq true')).toEqual(['bjensen', 'jdoe']);
    expect(matchingUsers('active ne true')).toEqual(['omalley']);
    expect(matchingUsers('active eq "true"')).toEqual([]);
    expect(matches(bjensen, 'emails.primary eq true')).toBe(true);
    expect(matches(bjensen, 'active co "tr"')).toBe(false);
  });

  it('reads pr as a non-empty value', () => {
    expect(matches(bjensen, 'name pr')).toBe(true);
    expect(matches(bjensen, 'emails pr')).toBe(true);
    expect(matches(bjensen, 'emails.display pr')).toBe(false);
    expect(matches(omalley, 'title pr')).toBe(false);
    expect(matches(omalley, 'nickName pr')).toBe(false);
    expect(matches(omalley, 'active pr')).toBe(true);
    expect(matches(emptyGroup, 'members pr')).toBe(false);
    expect(matches({ name: { givenName: '' } }, 'name pr')).toBe(false);
    expect(matches({ title: null }, 'title pr')).toBe(false);
  });

  it('reads eq null as no value and ne null as a value', () => {
    expect(matchingUsers('nickName eq null')).toEqual(['omalley', 'jdoe']);
    expect(matchingUsers('title eq null')).toEqual(['omalley']);
    expect(matchingUsers('title ne null')).toEqual(['bjensen', 'jdoe']);
    expect(matches(emptyGroup, 'members eq null')).toBe(true);
  });

  it('applies not, and, or', () => {
    expect(matchingUsers('not (userType eq "Employee")')).toEqual(['omalley']);
    expect(matchingUsers('userType eq "Intern" or title eq "engineer" and active eq true')).toEqual(['omalley', 'jdoe']);
    expect(matchingUsers('(userType eq "Intern" or title eq "engineer") and active eq true')).toEqual(['jdoe']);
  });
});

describe('matchesFilter: case rules', () => {
  it('takes caseExact from the given rules', () => {
    const userNameCaseExact = (path: AttrPath) => path.normalized.attribute === 'username' || defaultCaseRules(path);
    expect(matchesFilter(bjensen, parseFilter('userName eq "BJENSEN"'), userNameCaseExact)).toBe(false);
    expect(matchesFilter(bjensen, parseFilter('userName eq "bjensen"'), userNameCaseExact)).toBe(true);
  });

  it('asks about the absolute path inside a value filter', () => {
    const asked: AttrPath[] = [];
    const recording = (path: AttrPath) => {
      asked.push(path);
      return false;
    };
    matchesFilter(bjensen, parseFilter(`${CORE_USER}:emails[type eq "WORK"].value eq "x"`), recording);
    expect(asked).toContainEqual(attrPath(CORE_USER, 'emails', 'type'));
    expect(asked).toContainEqual(attrPath(CORE_USER, 'emails', 'value'));
  });
});

describe('defaultCaseRules', () => {
  it.each([
    ['id', true],
    ['ID', true],
    ['externalId', true],
    [`${CORE_USER}:id`, true],
    [`${CORE_GROUP}:externalId`, true],
    ['meta.resourceType', true],
    ['meta.version', true],
    ['meta.location', true],
    ['members.$ref', true],
    ['groups.$ref', true],
    [`${ENTERPRISE_USER}:manager.$ref`, true],
    ['userName', false],
    ['displayName', false],
    ['emails.value', false],
    ['members.value', false],
    ['meta.lastModified', false],
    ['schemas', false],
    [`${ENTERPRISE_USER}:employeeNumber`, false],
    ['urn:example:custom:2.0:User:id', false],
  ] as const)('%s is caseExact: %s', (path, caseExact) => {
    const filter = parseFilter(`${path} pr`);
    expect(filter.kind === 'present' && defaultCaseRules(filter.path)).toBe(caseExact);
  });
});

describe('invalid comparisons', () => {
  it.each([
    ['active gt true', '"gt" cannot compare a boolean (active gt true)'],
    ['active le false', '"le" cannot compare a boolean'],
    ['active co true', '"co" cannot compare a boolean'],
    ['title co 5', '"co" cannot compare a number (title co 5)'],
    ['title sw null', '"sw" cannot compare null'],
    ['meta.created lt null', '"lt" cannot compare null'],
    ['emails[primary ge true]', '"ge" cannot compare a boolean (primary ge true)'],
    ['emails[type eq "work"].value ew 1', '"ew" cannot compare a number (value ew 1)'],
    ['userName eq "x" or not (active gt false)', '"gt" cannot compare a boolean'],
  ])('checkFilter rejects %s', (filter, message) => {
    const parsed = parseFilter(filter);
    expect(() => checkFilter(parsed)).toThrow(InvalidFilterError);
    expect(() => checkFilter(parsed)).toThrow(message);
  });

  it('names the scimType', () => {
    try {
      checkFilter(parseFilter('active gt true'));
    } catch (error) {
      expect(error).toMatchObject({ scimType: 'invalidFilter', name: 'InvalidFilterError' });
      return;
    }
    throw new Error('not rejected');
  });

  it('accepts comparisons it can answer', () => {
    expect(() => checkFilter(parseFilter('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")'))).not.toThrow();
    expect(() => checkFilter(parseFilter('active eq true and loginCount ge 3 and title ne null'))).not.toThrow();
  });

  it('are rejected by matchesFilter too', () => {
    expect(() => matches(bjensen, 'title co 5')).toThrow(InvalidFilterError);
  });

  it('rejects ordering a boolean attribute while evaluating', () => {
    expect(() => matches(bjensen, 'active gt "a"')).toThrow('"gt" cannot compare a boolean attribute (active gt "a")');
    expect(matches(omalley, 'nickName gt "a"')).toBe(false);
  });
});

describe('parts decided elsewhere', () => {
  it('takes the truth of a decided part instead of reading the resource', () => {
    const filter = parseFilter('members.value eq "u1" and displayName eq "Builders"');
    const group = { displayName: 'Builders' };
    expect(matchesFilter(group, filter)).toBe(false);
    if (filter.kind !== 'and') throw new Error('expected and');
    expect(matchesFilter(group, filter, undefined, new Map([[filter.left, true]]))).toBe(true);
    expect(matchesFilter({ displayName: 'Other' }, filter, undefined, new Map([[filter.left, true]]))).toBe(false);
  });
});
