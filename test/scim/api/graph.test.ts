import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRelationship } from '../../../src/graph/relationships.js';
import { indexedAttributesOf } from '../../../src/graph/tree.js';
import { SystemsOfRecord } from '../../../src/systems-of-record/service.js';
import { backends } from '../../support/backends.js';
import { patchOp, scimHarness, type ScimHarness } from './scim-app.js';

describe.each(backends({ sqliteFile: true }))('SCIM writes in the graph on $name', (backend) => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness(backend);
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  const groupsOf = async (userId: string) => {
    const { template } = await new SystemsOfRecord(h.store).require(h.sorId);
    const nodes = await resolveRelationship(h.store, h.sorId, template, 'UserGroups', { entity: 'User', id: userId }, 'Forward');
    return nodes.map((node) => node.attributes.displayName).sort();
  };

  it('keeps User, Group and GroupMember nodes and UserGroups current through a sequence of calls', async () => {
    const alice = await h.createUser('alice@example.com', {
      name: { givenName: 'Alice', familyName: 'Liddell' },
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }, { value: 'alice@home.example', type: 'home' }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      active: true,
    });
    const bob = await h.createUser('bob@example.com');
    const admins = await h.createGroup('Admins', [alice]);
    const staff = await h.createGroup('Staff', [alice, bob]);

    const user = (await h.node('User', alice)).json();
    expect(user).toMatchObject({
      entity: 'User',
      id: alice,
      attributes: { id: alice, userName: 'alice@example.com', givenName: 'Alice', familyName: 'Liddell', active: true, resourceType: 'User', version: 'W/"1"' },
    });
    expect(user.children.Email.map((email: { id: string }) => email.id).sort()).toEqual([`${alice}:alice@example.com`, `${alice}:alice@home.example`]);
    expect(user.children.PhoneNumber).toHaveLength(1);
    const group = (await h.node('Group', staff)).json();
    expect(group.attributes).toMatchObject({ id: staff, displayName: 'Staff' });
    expect(group.children.GroupMember.map((member: { id: string; attributes: { value: string } }) => [member.id, member.attributes.value]).sort()).toEqual(
      [[`${staff}:${alice}`, alice], [`${staff}:${bob}`, bob]].sort(),
    );
    expect(await groupsOf(alice)).toEqual(['Admins', 'Staff']);
    expect(await groupsOf(bob)).toEqual(['Staff']);

    await h.scim('PATCH', `/Groups/${admins}`, patchOp({ op: 'add', path: 'members', value: [{ value: bob }] }, { op: 'remove', path: `members[value eq "${alice}"]` }));
    expect(await groupsOf(alice)).toEqual(['Staff']);
    expect(await groupsOf(bob)).toEqual(['Admins', 'Staff']);

    await h.scim('PATCH', `/Groups/${staff}`, patchOp({ op: 'replace', path: 'displayName', value: 'Everyone' }));
    expect(await groupsOf(bob)).toEqual(['Admins', 'Everyone']);
    expect((await h.node('Group', staff)).json().children.GroupMember).toHaveLength(2);

    await h.scim('PATCH', `/Users/${alice}`, patchOp({ op: 'remove', path: 'emails[type eq "home"]' }, { op: 'replace', path: 'active', value: false }));
    const patched = (await h.node('User', alice)).json();
    expect(patched.attributes.active).toBe(false);
    expect(patched.children.Email.map((email: { id: string }) => email.id)).toEqual([`${alice}:alice@example.com`]);

    await h.scim('PUT', `/Groups/${staff}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone', members: [{ value: alice }] });
    expect(await groupsOf(bob)).toEqual(['Admins']);
    expect(await groupsOf(alice)).toEqual(['Everyone']);

    await h.scim('DELETE', `/Groups/${admins}`);
    expect((await h.node('Group', admins)).statusCode).toBe(404);
    expect((await h.node('GroupMember', `${admins}:${bob}`)).statusCode).toBe(404);
    expect(await groupsOf(bob)).toEqual([]);

    await h.scim('DELETE', `/Users/${alice}`);
    expect((await h.node('User', alice)).statusCode).toBe(404);
    expect((await h.node('Email', `${alice}:alice@example.com`)).statusCode).toBe(404);
  });

  it('imports users in one transaction, refusing the whole batch on a taken userName', async () => {
    const { ScimResources } = await import('../../../src/scim/resources.js');
    const sor = await new SystemsOfRecord(h.store).require(h.sorId);
    const resources = new ScimResources(h.store, sor, h.base, 'import-1');
    const bodies = ['imp-1', 'imp-2', 'imp-3'].map((name) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${name}@example.com`, emails: [{ value: `${name}@example.com` }] }));
    const records = await resources.importUsers(bodies);
    const found = (await h.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "imp-"')}`)).json();
    expect(found.totalResults).toBe(3);
    expect((await h.node('User', records[1]!.id)).json().children.Email).toHaveLength(1);
    await expect(resources.importUsers([{ userName: 'imp-4@example.com' }, { userName: 'IMP-1@example.com' }])).rejects.toMatchObject({ status: 409 });
    expect((await h.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "imp-4@example.com"')}`)).json().totalResults).toBe(0);
  });

  it('takes a deleted user out of every group it was in, in SCIM and in the graph', async () => {
    const leaver = await h.createUser('leaver@example.com');
    const stayer = await h.createUser('stayer@example.com');
    const first = await h.createGroup('Leavers One', [leaver, stayer]);
    const second = await h.createGroup('Leavers Two', [leaver]);
    expect((await h.node('GroupMember', `${first}:${leaver}`)).statusCode).toBe(200);
    expect((await h.scim('DELETE', `/Users/${leaver}`)).statusCode).toBe(204);
    const members = async (group: string) =>
      ((await h.scim('GET', `/Groups/${group}`)).json().members ?? []).map((m: { value: string }) => m.value);
    expect(await members(first)).toEqual([stayer]);
    expect(await members(second)).toEqual([]);
    expect((await h.node('GroupMember', `${first}:${leaver}`)).statusCode).toBe(404);
    expect((await h.node('GroupMember', `${second}:${leaver}`)).statusCode).toBe(404);
    expect((await h.node('GroupMember', `${first}:${stayer}`)).statusCode).toBe(200);
  });

  it('touches only the changed member node on a membership PATCH', async () => {
    const members = Array.from({ length: 50 }, (_, index) => `touch-${index}`);
    const id = await h.createGroup('Touch', members);
    const before = (await h.node('GroupMember', `${id}:touch-7`)).json();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: 'touch-new' }] }, { op: 'remove', path: 'members[value eq "touch-3"]' }));
    expect((await h.node('GroupMember', `${id}:touch-7`)).json().updatedAt).toBe(before.updatedAt);
    expect((await h.node('GroupMember', `${id}:touch-new`)).statusCode).toBe(200);
    expect((await h.node('GroupMember', `${id}:touch-3`)).statusCode).toBe(404);
    expect((await h.node('Group', id)).json().children.GroupMember).toHaveLength(50);
  });

  it('removes members by another filter, and all members with a remove of "members"', async () => {
    const id = await h.createGroup('Filtered', []);
    await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: 'u-1', type: 'User' }, { value: 'g-1', type: 'Group' }, { value: 'g-2', type: 'Group' }] }));
    await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'remove', path: 'members[type eq "Group"]' }));
    expect((await h.scim('GET', `/Groups/${id}`)).json().members).toEqual([{ value: 'u-1', type: 'User' }]);
    expect((await h.node('Group', id)).json().children.GroupMember.map((member: { id: string }) => member.id)).toEqual([`${id}:u-1`]);
    await h.scim('PATCH', `/Groups/${id}`, patchOp({ op: 'remove', path: 'members' }));
    expect((await h.scim('GET', `/Groups/${id}`)).json().members).toBeUndefined();
    expect((await h.node('Group', id)).json().children).toEqual({});
  });

  it('keys a member whose value contains ":" unambiguously, and a PUT drops members stored under ids from before escaping', async () => {
    const id = await h.createGroup('Colons', ['x:y']);
    expect((await h.node('Group', id)).json().children.GroupMember.map((member: { id: string }) => member.id)).toEqual([`${id}:x%3Ay`]);
    const { template } = await new SystemsOfRecord(h.store).require(h.sorId);
    const group = (await h.store.getNode(h.sorId, 'Group', id))!;
    await h.store.replaceNodes(
      h.sorId,
      [{ entity: 'Group', id, attributes: group.attributes, children: [{ entity: 'GroupMember', id: `${id}:x:y`, attributes: { value: 'x:y' }, children: [] }] }],
      { indexedAttributes: indexedAttributesOf(template), eventId: 'before-escaping' },
    );
    await h.scim('PUT', `/Groups/${id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Colons', members: [{ value: 'z' }] });
    expect((await h.node('Group', id)).json().children.GroupMember.map((member: { id: string }) => member.id)).toEqual([`${id}:z`]);
  });
});
