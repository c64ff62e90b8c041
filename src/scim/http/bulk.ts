import { isJsonObject } from '../patch/json.js';
import { badRequest, ScimError } from '../scim-error.js';
import type { ResourceType } from '../patch/index.js';
import { MAX_BULK_OPERATIONS } from './discovery.js';
import { createResource, deleteResource, patchResource, replaceResource, type OperationContext, type ScimReply } from './operations.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

interface BulkOperation {
  method: string;
  bulkId?: string;
  version?: string;
  path: string;
  data?: unknown;
}

/**
 * RFC 7644 §3.7: operations run in order, each on its own (not one transaction); `bulkId:x` anywhere in an
 * operation's path or data is replaced by the id the POST with bulkId x created. An operation that refers to a
 * POST later in the request waits until that POST has run (§3.7.2: references are resolved whatever their
 * order); one that still cannot be resolved (a cycle, or its POST failed) fails with 409. Answers list the
 * operations in the order they were sent.
 */
export async function runBulk(context: OperationContext, body: unknown): Promise<ScimReply> {
  const request = readBulkRequest(body);
  const created = new Map<string, string>();
  const posted = new Set(request.operations.flatMap((op) => (op.method.toUpperCase() === 'POST' && op.bulkId !== undefined ? [op.bulkId] : [])));
  const results: (Record<string, unknown> | undefined)[] = request.operations.map(() => undefined);
  const operations: ScimReply['operations'] = [];
  let errors = 0;
  let waiting = request.operations.map((operation, index) => ({ operation, index }));
  const stopped = () => request.failOnErrors !== undefined && errors >= request.failOnErrors;
  const run = async ({ operation, index }: { operation: BulkOperation; index: number }) => {
    const result = await runOne(context, operation, created);
    if (Number(result.status) >= 400) errors++;
    operations.push(...(result.reply?.operations ?? []));
    results[index] = result.response;
  };
  while (waiting.length > 0 && !stopped()) {
    const unresolved = (item: { operation: BulkOperation }) =>
      referencedBulkIds(item.operation).some((bulkId) => posted.has(bulkId) && !created.has(bulkId) && waiting.some((w) => w !== item && w.operation.bulkId === bulkId));
    const ready = waiting.find((item) => !unresolved(item)) ?? waiting[0]!;
    waiting = waiting.filter((item) => item !== ready);
    await run(ready);
  }
  return { status: 200, body: { schemas: [BULK_RESPONSE], Operations: results.filter((r) => r !== undefined) }, eventType: 'Bulk', operations };
}

function referencedBulkIds(operation: BulkOperation): string[] {
  const text = `${operation.path} ${JSON.stringify(operation.data ?? null)}`;
  return [...text.matchAll(/bulkId:([^/"\s]+)/g)].map((match) => match[1]!);
}

function readBulkRequest(body: unknown): { operations: BulkOperation[]; failOnErrors?: number } {
  if (!isJsonObject(body)) throw badRequest('invalidSyntax', 'the body must be a BulkRequest');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.some((schema) => typeof schema === 'string' && schema.toLowerCase() === BULK_REQUEST.toLowerCase())) {
    throw badRequest('invalidSyntax', `"schemas" must contain ${BULK_REQUEST}`);
  }
  const list = body.Operations ?? body.operations;
  if (!Array.isArray(list)) throw badRequest('invalidSyntax', '"Operations" must be an array');
  if (list.length > MAX_BULK_OPERATIONS) throw new ScimError(413, `a bulk request may hold at most ${MAX_BULK_OPERATIONS} operations, not ${list.length}`);
  const operations = list.map((raw, index) => {
    if (!isJsonObject(raw) || typeof raw.method !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('invalidSyntax', `Operations[${index}] needs a "method" and a "path"`);
    }
    return raw as unknown as BulkOperation;
  });
  const failOnErrors = body.failOnErrors;
  if (failOnErrors !== undefined && (!Number.isInteger(failOnErrors) || (failOnErrors as number) < 1)) {
    throw badRequest('invalidValue', '"failOnErrors" must be a positive integer');
  }
  return { operations, ...(failOnErrors === undefined ? {} : { failOnErrors: failOnErrors as number }) };
}

async function runOne(
  context: OperationContext,
  operation: BulkOperation,
  created: Map<string, string>,
): Promise<{ status: string; response: Record<string, unknown>; reply?: ScimReply }> {
  const method = operation.method.toUpperCase();
  const base = { method, ...(operation.bulkId === undefined ? {} : { bulkId: operation.bulkId }) };
  try {
    const path = resolve(operation.path, created) as string;
    const data = resolve(operation.data, created);
    const { type, id } = target(path);
    let reply: ScimReply;
    if (method === 'POST' && id === undefined) {
      if (operation.bulkId === undefined) throw badRequest('invalidValue', 'a bulk POST needs a "bulkId"');
      reply = await createResource(context, type, data, {});
      // From the reply's subject (`/Groups/{id}`): a Group's body is a stream (its members are written as read).
      created.set(operation.bulkId, reply.subject!.slice(reply.subject!.lastIndexOf('/') + 1));
    } else if (id !== undefined && method === 'PUT') reply = await replaceResource(context, type, id, data, {}, operation.version);
    else if (id !== undefined && method === 'PATCH') reply = await patchResource(context, type, id, data, { attributes: 'id' }, { ifMatch: operation.version, prefer: 'return=minimal' });
    else if (id !== undefined && method === 'DELETE') reply = await deleteResource(context, type, id, operation.version);
    else throw badRequest('invalidValue', `${method} ${operation.path} is not a bulk operation this server runs`);
    const response = { ...base, status: String(reply.status), ...(reply.headers?.location ? { location: reply.headers.location } : {}), ...(reply.headers?.etag ? { version: reply.headers.etag } : {}) };
    return { status: String(reply.status), response, reply };
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    return { status: String(error.status), response: { ...base, status: String(error.status), response: error.body() } };
  }
}

function target(path: string): { type: ResourceType; id?: string } {
  const match = /^\/(Users|Groups)(?:\/([^/?#]+))?$/.exec(path);
  if (!match) throw badRequest('invalidPath', `"${path}" is not /Users, /Groups or one of their resources`);
  return { type: match[1] === 'Users' ? 'User' : 'Group', ...(match[2] === undefined ? {} : { id: decodeURIComponent(match[2]) }) };
}

/** Replaces every `bulkId:x` string (and path segment) with the id x created. */
function resolve(value: unknown, created: Map<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/bulkId:([^/"\s]+)/g, (_all, bulkId: string) => {
      const id = created.get(bulkId);
      if (id === undefined) throw new ScimError(409, `bulkId "${bulkId}" refers to no POST that succeeded in this request (or to a cycle)`, 'invalidValue');
      return id;
    });
  }
  if (Array.isArray(value)) return value.map((item) => resolve(item, created));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, created)]));
  return value;
}
