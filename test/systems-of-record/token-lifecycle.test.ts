import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { sha256Hex } from '../../src/admin/secrets.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, seedTemplate, testApp } from '../support/service.js';

describe.each(backends())('push token lifecycle on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    sorId = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template: seedTemplate } })).json().id;
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const tokens = `/api/v1/systems-of-record/${'SOR'}/tokens`;
  const url = (path: string) => path.replace('SOR', sorId);
  const push = async (token: string) =>
    app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(seedSet(), token),
    });

  it('refuses a token that expired a second ago, and the event log says when it expired', async () => {
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const id = '0123456789abcdef';
    const token = `pgt_${id}_expired-token-secret-000000000000000000`;
    await store.createPushToken({ id, sorId, hash: sha256Hex(token), createdAt: new Date(Date.now() - 60_000).toISOString(), expiresAt });
    const refused = await push(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).not.toContain('expired');
    const log = (await app.inject({ method: 'GET', url: url('/api/v1/systems-of-record/SOR/events?status=refused'), headers: admin })).json();
    expect(log.items[0].authentication).toMatchObject({ bearer: 'invalid', tokenId: id, reason: `push token expired at ${expiresAt}` });
    const listed = (await app.inject({ method: 'GET', url: url(tokens), headers: admin })).json().items;
    expect(listed.find((t: { id: string }) => t.id === id).status).toBe('expired');
  });

  it('refuses a token that expired a second ago on the SCIM 2.0 endpoint too, with the reason in the request log', async () => {
    const scimSor = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } })).json().id;
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const id = 'fedcba9876543210';
    const token = `pgt_${id}_expired-scim-token-secret-00000000000000`;
    await store.createPushToken({ id, sorId: scimSor, hash: sha256Hex(token), createdAt: new Date(Date.now() - 60_000).toISOString(), expiresAt });
    const refused = await app.inject({ method: 'GET', url: `/scim/v2/${scimSor}/Users`, headers: { authorization: `Bearer ${token}` } });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).not.toContain('expired');
    const log = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${scimSor}/events?status=refused`, headers: admin })).json();
    expect(log.items[0]).toMatchObject({ protocol: 'scim', authentication: { bearer: 'invalid', tokenId: id, reason: `push token expired at ${expiresAt}` } });
  });

  it('rotates without downtime: the new token works at once, the old one until the grace period ends', async () => {
    const old = (await app.inject({ method: 'POST', url: url(tokens), headers: admin, payload: { description: 'okta' } })).json();
    expect((await push(old.token)).statusCode).toBe(202);
    const rotated = await app.inject({ method: 'POST', url: url(`${tokens}/${old.id}/rotate`), headers: admin, payload: { graceSeconds: 3600 } });
    expect(rotated.statusCode).toBe(201);
    const body = rotated.json();
    expect(body).toMatchObject({ token: expect.stringMatching(/^pgt_/), previous: { id: old.id, expiresAt: expect.any(String) } });
    expect(Date.parse(body.previous.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect((await push(body.token)).statusCode).toBe(202);
    expect((await push(old.token)).statusCode).toBe(202);

    const listed = (await app.inject({ method: 'GET', url: url(tokens), headers: admin })).json().items;
    expect(listed.find((t: { id: string }) => t.id === body.id)).toMatchObject({ description: 'okta', status: 'active', lastUsedAt: expect.any(String) });

    const now = await app.inject({ method: 'POST', url: url(`${tokens}/${body.id}/rotate`), headers: admin, payload: { graceSeconds: 0 } });
    expect(now.statusCode).toBe(201);
    expect((await push(body.token)).statusCode).toBe(401);
    expect((await push(now.json().token)).statusCode).toBe(202);
  });

  it.each([
    [{ graceSeconds: -1 }, 400, /graceSeconds/],
    [{ graceSeconds: 99_999_999 }, 400, /30 days/],
    [{ grace: 5 }, 400, /unknown field "grace"/],
  ])('refuses rotation with %j', async (payload, status, message) => {
    const old = (await app.inject({ method: 'POST', url: url(tokens), headers: admin })).json();
    const response = await app.inject({ method: 'POST', url: url(`${tokens}/${old.id}/rotate`), headers: admin, payload });
    expect(response.statusCode).toBe(status);
    expect(response.json().detail).toMatch(message);
  });

  it('cannot rotate a revoked or unknown token', async () => {
    const old = (await app.inject({ method: 'POST', url: url(tokens), headers: admin })).json();
    await app.inject({ method: 'DELETE', url: url(`${tokens}/${old.id}`), headers: admin });
    expect((await app.inject({ method: 'POST', url: url(`${tokens}/${old.id}/rotate`), headers: admin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: url(`${tokens}/ffffffffffffffff/rotate`), headers: admin })).statusCode).toBe(404);
  });

  it('cannot rotate an expired token, answering as for a revoked one', async () => {
    const id = '00112233445566ff';
    await store.createPushToken({
      id, sorId, hash: sha256Hex(`pgt_${id}_expired`), createdAt: new Date(Date.now() - 60_000).toISOString(), expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const tokenCount = async () => (await app.inject({ method: 'GET', url: url(tokens), headers: admin })).json().items.length as number;
    const before = await tokenCount();
    const response = await app.inject({ method: 'POST', url: url(`${tokens}/${id}/rotate`), headers: admin });
    expect(response.statusCode).toBe(404);
    expect(response.json().detail).toBe(`no active push token "${id}" for system of record "${sorId}"`);
    expect(await tokenCount()).toBe(before);
  });
});
