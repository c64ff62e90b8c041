import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { admin } from '../../support/service.js';
import { GROUP_SCHEMA, USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

const ROUTES: [string, string, unknown?][] = [
  ['GET', '/Users'],
  ['POST', '/Users', { schemas: [USER_SCHEMA], userName: 'intruder@example.com' }],
  ['POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }],
  ['GET', '/Users/{user}'],
  ['PUT', '/Users/{user}', { schemas: [USER_SCHEMA], userName: 'intruder@example.com' }],
  ['PATCH', '/Users/{user}', patchOp({ op: 'replace', path: 'title', value: 'owned' })],
  ['DELETE', '/Users/{user}'],
  ['GET', '/Groups'],
  ['POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Intruders' }],
  ['POST', '/Groups/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }],
  ['GET', '/Groups/{group}'],
  ['PUT', '/Groups/{group}', { schemas: [GROUP_SCHEMA], displayName: 'Intruders' }],
  ['PATCH', '/Groups/{group}', patchOp({ op: 'add', path: 'members', value: [{ value: 'x' }] })],
  ['DELETE', '/Groups/{group}'],
  ['POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }],
  ['POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }],
  ['GET', '/ServiceProviderConfig'],
  ['GET', '/ResourceTypes'],
  ['GET', '/ResourceTypes/User'],
  ['GET', '/Schemas'],
  ['GET', `/Schemas/${USER_SCHEMA}`],
];

describe.each(backends({ sqliteFile: true }))('SCIM access, errors and the request log on $name', (backend) => {
  let h: ScimHarness;
  let userId: string;
  let groupId: string;
  let other: { sorId: string; token: string };
  beforeAll(async () => {
    h = await scimHarness(backend, { rateLimitPerSecond: 1000 });
    userId = await h.createUser('owner@example.com', { title: 'mine' });
    groupId = await h.createGroup('Owners', [userId]);
    other = await h.newSor();
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const call = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    h.app.inject({
      method: method as 'GET',
      url: `/scim/v2/${h.sorId}${path.replace('{user}', userId).replace('{group}', groupId)}`,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  it.each(ROUTES)('%s %s refuses a missing token, a wrong token and another SoR\'s token with 401', async (method, path, body) => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer pgt_0123456789abcdef_not-the-right-secret-at-all' }, { authorization: `Bearer ${other.token}` }, { authorization: 'Basic YWRtaW46YWRtaW4=' }]) {
      const response = await call(method, path, body, headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    }
    const user = await h.scim('GET', `/Users/${userId}`);
    expect(user.json()).toMatchObject({ userName: 'owner@example.com', title: 'mine' });
  });

  it('does not open another SoR\'s resources with a valid token of its own', async () => {
    const foreign = await h.app.inject({ method: 'GET', url: `/scim/v2/${other.sorId}/Users/${userId}`, headers: { authorization: `Bearer ${other.token}` } });
    expect(foreign.statusCode).toBe(404);
    const list = await h.app.inject({ method: 'GET', url: `/scim/v2/${other.sorId}/Users`, headers: { authorization: `Bearer ${other.token}` } });
    expect(list.json().totalResults).toBe(0);
    const admin401 = await h.app.inject({ method: 'GET', url: '/api/v1/systems-of-record', headers: { authorization: `Bearer ${h.token}` } });
    expect(admin401.statusCode).toBe(401);
  });

  it('answers 404 in the SCIM error schema for an unknown SoR, an SET SoR and an unknown route', async () => {
    const unknown = await h.app.inject({ method: 'GET', url: '/scim/v2/no-such-sor/Users', headers: { authorization: `Bearer ${h.token}` } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().status).toBe('404');
    const setSor = (await h.app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM', templateId: 'scim-2.0-push' } })).json().id;
    expect((await h.app.inject({ method: 'GET', url: `/scim/v2/${setSor}/Users`, headers: { authorization: `Bearer ${h.token}` } })).statusCode).toBe(404);
    const route = await h.scim('GET', '/Widgets');
    expect(route.statusCode).toBe(404);
    expect(route.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(route.json()).toMatchObject({ status: '404', detail: `unknown resource type Widgets for system of record "${h.sorId}"; its resource types are Users and Groups` });
    const nested = await h.scim('POST', '/Foo/bar', {});
    expect(nested.json()).toMatchObject({ status: '404', detail: `unknown resource type Foo for system of record "${h.sorId}"; its resource types are Users and Groups` });
    const root = await h.scim('GET', '');
    expect(root.json()).toMatchObject({ status: '404', detail: `the SCIM endpoint of system of record "${h.sorId}" has no resource here; its resource types are Users and Groups` });
    const deeper = await h.scim('GET', `/Users/${userId}/emails`);
    expect(deeper.json()).toMatchObject({ status: '404', detail: `no SCIM endpoint GET /Users/${userId}/emails for system of record "${h.sorId}"` });
  });

  it.each<[string, string, string]>([
    ['DELETE', '/Users', 'GET, POST'],
    ['PUT', '/Users', 'GET, POST'],
    ['PATCH', '/Groups', 'GET, POST'],
    ['POST', '/Users/some-id', 'DELETE, GET, PATCH, PUT'],
    ['GET', '/Users/.search', 'POST'],
    ['DELETE', '/ServiceProviderConfig', 'GET'],
    ['GET', '/Bulk', 'POST'],
    ['OPTIONS', '/Users', 'GET, POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await h.scim(method as 'GET', path, ['GET', 'DELETE', 'OPTIONS'].includes(method) ? undefined : {});
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(response.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '405',
      detail: `${method} is not allowed on ${path.replace('some-id', '{id}')}; use ${allow.replace(/, (?=[^,]*$)/, ' or ')}`,
    });
  });

  it('answers /Me with 501, which RFC 7644 asks of a service provider without it', async () => {
    const me = await h.scim('GET', '/Me');
    expect(me.statusCode).toBe(501);
    expect(me.json()).toMatchObject({ status: '501', detail: expect.stringContaining('/Me is not implemented') });
  });

  it('still asks for the push token before answering 405', async () => {
    const response = await h.app.inject({ method: 'DELETE', url: `/scim/v2/${h.sorId}/Users` });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a lone UTF-16 surrogate in a body and a NUL in the URL with 400, on every backend', async () => {
    const created = await h.scim('POST', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"surrogate\\ud800@x.com"}`);
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('lone UTF-16 surrogate') });
    for (const path of ['/Users/a%00b', `/Users?filter=${encodeURIComponent('externalId eq "')}%00%22`]) {
      const response = await h.scim('GET', path);
      expect(response.statusCode, path).toBe(400);
      expect(response.json()).toMatchObject({ status: '400', detail: expect.stringContaining('NUL character') });
    }
  });

  it('refuses other media types with 415 and oversized bodies with 413', async () => {
    const xml = await h.scim('POST', '/Users', '<user/>', { 'content-type': 'application/xml' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().status).toBe('415');
    const huge = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'big@example.com', title: 'x'.repeat(1_100_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().status).toBe('413');
  });

  it('rate-limits per SoR with 429 and Retry-After', async () => {
    const limited = await scimHarness(backend, { rateLimitPerSecond: 2 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let index = 0; index < 8; index++) {
        const response = await limited.scim('GET', '/Users?count=1');
        statuses.push(response.statusCode);
        if (response.statusCode === 429) {
          retryAfter = response.headers['retry-after'] as string;
          expect(response.json()).toMatchObject({ status: '429' });
        }
      }
      expect(statuses).toContain(200);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.app.close();
    }
  });

  it('records every request with its outcome, error and graph operations, and never the token', async () => {
    const created = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'logged@example.com', emails: [{ value: 'logged@example.com' }] });
    const id = created.json().id;
    await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'LOGGED@example.com' });
    await h.app.inject({ method: 'GET', url: `/scim/v2/${h.sorId}/Users`, headers: { authorization: `Bearer ${other.token}` } });
    const events = (await h.app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${h.sorId}/events?count=3`, headers: admin })).json().items;
    const [refusedToken, conflict, create] = events;
    expect(create).toMatchObject({
      protocol: 'scim',
      method: 'POST',
      path: `/scim/v2/${h.sorId}/Users`,
      status: 'applied',
      httpStatus: 201,
      subject: `/Users/${id}`,
      eventType: 'User.create',
      authentication: { bearer: 'valid' },
      operations: [{ op: 'replace', entity: 'User', id, children: 1 }],
      extracted: { entity: 'User', id, attributes: { userName: 'logged@example.com' } },
    });
    expect(JSON.parse(create.raw)).toMatchObject({ userName: 'logged@example.com' });
    expect(conflict).toMatchObject({ status: 'refused', httpStatus: 409, errorCode: 'uniqueness' });
    expect(refusedToken).toMatchObject({ status: 'refused', httpStatus: 401, authentication: { bearer: 'invalid', reason: 'push token of another system of record' } });
    const everything = JSON.stringify(await h.store.listPushEvents(h.sorId, { limit: 1000 }));
    expect(everything).not.toContain(h.token);
    expect(everything).not.toContain(other.token);
    expect(everything).not.toContain('YWRtaW46YWRtaW4=');
  });

  it('tells the truth in ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const config = (await h.scim('GET', '/ServiceProviderConfig')).json();
    expect(config).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: { cursor: true, index: true },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    const types = (await h.scim('GET', '/ResourceTypes')).json();
    expect(types.Resources.map((type: { endpoint: string }) => type.endpoint)).toEqual(['/Users', '/Groups']);
    const schemas = (await h.scim('GET', '/Schemas')).json();
    expect(schemas.Resources.map((schema: { id: string }) => schema.id)).toEqual([
      USER_SCHEMA,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      GROUP_SCHEMA,
    ]);
    const user = (await h.scim('GET', `/Schemas/${USER_SCHEMA}`)).json();
    expect(user.attributes.find((attribute: { name: string }) => attribute.name === 'userName')).toMatchObject({ required: true, uniqueness: 'server', caseExact: false });
    expect((await h.scim('GET', '/Schemas/urn:nope')).statusCode).toBe(404);
  });

  it('runs /Bulk with bulkId references', async () => {
    const response = await h.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'bulk.alice@example.com' } },
        { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk Group', members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
        { method: 'PATCH', path: '/Users/bulkId:qwerty', data: patchOp({ op: 'replace', path: 'title', value: 'Bulked' }) },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER_SCHEMA], userName: 'BULK.alice@example.com' } },
        { method: 'DELETE', path: '/Users/bulkId:nowhere' },
      ],
    });
    expect(response.statusCode).toBe(200);
    const [user, group, patch, duplicate, unresolved] = response.json().Operations;
    expect(user).toMatchObject({ method: 'POST', bulkId: 'qwerty', status: '201', version: 'W/"1"' });
    const aliceId = user.location.split('/').pop();
    expect(group).toMatchObject({ status: '201' });
    expect(patch).toMatchObject({ method: 'PATCH', status: '204', version: 'W/"2"' });
    expect(duplicate).toMatchObject({ status: '409', response: { scimType: 'uniqueness', status: '409' } });
    expect(unresolved.status).toBe('409');
    const groupId = group.location.split('/').pop();
    expect((await h.scim('GET', `/Groups/${groupId}`)).json().members).toEqual([{ type: 'User', value: aliceId }]);
    expect((await h.scim('GET', `/Users/${aliceId}`)).json().title).toBe('Bulked');
    const tooMany = await h.scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: Array.from({ length: 1001 }, () => ({ method: 'DELETE', path: '/Users/x' })) });
    expect(tooMany.statusCode).toBe(413);
    const stopped = await h.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      failOnErrors: 1,
      Operations: [{ method: 'DELETE', path: '/Users/none' }, { method: 'POST', path: '/Users', bulkId: 'late', data: { schemas: [USER_SCHEMA], userName: 'never@example.com' } }],
    });
    expect(stopped.json().Operations).toHaveLength(1);
  });

  it('resolves bulkId references to a Group created in the request, in a path and as a nested member', async () => {
    const response = await h.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'inner', data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk Inner' } },
        { method: 'PATCH', path: '/Groups/bulkId:inner', data: patchOp({ op: 'replace', path: 'displayName', value: 'Bulk Inner Renamed' }) },
        { method: 'POST', path: '/Groups', bulkId: 'outer', data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk Outer', members: [{ value: 'bulkId:inner', type: 'Group' }] } },
      ],
    });
    const [inner, renamed, outer] = response.json().Operations;
    expect([inner.status, renamed.status, outer.status]).toEqual(['201', '204', '201']);
    const innerId = inner.location.split('/').pop();
    expect((await h.scim('GET', `/Groups/${innerId}`)).json().displayName).toBe('Bulk Inner Renamed');
    expect((await h.scim('GET', `/Groups/${outer.location.split('/').pop()}`)).json().members).toEqual([{ value: innerId, type: 'Group' }]);
  });

  it('resolves bulkId references to POSTs later in the request, and refuses both sides of a cycle', async () => {
    const response = await h.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'group', data: { schemas: [GROUP_SCHEMA], displayName: 'Forward Group', members: [{ value: 'bulkId:user' }] } },
        { method: 'POST', path: '/Users', bulkId: 'user', data: { schemas: [USER_SCHEMA], userName: 'forward@example.com' } },
        { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP_SCHEMA], displayName: 'Cycle A', members: [{ value: 'bulkId:b' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP_SCHEMA], displayName: 'Cycle B', members: [{ value: 'bulkId:a' }] } },
      ],
    });
    expect(response.statusCode).toBe(200);
    const [group, user, a, b] = response.json().Operations;
    expect(group).toMatchObject({ bulkId: 'group', status: '201' });
    expect(user).toMatchObject({ bulkId: 'user', status: '201' });
    const userId = user.location.split('/').pop();
    expect((await h.scim('GET', `/Groups/${group.location.split('/').pop()}`)).json().members).toEqual([{ value: userId }]);
    expect([a.status, b.status]).toEqual(['409', '409']);
    expect(a.response.detail).toMatch(/cycle/);
  });
});
