import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { GROUP_SCHEMA, USER_SCHEMA, scimHarness, type ScimHarness } from './scim-app.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

interface Listed {
  id: string;
  schemas: string[];
  userName?: string;
  displayName?: string;
  meta: { resourceType: 'User' | 'Group'; created: string; lastModified: string };
}

describe.each(backends())('SCIM search at the root on $name', (backend) => {
  let h: ScimHarness;
  const users: string[] = [];
  const groups: string[] = [];
  beforeAll(async () => {
    h = await scimHarness(backend);
    for (const userName of ['amy', 'Cleo', 'eve', 'gus']) users.push(await h.createUser(userName));
    for (const displayName of ['Bees', 'dogs', 'Fish']) groups.push(await h.createGroup(displayName));
  });
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
    expect(await named('displayName pr')).toBe(groups.length);
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
