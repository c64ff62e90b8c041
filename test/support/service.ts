import type { FastifyInstance } from 'fastify';
import { ensureAdminToken } from '../../src/admin/admin-token.js';
import type { GraphStore } from '../../src/graph/store.js';
import { buildApp } from '../../src/http/app.js';

export const ADMIN_TOKEN = 'pga_test-admin-token-0123456789abcdef';
export const PUBLIC_URL = 'http://pushgraph.test';

/** The service's HTTP surface over a real store, driven with inject(). */
export async function testApp(store: GraphStore): Promise<FastifyInstance> {
  await ensureAdminToken(store, ADMIN_TOKEN);
  return buildApp({ store, publicUrl: PUBLIC_URL, logger: false });
}

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
