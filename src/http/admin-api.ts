import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../graph/store.js';
import { authenticateAdmin } from '../admin/authenticate-admin.js';
import { systemOfRecordRoutes } from '../systems-of-record/routes.js';
import { explorerRoutes } from '../explorer/routes.js';
import { eventLogRoutes } from '../events/log-routes.js';
import { bulkRoutes } from '../bulk/routes.js';
import type { SystemsOfRecord } from '../systems-of-record/service.js';
import { exceedsDepth, unstorableContent } from './json-depth.js';
import { badRequest, problemErrorHandler, sendProblem } from './problem.js';

export interface AdminApiOptions {
  store: GraphStore;
  systemsOfRecord: SystemsOfRecord;
  publicUrl: string;
  /** Called when a failed event was put back in the inbox. */
  onRetry: () => void;
}

/** `/api/v1`: operators' API, answered in application/problem+json on every error. */
export async function adminApi(app: FastifyInstance, options: AdminApiOptions): Promise<void> {
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { title: 'Not Found', status: 404, detail: `no admin API route ${request.method} ${request.url}` }),
  );
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  app.addHook('onRequest', authenticateAdmin(options.store));
  const { store, systemsOfRecord, publicUrl, onRetry } = options;
  const routeOptions: AdminApiOptions = { store, systemsOfRecord, publicUrl, onRetry };
  await app.register(systemOfRecordRoutes, routeOptions);
  await app.register(explorerRoutes, routeOptions);
  await app.register(eventLogRoutes, routeOptions);
  await app.register(bulkRoutes, routeOptions);
}

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (exceedsDepth(value)) throw badRequest('the JSON body is nested too deeply');
  const unstorable = unstorableContent(text, value);
  if (unstorable) throw badRequest(`the body contains ${unstorable}`);
  return value;
}
