import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { signHs256 } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, seedSorWithToken, testApp } from '../support/service.js';

/** SoRs deleted, one after another, each while both instances receive and apply its SETs and another SoR's. */
const ROUNDS = 8;

/**
 * An operator deletes a SoR while its sender (and another SoR's) pushes to two instances on one database, whose
 * inbox workers apply the SETs meanwhile. On PostgreSQL the deletion could deadlock with a worker's batch, and
 * answered 500 with the SoR still there.
 */
describe.each(backends())('deleting a SoR while two instances receive and apply pushes on $name', (backend) => {
  let stores: [GraphStore, GraphStore];
  let apps: FastifyInstance[];

  beforeAll(async () => {
    stores = await backend.openPair();
    apps = [await testApp(stores[0]), await testApp(stores[1])];
  });
  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await backend.dispose();
  });

  const push = async (app: FastifyInstance, sor: { sorId: string; token: string }, user: number) => {
    const id = `u${user}`;
    const claims = {
      iss: 'https://idp.example', iat: Math.floor(Date.now() / 1000), jti: `${sor.sorId}-${user}-${Math.random()}`, aud: 'sgnl.ai',
      sub_id: { format: 'scim', uri: `/Users/${id}`, id },
      events: { 'urn:ietf:params:scim:event:prov:put:full': { data: { userName: `${id}@example.com`, emails: [{ type: 'work', value: `${id}@example.com` }] } } },
    };
    return app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sor.sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${sor.token}` },
      payload: await signHs256(claims),
    });
  };

  it('deletes it every time (204), leaving none of its rows, while the other SoR is applied on', async () => {
    const kept = await seedSorWithToken(apps[0]!);
    for (let round = 0; round < ROUNDS; round++) {
      const deleted = await seedSorWithToken(apps[0]!);
      let pushing = true;
      let accepted = 0;
      const senders = [0, 1, 2, 3].map(async (sender) => {
        for (let user = sender; pushing || accepted < 100; user += 4) {
          const app = apps[sender % 2]!;
          const [answer] = await Promise.all([push(app, deleted, user % 200), push(app, kept, user % 200)]);
          // Until the deletion: after it the SoR's endpoint answers 404, as for any unknown SoR.
          expect([202, 404]).toContain(answer.statusCode);
          if (answer.statusCode === 202) accepted++;
          if (!pushing) return;
        }
      });
      while (accepted < 100) await new Promise((resolve) => setImmediate(resolve));
      const answer = await apps[round % 2]!.inject({ method: 'DELETE', url: `/api/v1/systems-of-record/${deleted.sorId}`, headers: admin });
      pushing = false;
      await Promise.all(senders);
      expect(answer.statusCode, answer.body).toBe(204);
      expect(await stores[0].countNodes(deleted.sorId)).toEqual({});
      expect((await stores[0].listPushEvents(deleted.sorId)).items).toEqual([]);
    }
    for (const app of apps) await app.inbox.drain();
    expect((await stores[0].listPushEvents(kept.sorId, { status: 'accepted' })).items).toEqual([]);
    expect((await stores[0].listPushEvents(kept.sorId, { status: 'failed' })).items).toEqual([]);
  }, 60_000);
});
