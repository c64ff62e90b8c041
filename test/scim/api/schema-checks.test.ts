import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { admin } from '../../support/service.js';
import { ENTERPRISE, GROUP_SCHEMA, SCIM_JSON, USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

describe.each(backends({ sqliteFile: true }))('SCIM schema checks on $name', (backend) => {
  let h: ScimHarness;

  beforeAll(async () => {
    h = await scimHarness(backend);
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['no schemas', { userName: 'a@example.com' }, 'invalidSyntax', /"schemas" is missing; a User must list "urn:ietf:params:scim:schemas:core:2\.0:User"/],
    ['no core schema', { schemas: [ENTERPRISE], userName: 'b@example.com', [ENTERPRISE]: { employeeNumber: '1' } }, 'invalidValue', /does not list the core schema/],
  ])('refuses a User with %s by default (strict), naming what is missing', async (_name, body, scimType, detail) => {
    const response = await h.scim('POST', '/Users', body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(response.json()).toMatchObject({ status: '400', scimType, detail: expect.stringMatching(detail) });
  });

  // RFC 7643 §3 asks that an extension the body uses be listed, not that a listed one be used: Entra ID's Create User.
  it('accepts a User that lists the enterprise extension without carrying it, on POST and PUT', async () => {
    const created = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'listed.unused@example.com', active: true });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ userName: 'listed.unused@example.com', active: true });
    expect(created.json()[ENTERPRISE]).toBeUndefined();
    const replaced = await h.scim('PUT', `/Users/${created.json().id}`, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'listed.unused@example.com', active: false });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().active).toBe(false);
  });

  it('refuses a PUT without the core schema, and a Group without schemas', async () => {
    const id = await h.createUser('put@example.com');
    const put = await h.scim('PUT', `/Users/${id}`, { userName: 'put@example.com' });
    expect(put.statusCode).toBe(400);
    expect(put.json().scimType).toBe('invalidSyntax');
    const group = await h.scim('POST', '/Groups', { displayName: 'No schemas' });
    expect(group.json()).toMatchObject({ status: '400', detail: expect.stringContaining(GROUP_SCHEMA) });
  });

  it('accepts well-formed bodies, and PATCH messages are not resources', async () => {
    const created = await h.scim('POST', '/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'ok@example.com', [ENTERPRISE]: { employeeNumber: '7' } });
    expect(created.statusCode).toBe(201);
    const patched = await h.scim('PATCH', `/Users/${created.json().id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    expect(patched.statusCode).toBe(200);
  });

  it('relaxes the checks for a SoR that asks, and says so in the request log', async () => {
    const sorId = (
      await h.app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0', scim: { schemaChecks: 'relaxed' } } })
    ).json().id as string;
    const sor = (await h.app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}`, headers: admin })).json();
    expect(sor.scim).toEqual({ schemaChecks: 'relaxed' });
    const token = (await h.app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
    const response = await h.app.inject({
      method: 'POST',
      url: `/scim/v2/${sorId}/Users`,
      headers: { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON },
      payload: JSON.stringify({ userName: 'relaxed@example.com' }),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().schemas).toEqual([USER_SCHEMA]);
    const log = (await h.app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events`, headers: admin })).json();
    expect(log.items[0]).toMatchObject({ status: 'applied', notes: [expect.stringMatching(/^schema check relaxed: "schemas" is missing/)] });
  });

  it('refuses an unknown schema check setting', async () => {
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0', scim: { schemaChecks: 'lenient' } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ place: 'scim.schemaChecks', message: 'must be "strict" (the default) or "relaxed"' }]);
  });
});
