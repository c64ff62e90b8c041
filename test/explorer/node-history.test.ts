import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';
import { admin, seedSorWithToken, testApp } from '../support/service.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';

describe.each(backends())('node history on $name', (backend) => {
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

  const push = async (id: string, jti: string, kind = 'create:full', data?: unknown) => {
    const base = seedSet({ jti, sub_id: { format: 'scim', uri: `/Users/${id}`, id } });
    const claims = data === undefined ? base : { ...base, events: { [`urn:ietf:params:SCIM:event:prov:${kind}`]: { data } } };
    await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(claims),
    });
    await app.inbox.drain();
  };
  const history = async (path: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/${path}/history`, headers: admin })).json();

  it('lists the events that created and changed a node, newest first, and its children inherit them', async () => {
    await push('h1', 'h1-create');
    await push('h2', 'h2-create');
    await push('h1', 'h1-put', 'put:full', { userName: 'renamed@example.com', emails: [{ type: 'work', value: 'jdoe@example.com' }] });
    const user = await history('User/nodes/h1');
    expect(user.items.map((e: { jti: string }) => e.jti)).toEqual(['h1-put', 'h1-create']);
    const email = await history(`Email/nodes/${encodeURIComponent('h1:jdoe@example.com')}`);
    expect(email.items.map((e: { jti: string }) => e.jti)).toEqual(['h1-put', 'h1-create']);
    const paged = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/h1/history?count=1`, headers: admin })).json();
    expect(paged.items).toHaveLength(1);
    expect(paged.nextCursor).toEqual(expect.any(String));
  });

  it('forgets events that the log no longer keeps', async () => {
    await store.deletePushEventsBefore(new Date(Date.now() + 60_000));
    expect((await history('User/nodes/h1')).items).toEqual([]);
    await push('h1', 'h1-after');
    expect((await history('User/nodes/h1')).items.map((e: { jti: string }) => e.jti)).toEqual(['h1-after']);
  });
});
