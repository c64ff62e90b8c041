import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';
import { readCatalogYaml } from '../template/catalog.js';
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

  it('refuses a SET holding a lone UTF-16 surrogate, which PostgreSQL cannot store, with a 400 that is logged', async () => {
    const response = await push(await signHs256(seedSet({ sub_id: { format: 'scim', uri: '/Users/sur', id: 'sur' }, jti: 'lone-surrogate', note: 'a\ud800b' })));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('lone UTF-16 surrogate') });
    const logged = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events?status=refused`, headers: admin })).json();
    expect(logged.items.some((event: { errorDescription?: string }) => event.errorDescription?.includes('lone UTF-16 surrogate'))).toBe(true);
  });

  it('refuses a URL holding a NUL character with a 400 in the SET error format, on every backend', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}%00`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(seedSet()),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('NUL character') });
    const node = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/a%00b`, headers: admin });
    expect(node.statusCode).toBe(400);
    expect(node.headers['content-type']).toMatch(/problem\+json/);
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

  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const withEvent = (id: string, uri: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    seedSet({ sub_id: { format: 'scim', uri: `/Users/${id}`, id }, events: { [uri]: payload }, ...extra });

  it('refuses a patch:full whose PatchOp is wrong on its own, before answering', async () => {
    const patchEvent = 'urn:ietf:params:scim:event:prov:patch:full';
    expect((await push(await signHs256(seedSet({ sub_id: { format: 'scim', uri: '/Users/p', id: 'p1' } })))).statusCode).toBe(202);
    const cases: [unknown, RegExp][] = [
      [{ schemas: [PATCH_OP], Operations: [{ op: 'frobnicate', path: 'title', value: 'x' }] }, /Operations\[0\]\.op/],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }, /active/],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 5 }] }, /userName/],
      [{ schemas: [PATCH_OP], Operations: [] }, /Operations/],
      [{ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }] }, /emails/],
      [{ Operations: [{ op: 'replace', path: 'userName', value: 'x' }] }, /schemas/],
    ];
    for (const [data, description] of cases) {
      const response = await push(await signHs256(withEvent('p1', patchEvent, { data })));
      expect(response.statusCode, JSON.stringify(data)).toBe(400);
      expect(response.json()).toMatchObject({ err: 'invalid_request', description: expect.stringMatching(description) });
    }
    const good = await push(await signHs256(withEvent('p1', patchEvent, { data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'new@example.com' }] } })));
    expect(good.statusCode).toBe(202);
    expect((await readUser('p1')).json().attributes.userName).toBe('new@example.com');
  });

  it('answers and logs an event of another kind without a SCIM subject, changing nothing', async () => {
    const verification = seedSet({
      sub_id: { format: 'opaque', id: 'stream-1' },
      events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'abc' } },
    });
    expect((await push(await signHs256(verification))).statusCode).toBe(202);
    const noSubject = seedSet({ events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': {} } });
    delete noSubject.sub_id;
    expect((await push(await signHs256(noSubject))).statusCode).toBe(202);
    const logged = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events?status=ignored`, headers: admin })).json();
    expect(logged.items.filter((e: { eventType?: string }) => e.eventType?.endsWith('/verification'))).toHaveLength(2);
  });

  it('refuses an expired SET and one not valid yet', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await push(await signHs256(seedSet({ exp: now - 3600 })));
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ err: 'invalid_request', description: expect.stringMatching(/expired at/) });
    const early = await push(await signHs256(seedSet({ nbf: now + 3600 })));
    expect(early.json()).toMatchObject({ err: 'invalid_request', description: expect.stringMatching(/not valid before/) });
    expect((await push(await signHs256(seedSet({ exp: now + 60 })))).statusCode).toBe(202);
  });

  describe('without a required bearer token', () => {
    const sorWith = async (verification: unknown) => {
      const id = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template: seedTemplate, verification } })).json().id as string;
      const pushToken = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${id}/tokens`, headers: admin })).json().token as string;
      const send = (body: string, authorization?: string) =>
        app.inject({
          method: 'POST',
          url: `/events/scim/v1/${id}`,
          headers: { 'content-type': 'application/secevent+jwt', ...(authorization ? { authorization } : {}) },
          payload: body,
        });
      return { pushToken, send };
    };
    const forged = (claims: Record<string, unknown>) => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${encode({ alg: 'HS256', typ: 'secevent+jwt' })}.${encode(claims)}.Z2FyYmFnZQ`;
    };

    it('does not let a signature no key can check through an optional signature', async () => {
      const { pushToken, send } = await sorWith({ bearerToken: 'optional', signature: 'optional' });
      const refused = await send(forged(seedSet()));
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ err: 'invalid_key', description: expect.stringContaining('Authorization: Bearer') });
      expect((await send(await signHs256(seedSet(), pushToken), `Bearer ${pushToken}`)).statusCode).toBe(202);
    });

    it('verifies a SET signed with a push token sent along, also when bearer tokens are disabled', async () => {
      const { pushToken, send } = await sorWith({ bearerToken: 'disabled', signature: 'required' });
      expect((await send(await signHs256(seedSet(), pushToken), `Bearer ${pushToken}`)).statusCode).toBe(202);
      const alone = await send(await signHs256(seedSet(), pushToken));
      expect(alone.statusCode).toBe(400);
      expect(alone.json().err).toBe('invalid_key');
      // With bearer tokens disabled, a wrong token is not refused as such: it only cannot verify the signature.
      expect((await send(await signHs256(seedSet(), pushToken), 'Bearer pgt_wrong')).json().err).toBe('invalid_key');
    });
  });

  it('refuses SETs for an SSF (CAEP) SoR, saying that SSF delivery is not supported yet', async () => {
    const ssf = await app.inject({
      method: 'POST',
      url: '/api/v1/systems-of-record',
      headers: { ...admin, 'content-type': 'application/yaml' },
      payload: readCatalogYaml('ssfevents.caep.sgnl.yaml'),
    });
    const response = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${ssf.json().id}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(seedSet()),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ err: 'invalid_request', description: expect.stringMatching(/pushType "SSF".*SSF \(CAEP\) event delivery is not supported yet/) });
  });
});
