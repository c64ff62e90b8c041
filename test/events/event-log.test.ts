import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxWorker } from '../../src/events/inbox-worker.js';
import { startEventRetention } from '../../src/events/retention.js';
import type { GraphStore } from '../../src/graph/store.js';
import { buildApp } from '../../src/http/app.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { createPushToken } from '../../src/systems-of-record/push-tokens.js';
import { backends } from '../support/backends.js';
import { capturingLogger } from '../support/log-lines.js';
import { admin, ADMIN_TOKEN, PUBLIC_URL, seedSorWithToken, seedTemplate, testApp } from '../support/service.js';
import { HMAC_SECRET, seedSet, signHs256 } from './set-fixtures.js';

const user = (id: string, overrides: Record<string, unknown> = {}) =>
  seedSet({ sub_id: { format: 'scim', uri: `/Users/${id}`, id }, ...overrides });
const event = (uri: string, payload: unknown = {}) => ({ events: { [`urn:ietf:params:scim:event:prov:${uri}`]: payload } });

describe.each(backends({ sqliteFile: true }))('event log and inbox on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    ({ sorId, token } = await seedSorWithToken(app));
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const push = async (claims: Record<string, unknown>, authorization = `Bearer ${token}`) => {
    const response = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization },
      payload: await signHs256(claims),
    });
    await app.inbox.drain();
    return response;
  };
  const node = async (id: string) =>
    app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/${id}`, headers: admin });
  const log = async (query = '') =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events${query}`, headers: admin })).json();

  it('records an accepted SET with what was extracted and done, and no secret', async () => {
    expect((await push(user('log-1', { jti: 'log-1' }))).statusCode).toBe(202);
    const { items } = await log(`?subject=${encodeURIComponent('/Users/log-1')}`);
    expect(items).toHaveLength(1);
    const [entry] = items;
    expect(entry).toMatchObject({
      status: 'applied',
      httpStatus: 202,
      protocol: 'set',
      method: 'POST',
      jti: 'log-1',
      eventType: 'urn:ietf:params:SCIM:event:prov:create:full',
      authentication: { bearer: 'valid', tokenId: expect.any(String), signature: 'verified' },
      decoded: { header: { alg: 'HS256', typ: 'secevent+jwt' }, claims: { jti: 'log-1' } },
      extracted: { entity: 'User', id: 'log-1', attributes: { userName: 'jdoe@example.com' } },
      operations: [{ op: 'replace', entity: 'User', id: 'log-1', children: 1 }],
      appliedAt: expect.any(String),
    });
    expect(entry.raw.split('.')).toHaveLength(3);
    const one = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events/${entry.id}`, headers: admin });
    expect(one.json()).toEqual(entry);
    const everything = JSON.stringify(await log());
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(HMAC_SECRET);
  });

  it('records a refusal with the reason for operators, while the caller learns only that it failed', async () => {
    const revoked = await createPushToken(store, sorId);
    await store.revokePushToken(sorId, revoked.record.id, new Date());
    const response = await push(user('log-2'), `Bearer ${revoked.token}`);
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain('revoked');
    const [entry] = (await log('?status=refused')).items;
    expect(entry).toMatchObject({
      status: 'refused',
      httpStatus: 401,
      errorCode: 'authentication_failed',
      authentication: { bearer: 'invalid', tokenId: revoked.record.id, reason: 'push token revoked' },
    });
    expect(JSON.stringify(entry)).not.toContain(revoked.token);
  });

  it('records a push token sent in the query string with its value redacted from the path', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}?access_token=${token}&Token=${token}`,
      headers: { 'content-type': 'application/secevent+jwt' },
      payload: await signHs256(user('log-query-token')),
    });
    expect(response.statusCode).toBe(401);
    const [entry] = (await log('?status=refused')).items;
    expect(entry).toMatchObject({ httpStatus: 401, path: `/events/scim/v1/${sorId}?access_token=[redacted]&Token=[redacted]` });
    expect(JSON.stringify(await store.listPushEvents(sorId, { limit: 1000 }))).not.toContain(token);
  });

  it('records a signature that does not verify as such', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(user('forged'), 'not-the-secret-of-this-sor-000000000000'),
    });
    expect(forged.statusCode).toBe(400);
    const [entry] = (await log(`?subject=${encodeURIComponent('/Users/forged')}`)).items;
    expect(entry).toMatchObject({ status: 'refused', errorCode: 'invalid_key', authentication: { bearer: 'valid', signature: 'invalid' } });
  });

  it('answers a redelivered SET like the first time and applies it once', async () => {
    const claims = user('log-3', { jti: 'same-jti' });
    expect((await push(claims)).statusCode).toBe(202);
    const first = (await node('log-3')).json();
    expect((await push(claims)).statusCode).toBe(202);
    expect((await node('log-3')).json().updatedAt).toBe(first.updatedAt);
    const entries = (await log(`?subject=${encodeURIComponent('/Users/log-3')}`)).items;
    expect(entries.map((e: { status: string }) => e.status)).toEqual(['duplicate', 'applied']);
    for (const entry of entries) expect(entry.decoded).toMatchObject({ header: { alg: 'HS256' }, claims: { jti: 'same-jti' } });
  });

  it('answers concurrent SETs, redeliveries among them, each with 202 and applies each jti once', async () => {
    const bodies = await Promise.all(
      [0, 1, 2, 3, 0, 4, 2, 5].map((i) => signHs256(user(`burst-${i}`, { jti: `burst-${i}` }))),
    );
    const responses = await Promise.all(
      bodies.map((payload) =>
        app.inject({
          method: 'POST',
          url: `/events/scim/v1/${sorId}`,
          headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
          payload,
        }),
      ),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array(8).fill(202));
    await app.inbox.drain();
    for (let i = 0; i <= 5; i++) {
      const { items } = await log(`?subject=${encodeURIComponent(`/Users/burst-${i}`)}`);
      const statuses = items.map((item: { status: string }) => item.status).sort();
      expect(statuses).toEqual(i === 0 || i === 2 ? ['applied', 'duplicate'] : ['applied']);
      expect((await node(`burst-${i}`)).statusCode).toBe(200);
    }
  });

  it('applies patch:full to the stored resource, then deactivate and activate', async () => {
    await push(user('log-4'));
    const patch = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'userName', value: 'patched@example.com' }],
    };
    expect((await push(user('log-4', event('patch:full', { data: patch })))).statusCode).toBe(202);
    expect((await node('log-4')).json()).toMatchObject({ attributes: { userName: 'patched@example.com', enabled: false } });
    await push(user('log-4', event('activate')));
    expect((await node('log-4')).json().attributes).toMatchObject({ userName: 'patched@example.com', enabled: true });
    await push(user('log-4', event('deactivate')));
    expect((await node('log-4')).json().attributes.enabled).toBe(false);
    const patchAgain = { ...patch, Operations: [{ op: 'replace', path: 'userName', value: 'again@example.com' }] };
    await push(user('log-4', event('patch:full', { data: patchAgain })));
    expect((await node('log-4')).json().attributes).toMatchObject({ userName: 'again@example.com', enabled: false });
  });

  it('marks a node changed upstream on a notice event, until the next full event', async () => {
    await push(user('log-5'));
    await push(user('log-5', event('put:notice', { attributes: ['userName'] })));
    expect((await node('log-5')).json().changedUpstreamAt).toEqual(expect.any(String));
    await push(user('log-5', event('put:full', { data: { userName: 'x@example.com' } })));
    expect((await node('log-5')).json().changedUpstreamAt).toBeUndefined();
  });

  it('records a failure with its reason and applies it when retried', async () => {
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value: 'late@example.com' }] };
    expect((await push(user('log-6', event('patch:full', { data: patch })))).statusCode).toBe(202);
    const [failed] = (await log('?status=failed')).items;
    expect(failed).toMatchObject({ subject: '/Users/log-6', errorDescription: expect.stringContaining('no User node "log-6"') });
    const tooEarly = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/events/${failed.id}/retry`, headers: admin });
    expect(tooEarly.statusCode).toBe(202);
    await app.inbox.drain();
    expect((await log(`?subject=${encodeURIComponent('/Users/log-6')}&status=failed`)).items).toHaveLength(1);

    await push(user('log-6'));
    const retried = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/events/${failed.id}/retry`, headers: admin });
    expect(retried.statusCode).toBe(202);
    await app.inbox.drain();
    expect((await node('log-6')).json().attributes.userName).toBe('late@example.com');
    const again = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/events/${failed.id}/retry`, headers: admin });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/only failed events/);
  });

  it('filters by type and pages newest first with a cursor', async () => {
    for (const id of ['page-1', 'page-2', 'page-3']) await push(user(id));
    const first = await log('?type=prov:create:full&count=2');
    expect(first.items).toHaveLength(2);
    expect(first.items[0].sequence).toBeGreaterThan(first.items[1].sequence);
    const second = await log(`?type=prov:create:full&count=2&cursor=${first.nextCursor}`);
    expect(second.items[0].sequence).toBeLessThan(first.items[1].sequence);
    expect((await log('?type=prov:delete')).items).toEqual([]);
  });

  it.each([
    ['?status=maybe', /querystring\.status: must be one of accepted, applied, failed, ignored, refused, duplicate/],
    ['?since=yesterday', /"since" must be an RFC 3339 time/],
    ['?since=2030-02-30T00:00:00Z', /"since" must be an RFC 3339 time/],
    ['?since=2030-01-01', /"since" must be an RFC 3339 time with its offset/],
    ['?cursor=bm9wZQ', /"cursor" is not a cursor/],
    ['?colour=blue', /unknown field "colour"/],
    ['?count=0', /"count" must be at least 1/],
  ])('answers the bad query %s with a 400 saying what is wrong', async (query, detail) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events${query}`, headers: admin });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    expect(response.json().detail).toMatch(detail);
  });

  it('keeps the inbox when deleting old log entries', async () => {
    const old = new Date('2001-01-01T00:00:00Z').toISOString();
    await store.recordPushEvent({
      id: 'old-accepted', sorId, receivedAt: old, protocol: 'set', method: 'POST', path: '/x', authentication: { bearer: 'valid' },
      status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: 'old-accepted',
    });
    await store.recordPushEvent({
      id: 'old-refused', sorId, receivedAt: old, protocol: 'set', method: 'POST', path: '/x', authentication: { bearer: 'missing' },
      status: 'refused', httpStatus: 401, attempts: 0,
    });
    expect(await store.deletePushEventsBefore(new Date('2002-01-01T00:00:00Z'))).toBe(1);
    expect(await store.getPushEvent(sorId, 'old-accepted')).toBeDefined();
    expect(await store.getPushEvent(sorId, 'old-refused')).toBeUndefined();
    await app.inbox.drain();
    expect((await store.getPushEvent(sorId, 'old-accepted'))?.status).toBe('failed');
  });

  it('deletes old log entries a batch at a time, oldest first, until the sweep has none left', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `aged-${i}`);
    for (const [i, id] of ids.entries()) {
      await store.recordPushEvent({
        id, sorId, receivedAt: `2000-06-01T00:00:0${i}.000Z`, protocol: 'set', method: 'POST', path: '/x', authentication: { bearer: 'missing' },
        status: 'refused', httpStatus: 401, attempts: 0,
      });
    }
    expect(await store.deletePushEventsBefore(new Date('2000-06-01T00:00:05Z'), 3)).toBe(3);
    const left = async () => (await Promise.all(ids.map((id) => store.getPushEvent(sorId, id)))).flatMap((event) => (event ? [event.id] : []));
    expect(await left()).toEqual(['aged-3', 'aged-4', 'aged-5', 'aged-6']);

    const { logger, lines } = capturingLogger('info');
    const stop = startEventRetention(store, 1, logger, { batchSize: 2, pauseMs: 1 });
    try {
      for (let i = 0; i < 200 && !lines.some((line) => line.msg === 'event log: old entries deleted'); i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      stop();
    }
    expect(await left()).toEqual([]);
    expect(lines.find((line) => line.msg === 'event log: old entries deleted')).toMatchObject({ deleted: expect.any(Number), retentionDays: 1 });
  });
});

describe.each(backends({ sqliteFile: true }))('rate limit and several instances on $name', (backend) => {
  afterAll(() => backend.dispose());

  it('answers 429 with Retry-After once a SoR exceeds its rate', async () => {
    const store = await backend.open();
    await ensureAdminToken(store, ADMIN_TOKEN);
    const app = await buildApp({ store, publicUrl: PUBLIC_URL, logger: false, rateLimitPerSecond: 1 });
    try {
      const sor = await new SystemsOfRecord(store).create(readSystemOfRecordRequest({ template: seedTemplate }));
      const { token } = await createPushToken(store, sor.record.id);
      const send = async () =>
        app.inject({
          method: 'POST',
          url: `/events/scim/v1/${sor.record.id}`,
          headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
          payload: await signHs256(user(`rl-${Math.random()}`), token),
        });
      // Requests without a valid token do not use up the sender's limit.
      for (let i = 0; i < 3; i++) {
        const refused = await app.inject({
          method: 'POST',
          url: `/events/scim/v1/${sor.record.id}`,
          headers: { 'content-type': 'application/secevent+jwt', authorization: 'Bearer pgt_not_a_token' },
          payload: await signHs256(user(`rl-${Math.random()}`), token),
        });
        expect(refused.statusCode).toBe(401);
      }
      expect((await send()).statusCode).toBe(202);
      expect((await send()).statusCode).toBe(202);
      const limited = await send();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.json()).toMatchObject({ err: 'access_denied', description: expect.stringContaining('too many requests') });
    } finally {
      await app.close();
    }
  });

  it('refuses at once a token revoked, and a SET the SoR no longer accepts, through another instance', async () => {
    const [first, second] = await backend.openPair();
    const app = await testApp(first);
    try {
      const sor = await new SystemsOfRecord(first).create(
        readSystemOfRecordRequest({ template: seedTemplate, verification: { hmacSecrets: [HMAC_SECRET] } }),
      );
      const send = async (claims: Record<string, unknown>, bearer: string) =>
        app.inject({
          method: 'POST',
          url: `/events/scim/v1/${sor.record.id}`,
          headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${bearer}` },
          payload: await signHs256(claims),
        });
      const revoked = await createPushToken(first, sor.record.id);
      expect((await send(user('other-1', { jti: 'other-1' }), revoked.token)).statusCode).toBe(202);
      await second.revokePushToken(sor.record.id, revoked.record.id, new Date());
      expect((await send(user('other-2', { jti: 'other-2' }), revoked.token)).statusCode).toBe(401);

      const { token } = await createPushToken(second, sor.record.id);
      expect((await send(user('other-3', { jti: 'other-3' }), token)).statusCode).toBe(202);
      await new SystemsOfRecord(second).replace(
        sor.record.id,
        readSystemOfRecordRequest({ template: seedTemplate, verification: { hmacSecrets: ['another-secret-at-least-256-bits-long!!'] } }),
      );
      const refused = await send(user('other-4', { jti: 'other-4' }), token);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().err).toBe('invalid_key');
    } finally {
      await app.close();
    }
  });

  it('applies every accepted event exactly once and in order with two workers on one database', async () => {
    const [first, second] = await backend.openPair();
    const sor = await new SystemsOfRecord(first).create(readSystemOfRecordRequest({ template: seedTemplate }));
    const count = 40;
    for (let i = 0; i < count; i++) {
      const id = `pair-${i % 5}`;
      await first.recordPushEvent({
        id: `e-${i}`, sorId: sor.record.id, receivedAt: new Date().toISOString(), protocol: 'set', method: 'POST', path: '/',
        authentication: { bearer: 'valid' }, status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: `j-${i}`, jti: `j-${i}`,
        decoded: { claims: { ...user(id, { jti: `j-${i}` }), events: event('put:full', { data: { userName: `v${i}` } }).events } },
      });
    }
    const logger = pino({ level: 'silent' });
    const workers = [new InboxWorker(first, new SystemsOfRecord(first), logger, { batchSize: 7 }), new InboxWorker(second, new SystemsOfRecord(second), logger, { batchSize: 7 })];
    await Promise.all(workers.map((w) => w.drain()));
    const applied = [];
    for (let i = 0; i < count; i++) applied.push(await first.getPushEvent(sor.record.id, `e-${i}`));
    expect(applied.every((e) => e?.status === 'applied' && e.attempts === 1)).toBe(true);
    for (let n = 0; n < 5; n++) {
      const last = Math.max(...Array.from({ length: count }, (_, i) => i).filter((i) => i % 5 === n));
      expect((await first.getNode(sor.record.id, 'User', `pair-${n}`))?.attributes.userName).toBe(`v${last}`);
    }
  });
});
