import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { HMAC_SECRET } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, testApp } from '../support/service.js';

/** A User with a manager and e-mails; `extra` is spliced into the template (attributes or relationships). */
function template(options: { typeIndexed?: boolean; managerRelationship?: boolean } = {}): string {
  return `displayName: Index build
pushType: SCIM
entities:
  User:
    externalId: Users
    pushExternalId: Users
    attributes:
      - { name: id, externalId: id, pushExternalId: $.sub_id.id, type: String, uniqueId: true }
      - { name: userName, externalId: userName, pushExternalId: $.events.*.data.userName, type: String, indexed: true }
      - { name: managerId, externalId: managerId, pushExternalId: $.events.*.data.managerId, type: String }
  Email:
    parent: User
    externalId: emails
    pushExternalId: $.events.*.data.emails.*
    attributes:
      - { name: value, externalId: value, pushExternalId: value, type: String, uniqueId: true }
      - { name: type, externalId: type, pushExternalId: type, type: String, indexed: ${options.typeIndexed ?? false} }
${options.managerRelationship ? 'relationships:\n  Manager:\n    fromAttribute: User.managerId\n    toAttribute: User.id\n' : ''}`;
}

describe.each(backends({ sqliteFile: true }))('attribute index built after a template change on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/systems-of-record',
      headers: admin,
      payload: { template: template(), verification: { hmacSecrets: [HMAC_SECRET] } },
    });
    sorId = created.json().id;
    token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token;
    for (let i = 0; i < 30; i++) {
      const id = `u${i}`;
      const data = { userName: `${id}@example.com`, managerId: i === 0 ? undefined : 'u0', emails: [{ type: i % 3 === 0 ? 'home' : 'work', value: `${id}@example.com` }] };
      expect(await pushUserEvent(app, { sorId, token }, { id, type: 'create:full', data })).toBe(202);
    }
    await app.inbox.drain();
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const put = (body: string, accept?: string) =>
    app.inject({
      method: 'PUT', url: `/api/v1/systems-of-record/${sorId}`,
      headers: { ...admin, 'content-type': 'application/yaml', ...(accept ? { accept } : {}) },
      payload: body,
    });
  const search = async (entity: string, filter: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/${entity}/nodes?filter=${encodeURIComponent(filter)}&count=100`, headers: admin })).json();

  it('finds the nodes written before an attribute was indexed once the change has answered', async () => {
    const before = await search('Email', 'type eq "work"');
    expect(before).toMatchObject({ plan: 'scan' });
    expect(before.items).toHaveLength(20);

    const replaced = await put(template({ typeIndexed: true }));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().indexBuilds).toBeUndefined();
    const after = await search('Email', 'type eq "work"');
    expect(after).toMatchObject({ plan: 'index' });
    expect(after.items).toHaveLength(20);
    expect((await search('Email', 'type eq "HOME"')).items).toHaveLength(10);
  });

  it('follows a relationship over an attribute a template change joins, from the nodes written before it', async () => {
    const replaced = await put(template({ typeIndexed: true, managerRelationship: true }), 'application/x-ndjson');
    expect(replaced.statusCode).toBe(200);
    expect(replaced.headers['content-type']).toContain('application/x-ndjson');
    const lines = replaced.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ operation: 'build-attribute-index', done: 0, total: 30 });
    expect(lines.at(-2)).toEqual({ operation: 'build-attribute-index', done: 30, total: 30 });
    expect(lines.at(-1).result).toMatchObject({ id: sorId, relationships: [{ id: 'Manager' }] });
    expect(lines.at(-1).result.indexBuilds).toBeUndefined();

    const manager = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/u0`, headers: admin })).json();
    const reports = manager.relationships.find((r: { key: string; direction: string }) => r.key === 'Manager' && r.direction === 'Backward');
    expect(reports.total).toBe(29);
  });

  it('answers a change that indexes nothing new at once, and later writes keep the new rows', async () => {
    const replaced = await put(template({ typeIndexed: true, managerRelationship: true }), 'application/x-ndjson');
    expect(replaced.headers['content-type']).toContain('application/json');
    expect(replaced.json()).toMatchObject({ id: sorId });
    expect((await store.getSystemOfRecord(sorId))?.indexBuilds).toBeUndefined();
  });

  it('scans for an attribute whose index is still being built', async () => {
    const record = (await store.getSystemOfRecord(sorId))!;
    // As a change interrupted before its build finished leaves it: the plan has the attribute, older nodes lack rows.
    await store.updateSystemOfRecord({ ...record, indexBuilds: { User: ['managerId'] } });
    const shown = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}`, headers: admin })).json();
    expect(shown.indexBuilds).toEqual({ User: ['managerId'] });
    expect(await search('User', 'managerId eq "u0"')).toMatchObject({ plan: 'scan' });
    expect(await search('User', 'userName eq "u1@example.com" and managerId eq "u0"')).toMatchObject({ plan: 'index', items: [{ id: 'u1' }] });
    await store.finishIndexBuild(sorId, 'User', ['managerId']);
    expect(await search('User', 'managerId eq "u0"')).toMatchObject({ plan: 'index' });
  });
});
