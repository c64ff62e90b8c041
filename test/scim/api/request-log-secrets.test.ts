import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { admin } from '../../support/service.js';
import { USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

describe.each(backends({ sqliteFile: true }))('the SCIM request log keeps no secrets, on $name', (backend) => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness(backend, { rateLimitPerSecond: 1000 });
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const lastEvent = async () => (await h.app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${h.sorId}/events`, headers: admin })).json().items[0];
  const wholeLog = async () => JSON.stringify(await h.store.listPushEvents(h.sorId, { limit: 1000 }));

  it('redacts the password of a created user, as the admin API and the store show it, and keeps the rest of the body', async () => {
    const created = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'pw.create@example.com', password: 'secret123', name: { givenName: 'Pat' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().password).toBeUndefined();
    const event = await lastEvent();
    expect(JSON.parse(event.raw)).toEqual({ schemas: [USER_SCHEMA], userName: 'pw.create@example.com', password: '[redacted]', name: { givenName: 'Pat' } });
    expect(JSON.stringify(event)).not.toContain('secret123');
    expect(await wholeLog()).not.toContain('secret123');
  });

  it('refuses a password that is not a string on POST and PUT, as PATCH does, without repeating it', async () => {
    const posted = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'pw.number@example.com', password: 98765432 });
    expect(posted.statusCode).toBe(400);
    expect(posted.json()).toMatchObject({ scimType: 'invalidValue', detail: 'password expects a string, found a number' });
    const id = (await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'pw.put@example.com' })).json().id as string;
    const put = await h.scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'pw.put@example.com', password: 12345 });
    expect(put.statusCode).toBe(400);
    expect(put.body).not.toContain('12345');
  });

  it('redacts passwords in PATCH values, PATCH paths, URN-qualified names and PUT bodies', async () => {
    const id = await h.createUser('pw.patch@example.com');
    const patches = [
      patchOp({ op: 'replace', value: { password: 'Hunter2-a' } }),
      patchOp({ op: 'replace', path: 'password', value: 'Hunter2-b' }),
      patchOp({ op: 'Replace', path: `${USER_SCHEMA}:password`, value: 'Hunter2-c' }),
      patchOp({ op: 'replace', value: { [`${USER_SCHEMA}:password`]: 'Hunter2-d', title: 'Engineer' } }),
    ];
    for (const body of patches) expect((await h.scim('PATCH', `/Users/${id}`, body)).statusCode).toBe(200);
    const put = await h.scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'pw.patch@example.com', PASSWORD: 'Hunter2-e' });
    expect(put.statusCode).toBe(200);
    expect(put.json().password).toBeUndefined();
    const log = await wholeLog();
    expect(log).not.toMatch(/Hunter2/);
    expect(JSON.parse((await lastEvent()).raw)).toMatchObject({ PASSWORD: '[redacted]' });
  });

  it('redacts the passwords in a /Bulk request\'s operations', async () => {
    const response = await h.scim('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'pw.bulk@example.com', password: 'BulkSecret1' } }],
    });
    expect(response.statusCode).toBe(200);
    const event = await lastEvent();
    expect(JSON.parse(event.raw)).toMatchObject({ Operations: [{ bulkId: 'u', data: { userName: 'pw.bulk@example.com', password: '[redacted]' } }] });
    expect(await wholeLog()).not.toContain('BulkSecret1');
  });

  it('redacts the password of a refused request too', async () => {
    await h.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'pw.create@example.com', password: 'TakenSecret1' });
    expect(await lastEvent()).toMatchObject({ status: 'refused', httpStatus: 409 });
    expect(await wholeLog()).not.toContain('TakenSecret1');
  });

  it('does not repeat a password of the wrong type in the error it answers and logs', async () => {
    const id = await h.createUser('pw.typed@example.com');
    const response = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'password', value: 98765432 }));
    expect(response.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(response.body).not.toContain('98765432');
    expect(await wholeLog()).not.toContain('98765432');
  });

  it('records a push token sent in the query string with its value redacted from the path', async () => {
    const response = await h.app.inject({ method: 'GET', url: `/scim/v2/${h.sorId}/Users?count=1&access_token=${h.token}` });
    expect(response.statusCode).toBe(401);
    expect(await lastEvent()).toMatchObject({ httpStatus: 401, path: `/scim/v2/${h.sorId}/Users?count=1&access_token=[redacted]` });
    expect(await wholeLog()).not.toContain(h.token);
  });
});
