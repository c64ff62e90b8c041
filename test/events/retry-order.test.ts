import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HMAC_SECRET } from './set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, pushUserEvent, testApp } from '../support/service.js';
import { PATCH_OP } from '../scim/api/scim-app.js';

function template(logins?: string): string {
  return `displayName: Retry order
pushType: SCIM
entities:
  User:
    externalId: Users
    pushExternalId: Users
    attributes:
      - { name: id, externalId: id, pushExternalId: $.sub_id.id, type: String, uniqueId: true }
      - { name: userName, externalId: userName, pushExternalId: $.events.*.data.userName, type: String, indexed: true }
${logins ? `      - { name: logins, externalId: logins, pushExternalId: $.events.*.data.logins, type: ${logins} }\n` : ''}`;
}

describe.each(backends({ sqliteFile: true }))('retrying a failed event on $name', (backend) => {
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  const push = async (id: string, type: string, data?: Record<string, unknown>) => {
    expect(await pushUserEvent(app, { sorId, token }, { id, type, data })).toBe(202);
    await app.inbox.drain();
  };
  const rename = (userName: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: userName }] });
  const events = async (status: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events?status=${status}`, headers: admin })).json().items;
  const retry = async (id: string) => {
    expect((await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/events/${id}/retry`, headers: admin })).statusCode).toBe(202);
    await app.inbox.drain();
  };
  const userName = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/User/nodes/${id}`, headers: admin })).json().attributes.userName;

  beforeAll(async () => {
    app = await testApp(await backend.open());
    sorId = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { template: template(), verification: { hmacSecrets: [HMAC_SECRET] } } })).json().id;
    token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token;
    // Pushed while the template had no logins; once it is an Int64, patching their "12" fails.
    await push('u1', 'create:full', { userName: 'first@example.com', logins: '12' });
    await push('u2', 'create:full', { userName: 'second@example.com', logins: '12' });
    expect((await app.inject({ method: 'PUT', url: `/api/v1/systems-of-record/${sorId}`, headers: { ...admin, 'content-type': 'application/yaml' }, payload: template('Int64') })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  it('does not apply a retried event over a later one for the same subject, and says why', async () => {
    await push('u1', 'patch:full', rename('patched@example.com'));
    const [failed] = await events('failed');
    expect(failed.subject).toBe('/Users/u1');
    await push('u1', 'put:full', { userName: 'later@example.com', logins: 7 });
    // Retried now, the patch would apply to the later resource and rename the user back to what came before.
    await retry(failed.id);
    const after = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events/${failed.id}`, headers: admin })).json();
    expect(after).toMatchObject({ status: 'ignored', attempts: 2 });
    expect(after.errorDescription).toBe('retried after a later event for /Users/u1 was applied; applying this one would bring back an older state');
    expect(await userName('u1')).toBe('later@example.com');
  });

  it('retries an event whose subject only had a notice since, which changes no attribute', async () => {
    await push('u2', 'patch:full', rename('patched@example.com'));
    const failed = (await events('failed')).find((event: { subject: string }) => event.subject === '/Users/u2');
    await push('u2', 'patch:notice');
    await retry(failed.id);
    // Planned again, not skipped: the stored resource still has the "12" an Int64 refuses.
    const after = (await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events/${failed.id}`, headers: admin })).json();
    expect(after).toMatchObject({ status: 'failed', attempts: 2 });
    expect(after.errorDescription).toMatch(/logins/);
  });
});
