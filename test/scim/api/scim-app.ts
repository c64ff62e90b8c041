import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { GraphStore } from '../../../src/graph/store.js';
import { buildApp } from '../../../src/http/app.js';
import { ensureAdminToken } from '../../../src/admin/admin-token.js';
import type { Backend } from '../../support/backends.js';
import { ADMIN_TOKEN, PUBLIC_URL, admin } from '../../support/service.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_JSON = 'application/scim+json';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A service with one SCIM 2.0 SoR and its push token, driven with inject() like an IdP would call it. */
export interface ScimHarness {
  app: FastifyInstance;
  store: GraphStore;
  sorId: string;
  token: string;
  base: string;
  scim(method: Method, path: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  createUser(userName: string, extra?: Record<string, unknown>): Promise<string>;
  createGroup(displayName: string, members?: string[]): Promise<string>;
  node(entity: string, id: string): Promise<LightMyRequestResponse>;
  newSor(): Promise<{ sorId: string; token: string }>;
}

export async function scimHarness(backend: Backend, options: { rateLimitPerSecond?: number } = {}): Promise<ScimHarness> {
  const store = await backend.open();
  await ensureAdminToken(store, ADMIN_TOKEN);
  const app = await buildApp({ store, publicUrl: PUBLIC_URL, logger: false, ...options });
  const newSor = async () => {
    const sorId = (await app.inject({ method: 'POST', url: '/api/v1/systems-of-record', headers: admin, payload: { pushType: 'SCIM2.0' } })).json().id as string;
    const token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
    return { sorId, token };
  };
  const { sorId, token } = await newSor();
  const scim: ScimHarness['scim'] = (method, path, body, headers = {}) =>
    app.inject({
      method,
      url: `/scim/v2/${sorId}${path}`,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': SCIM_JSON }), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return {
    app,
    store,
    sorId,
    token,
    base: `${PUBLIC_URL}/scim/v2/${sorId}`,
    scim,
    newSor,
    async createUser(userName, extra = {}) {
      const response = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName, ...extra });
      if (response.statusCode !== 201) throw new Error(`create user: ${response.statusCode} ${response.body}`);
      return response.json().id as string;
    },
    async createGroup(displayName, members = []) {
      const response = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) });
      if (response.statusCode !== 201) throw new Error(`create group: ${response.statusCode} ${response.body}`);
      return response.json().id as string;
    },
    node: (entity, id) => app.inject({ method: 'GET', url: `/api/v1/systems-of-record/${sorId}/entities/${entity}/nodes/${encodeURIComponent(id)}`, headers: admin }),
  };
}

export function patchOp(...operations: unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations };
}
