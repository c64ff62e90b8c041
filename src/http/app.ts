import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import type { TrustProxy } from '../config.js';
import type { GraphStore } from '../graph/store.js';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { SET_PATH_PREFIX, eventRoutes } from '../events/routes.js';
import { scimRoutes } from '../scim/http/routes.js';
import { InboxWorker, type Inbox, type InboxWorkerOptions } from '../events/inbox-worker.js';
import { InboxThread } from '../events/inbox-thread.js';
import { SqliteGraphStore } from '../graph/sqlite/store.js';
import { KeySources, type KeySourceOptions } from '../events/key-sources.js';
import { startEventRetention } from '../events/retention.js';
import { adminApi } from './admin-api.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { consoleRoutes } from './console.js';
import { RateLimiter } from './rate-limit.js';
import { RedactingLogController, withRedactedRequests } from './request-logging.js';

export interface AppOptions {
  store: GraphStore;
  publicUrl: string;
  logger?: Logger | false;
  bodyLimit?: number;
  keySources?: KeySourceOptions;
  inbox?: InboxWorkerOptions;
  /** Requests per second each SoR may make to its push endpoint (burst: twice that). */
  rateLimitPerSecond?: number;
  eventRetentionDays?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: string; key: string };
  /** Whose X-Forwarded-For to believe for the client's address (default: nobody's). */
  trustProxy?: TrustProxy;
}

declare module 'fastify' {
  interface FastifyInstance {
    inbox: Inbox;
  }
}

/**
 * The whole HTTP surface: health, metrics, the admin API and the push endpoints, each with its own error
 * format. The inbox worker and the event log retention run while the app is ready.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const logger = options.logger || pino({ level: 'silent' });
  // Typed over http.Server whether or not it serves HTTPS: the routes use only what both servers have.
  const app = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    loggerInstance: (options.logger ? withRedactedRequests(options.logger) : undefined) as FastifyBaseLogger | undefined,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    // Unknown fields are refused, not silently dropped: a misspelt option must not be ignored. Nor are values
    // of the wrong type converted ({"description": 5}); every query parameter is declared a string anyway.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A SET request logs one line of its own, with its outcome (events/routes.ts), and is in the event log;
    // Fastify's two lines per request on top cost about 12% of the SET rate at the default level.
    logController: new RedactingLogController({ disableRequestLogging: (request: { url: string }) => request.url.startsWith(SET_PATH_PREFIX) }),
  }) as unknown as FastifyInstance;
  const { store } = options;
  const systemsOfRecord = new SystemsOfRecord(store);
  const metrics = await metricsRoutes(app, store);
  const workerOptions: InboxWorkerOptions = {
    ...options.inbox,
    onCompleted: (record, status, at) => metrics.eventCompleted(record.sorId, status, record.receivedAt, at),
  };
  const inProcess = () => new InboxWorker(store, systemsOfRecord, logger, workerOptions);
  // An in-memory database cannot be opened from another thread.
  const inbox: Inbox =
    store instanceof SqliteGraphStore && store.filename !== ':memory:'
      ? new InboxThread(store, logger, { ...workerOptions, fallback: inProcess })
      : inProcess();
  app.decorate('inbox', inbox);
  let stopRetention: (() => void) | undefined;
  app.addHook('onReady', async () => {
    inbox.start();
    stopRetention = startEventRetention(store, options.eventRetentionDays ?? 30, logger);
  });
  app.addHook('onClose', async () => {
    stopRetention?.();
    await inbox.stop();
  });

  const rateLimiter = new RateLimiter(options.rateLimitPerSecond ?? 500);
  app.addHook('onRequest', refuseNulInUrl);
  await app.register(healthRoutes, { store });
  await app.register(consoleRoutes);
  await app.register(adminApi, { prefix: '/api/v1', store, systemsOfRecord, publicUrl: options.publicUrl, onRetry: () => inbox.notify() });
  await app.register(eventRoutes, { store, systemsOfRecord, keySources: new KeySources(options.keySources), inbox, rateLimiter });
  await app.register(scimRoutes, { prefix: '/scim/v2', store, systemsOfRecord, rateLimiter, publicUrl: options.publicUrl });
  return app;
}

/**
 * PostgreSQL can neither store nor compare U+0000, and nothing stored holds one (bodies with it are refused), so a
 * URL carrying one (an id, a filter) is a 400 on every backend; each endpoint answers it in its own error format.
 */
async function refuseNulInUrl(request: FastifyRequest): Promise<void> {
  if (/%00/.test(request.url)) {
    throw Object.assign(new Error('the URL contains a NUL character (%00), which no stored value can hold'), { statusCode: 400 });
  }
}
