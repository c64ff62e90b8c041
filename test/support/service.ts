import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import type { GraphStore } from '../../src/graph/store.js';
import { buildApp } from '../../src/http/app.js';
import { HMAC_SECRET } from '../events/set-fixtures.js';

export const ADMIN_TOKEN = 'pga_test-admin-token-0123456789abcdef';
export const PUBLIC_URL = 'http://pushgraph.test';

/** The service's HTTP surface over a real store, driven with inject(). */
export async function testApp(store: GraphStore): Promise<FastifyInstance> {
  await ensureAdminToken(store, ADMIN_TOKEN);
  return buildApp({ store, publicUrl: PUBLIC_URL, logger: false });
}

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The seed's Entity Push template (seed 001), as the walkthrough uses it. */
export const seedTemplate = readFileSync(new URL('../fixtures/templates/seed-entity-push.sgnl.yaml', import.meta.url), 'utf8');

/** A SoR from the seed template that verifies the seed's HMAC secret, and a push token for it, made through the admin API. */
export async function seedSorWithToken(app: FastifyInstance): Promise<{ sorId: string; token: string }> {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/systems-of-record',
    headers: admin,
    payload: { template: seedTemplate, verification: { hmacSecrets: [HMAC_SECRET] } },
  });
  const sorId = created.json().id as string;
  const token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
  return { sorId, token };
}
