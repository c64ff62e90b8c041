import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { PushAuthentication, PushEventRecord } from '../graph/push-events.js';

/** Raw bodies of refused requests are kept only up to this size: enough to diagnose, not a storage sink. */
const MAX_REFUSED_RAW = 64 * 1024;

/** The event log entry of one SET request, filled in as the pipeline goes. */
export function startEventRecord(request: FastifyRequest, sorId: string, receivedAt: Date): PushEventRecord {
  return {
    id: randomUUID(),
    sorId,
    receivedAt: receivedAt.toISOString(),
    protocol: 'set',
    method: request.method,
    path: request.url,
    remoteAddress: request.ip,
    authentication: { bearer: 'not-checked' } satisfies PushAuthentication,
    status: 'refused',
    httpStatus: 0,
    attempts: 0,
  };
}

export function refusedRaw(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  return body.length > MAX_REFUSED_RAW ? `${body.slice(0, MAX_REFUSED_RAW)}…(truncated)` : body;
}
