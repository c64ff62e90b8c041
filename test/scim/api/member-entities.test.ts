import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRelationship } from '../../../src/graph/relationships.js';
import type { GraphStore } from '../../../src/graph/store.js';
import { SystemsOfRecord } from '../../../src/systems-of-record/service.js';
import { backends } from '../../support/backends.js';
import { admin, testApp } from '../../support/service.js';
import { GROUP_SCHEMA, SCIM_JSON, USER_SCHEMA, patchOp } from './scim-app.js';

/** A SCIM 2.0 template whose GroupMember entity reads `members` through the given path, keyed or by position. */
function membersTemplate(membersPath: string, options: { keyed: boolean; keyedBy?: 'display' }): string {
  return `
displayName: Members by ${membersPath}
pushType: SCIM2.0
entities:
  User:
    externalId: User
    pushExternalId: User
    attributes:
      - { name: id, externalId: id, type: String, uniqueId: true }
      - { name: userName, externalId: userName, type: String }
  Group:
    externalId: Group
    pushExternalId: Group
    attributes:
      - { name: id, externalId: id, type: String, uniqueId: true }
      - { name: displayName, externalId: displayName, type: String }
  GroupMember:
    parent: Group
    externalId: members
    pushExternalId: "${membersPath}"
    attributes:
      - { name: value, externalId: value, type: String, uniqueId: ${options.keyed && options.keyedBy === undefined} }
      - { name: display, externalId: display, type: String, uniqueId: ${options.keyedBy === 'display'} }
relationships:
  UserToGroupMember:
    fromAttribute: User.id
    toAttribute: GroupMember.value
  ParentOfGroupMember:
    childEntity: GroupMember
  UserGroups:
    path:
      - { relationship: UserToGroupMember, direction: Forward }
      - { relationship: ParentOfGroupMember, direction: Forward }
`;
}

describe.each(backends())('SCIM 2.0 Group member entities on $name', (backend) => {
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

  const createSor = (template: string) => app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template } });

  it('projects the members of a template that selects them as $.members[*]', async () => {
    const created = await createSor(membersTemplate('$.members[*]', { keyed: true }));
    expect(created.statusCode, created.body).toBe(201);
    const sorId = created.json().id as string;
    const token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
    const scim = async (method: 'POST' | 'PATCH', path: string, body: unknown) => {
      const response = await app.inject({ method, url: `/scim/v2/${sorId}${path}`, headers: { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON }, payload: JSON.stringify(body) });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response;
    };
    const u1 = (await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'u1@example.com' })).json().id as string;
    const u2 = (await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'u2@example.com' })).json().id as string;
    const group = (await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Staff', members: [{ value: u1 }] })).json().id as string;
    await scim('PATCH', `/Groups/${group}`, patchOp({ op: 'add', path: 'members', value: [{ value: u2 }] }));

    const members = await store.getChildren(sorId, 'Group', group, 'GroupMember');
    expect(members.map((member) => member.attributes.value).sort()).toEqual([u1, u2].sort());
    const { template } = await new SystemsOfRecord(store).require(sorId);
    for (const user of [u1, u2]) {
      const groups = await resolveRelationship(store, sorId, template, 'UserGroups', { entity: 'User', id: user }, 'Forward');
      expect(groups.map((node) => node.id)).toEqual([group]);
    }
  });

  // projectMembers maps only the members a request changes, so each would take position 0 under its group.
  it('refuses a SCIM 2.0 template whose members have no uniqueId, when a SoR is created or replaced with it', async () => {
    const problem = {
      place: 'entities.GroupMember.attributes',
      message: expect.stringMatching(/GroupMember needs its uniqueId attribute to be the member's "value"/),
    };
    for (const path of ['members', '$.members[*]']) {
      const refused = await createSor(membersTemplate(path, { keyed: false }));
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors).toEqual([problem]);
    }
    const refusedOverride = await app.inject({
      method: 'POST',
      url: '/api/v1/systems-of-record',
      headers: admin,
      payload: { template: membersTemplate('members', { keyed: false }).replace('pushType: SCIM2.0', 'pushType: SCIM'), pushType: 'SCIM2.0' },
    });
    expect(refusedOverride.json().errors).toEqual([problem]);

    const sorId = (await createSor(membersTemplate('members', { keyed: true }))).json().id as string;
    const replaced = await app.inject({ method: 'PUT', url: `/api/v1/systems-of-record/${sorId}`, headers: admin, payload: { template: membersTemplate('members', { keyed: false }) } });
    expect(replaced.statusCode).toBe(400);
    expect(replaced.json().errors).toEqual([problem]);
  });

  it('refuses members keyed by another attribute than value, and a members child that reads only some members', async () => {
    const byDisplay = await createSor(membersTemplate('members', { keyed: true, keyedBy: 'display' }));
    expect(byDisplay.statusCode).toBe(400);
    expect(byDisplay.json().errors).toEqual([{ place: 'entities.GroupMember.attributes', message: expect.stringMatching(/to be the member's "value"/) }]);
    const filtered = await createSor(membersTemplate("$.members[?@.type == 'User']", { keyed: true }));
    expect(filtered.statusCode).toBe(400);
    expect(filtered.json().errors).toEqual([{ place: 'entities.GroupMember.pushExternalId', message: expect.stringMatching(/must select every member/) }]);
  });

  it('accepts members without a uniqueId on a SoR of SCIM events, where every push carries the whole member list', async () => {
    const created = await createSor(membersTemplate('$.events.*.data.members.*', { keyed: false }).replace('pushType: SCIM2.0', 'pushType: SCIM'));
    expect(created.statusCode, created.body).toBe(201);
  });
});
