import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';
import { admin, seedTemplate, testApp } from '../support/service.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe.each(backends())('a template mapping a write-only value on $name', (backend) => {
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

  it.each(['$.events.*.data.password', `$.events.*.data['${USER}:password']`, '$.events.*.data.PASSWORD', '$.events.*.data.name.password'])('is refused when it reads %s, naming the attribute', async (path) => {
    const template = seedTemplate.replace(
      '      - name: enabled\n',
      `      - name: initialPassword\n        externalId: password\n        pushExternalId: "${path}"\n        type: String\n      - name: enabled\n`,
    );
    const created = await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template } });
    expect(created.statusCode).toBe(400);
    expect(created.json().errors).toHaveLength(1);
    expect(created.json().errors[0]).toMatchObject({ place: 'entities.User.attributes[2].pushExternalId', message: expect.stringContaining('attribute initialPassword is read from') });
    expect(created.json().errors[0].message).toContain('write-only');
  });
});
