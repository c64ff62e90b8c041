import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from '../../../src/scim/filter/index.js';
import { backends } from '../../support/backends.js';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, scimHarness, type ScimHarness } from './scim-app.js';

const people = [
  { userName: 'ada@example.com', externalId: 'E-1', title: 'Engineer', active: true, emails: [{ type: 'work', value: 'ada@example.com' }], name: { familyName: 'Lovelace' } },
  { userName: 'Bob@Example.org', externalId: 'e-2', title: 'Manager', active: false, emails: [{ type: 'home', value: 'bob@home.org' }], name: { familyName: 'Builder' } },
  { userName: 'carol@example.com', title: 'Engineer', active: true, emails: [{ type: 'work', value: 'carol@example.com' }, { type: 'home', value: 'c@home.org' }], name: { familyName: 'Danvers' }, [ENTERPRISE]: { employeeNumber: '7' } },
  { userName: 'dave@example.net', externalId: 'E-4', active: true, name: { familyName: 'Grohl' } },
];

describe.each(backends({ sqliteFile: true }))('SCIM list, filter, sort and paging on $name', (backend) => {
  let h: ScimHarness;
  const ids = new Map<string, string>();
  let groupId: string;
  beforeAll(async () => {
    h = await scimHarness(backend);
    for (const person of people) ids.set(person.userName, await h.createUser(person.userName, person));
    groupId = await h.createGroup('Builders', [ids.get('ada@example.com')!, ids.get('carol@example.com')!]);
    await h.createGroup('Empty');
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const names = async (query: string, path = '/Users') => {
    const response = await h.scim('GET', `${path}?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().Resources as { userName?: string; displayName?: string }[]).map((resource) => resource.userName ?? resource.displayName);
  };
  const filtered = (filter: string, path = '/Users') => names(`filter=${encodeURIComponent(filter)}&sortBy=userName`, path);

  it.each([
    ['userName eq "BOB@example.org"', ['Bob@Example.org']],
    ['userName ne "bob@example.org"', ['ada@example.com', 'carol@example.com', 'dave@example.net']],
    ['userName sw "C"', ['carol@example.com']],
    ['userName ew ".COM"', ['ada@example.com', 'carol@example.com']],
    ['userName co "example.n"', ['dave@example.net']],
    ['userName gt "bob@example.org"', ['carol@example.com', 'dave@example.net']],
    ['externalId eq "e-2"', ['Bob@Example.org']],
    ['externalId eq "E-2"', []],
    ['externalId pr', ['ada@example.com', 'Bob@Example.org', 'dave@example.net']],
    ['not (externalId pr)', ['carol@example.com']],
    ['externalId eq null', ['carol@example.com']],
    ['title eq "engineer" and active eq true', ['ada@example.com', 'carol@example.com']],
    ['title eq "Manager" or userName sw "dave"', ['Bob@Example.org', 'dave@example.net']],
    ['emails[type eq "work" and value co "@example.com"]', ['ada@example.com', 'carol@example.com']],
    ['emails[type eq "home"].value ew "home.org"', ['Bob@Example.org', 'carol@example.com']],
    ['emails co "home.org"', ['Bob@Example.org', 'carol@example.com']],
    ['name.familyName sw "D"', ['carol@example.com']],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"', ['carol@example.com']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@example.com"', ['ada@example.com']],
    ['USERNAME Eq "ada@example.com"', ['ada@example.com']],
    ['meta.resourceType eq "User" and (title pr or externalId eq "E-4")', ['ada@example.com', 'Bob@Example.org', 'carol@example.com', 'dave@example.net']],
    ['id eq "nope"', []],
  ])('%s', async (filter, expected) => {
    expect(await filtered(filter)).toEqual(expected);
  });

  it('answers every filter as the in-memory evaluator does', async () => {
    const all = (await h.scim('GET', '/Users?count=1000')).json().Resources as Record<string, unknown>[];
    const filters = [
      'userName ge "c"',
      'not (userName co "example") or title eq "Engineer"',
      'externalId sw "E"',
      'not (externalId eq "E-1")',
      'title ne "Engineer"',
      'active eq false',
      'active ne true and meta.created gt "2020-01-01T00:00:00Z"',
      'meta.lastModified lt "2020-01-01T00:00:00Z" or emails[type eq "home" and not (value ew ".org")]',
      'title gt "F" or name.familyName le "B"',
      'emails.value pr and not (title pr)',
      'meta.resourceType eq "User" and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber ne "7"',
    ];
    for (const filter of filters) {
      const expected = all.filter((user) => matchesFilter(user, parseFilter(filter))).map((user) => user.userName).sort();
      expect({ filter, names: (await filtered(filter)).sort() }).toEqual({ filter, names: expected });
    }
  });

  it('filters groups by displayName and by members', async () => {
    const ada = ids.get('ada@example.com')!;
    expect(await filtered(`members.value eq "${ada}"`, '/Groups')).toEqual(['Builders']);
    expect(await filtered(`members[value eq "${ada}"]`, '/Groups')).toEqual(['Builders']);
    expect(await filtered('members pr', '/Groups')).toEqual(['Builders']);
    expect(await filtered('not (members pr)', '/Groups')).toEqual(['Empty']);
    expect(await filtered('displayName eq "builders"', '/Groups')).toEqual(['Builders']);
    expect(await filtered(`id eq "${groupId}"`, '/Groups')).toEqual(['Builders']);
  });

  it('decides tests on membership (a group\'s members, a user\'s groups) in any filter as a full read of each resource would', async () => {
    const ada = ids.get('ada@example.com')!;
    const full = async (path: string) => {
      const listed = (await h.scim('GET', `${path}?count=1000`)).json().Resources as { id: string }[];
      return Promise.all(listed.map(async ({ id }) => (await h.scim('GET', `${path}/${id}`)).json() as Record<string, unknown>));
    };
    const cases: [string, string[]][] = [
      ['/Groups', [`members.value eq "${ada}" and meta.lastModified gt "2000-01-01T00:00:00Z"`, `members.value eq "${ada}" or meta.resourceType eq "Nope"`, `not (members[value eq "${ada}"]) and meta.created pr`, 'members pr or meta.version eq "x"', `members.display eq "x" or displayName ew "ty"`, 'members.nothing ne "x" and members pr and meta.created pr']],
      ['/Users', [`groups.value eq "${groupId}"`, 'groups.display eq "BUILDERS"', 'groups pr', 'not (groups pr)', 'groups[type eq "direct" and display sw "b"] and title pr', 'groups.type eq "direct" or title eq "Manager"', `groups.value ne "${groupId}"`, 'groups eq null']],
    ];
    for (const [path, filters] of cases) {
      const resources = await full(path);
      for (const filter of filters) {
        const expected = resources.filter((resource) => matchesFilter(resource, parseFilter(filter))).map((resource) => resource.id).sort();
        const response = await h.scim('GET', `${path}?filter=${encodeURIComponent(filter)}`);
        expect(response.statusCode, response.body).toBe(200);
        const found = (response.json().Resources as { id: string }[]).map((resource) => resource.id).sort();
        expect({ filter, found }).toEqual({ filter, found: expected });
        expect(expected.length > 0 && expected.length < resources.length, `${filter} tells resources apart`).toBe(true);
      }
    }
    const refused = await h.scim('GET', `/Users?filter=${encodeURIComponent('groups.$ref pr')}`);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ scimType: 'invalidFilter', detail: expect.stringContaining('membership') });
  });

  it('folds case in membership tests as JavaScript does, beyond ASCII', async () => {
    const ada = ids.get('ada@example.com')!;
    const created = await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'ÉCOLE Σ', members: [{ value: ada, display: 'ÉLÈVE İK' }] });
    expect(created.statusCode, created.body).toBe(201);
    const school = created.json().id as string;
    const groupIds = async (filter: string) => ((await h.scim('GET', `/Groups?filter=${encodeURIComponent(filter)}`)).json().Resources as { id: string }[]).map((group) => group.id);
    try {
      expect(await groupIds('members.display eq "élève i̇k"')).toEqual([school]);
      expect(await groupIds('members[display sw "élè" and value pr]')).toEqual([school]);
      expect(await filtered('groups.display eq "école σ"')).toEqual(['ada@example.com']);
    } finally {
      expect((await h.scim('DELETE', `/Groups/${school}`)).statusCode).toBe(204);
    }
  });

  it('sorts by userName, a column, or any attribute, both ways', async () => {
    expect(await names('sortBy=userName')).toEqual(['ada@example.com', 'Bob@Example.org', 'carol@example.com', 'dave@example.net']);
    expect(await names('sortBy=userName&sortOrder=descending')).toEqual(['dave@example.net', 'carol@example.com', 'Bob@Example.org', 'ada@example.com']);
    expect(await names('sortBy=name.familyName')).toEqual(['Bob@Example.org', 'carol@example.com', 'dave@example.net', 'ada@example.com']);
    const byTitle = await names('sortBy=title&sortOrder=descending');
    expect([byTitle[0], byTitle[3]]).toEqual(['Bob@Example.org', 'dave@example.net']);
    expect(await names('sortBy=meta.created')).toEqual(people.map((person) => person.userName));
  });

  it('sorts resources without an externalId last in both orders, in SQL and in memory', async () => {
    for (const filter of ['', `&filter=${encodeURIComponent('active pr')}`]) {
      expect(await names(`sortBy=externalId${filter}`)).toEqual(['ada@example.com', 'dave@example.net', 'Bob@Example.org', 'carol@example.com']);
      expect(await names(`sortBy=externalId&sortOrder=descending${filter}`)).toEqual(['Bob@Example.org', 'dave@example.net', 'ada@example.com', 'carol@example.com']);
    }
  });

  it('pages with startIndex and count (1-based), and counts only with count=0', async () => {
    const page = (await h.scim('GET', '/Users?sortBy=userName&startIndex=2&count=2')).json();
    expect(page).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources.map((user: { userName: string }) => user.userName)).toEqual(['Bob@Example.org', 'carol@example.com']);
    const byId = [...ids.values()].sort();
    const deep = (await h.scim('GET', '/Users?startIndex=3&count=2')).json();
    expect(deep.Resources.map((user: { id: string }) => user.id)).toEqual(byId.slice(2, 4));
    const deepDown = (await h.scim('GET', '/Users?startIndex=2&count=2&sortOrder=descending')).json();
    expect(deepDown.Resources.map((user: { id: string }) => user.id)).toEqual([...byId].reverse().slice(1, 3));
    const counted = (await h.scim('GET', '/Users?count=0')).json();
    expect(counted).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    expect((await h.scim('GET', '/Users?startIndex=0&count=-5')).json()).toMatchObject({ startIndex: 1, itemsPerPage: 0 });
    expect((await h.scim('GET', '/Users?startIndex=10')).json()).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
  });

  it('pages with RFC 9865 cursors, also through an in-memory filter', async () => {
    for (const filter of [undefined, 'title pr or userName sw "dave"']) {
      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 10; pages++) {
        const query = `cursor=${cursor}&count=1${filter ? `&filter=${encodeURIComponent(filter)}` : ''}`;
        const page = (await h.scim('GET', `/Users?${query}`)).json();
        expect(page.totalResults).toBe(4);
        expect(page.startIndex).toBeUndefined();
        seen.push(...page.Resources.map((user: { id: string }) => user.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...ids.values()].sort());
    }
    const bad = await h.scim('GET', '/Users?cursor=!!');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().scimType).toBe('invalidCursor');
    expect((await h.scim('GET', '/Users?cursor=&startIndex=1')).json().scimType).toBe('invalidValue');
    expect((await h.scim('GET', '/Users?cursor=&sortOrder=descending')).json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await h.scim('GET', '/Users?cursor=&sortOrder=ascending&count=1')).json().nextCursor).toBeDefined();
  });

  it('searches with POST /.search on a resource type and at the root', async () => {
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title eq "Engineer"', attributes: ['userName'], sortBy: 'userName', startIndex: 1, count: 10 };
    const response = await h.scim('POST', '/Users/.search', search);
    expect(response.statusCode).toBe(200);
    expect(response.json().Resources).toEqual([
      { schemas: [USER_SCHEMA], id: ids.get('ada@example.com'), userName: 'ada@example.com' },
      { schemas: [USER_SCHEMA, ENTERPRISE], id: ids.get('carol@example.com'), userName: 'carol@example.com' },
    ]);
    const root = (await h.scim('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'meta.resourceType pr', startIndex: 4, count: 2 })).json();
    expect(root.totalResults).toBe(6);
    expect(root.Resources.map((resource: { schemas: string[] }) => resource.schemas[0])).toEqual([USER_SCHEMA, GROUP_SCHEMA]);
  });

  it('refuses a bad filter with 400 invalidFilter naming the position', async () => {
    const response = await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "a" and')}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: '400', scimType: 'invalidFilter', detail: expect.stringMatching(/position 19/) });
    const semantic = await h.scim('GET', `/Users?filter=${encodeURIComponent('active gt true')}`);
    expect(semantic.json()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    expect((await h.scim('GET', '/Users?sortOrder=sideways')).json().scimType).toBe('invalidValue');
    expect((await h.scim('GET', '/Users?count=lots')).json().scimType).toBe('invalidValue');
  });
});

describe.each(backends({ sqliteFile: true }))('SCIM startIndex paging that follows on from the page before, on $name', (backend) => {
  let h: ScimHarness;
  const ids: string[] = [];
  beforeAll(async () => {
    h = await scimHarness(backend);
    for (let i = 0; i < 7; i++) ids.push(await h.createUser(`user-${i}@example.com`));
    ids.sort();
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const page = async (query: string) => {
    const response = await h.scim('GET', `/Users?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    return { total: body.totalResults as number, ids: (body.Resources as { id: string }[]).map((user) => user.id) };
  };

  it('answers each page as a fresh query would, also after writes between pages', async () => {
    const seen: string[] = [];
    for (let start = 1; start <= 7; start += 2) {
      const next = await page(`startIndex=${start}&count=2`);
      expect(next.total).toBe(7);
      seen.push(...next.ids);
    }
    expect(seen).toEqual(ids);
    const down: string[] = [];
    for (let start = 1; start <= 7; start += 3) down.push(...(await page(`startIndex=${start}&count=3&sortOrder=descending`)).ids);
    expect(down).toEqual([...ids].reverse());

    await page('startIndex=1&count=2');
    await page('startIndex=3&count=2');
    expect((await h.scim('DELETE', `/Users/${ids[0]}`)).statusCode).toBe(204);
    const remaining = ids.slice(1);
    expect(await page('startIndex=5&count=2')).toEqual({ total: 6, ids: remaining.slice(4, 6) });

    await page('startIndex=1&count=3');
    const added = await h.createUser('user-new@example.com');
    const all = [...remaining, added].sort();
    expect(await page('startIndex=4&count=3')).toEqual({ total: 7, ids: all.slice(3, 6) });
    expect(await page('filter=userName sw "user-"&startIndex=4&count=3')).toEqual({ total: 7, ids: all.slice(3, 6) });
  });
});
