import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { PATCH_OP } from '../scim/api/scim-app.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, testApp } from '../support/service.js';
import { signHs256 } from './set-fixtures.js';
import { subjectSor, type SubjectSor } from './subject-fixtures.js';

/**
 * A template whose User id is its userName: a SET that renames the user gives it a node under the new name, and the
 * node under the old one must go, or the graph shows a user that no longer exists.
 */
describe.each(backends({ sqliteFile: true }))('a renamed subject on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sor: SubjectSor;
  /** On a SQLite file the inbox plans in a thread with a store of its own, out of reach of a spy on this one. */
  const plansInProcess = backend.name !== 'sqlite file';

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    sor = await subjectSor(app, 'userName');
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const push = async (target: SubjectSor, id: string, type: string, data?: Record<string, unknown>, jti?: string) => {
    expect(await pushUserEvent(app, target, { id, type, data, jti })).toBe(202);
    await app.inbox.drain();
  };
  const node = async (target: SubjectSor, id: string) =>
    app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/entities/User/nodes/${encodeURIComponent(id)}`, headers: admin });
  /** The newest logged event about `/Users/{id}`. */
  const lastEvent = async (target: SubjectSor, id: string) => {
    const events = await app.inject({
      method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/events?subject=${encodeURIComponent(`/Users/${id}`)}`, headers: admin,
    });
    return events.json().items[0];
  };
  /** The users in the graph (by id) and how many e-mails they have between them. */
  const users = async (target: SubjectSor) => {
    const page = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/entities/User/nodes`, headers: admin });
    const counts = await store.countNodes(target.sorId);
    return { ids: (page.json().items as { id: string }[]).map((n) => n.id), emails: counts.Email ?? 0 };
  };
  const userData = (userName: string, extra: Record<string, unknown> = {}) => ({ userName, enabled: true, emails: [{ value: userName }], ...extra });
  const renamed = (from: string, to: string, children = 1) => [
    { op: 'delete', entity: 'User', id: from },
    { op: 'replace', entity: 'User', id: to, children },
  ];

  describe.each(['put:full', 'create:full'])('by %s', (type) => {
    let target: SubjectSor;
    beforeAll(async () => {
      target = await subjectSor(app, 'userName');
    });

    it('moves the user to its new id: the old node goes with its children, in the same event', async () => {
      await push(target, 'u1', 'create:full', userData('old@example.com'));
      await push(target, 'u1', type, userData('old@example.com', { title: 'Lead' }));
      expect(await lastEvent(target, 'u1')).toMatchObject({ operations: [{ op: 'replace', entity: 'User', id: 'old@example.com', children: 1 }] });
      await push(target, 'u1', type, userData('new@example.com'), `rename-${type}`);
      expect(await lastEvent(target, 'u1')).toMatchObject({ status: 'applied', operations: renamed('old@example.com', 'new@example.com') });
      expect((await node(target, 'old@example.com')).statusCode).toBe(404);
      expect((await node(target, 'new@example.com')).json().attributes).toMatchObject({ userName: 'new@example.com', id: 'u1' });
      expect(await users(target)).toEqual({ ids: ['new@example.com'], emails: 1 });
      const history = await app.inject({
        method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/entities/User/nodes/new%40example.com/history`, headers: admin,
      });
      expect(history.json().items[0]).toMatchObject({ jti: `rename-${type}`, operations: renamed('old@example.com', 'new@example.com') });
    });

    it('so that a delete afterwards removes the user entirely', async () => {
      await push(target, 'u1', 'delete');
      expect(await lastEvent(target, 'u1')).toMatchObject({ status: 'applied', operations: [{ op: 'delete', entity: 'User', id: 'new@example.com' }] });
      expect(await users(target)).toEqual({ ids: [], emails: 0 });
    });
  });

  it('moves the user renamed by a patch:full that replaces its userName', async () => {
    await push(sor, 'p1', 'create:full', userData('before@example.com', { title: 'Engineer' }));
    await push(sor, 'p1', 'patch:full', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'after@example.com' }] });
    expect(await lastEvent(sor, 'p1')).toMatchObject({ status: 'applied', operations: renamed('before@example.com', 'after@example.com') });
    expect((await node(sor, 'before@example.com')).statusCode).toBe(404);
    // The patch applies to the resource as it was: the e-mail (the old name) and the title stay.
    expect((await node(sor, 'after@example.com')).json().attributes).toMatchObject({ userName: 'after@example.com', title: 'Engineer' });
    expect(await store.getChildren(sor.sorId, 'User', 'after@example.com')).toEqual([expect.objectContaining({ id: 'after@example.com:before@example.com' })]);
    await push(sor, 'p1', 'deactivate');
    expect((await node(sor, 'after@example.com')).json().attributes.enabled).toBe(false);
    await push(sor, 'p1', 'delete');
    expect((await node(sor, 'after@example.com')).statusCode).toBe(404);
    expect(await store.getChildren(sor.sorId, 'User', 'before@example.com')).toEqual([]);
  });

  it('moves a user whose old node was keyed by its subject\'s id (its userName was the sub_id.id)', async () => {
    await push(sor, 'k1', 'create:full', userData('k1'));
    await push(sor, 'k1', 'put:full', userData('k1@example.com'));
    expect(await lastEvent(sor, 'k1')).toMatchObject({ status: 'applied', operations: renamed('k1', 'k1@example.com') });
    expect((await node(sor, 'k1')).statusCode).toBe(404);
  });

  it('takes over another subject\'s node when renamed to its id: that subject then has no node left', async () => {
    const target = await subjectSor(app, 'userName');
    await push(target, 'a', 'create:full', userData('a@example.com'));
    await push(target, 'b', 'create:full', userData('b@example.com'));
    await push(target, 'a', 'put:full', userData('b@example.com'));
    expect(await lastEvent(target, 'a')).toMatchObject({ status: 'applied', operations: renamed('a@example.com', 'b@example.com') });
    // Replaced as any put replaces a node: it is a's now (its source, its attributes), and b's events no longer find it.
    expect((await node(target, 'b@example.com')).json().attributes).toMatchObject({ id: 'a' });
    expect(await users(target)).toEqual({ ids: ['b@example.com'], emails: 1 });
    await push(target, 'b', 'delete');
    expect(await lastEvent(target, 'b')).toMatchObject({ status: 'ignored', errorDescription: 'no User node for sub_id.uri "/Users/b" to delete' });
    expect((await node(target, 'b@example.com')).statusCode).toBe(200);
  });

  it('applies two renames that swap two users\' names, in one inbox batch where the inbox runs in-process', async () => {
    const target = await subjectSor(app, 'userName');
    await push(target, 'x', 'create:full', userData('x@example.com'));
    await push(target, 'y', 'create:full', userData('y@example.com'));
    // Stopped, the worker leaves both SETs to one drain: one batch, planned against the graph as it was before either.
    if (plansInProcess) await app.inbox.stop();
    try {
      expect(await pushUserEvent(app, target, { id: 'x', type: 'put:full', data: userData('y@example.com') })).toBe(202);
      expect(await pushUserEvent(app, target, { id: 'y', type: 'put:full', data: userData('x@example.com') })).toBe(202);
      await app.inbox.drain();
    } finally {
      if (plansInProcess) app.inbox.start();
    }
    expect(await lastEvent(target, 'x')).toMatchObject({ status: 'applied', operations: renamed('x@example.com', 'y@example.com') });
    // y's node (y@) is x's by then: y's put, planned again after x's was committed, finds no node of its own to delete.
    expect(await lastEvent(target, 'y')).toMatchObject({ status: 'applied', operations: [{ op: 'replace', entity: 'User', id: 'x@example.com', children: 1 }] });
    expect((await node(target, 'y@example.com')).json().attributes).toMatchObject({ id: 'x' });
    expect((await node(target, 'x@example.com')).json().attributes).toMatchObject({ id: 'y' });
    expect(await users(target)).toEqual({ ids: ['x@example.com', 'y@example.com'], emails: 2 });
  });

  it('sets aside a retried rename that a later rename has overtaken, leaving the user under its latest name', async () => {
    const target = await subjectSor(app, 'userName');
    await push(target, 'r', 'create:full', userData('first@example.com'));
    // Accepted when the template took it, it fails now (enabled is no Bool): stored as such, not through the receive path.
    const claims = {
      iss: 'https://idp.example', iat: Math.floor(Date.now() / 1000), jti: 'failed-rename', aud: 'pushgraph',
      sub_id: { format: 'scim', uri: '/Users/r', id: 'r' },
      events: { 'urn:ietf:params:scim:event:prov:put:full': { data: { ...userData('earlier@example.com'), enabled: 'yes' } } },
    };
    await store.recordPushEvent({
      id: 'failed-rename', sorId: target.sorId, receivedAt: new Date().toISOString(), protocol: 'set', method: 'POST', path: `/events/scim/v1/${target.sorId}`,
      authentication: { bearer: 'valid' }, status: 'accepted', httpStatus: 202, attempts: 0, eventType: 'urn:ietf:params:scim:event:prov:put:full',
      subject: '/Users/r', jti: 'failed-rename', dedupKey: 'failed-rename', raw: await signHs256(claims),
    });
    app.inbox.notify();
    await app.inbox.drain();
    await push(target, 'r', 'put:full', userData('later@example.com'));
    expect(await lastEvent(target, 'r')).toMatchObject({ status: 'applied', operations: renamed('first@example.com', 'later@example.com') });
    const retried = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${target.sorId}/events/failed-rename/retry`, headers: admin });
    expect(retried.statusCode).toBe(202);
    await app.inbox.drain();
    const event = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/events/failed-rename`, headers: admin });
    expect(event.json()).toMatchObject({ status: 'ignored', operations: [] });
    expect(await users(target)).toEqual({ ids: ['later@example.com'], emails: 1 });
  });

  // Tests that spy on the store exist only where the inbox plans with this store (not in the SQLite file's thread).
  if (plansInProcess) it('deletes every node a rename before this check left to the subject', async () => {
    const target = await subjectSor(app, 'userName');
    await push(target, 'd', 'create:full', userData('first@example.com'));
    // As the planning did before: the lookup finding nothing, the first node is left behind.
    const lookups = vi.spyOn(store, 'findNodeIdsBySubject').mockResolvedValueOnce([]);
    try {
      await push(target, 'd', 'put:full', userData('second@example.com'));
    } finally {
      lookups.mockRestore();
    }
    expect((await users(target)).ids).toEqual(['first@example.com', 'second@example.com']);
    await push(target, 'd', 'put:full', userData('third@example.com'));
    const operations = (await lastEvent(target, 'd')).operations as { op: string; id: string }[];
    expect(operations.slice(0, 2).map((o) => o.id).sort()).toEqual(['first@example.com', 'second@example.com']);
    expect(operations.map((o) => o.op)).toEqual(['delete', 'delete', 'replace']);
    expect(await users(target)).toEqual({ ids: ['third@example.com'], emails: 1 });
  });

  if (plansInProcess) describe('with the seed\'s template, whose uniqueId is $.sub_id.id', () => {
    it('keeps the node under its id when the userName changes, without looking up the subject', async () => {
      const target = await subjectSor(app, 'id');
      const spies = [vi.spyOn(store, 'findNodeIdsBySubject'), vi.spyOn(store, 'findNodeIdBySubject'), vi.spyOn(store, 'getNodeSource')];
      try {
        await push(target, 'u1', 'create:full', userData('old@example.com'));
        await push(target, 'u1', 'put:full', userData('new@example.com'));
        expect(await lastEvent(target, 'u1')).toMatchObject({ status: 'applied', operations: [{ op: 'replace', entity: 'User', id: 'u1', children: 1 }] });
        expect(await users(target)).toEqual({ ids: ['u1'], emails: 1 });
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });
  });
});
