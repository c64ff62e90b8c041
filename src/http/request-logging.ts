import { LogController, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { redactSecretQueryParameters } from './secret-query-parameters.js';

/** The shape of a request that Fastify hands to the `req` serializer (a raw request lacks `ip` and `host`). */
interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's own `req` serializer, with secret query parameters' values redacted from the URL. */
export function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactSecretQueryParameters(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The logger the app logs requests with: Fastify keeps a logger's own `req` serializer over its default one. */
export function withRedactedRequests(logger: Logger): Logger {
  return logger.child({}, { serializers: { req: serializeRequest } });
}

/** Fastify's log lines, except that "Route … not found" names the URL with secret query parameters redacted. */
export class RedactingLogController extends LogController {
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.raw.method}:${redactSecretQueryParameters(request.raw.url ?? '')} not found`);
  }
}
