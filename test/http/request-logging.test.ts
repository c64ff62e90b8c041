import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { buildApp } from '../../src/http/app.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';
import { capturingLogger } from '../support/log-lines.js';
import { ADMIN_TOKEN, PUBLIC_URL, admin, seedSorWithToken } from '../support/service.js';

describe('the service log at the default level', () => {
  let store: SqliteGraphStore;
  let app: FastifyInstance;
  const { logger, lines } = capturingLogger('info');

  beforeAll(async () => {
    store = new SqliteGraphStore(':memory:');
    await store.migrate();
    await ensureAdminToken(store, ADMIN_TOKEN);
    app = await buildApp({ store, publicUrl: PUBLIC_URL, logger });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('has one line per SET request, with its outcome, and the usual two for other requests', async () => {
    const { sorId, token } = await seedSorWithToken(app);
    lines.length = 0;
    const push = async (authorization: string) =>
      app.inject({
        method: 'POST',
        url: `/events/scim/v1/${sorId}`,
        headers: { 'content-type': 'application/secevent+jwt', authorization },
        payload: await signHs256(seedSet({ jti: 'logged-1' })),
      });
    expect((await push(`Bearer ${token}`)).statusCode).toBe(202);
    expect((await push('Bearer pgt_wrong')).statusCode).toBe(401);
    expect(lines.map((line) => line.msg)).toEqual(['SET accepted', 'SET refused']);
    expect(lines[0]).toMatchObject({ level: 30, sorId, jti: 'logged-1' });
    expect(lines[1]).toMatchObject({ level: 30, sorId, err: 'authentication_failed' });

    lines.length = 0;
    expect((await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}`, headers: admin })).statusCode).toBe(200);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
  });

  it('redacts secret query parameters from the URLs it logs, on the SCIM API, the admin API and unknown routes', async () => {
    const scim = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } })).json().id as string;
    lines.length = 0;
    await app.inject({ method: 'GET', url: `/scim/v2/${scim}/Users?count=1&access_token=pgt_in_the_query` });
    await app.inject({ method: 'GET', url: `/api/v1/systems-of-record?token=pga_in_the_query`, headers: admin });
    await app.inject({ method: 'GET', url: '/no-such-route?api_key=key_in_the_query' });
    const urls = lines.flatMap((line) => ((line.req as { url?: string } | undefined)?.url === undefined ? [] : [(line.req as { url: string }).url]));
    expect(urls).toEqual([`/scim/v2/${scim}/Users?count=1&access_token=[redacted]`, '/api/v1/systems-of-record?token=[redacted]', '/no-such-route?api_key=[redacted]']);
    expect(lines.map((line) => line.msg)).toContain('Route GET:/no-such-route?api_key=[redacted] not found');
    expect(JSON.stringify(lines)).not.toMatch(/in_the_query/);
  });
});
