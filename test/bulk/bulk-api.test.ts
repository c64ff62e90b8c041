import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { bar } from '../../src/cli/progress-bar.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { scimHarness, type ScimHarness } from '../scim/api/scim-app.js';
import { admin, seedSorWithToken, testApp } from '../support/service.js';

const patchOf = (id: string) =>
  seedSet({
    sub_id: { format: 'scim', uri: `/Users/${id}`, id },
    events: { 'urn:ietf:params:SCIM:event:prov:patch:full': { data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'enabled', value: true }] } } },
  });

describe.each(backends({ sqliteFile: true }))('bulk operations with progress on $name', (backend) => {
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

  const push = async (claims: Record<string, unknown>) => {
    const answer = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(claims),
    });
    expect(answer.statusCode).toBe(202);
  };
  const failedCount = async () =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events?status=failed`, headers: admin })).json().items.length;

  it('retries every failed event, streaming progress as JSON lines', async () => {
    for (const id of ['p1', 'p2', 'p3']) await push(patchOf(id));
    await app.inbox.drain();
    expect(await failedCount()).toBe(3);
    const answer = await app.inject({
      method: 'POST',
      url: `/api/v1/systems-of-record/${sorId}/events/retry-failed`,
      headers: { ...admin, accept: 'application/x-ndjson' },
    });
    expect(answer.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = answer.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ operation: 'retry-failed', done: 0, total: 3 });
    expect(lines.at(-2)).toEqual({ operation: 'retry-failed', done: 3, total: 3 });
    expect(lines.at(-1)).toEqual({ result: { failed: 3, retried: 3 } });
    await app.inbox.drain();
    // Still no user to patch: they fail again, and can be retried again, this time answered in one piece.
    expect(await failedCount()).toBe(3);
    const plain = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/events/retry-failed`, headers: admin });
    expect(plain.json()).toEqual({ result: { failed: 3, retried: 3 } });
  });

  it('deletes every node of a SoR with progress, keeping the SoR and its log', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4']) await push(seedSet({ sub_id: { format: 'scim', uri: `/Users/${id}`, id } }));
    await app.inbox.drain();
    const answer = await app.inject({
      method: 'DELETE',
      url: `/api/v1/systems-of-record/${sorId}/nodes`,
      headers: { ...admin, accept: 'application/x-ndjson' },
    });
    const lines = answer.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ operation: 'clear-nodes', done: 0, total: 4 });
    expect(lines.at(-1)).toEqual({ result: { deleted: 4 } });
    expect(await store.countNodes(sorId)).toEqual({});
    expect((await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}`, headers: admin })).statusCode).toBe(200);
  });
});

describe('progress bar', () => {
  it('draws the share done', () => {
    expect(bar('deleting', { operation: 'x', done: 5, total: 10 })).toBe(`deleting [${'#'.repeat(15)}${'.'.repeat(15)}] 50% 5/10`);
    expect(bar('deleting', { operation: 'x', done: 5 })).toBe('deleting 5');
  });
});

describe.each(backends({ sqliteFile: true }))('clearing a SCIM 2.0 system of record on $name', (backend) => {
  let scim: ScimHarness;

  beforeAll(async () => {
    scim = await scimHarness(backend);
  });
  afterAll(async () => {
    await scim?.app.close();
    await backend.dispose();
  });

  it('deletes its SCIM resources and memberships with the nodes, so an IdP can provision them again', async () => {
    const ada = await scim.createUser('ada@example.com');
    const bob = await scim.createUser('bob@example.com');
    const group = await scim.createGroup('Engineers', [ada, bob]);
    const answer = await scim.app.inject({
      method: 'DELETE',
      url: `/api/v1/systems-of-record/${scim.sorId}/nodes`,
      headers: { ...admin, accept: 'application/x-ndjson' },
    });
    const lines = answer.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ operation: 'clear-nodes', done: 0, total: 3 });
    expect(lines).toContainEqual({ operation: 'clear-scim-resources', done: 0, total: 3 });
    expect(lines.at(-2)).toEqual({ operation: 'clear-scim-resources', done: 3, total: 3 });
    expect(lines.at(-1)).toEqual({ result: { deleted: 3, deletedScimResources: 3 } });

    expect(await scim.store.countNodes(scim.sorId)).toEqual({});
    expect((await scim.scim('GET', '/Users')).json()).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await scim.scim('GET', '/Groups')).json()).toMatchObject({ totalResults: 0 });
    expect((await scim.scim('GET', `/Users/${ada}`)).statusCode).toBe(404);
    expect((await scim.scim('GET', `/Groups/${group}`)).statusCode).toBe(404);
    expect(await scim.store.listScimMembers(scim.sorId, group, { limit: 10 })).toEqual([]);

    const again = await scim.createUser('ada@example.com');
    const regrouped = await scim.createGroup('Engineers', [again]);
    expect((await scim.node('User', again)).statusCode).toBe(200);
    expect((await scim.scim('GET', `/Groups/${regrouped}`)).json().members).toEqual([expect.objectContaining({ value: again })]);
  });

  it('answers with the result in one piece when progress is not asked for', async () => {
    await scim.createUser('carol@example.com');
    const answer = await scim.app.inject({ method: 'DELETE', url: `/api/v1/systems-of-record/${scim.sorId}/nodes`, headers: admin });
    expect(answer.json()).toEqual({ result: { deleted: 3, deletedScimResources: 3 } });
    expect((await scim.scim('GET', '/Users')).json()).toMatchObject({ totalResults: 0 });
  });
});
