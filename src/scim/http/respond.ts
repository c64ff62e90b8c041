import type { FastifyReply } from 'fastify';
import { MethodNotAllowed, type ScimError } from '../scim-error.js';
import type { ScimReply } from './operations.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function sendReply(reply: FastifyReply, result: ScimReply): FastifyReply {
  reply.code(result.status).type(SCIM_CONTENT_TYPE);
  for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
  if (result.status === 204 || result.status === 304 || result.body === undefined) return reply.send();
  return reply.send(result.body);
}

export function sendError(reply: FastifyReply, error: ScimError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="pushgraph-scim"');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error instanceof MethodNotAllowed) reply.header('allow', error.allowed.join(', '));
  return reply.code(error.status).type(SCIM_CONTENT_TYPE).send(error.body());
}
