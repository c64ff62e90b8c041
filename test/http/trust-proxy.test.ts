import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import type { TrustProxy } from '../../src/config.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { buildApp } from '../../src/http/app.js';
import { seedSet, signHs256 } from '../events/set-fixtures.js';
import { ADMIN_TOKEN, PUBLIC_URL, admin, seedSorWithToken } from '../support/service.js';

describe('the sender address the event log shows behind a reverse proxy', () => {
  const opened: { app: FastifyInstance; store: SqliteGraphStore }[] = [];
  afterEach(async () => {
    for (const { app, store } of opened.splice(0)) {
      await app.close();
      await store.close();
    }
  });

  async function loggedAddress(trustProxy: TrustProxy | undefined, peer: string, forwardedFor: string): Promise<string | undefined> {
    const store = new SqliteGraphStore(':memory:');
    await store.migrate();
    await ensureAdminToken(store, ADMIN_TOKEN);
    const app = await buildApp({ store, publicUrl: PUBLIC_URL, logger: false, ...(trustProxy === undefined ? {} : { trustProxy }) });
    opened.push({ app, store });
    const { sorId, token } = await seedSorWithToken(app);
    const pushed = await app.inject({
      method: 'POST',
      url: `/events/scim/v1/${sorId}`,
      remoteAddress: peer,
      headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor },
      payload: await signHs256(seedSet({ jti: `proxied-${Math.random()}` })),
    });
    expect(pushed.statusCode).toBe(202);
    const log = await app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/events`, headers: admin });
    return log.json().items[0].remoteAddress;
  }

  it('is the peer by default, whatever X-Forwarded-For claims', async () => {
    expect(await loggedAddress(undefined, '10.0.0.5', '203.0.113.7')).toBe('10.0.0.5');
  });

  it('is the client the trusted proxy names', async () => {
    expect(await loggedAddress(['10.0.0.0/8'], '10.0.0.5', '203.0.113.7')).toBe('203.0.113.7');
    expect(await loggedAddress(true, '10.0.0.5', '198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
  });

  it('is the peer when the peer is not one of the trusted proxies', async () => {
    expect(await loggedAddress(['10.0.0.0/8'], '192.0.2.44', '203.0.113.7')).toBe('192.0.2.44');
  });
});
