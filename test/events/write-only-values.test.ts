import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/admin/secrets.js';
import { REDACTED_BODY_NOTE, REDACTED_PAYLOAD_NOTE } from '../../src/events/redact-set.js';
import { InboxWorker } from '../../src/events/inbox-worker.js';
import type { GraphStore } from '../../src/graph/store.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, seedSorWithToken, testApp } from '../support/service.js';
import { signHs256 } from './set-fixtures.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Every secret pushed below: none may be found in anything the service keeps or shows. */
const SECRETS = ['Create-Plain-1', 'Create-Upper-2', 'Create-Urn-3', 'Create-Nested-4', 'Patch-Path-5', 'Patch-Value-6', 'Patch-Urn-7', 'Retry-8', 'Refused-9', 'Json-10', 'Restart-11'];
const SECRET_PATTERN = new RegExp(SECRETS.join('|'));

const createData = (userName: string) => ({
  schemas: [USER],
  userName,
  enabled: true,
  emails: [{ type: 'work', value: userName }],
  password: 'Create-Plain-1',
  PASSWORD: 'Create-Upper-2',
  [`${USER}:password`]: 'Create-Urn-3',
  [USER]: { password: 'Create-Nested-4', title: 'Engineer' },
});

const patchOp = (operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

describe.each(backends({ sqliteFile: true }))('write-only values in SETs on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sor: { sorId: string; token: string };

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    sor = await seedSorWithToken(app);
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const push = async (event: Parameters<typeof pushUserEvent>[2]) => {
    const status = await pushUserEvent(app, sor, event);
    await app.inbox.drain();
    return status;
  };
  const events = async (query = '') =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sor.sorId}/events${query}`, headers: admin })).json() as {
      items: { id: string; status: string; raw?: string; decoded?: { claims: Record<string, unknown> }; notes?: string[] }[];
    };
  const event = async (id: string) => app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sor.sorId}/events/${id}`, headers: admin });
  const node = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sor.sorId}/entities/User/nodes/${id}`, headers: admin })).json();
  const subjectEvents = async (id: string) => (await events(`?subject=${encodeURIComponent(`/Users/${id}`)}`)).items;

  /** Whatever the event log answers, listed and one by one, and the node's stored source: no secret in any. */
  const expectNoSecretKept = async (id: string) => {
    const listed = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sor.sorId}/events?count=500`, headers: admin });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.length).toBeGreaterThan(0);
    expect(listed.body).not.toMatch(SECRET_PATTERN);
    for (const item of listed.json().items as { id: string }[]) {
      const one = await event(item.id);
      expect(one.statusCode).toBe(200);
      expect(one.body).not.toMatch(SECRET_PATTERN);
    }
    expect(JSON.stringify(await store.getNodeSource(sor.sorId, 'User', id))).not.toMatch(SECRET_PATTERN);
    expect(JSON.stringify(await node(id))).not.toMatch(SECRET_PATTERN);
  };

  it('keeps a create:full with passwords in any casing, URN-prefixed or nested, redacted, maps everything else, and leaves other SETs as received', async () => {
    expect(await push({ id: 'wo-1', type: 'create:full', data: createData('wo1@example.com') })).toBe(202);
    const [logged] = await subjectEvents('wo-1');
    expect(logged).toMatchObject({ status: 'applied', notes: [REDACTED_PAYLOAD_NOTE] });
    const data = (logged!.decoded!.claims.events as Record<string, { data: Record<string, unknown> }>)['urn:ietf:params:scim:event:prov:create:full']!.data;
    expect(data).toEqual({ ...createData('wo1@example.com'), password: REDACTED, PASSWORD: REDACTED, [`${USER}:password`]: REDACTED, [USER]: { password: REDACTED, title: 'Engineer' } });
    // The stored SET keeps its header and signature, with the redacted claims as its payload.
    const [header, payload] = logged!.raw!.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual(logged!.decoded!.claims);
    expect(await node('wo-1')).toMatchObject({
      attributes: { id: 'wo-1', userName: 'wo1@example.com', enabled: true },
      children: { Email: [{ attributes: { type: 'work', value: 'wo1@example.com' } }] },
    });
    await expectNoSecretKept('wo-1');
    // A SET without one is kept exactly as received.
    const claims = {
      iss: 'https://idp.example', iat: Math.floor(Date.now() / 1000), jti: 'wo-plain', aud: 'pushgraph',
      sub_id: { format: 'scim', uri: '/Users/wo-3', id: 'wo-3' },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { schemas: [USER], userName: 'wo3@example.com', enabled: true } } },
    };
    const set = await signHs256(claims);
    const response = await app.inject({
      method: 'POST', url: `/events/scim/v1/${sor.sorId}`, payload: set,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${sor.token}` },
    });
    expect(response.statusCode).toBe(202);
    await app.inbox.drain();
    const [plain] = await subjectEvents('wo-3');
    expect(plain!.raw).toBe(set);
    expect(plain!.notes).toBeUndefined();
  });

  it('applies a patch:full that sets a password, keeping the rest of the patch and not the password', async () => {
    const created = { schemas: [USER], userName: 'wo6@example.com', enabled: true, emails: [{ type: 'work', value: 'wo6@example.com' }], password: 'Create-Plain-1' };
    expect(await push({ id: 'wo-6', type: 'create:full', data: created })).toBe(202);
    const operations = [
      { op: 'replace', path: 'password', value: 'Patch-Path-5' },
      { op: 'Replace', value: { Password: 'Patch-Value-6', enabled: false } },
      { op: 'add', path: `${USER}:password`, value: 'Patch-Urn-7' },
      { op: 'replace', path: 'userName', value: 'wo6-renamed@example.com' },
    ];
    expect(await push({ id: 'wo-6', type: 'patch:full', data: patchOp(operations) })).toBe(202);
    const [patched] = await subjectEvents('wo-6');
    expect(patched).toMatchObject({ status: 'applied', notes: [REDACTED_PAYLOAD_NOTE] });
    expect(await node('wo-6')).toMatchObject({
      attributes: { userName: 'wo6-renamed@example.com', enabled: false },
      children: { Email: [{ attributes: { value: 'wo6@example.com' } }] },
    });
    await expectNoSecretKept('wo-6');
  });

  it('refuses a patch:full whose password is not a string, as it was sent, without keeping the value', async () => {
    const pushed = await push({ id: 'wo-9', type: 'patch:full', data: patchOp([{ op: 'replace', path: 'password', value: 914_273 }]) });
    expect(pushed).toBe(400);
    const [refused] = await subjectEvents('wo-9');
    expect(refused).toMatchObject({ status: 'refused' });
    expect(JSON.stringify(refused)).not.toContain('914273');
    expect((await event(refused!.id)).json().errorDescription).toMatch(/password/);
  });

  it('applies a failed patch:full with a password when retried, from what the log kept', async () => {
    // Before its create the patch has nothing to apply to, so it fails; retried after the create, it applies.
    const patch = patchOp([{ op: 'replace', value: { password: 'Retry-8', userName: 'wo2-renamed@example.com' } }]);
    expect(await push({ id: 'wo-2', type: 'patch:full', data: patch })).toBe(202);
    const [failed] = await subjectEvents('wo-2');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(await push({ id: 'wo-2', type: 'create:full', data: createData('wo2@example.com') })).toBe(202);
    const retried = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sor.sorId}/events/${failed!.id}/retry`, headers: admin });
    expect(retried.statusCode).toBeLessThan(300);
    await app.inbox.drain();
    expect((await event(failed!.id)).json()).toMatchObject({ status: 'applied', attempts: 2 });
    expect(await node('wo-2')).toMatchObject({ attributes: { userName: 'wo2-renamed@example.com', enabled: true } });
    await expectNoSecretKept('wo-2');
  });

  it('redacts a write-only value a sender put in the JWS header of an accepted SET', async () => {
    const claims = {
      iss: 'https://idp.example', iat: Math.floor(Date.now() / 1000), jti: 'wo-header', aud: 'pushgraph',
      sub_id: { format: 'scim', uri: '/Users/wo-5', id: 'wo-5' },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { schemas: [USER], userName: 'wo5@example.com', enabled: true } } },
    };
    const response = await app.inject({
      method: 'POST', url: `/events/scim/v1/${sor.sorId}`, payload: await signHs256(claims, undefined, { password: 'Header-12' }),
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${sor.token}` },
    });
    expect(response.statusCode).toBe(202);
    await app.inbox.drain();
    const [logged] = await subjectEvents('wo-5');
    expect(logged).toMatchObject({ status: 'applied', notes: [REDACTED_PAYLOAD_NOTE], decoded: { header: { alg: 'HS256', password: REDACTED } } });
    expect(JSON.stringify(logged)).not.toContain('Header-12');
    expect(Buffer.from(logged!.raw!.split('.')[0]!, 'base64url').toString()).not.toContain('Header-12');
    expect(await node('wo-5')).toMatchObject({ attributes: { userName: 'wo5@example.com' } });
  });

  it('redacts the body of a SET refused before it was decoded (a wrong token), and of a JSON body sent instead', async () => {
    const claims = {
      iss: 'https://idp.example', iat: Math.floor(Date.now() / 1000), jti: 'wo-refused', aud: 'pushgraph',
      sub_id: { format: 'scim', uri: '/Users/wo-4', id: 'wo-4' },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'wo4@example.com', password: 'Refused-9' } } },
    };
    const wrongToken = await app.inject({
      method: 'POST', url: `/events/scim/v1/${sor.sorId}`, payload: await signHs256(claims),
      headers: { 'content-type': 'application/secevent+jwt', authorization: 'Bearer pgt_not_a_token' },
    });
    expect(wrongToken.statusCode).toBe(401);
    const json = await app.inject({
      method: 'POST', url: `/events/scim/v1/${sor.sorId}`, payload: JSON.stringify({ userName: 'wo4@example.com', password: 'Json-10' }),
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${sor.token}` },
    });
    expect(json.statusCode).toBe(400);
    const refused = (await events('?status=refused')).items;
    const raws = refused.map((item) => item.raw ?? '');
    expect(raws.join('\n')).not.toMatch(SECRET_PATTERN);
    expect(refused).toContainEqual(expect.objectContaining({ raw: JSON.stringify({ userName: 'wo4@example.com', password: REDACTED }), notes: [REDACTED_BODY_NOTE] }));
    const redactedSet = refused.find((item) => item.raw?.split('.').length === 3 && item.notes !== undefined);
    expect(redactedSet?.notes).toEqual([REDACTED_PAYLOAD_NOTE]);
    expect(JSON.parse(Buffer.from(redactedSet!.raw!.split('.')[1]!, 'base64url').toString())).toMatchObject({
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'wo4@example.com', password: REDACTED } } },
    });
  });
});

describe.each(backends())('a SET with a password re-read from the inbox after a restart on $name', (backend) => {
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

  it('is applied from the stored claims with every attribute but the password', async () => {
    const sor = await seedSorWithToken(app);
    // Accepted but not applied, as when the service stops after its 202: a new worker finds it in the inbox.
    await app.inbox.stop();
    const data = { ...createData('wo5@example.com'), password: 'Restart-11' };
    expect(await pushUserEvent(app, sor, { id: 'wo-5', type: 'create:full', data })).toBe(202);
    expect(await store.getNode(sor.sorId, 'User', 'wo-5')).toBeUndefined();
    await new InboxWorker(store, new SystemsOfRecord(store), pino({ level: 'silent' })).drain();
    const applied = await store.getNode(sor.sorId, 'User', 'wo-5');
    expect(applied?.attributes).toEqual({ id: 'wo-5', userName: 'wo5@example.com', enabled: true });
    expect(JSON.stringify(await store.getNodeSource(sor.sorId, 'User', 'wo-5'))).not.toMatch(SECRET_PATTERN);
    const logged = await store.listPushEvents(sor.sorId, { subject: '/Users/wo-5' });
    expect(logged.items[0]).toMatchObject({ status: 'applied', notes: [REDACTED_PAYLOAD_NOTE] });
    expect(JSON.stringify(logged.items[0])).not.toMatch(SECRET_PATTERN);
  });
});
