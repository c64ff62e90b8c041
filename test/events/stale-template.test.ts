import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxWorker } from '../../src/events/inbox-worker.js';
import type { GraphStore } from '../../src/graph/store.js';
import { SystemsOfRecord, type SystemOfRecord } from '../../src/systems-of-record/service.js';
import { HMAC_SECRET } from './set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, testApp } from '../support/service.js';

function template(enabledType: 'String' | 'Bool'): string {
  return `displayName: Stale
pushType: SCIM
entities:
  User:
    externalId: Users
    pushExternalId: Users
    attributes:
      - { name: id, externalId: id, pushExternalId: $.sub_id.id, type: String, indexed: true, uniqueId: true }
      - { name: enabled, externalId: enabled, pushExternalId: $.events.*.data.enabled, type: ${enabledType}, indexed: true }
`;
}

/** A worker whose SoR read is followed, before it plans, by `meanwhile` (a template change racing the batch). */
class RacedSystemsOfRecord extends SystemsOfRecord {
  meanwhile: (() => Promise<void>) | undefined;
  override async get(id: string): Promise<SystemOfRecord | undefined> {
    const sor = await super.get(id);
    const race = this.meanwhile;
    this.meanwhile = undefined;
    await race?.();
    return sor;
  }
}

describe.each(backends())('an event planned before a template change on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    sorId = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template: template('String'), verification: { hmacSecrets: [HMAC_SECRET] } } })).json().id;
    token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token;
    expect(await pushUserEvent(app, { sorId, token }, { id: 'u1', type: 'create:full', data: { enabled: 'true' } })).toBe(202);
    await app.inbox.drain();
    await app.inbox.stop();
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  it('is planned again with the new template, not written over the remap', async () => {
    expect(await pushUserEvent(app, { sorId, token }, { id: 'u1', type: 'put:full', data: { enabled: 'false' } })).toBe(202);
    const systemsOfRecord = new RacedSystemsOfRecord(store);
    const worker = new InboxWorker(store, systemsOfRecord, pino({ level: 'silent' }));
    systemsOfRecord.meanwhile = async () => {
      const replaced = await app.inject({
        method: 'PUT', url: `/api/v1/systems-of-record/${sorId}?remap=true`,
        headers: { ...admin, 'content-type': 'application/yaml' }, payload: template('Bool'),
      });
      expect(replaced.statusCode).toBe(200);
    };
    await worker.drain();
    const node = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/u1`, headers: admin })).json();
    expect(node.attributes).toEqual({ id: 'u1', enabled: false });
    const found = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes?filter=${encodeURIComponent('enabled eq false')}`, headers: admin });
    expect(found.json().items.map((n: { id: string }) => n.id)).toEqual(['u1']);
  });
});
