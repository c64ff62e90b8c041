import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { backends } from '../support/backends.js';
import { admin, PUBLIC_URL, seedTemplate, testApp } from '../support/service.js';
import { readCatalogYaml } from '../template/catalog.js';

describe.each(backends({ sqliteFile: true }))('admin API on $name', (backend) => {
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

  const createSor = (payload: unknown, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/systems-of-record',
      headers: { ...admin, 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  describe('authentication', () => {
    it.each([
      [{}, /needs the admin token/],
      [{ authorization: 'Bearer nope' }, /not the admin token/],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, /needs the admin token/],
    ])('refuses %j with 401 problem+json', async (headers, detail) => {
      const response = await app.inject({ method: 'GET', url: '/api/v1/systems-of-record', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({ status: 401, detail: expect.stringMatching(detail) });
    });

    it('never opens the admin API to a push token', async () => {
      const sor = (await createSor({ pushType: 'SCIM2.0' })).json();
      const token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sor.id}/tokens`, headers: admin })).json().token;
      const response = await app.inject({ method: 'GET', url: '/api/v1/systems-of-record', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('systems of record', () => {
    it('creates one from a YAML template and answers with its endpoint', async () => {
      const response = await createSor(seedTemplate, 'application/yaml');
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(body).toMatchObject({
        displayName: 'Entity Push SoR',
        pushType: 'SCIM',
        deliveryMethod: 'entityPush',
        endpoints: { events: `${PUBLIC_URL}/events/scim/v1/${body.id}` },
        verification: { bearerToken: 'required', signature: 'optional' },
      });
      expect(body.entities.map((e: { id: string }) => e.id)).toEqual(['User', 'Email']);
      expect(response.headers.location).toBe(`/api/v1/systems-of-record/${body.id}`);
    });

    it('creates a SCIM 2.0 SoR with the built-in template from {"pushType": "SCIM2.0"}', async () => {
      const response = await createSor({ pushType: 'SCIM2.0' });
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(body.endpoints).toEqual({ scim: `${PUBLIC_URL}/scim/v2/${body.id}` });
      expect(body.entities.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining(['User', 'Group', 'GroupMember']));
    });

    it('creates one from {"template": ..., "verification": ...} and never shows HMAC secrets back', async () => {
      const response = await createSor({ template: seedTemplate, verification: { hmacSecrets: ['a-string-secret-at-least-256-bits-long'] } });
      expect(response.statusCode).toBe(201);
      expect(response.body).not.toContain('a-string-secret-at-least-256-bits-long');
      expect(response.json().verification.hmacSecrets).toEqual(['(redacted)']);
    });

    it('answers description as an empty string when the template has none, in the 201 and in GET', async () => {
      const created = await createSor(seedTemplate.replace('description: Entity Push\n', ''), 'application/yaml');
      expect(created.statusCode).toBe(201);
      expect(created.json().description).toBe('');
      const read = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${created.json().id}`, headers: admin });
      expect(read.json().description).toBe('');
    });

    it('lists the built-in templates and creates from {"templateId"}', async () => {
      const list = await app.inject({ method: 'GET', url: '/api/v1/templates', headers: admin });
      expect(list.json().items).toContainEqual({ id: 'scim-2.0-push', displayName: 'SCIM 2.0 Push', pushType: 'SCIM2.0' });
      expect((await createSor({ templateId: 'scim-2.0-push' })).statusCode).toBe(201);
    });

    it('answers a template with problems with 400 and every problem at its place', async () => {
      const broken = seedTemplate.replace('type: Bool', 'type: Boolish').replace('parent: Users', 'parent: Nobody');
      const response = await createSor(broken, 'application/yaml');
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const places = response.json().errors.map((e: { place: string }) => e.place);
      expect(places).toEqual(expect.arrayContaining(['entities.User.attributes[2].type', 'entities.Email.parent']));
      expect((await app.inject({ method: 'GET', url: '/api/v1/systems-of-record', headers: admin })).json().items.every(
        (s: { displayName: string }) => s.displayName !== undefined,
      )).toBe(true);
    });

    it('reports template and verification problems together', async () => {
      const response = await createSor({ template: 'displayName: 5\nentities: {}\n', verification: { signature: 'maybe' } });
      expect(response.statusCode).toBe(400);
      const places = response.json().errors.map((e: { place: string }) => e.place);
      expect(places).toEqual(expect.arrayContaining(['verification.signature', 'entities']));
    });

    it('refuses a push type it does not know', async () => {
      const response = await createSor({ template: seedTemplate, pushType: 'SAML' });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual({ place: 'pushType', message: expect.stringContaining('"SAML" is not supported') });
    });

    it('keeps an SSF (CAEP) catalog template as a SoR without push endpoints', async () => {
      const response = await createSor(readCatalogYaml('ssfevents.caep.sgnl.yaml'), 'application/yaml');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ displayName: 'CAEP Events', pushType: 'SSF', deliveryMethod: 'eventPush', endpoints: {} });
      expect(response.json()).not.toHaveProperty('exampleCurl');
    });

    it('answers malformed, oversized and mistyped bodies with specific problems', async () => {
      const malformed = await createSor('{"template": ', 'application/json');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().detail).toMatch(/not valid JSON/);
      const deep = await createSor(`{"template": ${'['.repeat(5000)}${']'.repeat(5000)}}`, 'application/json');
      expect(deep.statusCode).toBe(400);
      expect(deep.json().detail).toMatch(/nested too deeply/);
      const huge = await createSor(`displayName: ${'x'.repeat(2 * 1024 * 1024)}`, 'application/yaml');
      expect(huge.statusCode).toBe(413);
      expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
      const xml = await createSor('<template/>', 'application/xml');
      expect(xml.statusCode).toBe(415);
      expect(xml.json().detail).toMatch(/Content-Type/);
    });

    it('reads, replaces and deletes one; 404 after', async () => {
      const created = (await createSor(seedTemplate, 'application/yaml')).json();
      const url = `/api/v1/systems-of-record/${created.id}`;
      const read = await app.inject({ method: 'GET', url, headers: admin });
      expect(read.statusCode).toBe(200);
      expect(read.json().template).toBe(seedTemplate);
      const replaced = await app.inject({
        method: 'PUT',
        url,
        headers: admin,
        payload: { template: seedTemplate, displayName: 'Renamed' },
      });
      expect(replaced.statusCode).toBe(200);
      expect(replaced.json().displayName).toBe('Renamed');
      expect(Date.parse(replaced.json().updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
      expect((await app.inject({ method: 'DELETE', url, headers: admin })).statusCode).toBe(204);
      const gone = await app.inject({ method: 'GET', url, headers: admin });
      expect(gone.statusCode).toBe(404);
      expect(gone.json().detail).toContain(created.id);
      expect((await app.inject({ method: 'DELETE', url, headers: admin })).statusCode).toBe(404);
    });

    it.each([
      ['a YAML body', seedTemplate, 'application/yaml'],
      ['JSON without verification', JSON.stringify({ template: seedTemplate }), 'application/json'],
    ])('keeps the verification settings when a PUT sends %s', async (_, payload, contentType) => {
      const verification = { signature: 'required', hmacSecrets: ['a-string-secret-at-least-256-bits-long'], issuer: 'https://scim.example.com', audience: ['sgnl.ai'] };
      const created = (await createSor({ template: seedTemplate, verification })).json();
      const url = `/api/v1/systems-of-record/${created.id}`;
      const replaced = await app.inject({ method: 'PUT', url, headers: { ...admin, 'content-type': contentType }, payload });
      expect(replaced.statusCode).toBe(200);
      expect(replaced.json().verification).toEqual(created.verification);
      expect(replaced.json().verification).toMatchObject({ signature: 'required', issuer: 'https://scim.example.com', hmacSecrets: ['(redacted)'] });
    });

    it('refuses a NUL character in a template or a JSON body with a 400', async () => {
      const yaml = await createSor('displayName: "a\u0000b"\n', 'application/yaml');
      expect(yaml.statusCode).toBe(400);
      expect(yaml.json().detail).toMatch(/NUL character/);
      const json = await createSor('{"template": "displayName: x", "displayName": "a\\u0000b"}', 'application/json');
      expect(json.statusCode).toBe(400);
      expect(json.json().detail).toMatch(/NUL character/);
    });

    it('treats SQL-looking strings as data', async () => {
      const sneaky = "x'); DROP TABLE nodes;--";
      const missing = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${encodeURIComponent(sneaky)}`, headers: admin });
      expect(missing.statusCode).toBe(404);
      const created = await createSor({ template: seedTemplate, displayName: sneaky });
      expect(created.statusCode).toBe(201);
      const read = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${created.json().id}`, headers: admin });
      expect(read.json().displayName).toBe(sneaky);
    });

    it('answers unknown admin routes with a problem', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: admin });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });

  describe('push tokens', () => {
    it('creates (shown once), lists without secrets, revokes at once', async () => {
      const sor = (await createSor(seedTemplate, 'application/yaml')).json();
      const base = `/api/v1/systems-of-record/${sor.id}/tokens`;
      const created = await app.inject({ method: 'POST', url: base, headers: admin, payload: { description: 'okta', expiresAt: '2099-01-01T00:00:00Z' } });
      expect(created.statusCode).toBe(201);
      const token = created.json();
      expect(token).toMatchObject({ id: expect.any(String), token: expect.stringMatching(/^pgt_/), expiresAt: '2099-01-01T00:00:00.000Z' });
      const list = await app.inject({ method: 'GET', url: base, headers: admin });
      expect(list.body).not.toContain(token.token);
      expect(list.json().items).toEqual([expect.objectContaining({ id: token.id, description: 'okta', status: 'active' })]);
      expect((await app.inject({ method: 'DELETE', url: `${base}/${token.id}`, headers: admin })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: base, headers: admin })).json().items[0].status).toBe('revoked');
      expect((await app.inject({ method: 'DELETE', url: `${base}/${token.id}`, headers: admin })).statusCode).toBe(404);
    });

    it.each([
      [{ expiresAt: 'tomorrow' }, /RFC 3339/],
      [{ expiresAt: '2001-01-01T00:00:00Z' }, /in the past/],
      [{ expiresAt: '2030-02-30T00:00:00Z' }, /RFC 3339/],
      [{ expiresAt: '2030-13-01T00:00:00Z' }, /RFC 3339/],
      [{ description: 5 }, /body\.description: must be string/],
      [{ secret: 'mine' }, /not valid/],
    ])('refuses %j', async (payload, detail) => {
      const sor = (await createSor(seedTemplate, 'application/yaml')).json();
      const response = await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sor.id}/tokens`, headers: admin, payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().detail).toMatch(detail);
    });

    it('answers tokens of an unknown SoR with 404', async () => {
      const response = await app.inject({ method: 'POST', url: '/api/v1/systems-of-record/nope/tokens', headers: admin });
      expect(response.statusCode).toBe(404);
    });
  });

  describe('health', () => {
    it('answers /healthz and /readyz without auth', async () => {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', store: backend.kind });
    });
  });
});

describe('metrics', () => {
  it('counts answered requests by route pattern on /metrics, without auth', async () => {
    const [backend] = backends({ sqliteFile: true });
    const store = await backend!.open();
    const app = await testApp(store);
    try {
      await app.inject({ method: 'GET', url: '/api/v1/systems-of-record/some-id', headers: admin });
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
      expect(metrics.body).toContain('pushgraph_http_requests_total{route="/api/v1/systems-of-record/:sorId",method="GET",status="404"} 1');
      expect(metrics.body).not.toContain('some-id');
    } finally {
      await app.close();
      await backend!.dispose();
    }
  });
});
