import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/graph/store.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';
import { backends } from '../support/backends.js';
import { admin, seedSorWithToken, testApp } from '../support/service.js';
import { parsePrometheusText, type Family } from './prometheus-text.js';

describe.each(backends({ sqliteFile: true }))('/metrics on $name', (backend) => {
  let store: GraphStore;
  let app: FastifyInstance;
  let sorId: string;
  let token: string;

  beforeAll(async () => {
    store = await backend.open();
    app = await testApp(store);
    ({ sorId, token } = await seedSorWithToken(app));
  });
  afterAll(async () => {
    await app?.close();
    await backend.dispose();
  });

  const push = async (authorization: string, sor = sorId) =>
    app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sor}`,
      headers: { 'content-type': 'application/secevent+jwt', authorization },
      payload: await signHs256(seedSet()),
    });
  const sample = (family: Family | undefined, labels: Record<string, string>) =>
    family?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  it('is valid Prometheus text with pushes by SoR, outcome and error code, the inbox, delays and graph size', async () => {
    expect((await push(`Bearer ${token}`)).statusCode).toBe(202);
    await push(`Bearer ${token}`);
    expect((await push('Bearer pgt_wrong_token')).statusCode).toBe(401);
    expect((await push(`Bearer ${token}`, 'no-such-sor')).statusCode).toBe(404);
    await app.inbox.drain();

    const scraped = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(scraped.body);

    const requests = families.get('pushgraph_push_requests_total');
    expect(requests?.type).toBe('counter');
    expect(sample(requests, { sor: sorId, protocol: 'set', outcome: 'accepted', error: '' })).toBe(2);
    expect(sample(requests, { sor: sorId, protocol: 'set', outcome: 'refused', error: 'authentication_failed' })).toBe(1);
    expect(sample(requests, { sor: 'unknown', protocol: 'set', outcome: 'refused' })).toBe(1);
    expect(scraped.body).not.toContain('no-such-sor');

    expect(families.get('pushgraph_push_request_duration_seconds')?.type).toBe('histogram');
    expect(sample(families.get('pushgraph_push_request_duration_seconds'), { le: '+Inf', protocol: 'set', outcome: 'accepted' })).toBe(2);
    expect(sample(families.get('pushgraph_events_total'), { sor: sorId, status: 'applied' })).toBe(2);
    expect(sample(families.get('pushgraph_event_graph_delay_seconds'), { le: '+Inf' })).toBe(2);
    expect(sample(families.get('pushgraph_inbox_depth'), {})).toBe(0);
    expect(sample(families.get('pushgraph_inbox_oldest_age_seconds'), {})).toBe(0);
    expect(sample(families.get('pushgraph_graph_nodes'), { sor: sorId, entity: 'User' })).toBe(1);
    expect(sample(families.get('pushgraph_graph_nodes'), { sor: sorId, entity: 'Email' })).toBe(1);
    expect(families.get('pushgraph_process_cpu_seconds_total')?.type).toBe('counter');
    expect(families.get('pushgraph_http_requests_total')?.samples.length).toBeGreaterThan(0);
  });

  it('drops the series of a deleted SoR', async () => {
    const doomed = await seedSorWithToken(app);
    expect((await push(`Bearer ${doomed.token}`, doomed.sorId)).statusCode).toBe(202);
    await app.inbox.drain();
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain(doomed.sorId);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/systems-of-record/${doomed.sorId}`, headers: admin })).statusCode).toBe(204);
    const scraped = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(scraped).not.toContain(doomed.sorId);
    expect(sample(parsePrometheusText(scraped).get('pushgraph_push_requests_total'), { sor: sorId, outcome: 'accepted' })).toBeGreaterThan(0);
  });

  it('counts a SCIM 404 for a missing user under its SoR, and one for a guessed SoR id under unknown', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } });
    const scimSor = created.json().id as string;
    const scimToken = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${scimSor}/tokens`, headers: admin })).json().token as string;
    const get = (sor: string) => app.inject({ method: 'GET', url: `/scim/v2/${sor}/Users/no-such-user`, headers: { authorization: `Bearer ${scimToken}` } });
    expect((await get(scimSor)).statusCode).toBe(404);
    expect((await get('guessed-sor-id')).statusCode).toBe(404);
    const scraped = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const requests = parsePrometheusText(scraped).get('pushgraph_push_requests_total');
    expect(sample(requests, { sor: scimSor, protocol: 'scim', outcome: 'refused' })).toBe(1);
    expect(sample(requests, { sor: 'unknown', protocol: 'scim', outcome: 'refused' })).toBe(1);
    expect(scraped).not.toContain('guessed-sor-id');
  });

  it('counts push tokens in use that expire within 7 days', async () => {
    const soon = (
      await app.inject({
        method: 'POST',
        url: `/api/v1/systems-of-record/${sorId}/tokens`,
        headers: admin,
        payload: { expiresAt: new Date(Date.now() + 3 * 24 * 60 * 60 * 1000).toISOString() },
      })
    ).json().token;
    const gauge = async () => sample(parsePrometheusText((await app.inject({ method: 'GET', url: '/metrics' })).body).get('pushgraph_push_tokens_expiring_in_use'), { sor: sorId });
    expect(await gauge()).toBe(0);
    expect((await push(`Bearer ${soon}`)).statusCode).toBe(202);
    expect(await gauge()).toBe(1);
  });

  it('refuses malformed exposition text (the parser is strict)', () => {
    expect(() => parsePrometheusText('x 1\n')).toThrow(/without a declared family/);
    expect(() => parsePrometheusText('# TYPE x counter\nx{a="1" 1\n')).toThrow(/not a sample|bad label/);
    expect(() => parsePrometheusText('# TYPE x counter\nx one\n')).toThrow(/not a number/);
  });
});
