import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { PATCH_OP } from '../scim/api/scim-app.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, testApp } from '../support/service.js';
import { subjectSor, type SubjectSor } from './subject-fixtures.js';

type Target = SubjectSor;

describe.each(backends())('events without data find their node on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const sorWith = (uniqueId: 'id' | 'userName'): Promise<Target> => subjectSor(app, uniqueId);

  const push = async (target: Target, id: string, type: string, data?: Record<string, unknown>) => {
    expect(await pushUserEvent(app, target, { id, type, data })).toBe(202);
    await app.inbox.drain();
  };
  const node = async (target: Target, id: string) =>
    app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/entities/User/nodes/${encodeURIComponent(id)}`, headers: admin });
  /** The newest logged event about `/Users/{id}`. */
  const lastEvent = async (target: Target, id: string) => {
    const events = await app.inject({
      method: 'GET', url: `/api/v1/systems-of-record/${target.sorId}/events?subject=${encodeURIComponent(`/Users/${id}`)}`, headers: admin,
    });
    return events.json().items[0];
  };
  const userData = (userName: string, extra: Record<string, unknown> = {}) => ({ userName, enabled: true, emails: [{ value: userName }], ...extra });

  describe('with a template that takes the uniqueId from the data (userName)', () => {
    let sor: Target;
    beforeAll(async () => {
      sor = await sorWith('userName');
    });

    it('deletes the node the subject built, with its children', async () => {
      await push(sor, 'u1', 'create:full', userData('one@example.com'));
      expect((await node(sor, 'one@example.com')).statusCode).toBe(200);
      await push(sor, 'u1', 'delete');
      expect(await lastEvent(sor, 'u1')).toMatchObject({ status: 'applied', operations: [{ op: 'delete', entity: 'User', id: 'one@example.com' }] });
      expect((await node(sor, 'one@example.com')).statusCode).toBe(404);
      expect(await store.countNodes(sor.sorId)).not.toHaveProperty('Email');
    });

    it('deactivates and activates it', async () => {
      await push(sor, 'u2', 'create:full', userData('two@example.com'));
      await push(sor, 'u2', 'deactivate');
      expect(await lastEvent(sor, 'u2')).toMatchObject({ status: 'applied' });
      expect((await node(sor, 'two@example.com')).json().attributes.enabled).toBe(false);
      await push(sor, 'u2', 'activate');
      expect((await node(sor, 'two@example.com')).json().attributes.enabled).toBe(true);
    });

    it('applies a patch:full to the resource it was built from', async () => {
      await push(sor, 'u3', 'create:full', userData('three@example.com'));
      await push(sor, 'u3', 'patch:full', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }] });
      expect(await lastEvent(sor, 'u3')).toMatchObject({ status: 'applied' });
      expect((await node(sor, 'three@example.com')).json().attributes).toMatchObject({ userName: 'three@example.com', title: 'Engineer', enabled: true });
    });

    it('marks it changed upstream on a notice', async () => {
      await push(sor, 'u4', 'create:full', userData('four@example.com'));
      await push(sor, 'u4', 'put:notice');
      expect(await lastEvent(sor, 'u4')).toMatchObject({ status: 'applied' });
      expect((await node(sor, 'four@example.com')).json().changedUpstreamAt).toEqual(expect.any(String));
    });

    it('finds a node whose userName happens to be its subject\'s id by that id', async () => {
      await push(sor, 'u5', 'create:full', userData('u5'));
      await push(sor, 'u5', 'delete');
      expect((await node(sor, 'u5')).statusCode).toBe(404);
    });

    it('does not take another subject\'s node whose userName happens to be its subject\'s id', async () => {
      await push(sor, 'u6', 'create:full', userData('u7'));
      await push(sor, 'u7', 'deactivate');
      await push(sor, 'u7', 'delete');
      expect(await lastEvent(sor, 'u7')).toMatchObject({ status: 'ignored', errorDescription: 'no User node for sub_id.uri "/Users/u7" to delete' });
      expect((await node(sor, 'u7')).json()).toMatchObject({ attributes: { userName: 'u7', enabled: true } });
    });

    it('records a delete that finds no node as ignored, naming the subject', async () => {
      await push(sor, 'gone', 'delete');
      expect(await lastEvent(sor, 'gone')).toMatchObject({
        status: 'ignored',
        errorDescription: 'no User node for sub_id.uri "/Users/gone" to delete',
        operations: [],
      });
    });
  });

  describe('with the seed\'s template, whose uniqueId is $.sub_id.id', () => {
    let sor: Target;
    beforeAll(async () => {
      sor = await sorWith('id');
    });

    it('finds the node by its id, without looking up the subject', async () => {
      const lookups = vi.spyOn(store, 'findNodeIdBySubject');
      try {
        await push(sor, 'u1', 'create:full', userData('one@example.com'));
        await push(sor, 'u1', 'deactivate');
        expect((await node(sor, 'u1')).json().attributes.enabled).toBe(false);
        await push(sor, 'u1', 'delete');
        expect(await lastEvent(sor, 'u1')).toMatchObject({ status: 'applied', operations: [{ op: 'delete', entity: 'User', id: 'u1' }] });
        expect((await node(sor, 'u1')).statusCode).toBe(404);
        expect(lookups).not.toHaveBeenCalled();
      } finally {
        lookups.mockRestore();
      }
    });

    it('records a delete that finds no node as ignored', async () => {
      await push(sor, 'never', 'delete');
      expect(await lastEvent(sor, 'never')).toMatchObject({ status: 'ignored', errorDescription: 'no User node "never" to delete' });
    });
  });
});
