import type { FastifyInstance } from 'fastify';
import type { Server as SecureServer } from 'node:https';
import type { Logger } from 'pino';
import { ensureAdminToken } from './admin/admin-token.js';
import { listenUrl, type Config } from './config.js';
import { openStore } from './graph/open-store.js';
import type { GraphStore } from './graph/store.js';
import { buildApp } from './http/app.js';
import { resumeAttributeIndexBuilds } from './bulk/build-attribute-indexes.js';
import { createLogger } from './logger.js';
import { certificateWarning, readTlsCredentials, type TlsCredentials } from './http/tls.js';

export interface RunningService {
  app: FastifyInstance;
  store: GraphStore;
  url: string;
  stop(): Promise<void>;
  /** Reads the TLS files again (a renewed certificate) for new connections; false when the service has no TLS. */
  reloadTls(): boolean;
}

/**
 * Reads the TLS certificate and key if any (refusing to start with a bad one), opens the store, runs migrations,
 * makes sure an admin token exists (printing a generated one once on standard output), and listens. stop() lets
 * in-flight requests finish, then closes the store.
 */
export async function startService(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningService> {
  const tls = config.tls ? readTlsCredentials(config.tls) : undefined;
  if (tls) warnOfCertificate(tls, logger);
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    const admin = await ensureAdminToken(store, config.adminToken);
    if (admin.generated) {
      process.stdout.write(`admin token: ${admin.generated}\n`);
      process.stdout.write('  (shown once; keep it: the admin API and the console at /console need it)\n');
    }
    const app = await buildApp({
      store,
      publicUrl: config.publicUrl,
      logger,
      bodyLimit: config.bodyLimit,
      rateLimitPerSecond: config.rateLimitPerSecond,
      eventRetentionDays: config.eventRetentionDays,
      ...(tls ? { https: tls } : {}),
      trustProxy: config.trustProxy,
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = listenUrl(tls ? 'https' : 'http', config.host, port);
    logger.info({ url, store: store.kind, publicUrl: config.publicUrl }, 'pushgraph is listening');
    const stopBuilds = new AbortController();
    const builds = resumeAttributeIndexBuilds(store, logger, stopBuilds.signal).catch((error: unknown) => {
      if (!stopBuilds.signal.aborted) logger.error({ err: error }, 'attribute index build failed; it is resumed at the next start');
    });
    let stopping: Promise<void> | undefined;
    return {
      app,
      store,
      url,
      reloadTls: () => {
        if (!config.tls) return false;
        const renewed = readTlsCredentials(config.tls);
        (app.server as unknown as SecureServer).setSecureContext({ cert: renewed.cert, key: renewed.key });
        warnOfCertificate(renewed, logger);
        logger.info({ validTo: renewed.validTo.toISOString() }, 'TLS certificate reloaded');
        return true;
      },
      stop: () =>
        (stopping ??= (async () => {
          stopBuilds.abort();
          await app.close();
          await builds;
          await store.close();
          logger.info('pushgraph stopped');
        })()),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function warnOfCertificate(tls: TlsCredentials, logger: Logger): void {
  const warning = certificateWarning(tls);
  if (warning) logger.warn({ validTo: tls.validTo.toISOString() }, warning);
}

/** SIGINT and SIGTERM stop the service, letting in-flight requests finish. */
export function stopOnSignals(service: RunningService, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** What SIGHUP does: reload the TLS certificate, as a renewal job expects. */
export function reloadTlsOnHangup(service: RunningService, logger: Logger): void {
  try {
    if (!service.reloadTls()) logger.info('SIGHUP: nothing to reload (no TLS certificate configured)');
  } catch (error) {
    // The certificate being served stays in use: a bad renewal must not take the endpoint down.
    logger.error({ err: error }, 'TLS certificate not reloaded; still serving the previous one');
  }
}
