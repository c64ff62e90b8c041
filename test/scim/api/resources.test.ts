import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

describe.each(backends({ sqliteFile: true }))('SCIM 2.0 resources on $name', (backend) => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness(backend);
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  it('refuses a NUL character in a body with 400 invalidValue', async () => {
    const response = await h.scim('POST', '/Users', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nul\\u0000@example.com"}');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('NUL character') });
  });

  it('creates the seed user as its curl example sends it: 201 with Location, ETag and meta', async () => {
    const body = `{
"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
"userName": "test.user@example.com",
"name": {
"givenName": "Test",
"familyName": "User"
},
"displayName": "Test User",
"emails": [
{
"value": "test.user@example.com",
"type": "work",
"primary": true
}
],
"active": true
}`;
    const response = await h.scim('POST', '/Users', body);
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    const user = response.json();
    expect(user).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: 'test.user@example.com',
      name: { givenName: 'Test', familyName: 'User' },
      displayName: 'Test User',
      emails: [{ value: 'test.user@example.com', type: 'work', primary: true }],
      active: true,
      meta: { resourceType: 'User', version: 'W/"1"', location: `${h.base}/Users/${user.id}` },
    });
    expect(user.meta.created).toBe(user.meta.lastModified);
    expect(response.headers.location).toBe(`${h.base}/Users/${user.id}`);
    expect(response.headers.etag).toBe('W/"1"');
  });

  it('reads core attributes nested under the core schema URN as if written at the top', async () => {
    const response = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], [USER_SCHEMA]: { userName: 'nested@example.com', title: 'Boss' } });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({ userName: 'nested@example.com', title: 'Boss' });
    expect(created[USER_SCHEMA]).toBeUndefined();
    const found = await h.scim('GET', `/Users?filter=${encodeURIComponent(`${USER_SCHEMA}:title eq "boss"`)}`);
    expect(found.json().Resources.map((user: { id: string }) => user.id)).toEqual([created.id]);
    const refused = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'x@example.com', [USER_SCHEMA]: 'title' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('must be an object') });
  });

  it('refuses a duplicate userName compared without regard to case with 409 uniqueness', async () => {
    await h.createUser('Dup.User@example.com');
    const response = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'dup.user@EXAMPLE.com' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.stringContaining('dup.user@EXAMPLE.com'),
    });
  });

  it('refuses a duplicate group displayName with 409', async () => {
    await h.createGroup('Engineering');
    const response = await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'ENGINEERING' });
    expect(response.statusCode).toBe(409);
    expect(response.json().scimType).toBe('uniqueness');
  });

  it('reads, replaces and deletes a user; 404 after', async () => {
    const id = await h.createUser('replace.me@example.com', { name: { givenName: 'Re' } });
    const read = await h.scim('GET', `/Users/${id}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('W/"1"');
    const put = await h.scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'replace.me@example.com', title: 'Boss' });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id, title: 'Boss', meta: { version: 'W/"2"' } });
    expect(put.json().name).toBeUndefined();
    expect(put.json().meta.created).toBe(read.json().meta.created);
    expect((await h.scim('DELETE', `/Users/${id}`)).statusCode).toBe(204);
    const gone = await h.scim('GET', `/Users/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ status: '404', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
    expect((await h.scim('DELETE', `/Users/${id}`)).statusCode).toBe(404);
    expect((await h.scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'x' })).statusCode).toBe(404);
    expect((await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'x' }))).statusCode).toBe(404);
  });

  it('honours If-Match and If-None-Match with 412 and 304', async () => {
    const id = await h.createUser('etag.user@example.com');
    const stale = await h.scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'etag.user@example.com' }, { 'if-match': 'W/"7"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().status).toBe('412');
    const fresh = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'T' }), { 'if-match': 'W/"1"' });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).toBe('W/"2"');
    expect((await h.scim('GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"2"' })).statusCode).toBe(304);
    expect((await h.scim('GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"1"' })).statusCode).toBe(200);
    expect((await h.scim('DELETE', `/Users/${id}`, undefined, { 'if-match': 'W/"1"' })).statusCode).toBe(412);
    expect((await h.scim('DELETE', `/Users/${id}`, undefined, { 'if-match': '*' })).statusCode).toBe(204);
  });

  it('applies attributes and excludedAttributes on reads, writes and lists', async () => {
    const id = await h.createUser('select.me@example.com', {
      name: { givenName: 'Sel', familyName: 'Ect' },
      emails: [{ value: 'select.me@example.com', type: 'work' }],
      [ENTERPRISE]: { employeeNumber: '42', department: 'R&D' },
    });
    const only = (await h.scim('GET', `/Users/${id}?attributes=name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`)).json();
    expect(only).toEqual({ schemas: [USER_SCHEMA, ENTERPRISE], id, name: { givenName: 'Sel' }, [ENTERPRISE]: { employeeNumber: '42' } });
    const except = (await h.scim('GET', `/Users/${id}?excludedAttributes=emails,meta`)).json();
    expect(except.emails).toBeUndefined();
    expect(except.meta).toBeUndefined();
    expect(except.userName).toBe('select.me@example.com');
    const created = await h.scim('POST', '/Users?attributes=userName', { schemas: [USER_SCHEMA], userName: 'selected.create@example.com', title: 'x' });
    expect(Object.keys(created.json()).sort()).toEqual(['id', 'schemas', 'userName']);
    const listed = (await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "select.me@example.com"')}&attributes=userName`)).json();
    expect(listed.Resources).toEqual([{ schemas: [USER_SCHEMA, ENTERPRISE], id, userName: 'select.me@example.com' }]);
  });

  it('keeps the enterprise extension, normalizes attribute casing and never stores a password', async () => {
    const response = await h.scim('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      UserName: 'casing@example.com',
      password: 'hunter2',
      NAME: { GivenName: 'Ca' },
      [ENTERPRISE]: { manager: { value: 'boss' } },
    });
    expect(response.statusCode).toBe(201);
    const user = response.json();
    expect(user.userName).toBe('casing@example.com');
    expect(user.name).toEqual({ givenName: 'Ca' });
    expect(user.password).toBeUndefined();
    expect(user[ENTERPRISE]).toEqual({ manager: { value: 'boss' } });
    const logged = await h.store.listPushEvents(h.sorId, { limit: 1 });
    expect(logged.items[0]?.raw).toContain('casing@example.com');
  });

  it('refuses bodies that are not resources', async () => {
    expect((await h.scim('POST', '/Users', { schemas: [USER_SCHEMA] })).json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await h.scim('POST', '/Users', '[1]')).json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await h.scim('POST', '/Users', '{"userName": ')).json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await h.scim('POST', '/Users', { schemas: ['urn:example:Other'], userName: 'x' })).json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'x', active: 'maybe' })).json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await h.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'g', members: [{ display: 'no id' }] })).json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('answers a group with members, and without touching them for excludedAttributes=members', async () => {
    const users = await Promise.all(['m1', 'm2', 'm3'].map((name) => h.createUser(`${name}@example.com`)));
    const id = await h.createGroup('Readers', users);
    const group = (await h.scim('GET', `/Groups/${id}`)).json();
    expect(group.members.map((member: { value: string }) => member.value).sort()).toEqual([...users].sort());
    const without = (await h.scim('GET', `/Groups/${id}?excludedAttributes=members`)).json();
    expect(without.members).toBeUndefined();
    expect(without.displayName).toBe('Readers');
    const user = (await h.scim('GET', `/Users/${users[0]}`)).json();
    const groups = [{ value: id, display: 'Readers', $ref: `${h.base}/Groups/${id}`, type: 'direct' }];
    expect(user.groups).toEqual(groups);
    // Returned by default in lists too, as /Schemas says; left out when excluded.
    const listed = (await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "m1@example.com" or userName eq "m2@example.com" or userName eq "m3@example.com"')}`)).json();
    expect(listed.Resources).toHaveLength(3);
    for (const resource of listed.Resources) expect(resource.groups).toEqual(groups);
    const excluded = (await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "m1@example.com"')}&excludedAttributes=groups`)).json();
    expect(excluded.Resources[0].groups).toBeUndefined();
  });

  it('streams a large group in valid JSON', async () => {
    const members = Array.from({ length: 2500 }, (_, index) => `member-${String(index).padStart(5, '0')}`);
    const id = await h.createGroup('Large', members);
    const response = await h.scim('GET', `/Groups/${id}`);
    expect(response.statusCode).toBe(200);
    const group = response.json();
    expect(group.members).toHaveLength(2500);
    expect(group.members[0]).toEqual({ value: 'member-00000' });
    const patched = await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'remove', path: 'members[value eq "member-00001"]' }));
    expect(patched.statusCode).toBe(204);
    expect((await h.scim('GET', `/Groups/${id}`)).json().members).toHaveLength(2499);
  });

  it('answers PATCH with 200 and the resource, or 204 when asked for no body', async () => {
    const id = await h.createUser('patch.answer@example.com');
    const full = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'nickName', value: 'Pat' }));
    expect(full.statusCode).toBe(200);
    expect(full.json().nickName).toBe('Pat');
    const minimal = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'nickName', value: 'Min' }), { prefer: 'return=minimal' });
    expect(minimal.statusCode).toBe(204);
    expect(minimal.body).toBe('');
    const groupId = await h.createGroup('Patchers');
    const representation = await h.scim('PATCH', `/Groups/${groupId}?attributes=displayName`, patchOp({ op: 'replace', path: 'displayName', value: 'Patchers 2' }));
    expect(representation.statusCode).toBe(200);
    expect(representation.json().displayName).toBe('Patchers 2');
  });

  it('applies several operations of one PATCH atomically', async () => {
    const id = await h.createUser('atomic@example.com', { title: 'before' });
    const refused = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'after' }, { op: 'bogus', path: 'nickName', value: 'x' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().status).toBe('400');
    expect((await h.scim('GET', `/Users/${id}`)).json()).toMatchObject({ title: 'before', meta: { version: 'W/"1"' } });
  });
});
