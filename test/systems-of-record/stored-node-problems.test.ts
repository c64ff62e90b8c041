import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBuiltinTemplate } from '../../src/template/builtin.js';
import { HMAC_SECRET } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, testApp } from '../support/service.js';
import { PATCH_OP, scimHarness, type ScimHarness } from '../scim/api/scim-app.js';

/** A SET SoR's User; `enabledType` and `uniqueId` are what the template changes below vary. */
function template(options: { enabledType?: string; uniqueId?: 'id' | 'userName'; extra?: string } = {}): string {
  const uniqueId = options.uniqueId ?? 'id';
  return `displayName: Template change
pushType: SCIM
entities:
  User:
    externalId: Users
    pushExternalId: Users
    attributes:
      - { name: id, externalId: id, pushExternalId: $.sub_id.id, type: String, indexed: true, uniqueId: ${uniqueId === 'id'} }
      - { name: userName, externalId: userName, pushExternalId: $.events.*.data.userName, type: String, indexed: true, uniqueId: ${uniqueId === 'userName'} }
      - { name: enabled, externalId: enabled, pushExternalId: $.events.*.data.enabled, type: ${options.enabledType ?? 'String'} }
${options.extra ?? ''}`;
}

describe.each(backends())('a template change over stored nodes on $name', (backend) => {
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  const push = async (id: string, event: string, data: Record<string, unknown>) => {
    expect(await pushUserEvent(app, { sorId, token }, { id, type: event, data })).toBe(202);
    await app.inbox.drain();
  };
  const put = (body: string) =>
    app.inject({ method: 'PUT', url: `/api/v1/systems-of-record/${sorId}`, headers: { ...admin, 'content-type': 'application/yaml' }, payload: body });
  const search = async (filter: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes?filter=${encodeURIComponent(filter)}`, headers: admin }))
      .json().items.map((node: { id: string }) => node.id);
  const storedTemplate = async () => (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}`, headers: admin })).json().template;

  beforeAll(async () => {
    app = await testApp(await backend.open());
    const created = await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template: template(), verification: { hmacSecrets: [HMAC_SECRET] } } });
    sorId = created.json().id;
    token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token;
    await push('u1', 'create:full', { userName: 'one@example.com', enabled: 'true' });
    await push('u2', 'create:full', { userName: 'two@example.com', enabled: 'false' });
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  it('refuses a type change of an attribute stored nodes hold, and leaves the SoR as it was', async () => {
    const before = await storedTemplate();
    const refused = await put(template({ enabledType: 'Bool' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().errors).toEqual([
      { place: 'entities.User.attributes[2].type', message: expect.stringMatching(/^User has 2 stored nodes with enabled as a String, and stored values are not converted/) },
    ]);
    // Accepted, `enabled eq true` found neither user, although u1 was pushed with "true".
    expect(await storedTemplate()).toBe(before);
    expect(await search('enabled eq "true"')).toEqual(['u1']);
  });

  it('refuses to make an attribute stored nodes hold a list, or a list a single value', async () => {
    const refused = await put(template({ extra: '' }).replace('type: String }\n', 'type: String, list: true }\n'));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([
      { place: 'entities.User.attributes[2].list', message: expect.stringMatching(/^User has 2 stored nodes with enabled as a single value, and stored values are not converted: they would be read as a list/) },
    ]);
    const both = await put(template({ enabledType: 'Bool' }).replace('type: Bool }\n', 'type: Bool, list: true }\n'));
    expect(both.json().errors.map((e: { place: string }) => e.place)).toEqual(['entities.User.attributes[2].type', 'entities.User.attributes[2].list']);
  });

  it('lets a type change through when no stored node holds the attribute', async () => {
    const added = await put(template({ extra: '      - { name: logins, externalId: logins, pushExternalId: $.events.*.data.logins, type: String }\n' }));
    expect(added.statusCode).toBe(200);
    const retyped = await put(template({ extra: '      - { name: logins, externalId: logins, pushExternalId: $.events.*.data.logins, type: Int64 }\n' }));
    expect(retyped.statusCode).toBe(200);
  });

  it('refuses a new uniqueId for an entity with stored nodes, which a push would duplicate', async () => {
    const refused = await put(template({ uniqueId: 'userName' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([
      { place: 'entities.User.attributes[1].uniqueId', message: expect.stringMatching(/^User has 2 stored nodes identified by id: identified by userName, a push for one of them would make a second node/) },
    ]);
    expect(await search('userName pr')).toEqual(['u1', 'u2']);
  });

  it('refuses a template that would make the SoR of another push type', async () => {
    const refused = await put(template().replace('pushType: SCIM', 'pushType: SCIM2.0'));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([{ place: 'template.pushType', message: expect.stringMatching(/pushType is "SCIM" and a template change cannot make it "SCIM2.0"/) }]);
    const kept = await put(template().replace('pushType: SCIM\n', ''));
    expect(kept.statusCode).toBe(200);
    expect(kept.json()).toMatchObject({ pushType: 'SCIM', endpoints: { events: expect.any(String) } });
  });

  it('applies a failed event once the template is fixed and the event retried', async () => {
    // A patch re-maps the stored resource; with logins an Int64 the "12" it carries no longer fits.
    await push('u3', 'create:full', { userName: 'three@example.com', logins: '12' });
    expect((await put(template({ extra: '      - { name: logins, externalId: logins, pushExternalId: $.events.*.data.logins, type: Int64 }\n' }))).statusCode).toBe(200);
    await push('u3', 'patch:full', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'trois@example.com' }] });
    const events = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events?status=failed`, headers: admin })).json().items;
    expect(events).toHaveLength(1);
    expect((await put(template({ extra: '      - { name: logins, externalId: logins, pushExternalId: $.events.*.data.logins, type: String }\n' }))).statusCode).toBe(200);
    const retried = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/events/${events[0].id}/retry`, headers: admin });
    expect(retried.statusCode).toBe(202);
    await app.inbox.drain();
    expect(await search('userName eq "trois@example.com"')).toEqual(['u3']);
  });
});

describe.each(backends())('a template change of a SCIM 2.0 SoR with resources on $name', (backend) => {
  let h: ScimHarness;
  const builtin = getBuiltinTemplate('scim-2.0-push')!.yaml;
  const withoutMembers = builtin
    .replace(/\n {2}GroupMember:[\s\S]*?(?=\n {2}Email:)/, '')
    .replace(/\n {2}UserToGroupMember:[\s\S]*?(?=\n {2}# Parent-child)/, '')
    .replace(/\n {2}ParentOfGroupMember:\n {4}childEntity: GroupMember/, '');
  const put = (body: string) =>
    h.app.inject({ method: 'PUT', url: `/api/v1/systems-of-record/${h.sorId}`, headers: { ...admin, 'content-type': 'application/yaml' }, payload: body });

  beforeAll(async () => {
    h = await scimHarness(backend);
  });
  afterAll(async () => {
    await h.app.close();
    await backend.dispose();
  });

  it('keeps the SCIM 2.0 push type for a template that names none', async () => {
    const replaced = await put(builtin.replace('pushType: "SCIM2.0"', ''));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ pushType: 'SCIM2.0', endpoints: { scim: expect.any(String) } });
    expect((await h.scim('GET', '/Users')).statusCode).toBe(200);
  });

  it('lets a template drop an entity that has no nodes', async () => {
    expect(withoutMembers).not.toMatch(/^ {2}GroupMember:/m);
    expect((await put(withoutMembers)).statusCode).toBe(200);
    expect((await put(builtin)).statusCode).toBe(200);
  });

  it('refuses to drop the members entity while it has nodes, so that no removed member comes back', async () => {
    const user = await h.createUser('member@example.com');
    const group = await h.createGroup('Admins', [user]);
    const refused = await put(withoutMembers);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([{ place: 'entities.GroupMember', message: expect.stringMatching(/^GroupMember has 1 stored node; on a SCIM 2.0 system of record/) }]);

    const removed = await h.scim('PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${user}"]` }] });
    expect(removed.statusCode).toBe(204);
    const node = (await h.node('User', user)).json();
    expect(node.relationships.find((r: { key: string; direction: string }) => r.key === 'UserGroups' && r.direction === 'Forward').total).toBe(0);
  });
});
