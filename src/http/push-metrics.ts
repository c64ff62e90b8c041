import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { PerSorCounter, UNKNOWN_SOR } from './per-sor-counter.js';

/** Error codes become label values only when they look like codes, so a label set cannot grow without bound. */
const ERROR_CODE = /^[a-zA-Z_]{1,40}$/;

declare module 'fastify' {
  interface FastifyRequest {
    pushErrorCode?: string;
    /** The SoR a push endpoint found for the request (set by the SET and SCIM routes). */
    pushSorId?: string;
  }
}

/**
 * Push requests (SET and SCIM 2.0 endpoints) by SoR, protocol, outcome and error code, with latency
 * histograms by protocol and outcome. The SoR label is the SoR id only when the endpoint found the SoR, so guessed
 * ids do not add series, and a deleted SoR's series are dropped at the next scrape.
 */
export function registerPushMetrics(app: FastifyInstance, registry: Registry, sorIds: () => Promise<ReadonlySet<string>>): void {
  const requests: PerSorCounter<'protocol' | 'outcome' | 'error'> = new PerSorCounter(
    new Counter({
      name: 'pushgraph_push_requests_total',
      help: 'Push requests answered, by system of record, protocol (set, scim), outcome and error code',
      labelNames: ['sor', 'protocol', 'outcome', 'error'] as const,
      registers: [registry],
      async collect() {
        requests.keepOnly(await sorIds());
      },
    }),
  );
  const latency = new Histogram({
    name: 'pushgraph_push_request_duration_seconds',
    help: 'Time to answer push requests, by protocol and outcome',
    labelNames: ['protocol', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (protocolOf(request) && reply.statusCode >= 400 && typeof payload === 'string') request.pushErrorCode = errorCodeIn(payload);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const protocol = protocolOf(request);
    if (!protocol) return;
    const outcome = outcomeOf(reply.statusCode);
    requests.inc({ sor: foundSorId(request), protocol, outcome, error: request.pushErrorCode ?? '' });
    latency.observe({ protocol, outcome }, reply.elapsedTime / 1000);
  });
}

/**
 * The SoR the endpoint found (its log entry names it), not merely the id in the URL: a guessed id must not add a
 * series, while a 404 for a missing user of an existing SoR is that SoR's.
 */
function foundSorId(request: FastifyRequest): string {
  return request.pushSorId ?? UNKNOWN_SOR;
}

function protocolOf(request: FastifyRequest): 'set' | 'scim' | undefined {
  const route = request.routeOptions.url ?? '';
  if (route.startsWith('/events/scim/')) return 'set';
  if (route.startsWith('/scim/v2/')) return 'scim';
  return undefined;
}

function outcomeOf(status: number): string {
  if (status === 202) return 'accepted';
  if (status < 400) return 'ok';
  if (status === 429) return 'rate_limited';
  return status < 500 ? 'refused' : 'error';
}

/** RFC 8935 answers carry `err`; SCIM errors `scimType` (or only a status). */
function errorCodeIn(payload: string): string | undefined {
  try {
    const body = JSON.parse(payload) as { err?: unknown; scimType?: unknown; status?: unknown };
    const code = body.err ?? body.scimType ?? (body.status === undefined ? undefined : `status_${String(body.status)}`);
    return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'other';
  } catch {
    return 'other';
  }
}
