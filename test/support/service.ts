import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import type { GraphStore } from '../../src/graph/store.js';
import { buildApp } from '../../src/http/app.js';
import { HMAC_SECRET, signHs256 } from '../events/set-fixtures.js';

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

/**
 * Pushes an HS256-signed SET about `/Users/{id}` (`event` such as `create:full`; a `notice` event when `data` is
 * absent) and returns the answer's status.
 */
export async function pushUserEvent(
  app: FastifyInstance,
  target: { sorId: string; token: string },
  event: { id: string; type: string; data?: Record<string, unknown>; jti?: string },
): Promise<number> {
  const claims = {
    iss: 'https://idp.example', iat: Math.floor(Date.now() / 1000), jti: event.jti ?? `push-${event.id}-${event.type}-${Math.random()}`, aud: 'pushgraph',
    sub_id: { format: 'scim', uri: `/Users/${event.id}`, id: event.id },
    events: { [`urn:ietf:params:scim:event:prov:${event.type}`]: event.data ? { data: event.data } : { attributes: ['title'] } },
  };
  const pushed = await app.inject({
    method: 'POST',
    url: `/events/scim/v1/${target.sorId}`,
    headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${target.token}` },
    payload: await signHs256(claims),
  });
  return pushed.statusCode;
}
