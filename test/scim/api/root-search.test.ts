import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { MAX_SORTED_DEPTH } from '../../../src/scim/http/root-search.js';
import { GROUP_SCHEMA, USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Listed {
  id: string;
  schemas: string[];
  userName?: string;
  displayName?: string;
  meta: { resourceType: 'User' | 'Group'; created: string; lastModified: string };
}

describe.each(backends({ sqliteFile: true }))('SCIM search at the root on $name', (backend) => {
  let h: ScimHarness;
  const users: string[] = [];
  const groups: string[] = [];
  const labels = new Map<string, string>();
  beforeAll(async () => {
    h = await scimHarness(backend);
    // Created a User, a Group, a User, … a few milliseconds apart, so that meta.created alternates between types.
    const created: [string, string[], () => Promise<string>][] = [
      ['amy', users, () => h.createUser('amy')],
      ['Bees', groups, () => h.createGroup('Bees')],
      ['Cleo', users, () => h.createUser('Cleo')],
      ['dogs', groups, () => h.createGroup('dogs')],
      ['eve', users, () => h.createUser('eve', { displayName: 'Eel', externalId: 'X-2' })],
      ['Fish', groups, () => group({ displayName: 'Fish', externalId: 'X-5' })],
      ['gus', users, () => h.createUser('gus', { displayName: 'Gnu', externalId: 'X-9' })],
    ];
    for (const [label, list, create] of created) {
      const id = await create();
      labels.set(id, label);
      list.push(id);
      await sleep(5);
    }
    // amy changes last: the oldest resource is also the last modified.
    const patched = await h.scim('PATCH', `/Users/${users[0]}`, patchOp({ op: 'add', path: 'displayName', value: 'Ant' }), { prefer: 'return=minimal' });
    expect(patched.statusCode, patched.body).toBe(204);
  });
  const group = async (body: Record<string, unknown>) => (await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], ...body })).json().id as string;
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const search = (request: Record<string, unknown>) => h.scim('POST', '/.search', { schemas: [SEARCH], ...request });
  const ok = async (request: Record<string, unknown>) => {
    const response = await search(request);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { totalResults: number; startIndex?: number; itemsPerPage: number; Resources: Listed[]; nextCursor?: string };
  };

  it('pages Users in id order then Groups in id order by startIndex and count', async () => {
    const all = [...[...users].sort(), ...[...groups].sort()];
    for (let startIndex = 1; startIndex <= all.length + 1; startIndex++) {
      for (const count of [1, 3, 5]) {
        const page = await ok({ startIndex, count });
        expect(page).toMatchObject({ totalResults: all.length, startIndex, itemsPerPage: page.Resources.length });
        expect(page.Resources.map((resource) => resource.id)).toEqual(all.slice(startIndex - 1, startIndex - 1 + count));
      }
    }
    expect(await ok({ startIndex: '2', count: '0' })).toMatchObject({ totalResults: all.length, startIndex: 2, itemsPerPage: 0, Resources: [] });
    expect(await ok({ startIndex: -3, count: -1 })).toMatchObject({ startIndex: 1, itemsPerPage: 0 });
  });

  const cursorPages = async (request: Record<string, unknown>) => {
    const seen: string[] = [];
    const totals = new Set<number>();
    let cursor = '';
    for (let pages = 0; pages < 20; pages++) {
      const page = await ok({ ...request, cursor });
      expect(page.startIndex).toBeUndefined();
      expect(page.itemsPerPage).toBe(page.Resources.length);
      totals.add(page.totalResults);
      seen.push(...page.Resources.map((resource) => resource.id));
      if (page.nextCursor === undefined) break;
      expect(page.Resources.length).toBe(request.count);
      cursor = page.nextCursor;
    }
    return { seen, totals: [...totals] };
  };

  it('pages Users in id order then Groups in id order by RFC 9865 cursor, each resource once', async () => {
    const all = [...[...users].sort(), ...[...groups].sort()];
    for (const count of [1, 2, 3, 4, 7, 8, 100]) {
      expect({ count, ...(await cursorPages({ count })) }).toEqual({ count, seen: all, totals: [all.length] });
    }
  });

  it('pages by cursor through a filter, also one decided in memory', async () => {
    const named = async (filter: string) => {
      const all = (await ok({ filter, count: 100 })).Resources.map((resource) => resource.id);
      expect({ filter, ...(await cursorPages({ filter, count: 2 })) }).toEqual({ filter, seen: all, totals: [all.length] });
      return all.length;
    };
    expect(await named('meta.resourceType pr')).toBe(users.length + groups.length);
    expect(await named('userName sw "c" or displayName sw "d" or displayName sw "f"')).toBe(3);
    expect(await named('displayName pr and not (userName pr)')).toBe(groups.length);
    expect(await named('userName eq "nobody"')).toBe(0);
  });

  it('answers a cursor page with the members /Users answers', async () => {
    const first = await ok({ cursor: '', count: 1, attributes: ['userName'] });
    expect(Object.keys(first).sort()).toEqual(['Resources', 'itemsPerPage', 'nextCursor', 'schemas', 'totalResults']);
    expect(first.Resources).toEqual([{ schemas: [USER_SCHEMA], id: [...users].sort()[0], userName: expect.any(String) }]);
    const last = await ok({ cursor: '', count: 100 });
    expect(Object.keys(last).sort()).toEqual(['Resources', 'itemsPerPage', 'schemas', 'totalResults']);
    expect(last.Resources.at(-1)!.schemas).toEqual([GROUP_SCHEMA]);
    const counted = await ok({ cursor: '', count: 0 });
    expect(counted).toEqual({ schemas: [LIST_RESPONSE], totalResults: users.length + groups.length, itemsPerPage: 0, Resources: [] });
  });

  it('refuses a cursor it did not issue with 400 invalidCursor', async () => {
    const userCursor = (await h.scim('GET', '/Users?cursor=&count=1')).json().nextCursor as string;
    const rootCursor = (await ok({ cursor: '', count: 1 })).nextCursor!;
    const refused = async (response: Promise<{ statusCode: number; json(): unknown }>) => {
      const answer = await response;
      expect(answer.statusCode).toBe(400);
      expect(answer.json()).toMatchObject({ status: '400', scimType: 'invalidCursor' });
    };
    await refused(search({ cursor: '!!' }));
    await refused(search({ cursor: 'Zm9v=' }));
    await refused(search({ cursor: userCursor }));
    await refused(search({ cursor: Buffer.from(`Role\u0000${users[0]}`).toString('base64url') }));
    await refused(search({ cursor: Buffer.from('User\u0000').toString('base64url') }));
    await refused(h.scim('GET', `/Users?cursor=${rootCursor}`));
    await refused(h.scim('POST', '/Groups/.search', { schemas: [SEARCH], cursor: rootCursor }));
  });

  const byId = (label: (id: string) => boolean, descending = false) => {
    const ids = [...labels.keys()].filter(label).sort();
    return (descending ? ids.reverse() : ids).map((id) => labels.get(id)!);
  };
  const isGroup = (id: string) => groups.includes(id);

  it.each([
    ['userName', () => ['amy', 'Cleo', 'eve', 'gus', ...byId(isGroup)], () => ['gus', 'eve', 'Cleo', 'amy', ...byId(isGroup, true)]],
    ['displayName', () => ['amy', 'Bees', 'dogs', 'eve', 'Fish', 'gus', 'Cleo'], () => ['gus', 'Fish', 'eve', 'dogs', 'Bees', 'amy', 'Cleo']],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:displayName', () => ['amy', 'Bees', 'dogs', 'eve', 'Fish', 'gus', 'Cleo'], () => ['gus', 'Fish', 'eve', 'dogs', 'Bees', 'amy', 'Cleo']],
    ['meta.created', () => ['amy', 'Bees', 'Cleo', 'dogs', 'eve', 'Fish', 'gus'], () => ['gus', 'Fish', 'eve', 'dogs', 'Cleo', 'Bees', 'amy']],
    ['meta.lastModified', () => ['Bees', 'Cleo', 'dogs', 'eve', 'Fish', 'gus', 'amy'], () => ['amy', 'gus', 'Fish', 'eve', 'dogs', 'Cleo', 'Bees']],
    ['externalId', () => ['eve', 'Fish', 'gus', ...byId((id) => !['eve', 'Fish', 'gus'].includes(labels.get(id)!))], () => ['gus', 'Fish', 'eve', ...byId((id) => !['eve', 'Fish', 'gus'].includes(labels.get(id)!), true)]],
    ['id', () => byId(() => true), () => byId(() => true, true)],
  ])('sorts Users and Groups as one list by %s, both ways, in every window of startIndex and count', async (sortBy, ascending, descending) => {
    for (const [sortOrder, expected] of [['ascending', ascending()], ['descending', descending()]] as const) {
      const whole = await ok({ sortBy, sortOrder });
      expect({ sortOrder, labels: whole.Resources.map((resource) => labels.get(resource.id)) }).toEqual({ sortOrder, labels: expected });
      for (let startIndex = 1; startIndex <= expected.length + 1; startIndex++) {
        for (const count of [1, 2, 3]) {
          const page = await ok({ sortBy, sortOrder, startIndex, count });
          expect(page).toMatchObject({ totalResults: expected.length, startIndex, itemsPerPage: page.Resources.length });
          expect({ startIndex, count, labels: page.Resources.map((resource) => labels.get(resource.id)) }).toEqual({ startIndex, count, labels: expected.slice(startIndex - 1, startIndex - 1 + count) });
        }
      }
    }
  });

  it('sorts across types through a filter decided in memory', async () => {
    const page = await ok({ filter: 'meta.resourceType pr and not (userName eq "dogs")', sortBy: 'displayName', sortOrder: 'descending', startIndex: 3, count: 3 });
    expect(page.totalResults).toBe(7);
    expect(page.Resources.map((resource) => labels.get(resource.id))).toEqual(['eve', 'dogs', 'Bees']);
  });

  it(`sorts across types no deeper than ${MAX_SORTED_DEPTH}, and says what to do instead`, async () => {
    expect(await ok({ sortBy: 'userName', startIndex: MAX_SORTED_DEPTH, count: 1 })).toMatchObject({ totalResults: 7, itemsPerPage: 0 });
    expect(await ok({ sortBy: 'userName', startIndex: MAX_SORTED_DEPTH * 10, count: 0 })).toMatchObject({ totalResults: 7, itemsPerPage: 0 });
    const deep = await search({ sortBy: 'userName', startIndex: MAX_SORTED_DEPTH - 1, count: 3 });
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ status: '400', scimType: 'tooMany', detail: expect.stringMatching(/narrow the filter.*"cursor"/) });
    expect((await search({ startIndex: MAX_SORTED_DEPTH * 10, count: 3 })).statusCode).toBe(200);
  });

  it('honours at the root the sorting and paging ServiceProviderConfig claims', async () => {
    const config = (await h.scim('GET', '/ServiceProviderConfig')).json();
    expect(config).toMatchObject({ sort: { supported: true }, pagination: { cursor: true, index: true } });
    expect((await ok({ sortBy: 'meta.lastModified', count: config.pagination.maxPageSize })).Resources).toHaveLength(7);
    expect((await ok({ cursor: '', count: config.pagination.maxPageSize })).Resources).toHaveLength(7);
    expect((await ok({})).itemsPerPage).toBe(Math.min(7, config.pagination.defaultPageSize));
  });

  it.each([
    ['cursor with startIndex', { cursor: '', startIndex: 1 }],
    ['cursor with sortBy', { cursor: '', sortBy: 'userName' }],
    ['cursor with sortOrder descending', { cursor: '', sortOrder: 'descending' }],
    ['a startIndex that is not an integer', { startIndex: 'two' }],
    ['a fractional startIndex', { startIndex: 1.5 }],
    ['a count that is not an integer', { count: 'lots' }],
    ['a count of null', { count: null }],
    ['a sortOrder that is neither way', { sortOrder: 'sideways' }],
  ])('refuses %s with 400 invalidValue, as /Users does', async (_, request) => {
    const response = await search(request);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });
});
