import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../../support/backends.js';
import { admin, testApp } from '../../support/service.js';
import { deletingTheSorBefore } from '../../support/sor-deleted-meanwhile.js';
import { GROUP_SCHEMA, SCIM_JSON, USER_SCHEMA } from './scim-app.js';

describe.each(backends({ sqliteFile: true }))('a SCIM write to a SoR deleted while it runs on $name', (backend) => {
  afterAll(() => backend.dispose());

  it.each([
    ['a User', 'Users', { schemas: [USER_SCHEMA], userName: 'jdoe@example.com' }],
    ['a Group', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'Admins' }],
  ])('creating %s is answered 404 as after the deletion, not 409 uniqueness or 500', async (_what, path, body) => {
    const store = await backend.open();
    const setup = await testApp(store);
    const sorId = (await setup.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } })).json().id as string;
    const token = (await setup.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
    await setup.close();
    const app = await testApp(deletingTheSorBefore(store, sorId, 'applyScimChange'));
    try {
      const answer = await app.inject({
        method: 'POST',
        url: `/scim/v2/${sorId}/${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON },
        payload: JSON.stringify(body),
      });
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(answer.json()).toMatchObject({ status: '404', detail: `no SCIM 2.0 endpoint for system of record "${sorId}"` });
    } finally {
      await app.close();
    }
  });
});
