import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import { InboxThread } from '../../src/events/inbox-thread.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { buildApp } from '../../src/http/app.js';
import { capturingLogger } from '../support/log-lines.js';
import { ADMIN_TOKEN, PUBLIC_URL, admin, seedSorWithToken } from '../support/service.js';
import { seedSet, signHs256 } from './set-fixtures.js';

// The receive, event log, metrics and SCIM API suites run on a SQLite file too (backends({ sqliteFile: true })),
// so the push writes are covered through the thread; this file covers what only the thread has.
describe('the inbox thread of a service on a SQLite file', () => {
  let dir: string;
  let store: SqliteGraphStore;
  let app: FastifyInstance;
  let lines: Record<string, unknown>[];
  let sorId: string;
  let token: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pushgraph-inbox-thread-'));
    store = new SqliteGraphStore(join(dir, 'db'));
    await store.migrate();
    await ensureAdminToken(store, ADMIN_TOKEN);
    const captured = capturingLogger('info');
    lines = captured.lines;
    app = await buildApp({ store, publicUrl: PUBLIC_URL, logger: captured.logger });
    await app.ready();
    ({ sorId, token } = await seedSorWithToken(app));
  });
  afterEach(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = async (id: string, data: Record<string, unknown> = {}) =>
    app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(seedSet({ jti: `jti-${id}`, sub_id: { format: 'scim', uri: `/Users/${id}`, id }, ...data })),
    });
  const node = (id: string) => store.getNode(sorId, 'User', id);

  it('is what applies the inbox, and its log entries reach the service log', async () => {
    expect(app.inbox).toBeInstanceOf(InboxThread);
    expect((await push('t-1')).statusCode).toBe(202);
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value: 'x@example.com' }] };
    expect((await push('t-2', { events: { 'urn:ietf:params:scim:event:prov:patch:full': { data: patch } } })).statusCode).toBe(202);
    await app.inbox.drain();

    expect(await node('t-1')).toMatchObject({ attributes: { id: 't-1', userName: 'jdoe@example.com' }, lastEventId: 'jti-t-1' });
    expect(await node('t-2')).toBeUndefined();
    const failure = lines.find((line) => line.msg === 'SET could not be applied');
    expect(failure).toMatchObject({ level: 40, sorId, jti: 'jti-t-2', status: 'failed', reason: expect.stringContaining('no User node "t-2"') });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(new RegExp(`pushgraph_events_total\\{sor="${sorId}",status="applied"\\} 1`));
    expect(metrics.body).toMatch(new RegExp(`pushgraph_events_total\\{sor="${sorId}",status="failed"\\} 1`));
  });

  it('fails only the row the database refuses when a batch recorded through the thread fails', async () => {
    const row = (id: string, sor: string) => ({
      id, sorId: sor, receivedAt: new Date().toISOString(), protocol: 'set' as const, method: 'POST', path: '/x',
      authentication: { bearer: 'valid' as const }, status: 'refused' as const, httpStatus: 400, attempts: 0,
    });
    // Submitted in one turn, so they travel to the thread as one batch; the second names no SoR (foreign key).
    const outcomes = await Promise.allSettled([store.recordPushEvent(row('fine-1', sorId)), store.recordPushEvent(row('orphan-1', 'no-such-sor'))]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'recorded' });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/FOREIGN KEY/) } });
    expect(await store.getPushEvent(sorId, 'fine-1')).toMatchObject({ status: 'refused' });
  });

  it('when the thread dies, the service logs it and goes on applying the inbox in-process', async () => {
    const thread = (app.inbox as unknown as { worker: Worker }).worker;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    await thread.terminate();
    await exited;

    expect((await push('after-1')).statusCode).toBe(202);
    await app.inbox.drain();
    expect(await node('after-1')).toMatchObject({ attributes: { userName: 'jdoe@example.com' } });
    // The SCIM writes the thread made are made on the main connection again.
    const scimSor = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } })).json().id as string;
    const scimToken = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${scimSor}/tokens`, headers: admin })).json().token as string;
    const created = await app.inject({
      method: 'POST',
      url: `/scim/v2/${scimSor}/Users`,
      headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
      payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'after@example.com' },
    });
    expect(created.statusCode).toBe(201);
    expect((await store.getScimResource(scimSor, 'User', created.json().id))?.name).toBe('after@example.com');
    expect(lines.some((line) => line.level === 50 && String(line.msg).includes('inbox thread ended unexpectedly'))).toBe(true);
    expect((await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events?status=applied`, headers: admin })).json().items).toHaveLength(1);
  });

  it('leaves what it had not applied at stop in the inbox, and the next start applies it', async () => {
    await app.close();
    const stopped = await buildApp({ store, publicUrl: PUBLIC_URL, logger: false, inbox: { pollIntervalMs: 60_000 } });
    await stopped.ready();
    // Recorded through the thread but not applied: nothing notified the worker, and its next poll is a minute away.
    await store.recordPushEvent({
      id: 'queued-1', sorId, receivedAt: new Date().toISOString(), protocol: 'set', method: 'POST', path: '/x',
      authentication: { bearer: 'valid' }, status: 'accepted', httpStatus: 202, attempts: 0, dedupKey: 'queued-1',
    });
    await stopped.close();
    expect((await store.getPushEvent(sorId, 'queued-1'))?.status).toBe('accepted');

    app = await buildApp({ store, publicUrl: PUBLIC_URL, logger: false });
    await app.ready();
    await app.inbox.drain();
    expect(await store.getPushEvent(sorId, 'queued-1')).toMatchObject({ status: 'failed', errorDescription: 'the stored event has no claims' });
  });
});
