import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { PushAuthentication, PushEventRecord } from '../graph/push-events.js';
import { redactSecretQueryParameters } from '../http/secret-query-parameters.js';
import { redactRefusedBody } from './redact-set.js';

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
    path: redactSecretQueryParameters(request.url),
    remoteAddress: request.ip,
    authentication: { bearer: 'not-checked' } satisfies PushAuthentication,
    status: 'refused',
    httpStatus: 0,
    attempts: 0,
  };
}

/**
 * What the log keeps of a refused request's body, when it was refused before its SET was decoded (a wrong token, a
 * body that is no SET): the body with write-only values redacted, then truncated.
 */
export function refusedBody(received: unknown): Pick<PushEventRecord, 'raw' | 'notes'> {
  if (typeof received !== 'string') return {};
  const { body, note } = redactRefusedBody(received);
  const raw = body.length > MAX_REFUSED_RAW ? `${body.slice(0, MAX_REFUSED_RAW)}…(truncated)` : body;
  return note === undefined ? { raw } : { raw, notes: [note] };
}

/**
 * What the log can say about a SET before it is verified (its jti, subject and event type), so that a refused
 * SET can be found by subject too. Only strings are taken; nothing here is trusted.
 */
export function claimsAtAGlance(claims: Record<string, unknown>): Pick<PushEventRecord, 'jti' | 'subject' | 'eventType'> {
  const glance: Pick<PushEventRecord, 'jti' | 'subject' | 'eventType'> = {};
  if (typeof claims.jti === 'string') glance.jti = claims.jti;
  const uri = (claims.sub_id as { uri?: unknown } | null | undefined)?.uri;
  if (typeof uri === 'string') glance.subject = uri;
  const events = claims.events;
  if (typeof events === 'object' && events !== null && !Array.isArray(events)) {
    const [first] = Object.keys(events);
    if (first !== undefined) glance.eventType = first;
  }
  return glance;
}
