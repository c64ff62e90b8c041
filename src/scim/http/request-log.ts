import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { GraphOperation, PushEventRecord } from '../../graph/push-events.js';
import { redactSecretQueryParameters } from '../../http/secret-query-parameters.js';
import { redactWriteOnlyValues } from '../write-only-values.js';

/** Request bodies are kept up to this size: enough to diagnose, not a storage sink. */
const MAX_RAW = 64 * 1024;
/** A PATCH that adds 200,000 members is logged with its first operations and a count of the rest. */
const MAX_OPERATIONS = 100;

/** The event log entry of one SCIM request, filled in as the request goes. */
export function startScimRecord(request: FastifyRequest, sorId: string): PushEventRecord {
  return {
    id: randomUUID(),
    sorId,
    receivedAt: new Date().toISOString(),
    protocol: 'scim',
    method: request.method,
    path: redactSecretQueryParameters(request.url),
    remoteAddress: request.ip,
    authentication: { bearer: 'not-checked' },
    status: 'refused',
    httpStatus: 0,
    attempts: 0,
  };
}

/** The body as the event log keeps it: passwords redacted (RFC 7643 §4.1.1: never returnable), then truncated. */
export function rawBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const text = JSON.stringify(redactWriteOnlyValues(body));
  return text.length > MAX_RAW ? `${text.slice(0, MAX_RAW)}…(truncated)` : text;
}

export function loggedOperations(operations: readonly GraphOperation[]): GraphOperation[] {
  if (operations.length <= MAX_OPERATIONS) return [...operations];
  const rest = operations.length - MAX_OPERATIONS;
  return [...operations.slice(0, MAX_OPERATIONS), { op: operations[MAX_OPERATIONS]!.op, entity: operations[MAX_OPERATIONS]!.entity, id: `… and ${rest} more` }];
}
