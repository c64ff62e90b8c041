import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveNodeRelationships } from '../../src/explorer/node-relationships.js';
import type { GraphStore } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';
import { indexedAttributesOf } from '../../src/graph/tree.js';
import { countingStore, scimPushTemplate, userTree, writeGroupGraph } from '../support/group-graph.js';
import { HMAC_SECRET, signHs256, seedSet } from '../events/set-fixtures.js';
import { admin, seedSorWithToken, seedTemplate, testApp } from '../support/service.js';

describe.each(backends())('explorer API on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  const template = scimPushTemplate();

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    sorId = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } })).json().id;
    await writeGroupGraph(store, sorId, template, 3, 12);
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const get = async (path: string) => app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}${path}`, headers: admin });
  const search = async (entity: string, filter: string, extra = '') =>
    get(`/entities/${entity}/nodes?filter=${encodeURIComponent(filter)}${extra}`);

  it('lists entity types with counts and their searchable attributes', async () => {
    const { items } = (await get('/entities')).json();
    expect(items.find((e: { id: string }) => e.id === 'User')).toMatchObject({ count: 3, indexedAttributes: ['id', 'externalId', 'userName'] });
    expect(items.find((e: { id: string }) => e.id === 'GroupMember')).toMatchObject({ count: 36 });
  });

  it('searches with SCIM filters, pushing indexed equality down to the index', async () => {
    const byName = (await search('User', 'userName eq "U1@EXAMPLE.COM"')).json();
    expect(byName).toMatchObject({ plan: 'index', items: [{ id: 'u1' }] });
    const either = (await search('User', 'userName eq "u0@example.com" or id eq "u2"')).json();
    expect(either.items.map((n: { id: string }) => n.id)).toEqual(['u0', 'u2']);
    const narrowed = (await search('User', 'id eq "u1" and active eq false')).json();
    expect(narrowed).toMatchObject({ plan: 'index', items: [] });
    // id is caseExact (RFC 7643 §3.1), userName is not.
    expect((await search('User', 'id eq "U1"')).json().items).toEqual([]);
  });

  it('pages the nodes an indexed equality finds, instead of dropping those beyond count', async () => {
    const filter = 'userName eq "u0@example.com" or id eq "u1" or id eq "u2"';
    const first = (await search('User', filter, '&count=2')).json();
    expect(first).toMatchObject({ plan: 'index', items: [{ id: 'u0' }, { id: 'u1' }], nextCursor: expect.any(String) });
    const second = (await search('User', filter, `&count=2&cursor=${first.nextCursor}`)).json();
    expect(second).toMatchObject({ plan: 'index', items: [{ id: 'u2' }] });
    expect(second.nextCursor).toBeUndefined();
  });

  it('scans for filters the index cannot answer, a page at a time', async () => {
    const first = (await search('Group', 'displayName co "Group g00"', '&count=5')).json();
    expect(first.plan).toBe('scan');
    expect(first.items).toHaveLength(5);
    const rest = (await search('Group', 'displayName co "Group g00"', `&count=50&cursor=${first.nextCursor}`)).json();
    expect(rest.items).toHaveLength(7);
    expect(rest.nextCursor).toBeUndefined();
    const notActive = (await search('User', 'not (active eq true) or userName sw "u2"')).json();
    expect(notActive.items.map((n: { id: string }) => n.id)).toEqual(['u2']);
  });

  it('answers a bad filter with 400 and where the problem is', async () => {
    const bad = await search('User', 'userName eq');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ title: 'Invalid filter', position: expect.any(Number) });
    const wrongType = await search('User', 'active gt true');
    expect(wrongType.statusCode).toBe(400);
  });

  it('shows a node with every relationship resolved in both directions, path relationships included', async () => {
    const user = (await get('/entities/User/nodes/u1')).json();
    expect(user.children.Email).toHaveLength(1);
    const byKey = Object.fromEntries(user.relationships.map((r: { key: string }) => [r.key, r]));
    expect(byKey.UserGroups).toMatchObject({ direction: 'Forward', toEntity: 'Group', kind: 'path', total: 12 });
    expect(byKey.UserGroups.nodes[0]).toEqual({ entity: 'Group', id: 'g0000', label: 'Group g0000' });
    expect(byKey.UserToGroupMember).toMatchObject({ direction: 'Forward', toEntity: 'GroupMember', total: 12 });
    expect(byKey.ParentOfEmail).toMatchObject({ direction: 'Backward', total: 1 });
    const group = (await get('/entities/Group/nodes/g0003')).json();
    const members = group.relationships.find((r: { key: string; direction: string }) => r.key === 'UserGroups');
    expect(members).toMatchObject({ direction: 'Backward', toEntity: 'User', total: 3 });
    expect(members.nodes.map((n: { id: string }) => n.id)).toEqual(['u0', 'u1', 'u2']);
  });

  it('resolves a node page in one store call per relationship step, however many groups', async () => {
    const counting = countingStore(store);
    await resolveNodeRelationships(counting.store, sorId, template, (await store.getNode(sorId, 'User', 'u0'))!);
    const callsWithTwelve = counting.calls();
    await store.replaceNode(sorId, userTree('loner'), { indexedAttributes: indexedAttributesOf(template) });
    counting.reset();
    await resolveNodeRelationships(counting.store, sorId, template, (await store.getNode(sorId, 'User', 'loner'))!);
    // A user in no group stops the path after its first step.
    expect(counting.calls()).toBe(callsWithTwelve - 1);
    // One per relationship step: UserToGroupMember, UserGroups (two steps), eight ParentOf… children lookups.
    expect(callsWithTwelve).toBe(11);
    await store.deleteNode(sorId, 'User', 'loner');
  });

  it('walks the neighbourhood to a depth, within a bound', async () => {
    const one = (await get('/entities/User/nodes/u1/neighbours?depth=1')).json();
    expect(one.nodes.filter((n: { depth: number }) => n.depth === 1).map((n: { entity: string }) => n.entity).sort()).toContain('Group');
    expect(one.edges).toContainEqual({
      from: { entity: 'User', id: 'u1' },
      to: { entity: 'Group', id: 'g0000' },
      relationship: 'UserGroups',
      label: 'User Groups',
    });
    const two = (await get('/entities/User/nodes/u1/neighbours?depth=2&limit=20')).json();
    expect(two.nodes).toHaveLength(20);
    expect(two.truncated).toBe(true);
    expect((await get('/entities/User/nodes/u1/neighbours?depth=9')).statusCode).toBe(400);
  });

  it('leaves out the children of an entity a PUT dropped, as it does its top-level nodes, and shows them again once it is back', async () => {
    const seed = await seedSorWithToken(app);
    await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${seed.sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${seed.token}` },
      payload: await signHs256(seedSet()),
    });
    await app.inbox.drain();
    const sorUrl = `/api/v1/systems-of-record/${seed.sorId}`;
    const readUser = async (path = '') => (await app.inject({ method: 'GET', url: `${sorUrl}/entities/User/nodes/100${path}`, headers: admin })).json();
    const replaceTemplate = (yaml: string) =>
      app.inject({ method: 'PUT', url: sorUrl, headers: { ...admin, 'content-type': 'application/yaml' }, payload: yaml });
    expect(Object.keys((await readUser()).children)).toEqual(['Email']);

    expect((await replaceTemplate(seedTemplate.slice(0, seedTemplate.indexOf('  Email:')))).statusCode).toBe(200);
    expect((await readUser()).children).toEqual({});
    expect((await readUser('/neighbours')).nodes.map((n: { entity: string }) => n.entity)).toEqual(['User']);
    expect((await app.inject({ method: 'GET', url: `${sorUrl}/entities/Email/nodes`, headers: admin })).statusCode).toBe(404);

    expect((await replaceTemplate(seedTemplate)).statusCode).toBe(200);
    expect(Object.keys((await readUser()).children)).toEqual(['Email']);
  });

  it('answers 404 for an unknown node or entity', async () => {
    expect((await get('/entities/User/nodes/nobody')).statusCode).toBe(404);
    expect((await get('/entities/Nope/nodes/u1/neighbours')).statusCode).toBe(404);
    expect((await get('/entities/User/nodes/nobody/history')).statusCode).toBe(404);
  });
});

describe.each(backends())('indexed DateTime search on $name', (backend) => {
  let app: FastifyInstance;
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  it('finds a DateTime by its instant, whatever the RFC 3339 form of the literal', async () => {
    app = await testApp(await backend.open());
    const hired = '      - { name: hired, externalId: hired, pushExternalId: $.events.*.data.hired, type: DateTime, indexed: true }\n';
    const template = seedTemplate.replace(/(\n {2}User:[\s\S]*?attributes:\n)/, `$1${hired}`);
    const created = await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template, verification: { hmacSecrets: [HMAC_SECRET] } } });
    expect(created.statusCode).toBe(201);
    const sorId = created.json().id as string;
    const token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
    const set = seedSet({
      sub_id: { format: 'scim', uri: '/Users/h1', id: 'h1' },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'h1@example.com', hired: '2024-03-01T09:30:00+05:30' } } },
    });
    const pushed = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
      payload: await signHs256(set),
    });
    expect(pushed.statusCode).toBe(202);
    await app.inbox.drain();
    const found = async (filter: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes?filter=${encodeURIComponent(filter)}`, headers: admin })).json();
    for (const literal of ['2024-03-01T04:00:00Z', '2024-03-01T04:00:00.000Z', '2024-03-01T09:30:00+05:30']) {
      expect(await found(`hired eq "${literal}"`), literal).toMatchObject({ plan: 'index', items: [{ id: 'h1' }] });
    }
    // A literal that is no time would be compared as text, against every stored time: refused instead.
    for (const filter of ['hired eq "not a time"', 'hired lt "abc"', 'hired gt "10000-01-01T00:00:00Z"', 'userName pr and not (hired le "x")']) {
      const refused = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes?filter=${encodeURIComponent(filter)}`, headers: admin });
      expect(refused.statusCode, filter).toBe(400);
      expect(refused.json().detail, filter).toMatch(/hired is a DateTime; ".*" is not a time it can be compared with/);
    }
    expect((await found('hired gt "2024-03-01T03:00:00Z"')).items).toMatchObject([{ id: 'h1' }]);
  });
});
