import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { scimHarness, type ScimHarness } from './scim-app.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

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

  it.each([
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
