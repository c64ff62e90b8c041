import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GraphStore } from '../graph/store.js';
import { existingSorIds, PerSorCounter } from './per-sor-counter.js';
import { registerPushMetrics } from './push-metrics.js';
import { registerStoreMetrics } from './store-metrics.js';

/** What the rest of the service reports to the metrics (the inbox worker, about the events it completes). */
export interface EventMetrics {
  eventCompleted(sorId: string, status: string, receivedAt: string, completedAt: Date): void;
}

/**
 * Prometheus metrics on `GET /metrics`, one registry per app: process metrics, every answered request by
 * route and status, push requests by SoR and outcome, events applied, the inbox, and the graph's size.
 */
export async function metricsRoutes(app: FastifyInstance, store: GraphStore): Promise<EventMetrics> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pushgraph_' });
  const requests = new Counter({
    name: 'pushgraph_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'pushgraph_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so that ids do not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    duration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });
  const sorIds = existingSorIds(store);
  registerPushMetrics(app, registry, sorIds);
  registerStoreMetrics(registry, store, sorIds);

  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return eventMetrics(registry, sorIds);
}

function eventMetrics(registry: Registry, sorIds: () => Promise<ReadonlySet<string>>): EventMetrics {
  const completed: PerSorCounter<'status'> = new PerSorCounter(
    new Counter({
      name: 'pushgraph_events_total',
      help: 'Accepted events the inbox worker completed, by system of record and outcome (applied, failed, ignored)',
      labelNames: ['sor', 'status'] as const,
      registers: [registry],
      async collect() {
        completed.keepOnly(await sorIds());
      },
    }),
  );
  const delay = new Histogram({
    name: 'pushgraph_event_graph_delay_seconds',
    help: 'Time from accepting an event to its changes being visible in the graph',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  return {
    eventCompleted(sorId, status, receivedAt, completedAt) {
      completed.inc({ sor: sorId, status });
      if (status === 'applied') delay.observe(Math.max(0, (completedAt.getTime() - Date.parse(receivedAt)) / 1000));
    },
  };
}
