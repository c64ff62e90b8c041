import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRelationship } from '../../src/graph/relationships.js';
import type { GraphStore } from '../../src/graph/store.js';
import { indexedAttributesOf } from '../../src/graph/tree.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, testApp } from '../support/service.js';

const PROV = 'urn:ietf:params:scim:event:prov:';

describe.each(backends({ sqliteFile: true }))('the built-in SCIM events template on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    sorId = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { templateId: 'scim-events' } })).json().id;
    token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token;
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const push = async (uri: string, id: string, event: string, data?: unknown) => {
    const claims = seedSet({
      sub_id: { format: 'scim', uri: `${uri}/${id}`, id, externalId: `ext-${id}` },
      events: { [`${PROV}${event}`]: data === undefined ? {} : { data } },
    });
    const response = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(claims, token),
    });
    expect(response.statusCode, response.body).toBe(202);
    await app.inbox.drain();
  };

  it('answers "which groups is this user in" for Users and Groups pushed as SETs', async () => {
    await push('/Users', 'u1', 'create:full', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      active: true,
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'u2' } },
    });
    await push('/Users', 'u2', 'create:full', { userName: 'boss@example.com', active: true });
    await push('/Groups', 'g1', 'create:full', { displayName: 'Tour Guides', members: [{ value: 'u1', type: 'User' }, { value: 'u2' }] });
    await push('/Groups', 'g2', 'create:full', { displayName: 'Managers', members: [{ value: 'u2' }] });

    const user = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/u1`, headers: admin });
    expect(user.json()).toMatchObject({
      attributes: {
        id: 'u1', externalId: 'ext-u1', userName: 'bjensen@example.com', givenName: 'Barbara', familyName: 'Jensen', active: true,
        employeeNumber: '701984', department: 'Tour Operations', managerId: 'u2',
      },
      children: { Email: [{ attributes: { value: 'bjensen@example.com', type: 'work', primary: true } }] },
    });

    const { template } = await new SystemsOfRecord(store).require(sorId);
    const groupsOf = async (id: string) =>
      (await resolveRelationship(store, sorId, template, 'UserGroups', { entity: 'User', id }, 'Forward')).map((n) => n.attributes.displayName).sort();
    expect(await groupsOf('u1')).toEqual(['Tour Guides']);
    expect(await groupsOf('u2')).toEqual(['Managers', 'Tour Guides']);
    const manager = await resolveRelationship(store, sorId, template, 'UserManager', { entity: 'User', id: 'u1' }, 'Forward');
    expect(manager.map((n) => n.id)).toEqual(['u2']);

    await push('/Groups', 'g1', 'patch:full', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'members[value eq "u2"]' }],
    });
    expect(await groupsOf('u2')).toEqual(['Managers']);
    await push('/Users', 'u1', 'deactivate');
    const deactivated = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/u1`, headers: admin });
    expect(deactivated.json().attributes.active).toBe(false);
    await push('/Groups', 'g2', 'delete');
    expect(await groupsOf('u2')).toEqual([]);
  });

  it('keeps the members of groups apart when a group id or a member value contains ":"', async () => {
    await push('/Groups', 'a', 'create:full', { displayName: 'A', members: [{ value: 'b:c' }] });
    await push('/Groups', 'a:b', 'create:full', { displayName: 'A:B', members: [{ value: 'c' }] });
    await push('/Users', 'b:c', 'create:full', { userName: 'bc@example.com' });
    await push('/Users', 'c', 'create:full', { userName: 'c@example.com' });

    const { template } = await new SystemsOfRecord(store).require(sorId);
    const groupsOf = async (id: string) =>
      (await resolveRelationship(store, sorId, template, 'UserGroups', { entity: 'User', id }, 'Forward')).map((n) => n.id).sort();
    expect(await groupsOf('b:c')).toEqual(['a']);
    expect(await groupsOf('c')).toEqual(['a:b']);
    const membersOf = async (id: string) => (await store.getChildren(sorId, 'Group', id)).map((n) => [n.id, n.attributes.value]);
    expect(await membersOf('a')).toEqual([['a:b%3Ac', 'b:c']]);
    expect(await membersOf('a:b')).toEqual([['a%3Ab:c', 'c']]);
  });

  it('drops the children a group had under ids from before escaping when the group is pushed again', async () => {
    const { template } = await new SystemsOfRecord(store).require(sorId);
    await store.replaceNodes(
      sorId,
      [{ entity: 'Group', id: 'old:g', attributes: { id: 'old:g' }, children: [{ entity: 'GroupMember', id: 'old:g:u:1', attributes: { value: 'u:1' }, children: [] }] }],
      { indexedAttributes: indexedAttributesOf(template), eventId: 'before-escaping' },
    );
    await push('/Groups', 'old:g', 'create:full', { displayName: 'Old', members: [{ value: 'u:2' }] });
    expect((await store.getChildren(sorId, 'Group', 'old:g')).map((n) => n.id)).toEqual(['old%3Ag:u%3A2']);
    expect(await store.getNode(sorId, 'GroupMember', 'old:g:u:1')).toBeUndefined();
  });
});
