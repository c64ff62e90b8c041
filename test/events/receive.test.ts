import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';
import { admin, seedTemplate, testApp } from '../support/service.js';
import { HMAC_SECRET, seedSet, signHs256 } from './set-fixtures.js';

describe.each(backends({ sqliteFile: true }))('SET push on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    const create = (verification: unknown) =>
      app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template: seedTemplate, verification } });
    sorId = (await create({ hmacSecrets: [HMAC_SECRET] })).json().id;
    const otherId = (await create({})).json().id;
    const newToken = async (id: string) =>
      (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${id}/tokens`, headers: admin })).json().token as string;
    token = await newToken(sorId);
    otherToken = await newToken(otherId);
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  /** Pushes a SET and waits until the inbox worker has applied whatever was accepted. */
  const push = async (body: string, headers: Record<string, string> = {}) => {
    const response = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}`, ...headers },
      payload: body,
    });
    await app.inbox.drain();
    return response;
  };
  const readUser = (id: string) =>
    app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/${id}`, headers: admin });

  it('applies the seed walkthrough: create, read back, replace, delete', async () => {
    const created = await push(await signHs256(seedSet({ jti: 'create-1' })));
    expect(created.statusCode).toBe(202);
    expect(created.body).toBe('');

    const node = await readUser('100');
    expect(node.statusCode).toBe(200);
    expect(node.json()).toMatchObject({
      entity: 'User',
      id: '100',
      attributes: { id: '100', userName: 'jdoe@example.com', enabled: false },
      lastEventId: 'create-1',
      children: { Email: [{ entity: 'Email', attributes: { type: 'work', value: 'jdoe@example.com' }, parent: { entity: 'User', id: '100' } }] },
    });

    const put = seedSet({
      jti: 'put-1',
      events: { 'urn:ietf:params:scim:event:prov:put:full': { data: { userName: 'john@example.com', enabled: 'true', emails: [] } } },
    });
    expect((await push(await signHs256(put))).statusCode).toBe(202);
    const replaced = (await readUser('100')).json();
    expect(replaced.attributes).toEqual({ id: '100', userName: 'john@example.com', enabled: true });
    expect(replaced.children).toEqual({});
    expect(replaced.lastEventId).toBe('put-1');

    const entities = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities`, headers: admin });
    expect(entities.json().items).toEqual([
      expect.objectContaining({ id: 'User', count: 1 }),
      expect.objectContaining({ id: 'Email', count: 0 }),
    ]);
    const found = await app.inject({
      method: 'GET',
      url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes?filter=${encodeURIComponent('userName eq "john@example.com"')}`,
      headers: admin,
    });
    expect(found.json().items.map((n: { id: string }) => n.id)).toEqual(['100']);

    const del = seedSet({ jti: 'delete-1', events: { 'urn:ietf:params:SCIM:event:prov:delete': {} } });
    expect((await push(await signHs256(del))).statusCode).toBe(202);
    expect((await readUser('100')).statusCode).toBe(404);
  });

  it('verifies a SET signed with the push token itself, as SGNL clients sign', async () => {
    expect((await push(await signHs256(seedSet({ sub_id: { format: 'scim', uri: '/Users/x', id: '101' } }), token))).statusCode).toBe(202);
    expect((await readUser('101')).statusCode).toBe(200);
  });

  it.each<[string, Record<string, string>, number, string]>([
    ['no bearer token', { authorization: '' }, 401, 'authentication_failed'],
    ['a malformed bearer token', { authorization: 'Bearer abc' }, 401, 'authentication_failed'],
    ['a wrong media type', { 'content-type': 'application/json' }, 415, 'invalid_request'],
  ])('answers %s with %i', async (_name, headers, status, err) => {
    const response = await push(await signHs256(seedSet()), headers);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['content-language']).toBe('en');
    expect(response.json()).toMatchObject({ err, description: expect.any(String) });
    if (status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('refuses a token of another SoR and a revoked token with 401', async () => {
    expect((await push(await signHs256(seedSet()), { authorization: `Bearer ${otherToken}` })).statusCode).toBe(401);
    const created = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json();
    expect((await push(await signHs256(seedSet()), { authorization: `Bearer ${created.token}` })).statusCode).toBe(202);
    await app.inject({ method: 'DELETE', url: `/api/v1/systems-of-record/${sorId}/tokens/${created.id}`, headers: admin });
    const refused = await push(await signHs256(seedSet()), { authorization: `Bearer ${created.token}` });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().err).toBe('authentication_failed');
  });

  it('refuses a SET holding a NUL character, which no backend can store, with a 400', async () => {
    const response = await push(await signHs256(seedSet({ sub_id: { format: 'scim', uri: '/Users/nul', id: 'nul' }, note: 'a\u0000b' })));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('NUL character') });
  });

  it('answers a body over the limit with 413', async () => {
    const response = await push('x'.repeat(10 * 1024 * 1024));
    expect(response.statusCode).toBe(413);
    expect(response.json().err).toBe('invalid_request');
  });

  it('refuses a wrong signature with invalid_key and stores nothing', async () => {
    const response = await push(await signHs256(seedSet({ sub_id: { format: 'scim', uri: '/Users/x', id: '300' } }), 'another-secret-that-is-long-enough-000'));
    expect(response.statusCode).toBe(400);
    expect(response.json().err).toBe('invalid_key');
    expect((await readUser('300')).statusCode).toBe(404);
  });

  it('refuses a value of the wrong type, naming the attribute, and stores nothing', async () => {
    const bad = seedSet({
      sub_id: { format: 'scim', uri: '/Users/x', id: '200' },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'a', enabled: 'maybe' } } },
    });
    const response = await push(await signHs256(bad));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('enabled') });
    expect((await readUser('200')).statusCode).toBe(404);
  });

  it('refuses a subject whose resource type no entity receives', async () => {
    const response = await push(await signHs256(seedSet({ sub_id: { format: 'scim', uri: '/Devices/1', id: '1' } })));
    expect(response.statusCode).toBe(400);
    expect(response.json().description).toMatch(/"Devices"/);
  });

  it('answers an unknown SoR with 404 in the RFC 8935 format', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/events/scim/v1/unknown',
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(seedSet()),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().err).toBe('invalid_request');
  });
});
