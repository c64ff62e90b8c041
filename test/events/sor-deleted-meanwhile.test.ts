import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { admin, seedSorWithToken, testApp } from '../support/service.js';
import { deletingTheSorBefore } from '../support/sor-deleted-meanwhile.js';
import { seedSet, signHs256 } from './set-fixtures.js';

describe.each(backends({ sqliteFile: true }))('a SET for a SoR deleted while it is received on $name', (backend) => {
  afterAll(() => backend.dispose());

  it('is answered 404 invalid_request, as after the deletion, not 500 with "retry later"', async () => {
    const store = await backend.open();
    const setup = await testApp(store);
    const { sorId, token } = await seedSorWithToken(setup);
    await setup.close();
    const app = await testApp(deletingTheSorBefore(store, sorId, 'recordPushEvent'));
    try {
      const answer = await app.inject({
        method: 'POST',
        url: `/events/scim/v1/${sorId}`,
        headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
        payload: await signHs256(seedSet()),
      });
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toEqual({ err: 'invalid_request', description: `no SCIM events endpoint for system of record "${sorId}"` });
      expect((await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}`, headers: admin })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
