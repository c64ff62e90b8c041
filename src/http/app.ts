import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GraphStore } from '../graph/store.js';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { eventRoutes } from '../events/routes.js';
import { KeySources, type KeySourceOptions } from '../events/key-sources.js';
import { adminApi } from './admin-api.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';

export interface AppOptions {
  store: GraphStore;
  publicUrl: string;
  logger?: Logger | false;
  bodyLimit?: number;
  keySources?: KeySourceOptions;
}

/** The whole HTTP surface: health, the admin API and the push endpoints, each with its own error format. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: (options.logger || undefined) as FastifyBaseLogger | undefined,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: false,
    // Unknown fields are refused, not silently dropped: a misspelt option must not be ignored.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const systemsOfRecord = new SystemsOfRecord(options.store);
  await metricsRoutes(app);
  await app.register(healthRoutes, { store: options.store });
  await app.register(adminApi, { prefix: '/api/v1', store: options.store, systemsOfRecord, publicUrl: options.publicUrl });
  await app.register(eventRoutes, { store: options.store, systemsOfRecord, keySources: new KeySources(options.keySources) });
  return app;
}
