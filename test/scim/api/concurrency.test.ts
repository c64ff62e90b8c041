import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimResources } from '../../../src/scim/resources.js';
import { ScimError } from '../../../src/scim/scim-error.js';
import { readSystemOfRecordRequest } from '../../../src/systems-of-record/create-request.js';
import { SystemsOfRecord } from '../../../src/systems-of-record/service.js';
import { backends } from '../../support/backends.js';
import { USER_SCHEMA, patchOp, scimHarness, type ScimHarness } from './scim-app.js';

/** PATCHes an IdP sends at once to one resource, without If-Match: every one of them must be applied. */
describe.each(backends({ sqliteFile: true }))('concurrent SCIM PATCHes on $name', (backend) => {
  let h: ScimHarness;
  beforeAll(async () => {
    h = await scimHarness(backend, { rateLimitPerSecond: 10_000 });
  });
  afterAll(async () => {
    await h?.app.close();
    await backend.dispose();
  });

  it('applies 50 parallel member adds to one group', async () => {
    const users = await Promise.all(Array.from({ length: 50 }, (_, index) => h.createUser(`parallel.member.${index}@example.com`)));
    const group = await h.createGroup('Parallel');
    const responses = await Promise.all(users.map((value) => h.scim('PATCH', `/Groups/${group}`, patchOp({ op: 'add', path: 'members', value: [{ value }] }))));
    expect(responses.map((response) => response.statusCode)).toEqual(users.map(() => 204));
    const members = (await h.scim('GET', `/Groups/${group}`)).json().members.map((member: { value: string }) => member.value);
    expect(members.sort()).toEqual([...users].sort());
    expect((await h.node('Group', group)).json().children.GroupMember).toHaveLength(50);
  });

  it('applies 30 parallel e-mail adds to one user', async () => {
    const id = await h.createUser('parallel.emails@example.com');
    const addresses = Array.from({ length: 30 }, (_, index) => `address.${index}@example.com`);
    const responses = await Promise.all(addresses.map((value) => h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'emails', value: [{ type: 'other', value }] }))));
    expect(responses.map((response) => response.statusCode)).toEqual(addresses.map(() => 200));
    const user = (await h.scim('GET', `/Users/${id}`)).json();
    expect(user.emails.map((email: { value: string }) => email.value).sort()).toEqual([...addresses].sort());
    expect(user.meta.version).toBe('W/"31"');
    expect((await h.node('User', id)).json().children.Email).toHaveLength(30);
  });

  it('still answers 412 to a PATCH whose If-Match names an old version', async () => {
    const id = await h.createUser('parallel.ifmatch@example.com');
    await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'nickName', value: 'first' }));
    const stale = await h.scim('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'nickName', value: 'second' }), { 'if-match': 'W/"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ status: '412' });
  });

  // Two instances share no write queue: their PATCHes really race, and only the retries keep every change.
  it('applies parallel PATCHes from two instances on one database, or answers 503, never 412', async () => {
    const stores = await backend.openPair();
    const sor = await new SystemsOfRecord(stores[0]).create(readSystemOfRecordRequest({ pushType: 'SCIM2.0' }));
    const instances = await Promise.all(stores.map(async (store) => new SystemsOfRecord(store).require(sor.record.id)));
    const resources = (index: number) => new ScimResources(stores[index % 2]!, instances[index % 2]!, h.base, `pair-${index}`);
    const { record } = await resources(0).create('User', { schemas: [USER_SCHEMA], userName: 'pair@example.com' });
    const addresses = Array.from({ length: 16 }, (_, index) => `pair.${index}@example.com`);
    const outcomes = await Promise.all(
      addresses.map((value, index) =>
        resources(index)
          .patch('User', record.id, patchOp({ op: 'add', path: 'emails', value: [{ value }] }), undefined)
          .then(() => ({ value, status: 200 }))
          .catch((error: unknown) => ({ value, status: error instanceof ScimError ? error.status : 500, retryAfter: (error as ScimError).retryAfterSeconds })),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status !== 200)).toEqual(outcomes.filter((outcome) => outcome.status === 503).map((outcome) => ({ ...outcome, retryAfter: 1 })));
    const stored = await resources(1).get('User', record.id);
    const applied = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.value);
    expect((stored.document.emails as { value: string }[]).map((email) => email.value).sort()).toEqual(applied.sort());
    expect(applied.length).toBeGreaterThan(0);
  });
});
