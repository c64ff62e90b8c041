import type { FastifyRequest } from 'fastify';
import type { GraphStore } from '../graph/store.js';
import { unauthorized } from '../http/problem.js';
import { bearerToken } from './secrets.js';
import { isAdminToken } from './admin-token.js';

/** Admits only the admin token; a push token of any SoR never opens the admin API. */
export function authenticateAdmin(store: GraphStore) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized('this endpoint needs the admin token: send "Authorization: Bearer <admin token>"');
    if (!(await isAdminToken(store, token))) throw unauthorized('the bearer token is not the admin token');
  };
}
