import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remapScimResources } from '../../src/bulk/remap-scim-resources.js';
import type { Progress } from '../../src/bulk/progress.js';
import { resolveRelationship } from '../../src/graph/relationships.js';
import type { ScimChange } from '../../src/graph/scim-resources.js';
import type { GraphStore, NodeRef } from '../../src/graph/store.js';
import { ScimResources } from '../../src/scim/resources.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { getBuiltinTemplate } from '../../src/template/builtin.js';
import { backends } from '../support/backends.js';
import { PUBLIC_URL, admin } from '../support/service.js';
import { USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from '../scim/api/scim-app.js';

const builtin = getBuiltinTemplate('scim-2.0-push')!.yaml;

/** The built-in SCIM 2.0 template with the changes the tests below make to it. */
function template(options: { userTypeBool?: boolean; keyedByName?: boolean; withoutPhoto?: boolean } = {}): string {
  let yaml = builtin;
  if (options.userTypeBool) yaml = yaml.replace(/(name: userType\n(?:.*\n){2}\s+type: )String/, '$1Bool');
  if (options.keyedByName) {
    // Users by userName, Groups by displayName: every node moves to another id.
    yaml = yaml.replace(/(entities:\n {2}User:\n(?:.*\n)*? {6}- name: id\n(?:.*\n){3}\s+indexed: true\n\s+uniqueId: )true/, '$1false');
    yaml = yaml.replace(/(name: userName\n(?:.*\n){2}\s+type: String\n\s+indexed: true\n)/, '$1        uniqueId: true\n');
    yaml = yaml.replace(/( {2}Group:\n(?:.*\n)*? {6}- name: id\n(?:.*\n){3}\s+indexed: true\n\s+uniqueId: )true/, '$1false');
    yaml = yaml.replace(/( {2}Group:\n(?:.*\n)*? {6}- name: displayName\n(?:.*\n){2}\s+type: String\n)/, '$1        uniqueId: true\n');
  }
  if (options.withoutPhoto) yaml = yaml.replace(/ {2}Photo:\n(?: {4}.*\n|\s*\n)*/, '').replace(/ {2}ParentOfPhoto:\n.*\n/, '');
  return yaml;
}

/** Counts a store's calls of a method, with their arguments, and can run something before one goes through. */
function watched(store: GraphStore, method: 'applyScimChange' | 'deleteSomeChildren', before?: (args: unknown[]) => Promise<void>) {
  const calls: unknown[][] = [];
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        calls.push(args);
        await before?.(args);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe.each(backends({ sqliteFile: true }))('remapping a SCIM 2.0 SoR on $name', (backend) => {
  let h: ScimHarness;
  let alice: string;
  let bob: string;
  let carol: string;
  let staff: string;

  const put = (yaml: string, query = '', accept?: string) =>
    h.app.inject({
      method: 'PUT', url: `/api/v1/systems-of-record/${h.sorId}${query}`,
      headers: { ...admin, 'content-type': 'application/yaml', ...(accept ? { accept } : {}) },
      payload: yaml,
    });
  const search = async (entity: string, filter: string) =>
    (await h.app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${h.sorId}/entities/${entity}/nodes?filter=${encodeURIComponent(filter)}`, headers: admin }))
      .json().items.map((n: { id: string }) => n.id).sort();
  const groupsOf = async (user: NodeRef) => {
    const { template: current } = await new SystemsOfRecord(h.store).require(h.sorId);
    return (await resolveRelationship(h.store, h.sorId, current, 'UserGroups', user, 'Forward')).map((node) => node.attributes.displayName).sort();
  };
  const memberValues = async (groupNodeId: string) =>
    (await h.store.getChildren(h.sorId, 'Group', groupNodeId, 'GroupMember')).map((member) => member.attributes.value).sort();

  beforeAll(async () => {
    h = await scimHarness(backend);
    alice = await h.createUser('alice@example.com', { userType: 'true', emails: [{ value: 'alice@example.com', type: 'work' }] });
    bob = await h.createUser('bob@example.com', { userType: 'false' });
    carol = await h.createUser('carol@example.com', { userType: 'true' });
    staff = await h.createGroup('Staff', [alice, bob, carol]);
    await h.createGroup('Admins', [alice]);
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  it('points a refused change at the remap, and still refuses an entity dropped while it has nodes', async () => {
    const refused = await put(template({ userTypeBool: true }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0]).toMatchObject({
      place: 'entities.User.attributes[13].type',
      message: expect.stringContaining("replace the template with ?remap=true to map the stored nodes again from the SoR's SCIM Users and Groups") as unknown,
    });
    const user = await h.store.getNode(h.sorId, 'User', alice);
    await h.store.replaceNode(h.sorId, { entity: 'User', id: alice, attributes: user!.attributes, children: [{ entity: 'Photo', id: `${alice}:p`, attributes: { value: 'p' }, children: [] }] }, { indexedAttributes: {} });
    const dropped = await put(template({ withoutPhoto: true }), '?remap=true');
    expect(dropped.statusCode).toBe(400);
    expect(dropped.json().errors[0].message).toContain('a remap writes only the entities the template has, so ?remap=true does not help');
  });

  it('projects every resource again with a template that retypes an attribute, so searches find them', async () => {
    expect(await search('User', 'userType eq true')).toEqual([]);
    const replaced = await put(template({ userTypeBool: true }), '?remap=true');
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().remap).toEqual({
      remapped: { users: 3, groups: 2, members: 4 },
      removedNodes: 0,
      skipped: { notMapped: 0, deletedMeanwhile: 0, keptChanging: 0 },
      leftAsTheyWere: [],
    });
    expect(await search('User', 'userType eq true')).toEqual([alice, carol].sort());
    expect(await search('User', 'userType eq false')).toEqual([bob]);
    // The User was replaced with its children as a SCIM write would: the e-mail is there, the stray Photo is not.
    const node = (await h.node('User', alice)).json();
    expect(Object.keys(node.children)).toEqual(['Email']);
    expect(await memberValues(staff)).toEqual([alice, bob, carol].sort());
    expect(await groupsOf({ entity: 'User', id: alice })).toEqual(['Admins', 'Staff']);
  });

  it('streams its progress and answers a remap on request', async () => {
    const remapped = await h.app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${h.sorId}/nodes/remap`, headers: { ...admin, accept: 'application/x-ndjson' } });
    expect(remapped.statusCode).toBe(200);
    const lines = remapped.body.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toEqual({ operation: 'remap-scim-resources', done: 0, total: 5 });
    expect(lines).toContainEqual({ operation: 'remap-scim-resources', done: 5, total: 5 });
    expect(lines).toContainEqual({ operation: 'remove-moved-scim-nodes', done: 5, total: 5 });
    expect(lines.at(-1).result).toMatchObject({ remapped: { users: 3, groups: 2, members: 4 }, removedNodes: 0 });
  });

  it('moves nodes to the ids a new uniqueId gives them, and deletes those the old one keyed', async () => {
    const replaced = await put(template({ userTypeBool: true, keyedByName: true }), '?remap=true');
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().remap).toMatchObject({ remapped: { users: 3, groups: 2, members: 4 }, removedNodes: 5 });
    expect((await h.node('User', alice)).statusCode).toBe(404);
    expect((await h.node('Group', staff)).statusCode).toBe(404);
    expect(await search('User', 'id pr')).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    expect((await h.node('User', 'alice@example.com')).json().children.Email).toHaveLength(1);
    expect(await memberValues('Staff')).toEqual([alice, bob, carol].sort());
    expect(await h.store.getChildren(h.sorId, 'Group', staff)).toEqual([]);
    expect(await groupsOf({ entity: 'User', id: 'alice@example.com' })).toEqual(['Admins', 'Staff']);
    expect(await h.store.countNodes(h.sorId)).toMatchObject({ User: 3, Group: 2, GroupMember: 4, Email: 1 });
    // SCIM writes reach the moved nodes.
    expect((await h.scim('PATCH', `/Groups/${staff}`, patchOp({ op: 'remove', path: `members[value eq "${bob}"]` }))).statusCode).toBe(204);
    expect(await memberValues('Staff')).toEqual([alice, carol].sort());
  });

  it('keeps a SCIM PATCH made while the remap had the resource read', async () => {
    const sor = await new SystemsOfRecord(h.store).require(h.sorId);
    let patched = false;
    const { store } = watched(h.store, 'applyScimChange', async (args) => {
      const change = args[1] as ScimChange;
      if (patched || change.resource.kind !== 'unchanged' || change.resource.id !== bob) return;
      patched = true;
      const response = await h.scim('PATCH', `/Users/${bob}`, patchOp({ op: 'replace', path: 'userType', value: 'true' }));
      expect(response.statusCode).toBe(200);
    });
    const result = await remapScimResources(store, sor, PUBLIC_URL);
    expect(patched).toBe(true);
    expect(result.remapped.users).toBe(3);
    expect((await h.store.getNode(h.sorId, 'User', 'bob@example.com'))!.attributes).toMatchObject({ userType: true, version: 'W/"2"' });
    expect(await search('User', 'userType eq true')).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
  });

  it('leaves a resource the template cannot map, with what a SCIM write of it would be told', async () => {
    expect((await put(template({ keyedByName: true }), '?remap=true')).json().remap.skipped.notMapped).toBe(0);
    const dave = await h.createUser('dave@example.com', { userType: 'maybe' });
    const replaced = await put(template({ userTypeBool: true, keyedByName: true }), '?remap=true');
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().remap).toMatchObject({
      remapped: { users: 3, groups: 2 },
      removedNodes: 0,
      skipped: { notMapped: 1 },
      leftAsTheyWere: [{ resourceType: 'User', id: dave, reason: expect.stringContaining('userType') as unknown }],
    });
    expect((await h.node('User', 'dave@example.com')).json().attributes.userType).toBe('maybe');
  });
});

describe.each(backends({ sqliteFile: true }))('remapping a big SCIM 2.0 group on $name', (backend) => {
  const MEMBERS = 2000;
  let h: ScimHarness;
  let group: string;

  beforeAll(async () => {
    h = await scimHarness(backend);
    const sor = await new SystemsOfRecord(h.store).require(h.sorId);
    const resources = new ScimResources(h.store, sor, `${PUBLIC_URL}/scim/v2/${h.sorId}`, 'seed');
    const users = await resources.importUsers(Array.from({ length: MEMBERS }, (_, i) => ({ schemas: [USER_SCHEMA], userName: `user${i}@example.com` })));
    group = (await resources.create('Group', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone', members: users.map((user) => ({ value: user.id })) })).record.id;
  }, 60_000);
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  it('projects its members a page per transaction, and deletes the nodes of a moved group a page at a time', async () => {
    // The template changes without the remap that a PUT ?remap=true runs: this one runs below, on a watched store.
    const sor = await new SystemsOfRecord(h.store).replace(h.sorId, readSystemOfRecordRequest(template({ keyedByName: true })), undefined, { remap: true });
    const changes = watched(h.store, 'applyScimChange');
    const deletes = watched(changes.store, 'deleteSomeChildren');
    const progress: Progress[] = [];
    const result = await remapScimResources(deletes.store, sor, PUBLIC_URL, (step) => progress.push(step), { memberPage: 250 });
    expect(result).toMatchObject({ remapped: { users: MEMBERS, groups: 1, members: MEMBERS }, removedNodes: MEMBERS + 1 });
    const groupWrites = changes.calls.map((args) => args[1] as ScimChange).filter((change) => change.resource.kind === 'unchanged' && change.resource.id === group);
    expect(groupWrites).toHaveLength(MEMBERS / 250);
    expect(Math.max(...groupWrites.map((change) => change.graph.upsert?.length ?? 0))).toBeLessThanOrEqual(251);
    // The old Group node's members went 500 a transaction (the last finding none left), then the node itself.
    expect(deletes.calls.filter((args) => (args[1] as NodeRef).id === group)).toHaveLength(MEMBERS / 500 + 1);
    expect(progress.filter((step) => step.operation === 'remap-scim-resources').at(-1)).toEqual({ operation: 'remap-scim-resources', done: MEMBERS + 1, total: MEMBERS + 1 });
    expect(await h.store.countNodes(h.sorId)).toMatchObject({ User: MEMBERS, Group: 1, GroupMember: MEMBERS });
    expect((await h.store.getChildren(h.sorId, 'Group', 'Everyone', 'GroupMember')).length).toBe(MEMBERS);
  }, 120_000);
});
