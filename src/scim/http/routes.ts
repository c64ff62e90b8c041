import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PushEventRecord } from '../../graph/push-events.js';
import type { GraphStore } from '../../graph/store.js';
import type { RateLimiter } from '../../http/rate-limit.js';
import type { SystemsOfRecord } from '../../systems-of-record/service.js';
import type { ListParameters } from '../list-query.js';
import type { ResourceType } from '../patch/index.js';
import { ResourceWriteQueue } from '../concurrent-writes.js';
import { ScimResources } from '../resources.js';
import { UntranslatableMembershipTest } from '../filter/to-sql.js';
import { badRequest, notFound, ScimError } from '../scim-error.js';
import { authenticate } from './authenticate.js';
import { runBulk } from './bulk.js';
import { listOf, resourceTypeOf, schemaDocuments, serviceProviderConfig } from './discovery.js';
import { createResource, deleteResource, getResource, listResources, patchResource, replaceResource, type OperationContext, type ScimReply } from './operations.js';
import { addScimBodyParser, MAX_PAYLOAD_BYTES } from './parse.js';
import { loggedOperations, rawBody, startScimRecord } from './request-log.js';
import { sendError, sendReply } from './respond.js';
import { collectEndpointMethods, refuseUnrouted } from './unrouted.js';
import { searchAll } from './root-search.js';

export interface ScimRoutesOptions {
  store: GraphStore;
  systemsOfRecord: SystemsOfRecord;
  rateLimiter: RateLimiter;
  publicUrl: string;
}

interface ScimRequestState {
  record: PushEventRecord;
  context?: OperationContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    scimRequest?: ScimRequestState;
  }
}

type Query = Record<string, string | string[] | undefined>;
type ScimRequest = FastifyRequest<{ Params: { sorId: string; id?: string; name?: string }; Querystring: Query; Body: unknown }>;

const RESOURCE_PATHS: readonly [string, ResourceType][] = [
  ['Users', 'User'],
  ['Groups', 'Group'],
];

/**
 * `/scim/v2/{sorId}`: the SCIM 2.0 API (RFC 7644) of a SoR with pushType SCIM2.0. Each request goes
 * authenticate (push token, rate limit) → parse (JSON body) → validate and persist (ScimResources, the graph
 * projection in the same transaction) → respond (application/scim+json), and is recorded in the event log.
 */
export async function scimRoutes(app: FastifyInstance, options: ScimRoutesOptions): Promise<void> {
  const { store, systemsOfRecord, rateLimiter, publicUrl } = options;
  const writes = new ResourceWriteQueue();
  const endpoints = collectEndpointMethods(app);
  addScimBodyParser(app);
  app.addHook('onRequest', async (request) => {
    const sorId = (request.params as { sorId?: string }).sorId;
    // No route matched (a path without a SoR id): the not-found handler answers.
    if (sorId === undefined) return;
    const sor = await systemsOfRecord.get(sorId);
    if (!sor || sor.record.pushType !== 'SCIM2.0') throw noScimEndpoint(sorId);
    request.pushSorId = sor.record.id;
    const state: ScimRequestState = { record: startScimRecord(request, sor.record.id) };
    request.scimRequest = state;
    const limit = rateLimiter.take(sor.record.id);
    if (!limit.ok) throw new ScimError(429, `too many requests for this system of record; retry in ${limit.retryAfterSeconds}s`, undefined, limit.retryAfterSeconds);
    await authenticate(store, sor.record.id, request.headers.authorization, state.record.authentication, request.log);
    const baseUrl = `${publicUrl}/scim/v2/${sor.record.id}`;
    state.context = {
      store,
      sorId: sor.record.id,
      baseUrl,
      resources: new ScimResources(store, sor, baseUrl, state.record.id, writes),
      schemaChecks: sor.record.options?.scimSchemaChecks ?? 'strict',
    };
  });
  app.setErrorHandler(async (error: FastifyError | ScimError, request, reply) => {
    const refusal = (await sorDeletedMeanwhile(systemsOfRecord, request, error)) ?? asScimError(error);
    if (refusal.status === 503) request.log.warn({ detail: refusal.detail }, 'SCIM write lost every retry to concurrent writes');
    else if (refusal.status >= 500) request.log.error({ err: error }, 'SCIM request failed');
    await record(store, request, refusal.status, { errorCode: refusal.scimType, errorDescription: refusal.detail });
    return sendError(reply, refusal);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, notFound(`no SCIM endpoint ${request.method} ${request.url}`)));

  const handle = (run: (context: OperationContext, request: ScimRequest) => Promise<ScimReply>) => async (request: ScimRequest, reply: FastifyReply) => {
    const result = await run(request.scimRequest!.context!, request);
    await record(store, request, result.status, result);
    return sendReply(reply, result);
  };

  for (const [path, type] of RESOURCE_PATHS) {
    app.get(`/:sorId/${path}`, handle((context, request) => listResources(context, type, listParameters(request.query))));
    app.post(`/:sorId/${path}/.search`, handle((context, request) => listResources(context, type, searchParameters(request.body))));
    app.post(`/:sorId/${path}`, handle((context, request) => createResource(context, type, request.body, readOptions(request.query))));
    app.get(`/:sorId/${path}/:id`, handle((context, request) => getResource(context, type, request.params.id!, readOptions(request.query), header(request, 'if-none-match'))));
    app.put(`/:sorId/${path}/:id`, handle((context, request) => replaceResource(context, type, request.params.id!, request.body, readOptions(request.query), header(request, 'if-match'))));
    app.patch(`/:sorId/${path}/:id`, handle((context, request) =>
      patchResource(context, type, request.params.id!, request.body, readOptions(request.query), { ifMatch: header(request, 'if-match'), prefer: header(request, 'prefer') }),
    ));
    app.delete(`/:sorId/${path}/:id`, handle((context, request) => deleteResource(context, type, request.params.id!, header(request, 'if-match'))));
  }
  app.post('/:sorId/.search', handle((context, request) => searchAll(context, searchParameters(request.body))));
  app.post('/:sorId/Bulk', { bodyLimit: MAX_PAYLOAD_BYTES }, handle((context, request) => runBulk(context, request.body)));
  app.get('/:sorId/ServiceProviderConfig', handle(async (context) => ({ status: 200, body: serviceProviderConfig(context.baseUrl) })));
  app.get('/:sorId/ResourceTypes', handle(async (context) => ({ status: 200, body: listOf(RESOURCE_PATHS.map(([, type]) => resourceTypeOf(type, context.baseUrl))) })));
  app.get('/:sorId/ResourceTypes/:name', handle(async (context, request) => {
    const type = RESOURCE_PATHS.find(([, name]) => name === request.params.name)?.[1];
    if (!type) throw notFound(`no resource type "${request.params.name}"`);
    return { status: 200, body: resourceTypeOf(type, context.baseUrl) };
  }));
  app.get('/:sorId/Schemas', handle(async (context) => ({ status: 200, body: listOf(schemaDocuments(context.baseUrl)) })));
  app.get('/:sorId/Schemas/:id', handle(async (context, request) => {
    const schema = schemaDocuments(context.baseUrl).find((document) => document.id === request.params.id);
    if (!schema) throw notFound(`no schema "${request.params.id}"`);
    return { status: 200, body: schema };
  }));
  refuseUnrouted(app, endpoints, RESOURCE_PATHS.map(([path]) => path));
}

function noScimEndpoint(sorId: string): ScimError {
  return notFound(`no SCIM 2.0 endpoint for system of record "${sorId}"`);
}

/**
 * A SoR deleted while a request to it ran fails the request's write (its rows are gone, so their foreign keys
 * refuse the resource's): that is answered as a request after the deletion is, 404, not with a 500 asking the IdP
 * to retry what can never succeed. Nothing is logged, since the SoR's event log went with it.
 */
async function sorDeletedMeanwhile(systemsOfRecord: SystemsOfRecord, request: FastifyRequest, error: FastifyError | ScimError): Promise<ScimError | undefined> {
  const state = request.scimRequest;
  if (!state || error instanceof ScimError || (error.statusCode ?? 500) < 500) return undefined;
  if (await systemsOfRecord.get(state.record.sorId).then((sor) => sor !== undefined, () => true)) return undefined;
  request.scimRequest = undefined;
  return noScimEndpoint(state.record.sorId);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readOptions(query: Query): { attributes?: string; excludedAttributes?: string } {
  return listParameters(query);
}

function listParameters(query: Query): ListParameters {
  const parameters: ListParameters = {};
  for (const name of ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'cursor', 'attributes', 'excludedAttributes'] as const) {
    const value = single(query[name]);
    if (value !== undefined) parameters[name] = value;
  }
  return parameters;
}

/** POST /.search (RFC 7644 §3.4.3): the same parameters in a SearchRequest body; attribute lists as arrays. */
function searchParameters(body: unknown): ListParameters {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalidSyntax', 'the body must be a SearchRequest');
  const request = body as Record<string, unknown>;
  const parameters: ListParameters = {};
  for (const name of ['filter', 'sortBy', 'sortOrder', 'cursor'] as const) {
    if (request[name] !== undefined) parameters[name] = String(request[name]);
  }
  for (const name of ['startIndex', 'count'] as const) {
    if (request[name] !== undefined) parameters[name] = request[name] as number;
  }
  for (const name of ['attributes', 'excludedAttributes'] as const) {
    const value = request[name];
    if (value !== undefined) parameters[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return parameters;
}

function asScimError(error: Error & { statusCode?: number; code?: string }): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof UntranslatableMembershipTest) return badRequest('invalidFilter', error.message);
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ScimError(415, 'send SCIM bodies as application/scim+json or application/json');
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ScimError(413, `the body is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (error.statusCode !== undefined && error.statusCode < 500) return badRequest('invalidSyntax', error.message);
  return new ScimError(500, 'the request could not be completed; retry later');
}

/** Every request to a known SoR goes to the event log; the Authorization header never does. */
async function record(
  store: GraphStore,
  request: FastifyRequest,
  status: number,
  outcome: Partial<Pick<ScimReply, 'subject' | 'eventType' | 'operations' | 'extracted' | 'notes'>> & { errorCode?: string; errorDescription?: string },
): Promise<void> {
  const state = request.scimRequest;
  if (!state) return;
  const entry: PushEventRecord = {
    ...state.record,
    status: status < 400 ? 'applied' : 'refused',
    httpStatus: status,
    ...(status < 400 ? { appliedAt: new Date().toISOString() } : {}),
  };
  const raw = rawBody(request.body);
  if (raw !== undefined) entry.raw = raw;
  if (outcome.subject !== undefined) entry.subject = outcome.subject;
  if (outcome.eventType !== undefined) entry.eventType = outcome.eventType;
  if (outcome.operations?.length) entry.operations = loggedOperations(outcome.operations);
  if (outcome.extracted !== undefined) entry.extracted = outcome.extracted;
  if (outcome.notes?.length) entry.notes = outcome.notes;
  if (outcome.errorCode !== undefined) entry.errorCode = outcome.errorCode;
  if (outcome.errorDescription !== undefined) entry.errorDescription = outcome.errorDescription;
  try {
    await store.recordPushEvent(entry);
  } catch (error) {
    request.log.error({ err: error }, 'could not record a SCIM request in the event log');
  }
}
