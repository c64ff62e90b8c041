import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PushEventRecord } from '../graph/push-events.js';
import type { GraphStore } from '../graph/store.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { bearerToken } from '../admin/secrets.js';
import { pushTokenId } from '../systems-of-record/push-tokens.js';
import { noPushEndpointReason } from '../systems-of-record/push-types.js';
import type { SystemsOfRecord } from '../systems-of-record/service.js';
import { authenticateBearer } from './authenticate-bearer.js';
import { decodeSet } from './decode-set.js';
import { claimsAtAGlance, refusedBody, startEventRecord } from './event-record.js';
import type { Inbox } from './inbox-worker.js';
import type { KeySources } from './key-sources.js';
import { checkEvent } from './plan-event.js';
import { REDACTED_PAYLOAD_NOTE, withoutWriteOnlyValues } from './redact-set.js';
import { SetError, invalidRequest } from './set-error.js';
import { validateSet } from './validate-set.js';
import { verifySignature } from './verify-signature.js';

export interface EventRoutesOptions {
  store: GraphStore;
  systemsOfRecord: SystemsOfRecord;
  keySources: KeySources;
  inbox: Inbox;
  rateLimiter: RateLimiter;
}

export const SET_BODY_LIMIT = 256 * 1024;
export const SET_PATH_PREFIX = '/events/scim/v1/';

declare module 'fastify' {
  interface FastifyRequest {
    pushEvent?: PushEventRecord;
  }
}

/**
 * `POST /events/scim/v1/{sorId}`: RFC 8935 push delivery. Every request to a known SoR is recorded in the
 * event log; an accepted SET is stored in the inbox before the 202, and applied by the inbox worker.
 */
export async function eventRoutes(app: FastifyInstance, options: EventRoutesOptions): Promise<void> {
  const { store, systemsOfRecord, keySources, inbox, rateLimiter } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/secevent+jwt', 'application/jwt'], { parseAs: 'string', bodyLimit: SET_BODY_LIMIT }, (_r, body, done) =>
    done(null, body),
  );
  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const refusal = asSetError(error);
    if (!refusal) {
      request.log.error({ err: error }, 'SET receive failed');
      return reply.code(500).type('application/json').header('content-language', 'en').send({ err: 'server_error', description: 'the SET could not be stored; retry later' });
    }
    await recordRefusal(store, systemsOfRecord, request, refusal);
    return sendSetError(reply, refusal);
  });

  app.post<{ Params: { sorId: string }; Body: string }>(`${SET_PATH_PREFIX}:sorId`, async (request, reply) => {
    const receivedAt = new Date();
    // The SoR's version and the push token in one read on every request, so that a change to either (a revoked
    // token) counts at once, while the SoR itself is read again only when its version changed.
    const presented = bearerToken(request.headers.authorization);
    const tokenId = presented === undefined ? undefined : pushTokenId(presented);
    const credentials = await store.readPushCredentials(request.params.sorId, tokenId);
    const sor = credentials && (await systemsOfRecord.atVersion(request.params.sorId, credentials.sorUpdatedAt));
    if (!sor || sor.record.pushType !== 'SCIM') throw noEventsEndpoint(request.params.sorId, sor?.record.pushType);
    request.pushSorId = sor.record.id;
    const record = startEventRecord(request, sor.record.id, receivedAt);
    request.pushEvent = record;
    if (typeof request.body !== 'string') throw invalidRequest('the body must be a SET (a compact JWS)');

    const read = tokenId === undefined ? undefined : { id: tokenId, token: credentials!.token };
    const pushToken = await authenticateBearer(store, sor.record.id, sor.verification, presented, record.authentication, request.log, read);
    // Only authenticated requests count against the SoR's rate, so that nobody else can use up a sender's limit:
    // with a valid push token at once, without one once its signature is verified.
    if (pushToken !== undefined) takeRate(rateLimiter, sor.record.id);
    const received = decodeSet(request.body);
    // Only the signature check sees the SET as received; the log, the inbox and the mapping see it without its
    // write-only values, so what the graph gets is what the log shows, on receipt and when re-read after a restart.
    const { set, redacted } = withoutWriteOnlyValues(received);
    record.decoded = { header: set.header, claims: set.claims };
    record.raw = set.compact;
    if (redacted) record.notes = [REDACTED_PAYLOAD_NOTE];
    Object.assign(record, claimsAtAGlance(set.claims));
    record.authentication.signature = await verifySignature(received, sor.verification, pushToken, keySources).catch((error: unknown) => {
      if (error instanceof SetError && error.err === 'invalid_key') record.authentication.signature = 'invalid';
      throw error;
    });
    if (pushToken === undefined) takeRate(rateLimiter, sor.record.id);
    const event = validateSet(set, sor.verification);
    Object.assign(record, { jti: event.jti, eventType: event.eventUri, subject: event.subject?.uri });
    record.extracted = checkEvent(sor.template, event);
    // What was redacted is checked as it was sent: a password of the wrong type is the sender's 400, as SCIM PATCH
    // answers it. Only the redacted SET's extraction is kept.
    if (redacted) checkEvent(sor.template, validateSet(received, sor.verification));

    // The event log reads the decoded SET back from the raw one (toPushEvent), so it is stored once.
    const accepted: PushEventRecord = { ...record, status: 'accepted', httpStatus: 202, dedupKey: event.jti, decoded: undefined };
    if ((await storeAccepted(store, request, accepted)) === 'duplicate') {
      await store.recordPushEvent({ ...record, status: 'duplicate', httpStatus: 202, decoded: undefined, errorDescription: `a SET with jti "${event.jti}" was already accepted; not applied again` });
      request.log.info({ sorId: sor.record.id, jti: event.jti }, 'SET redelivered; answered as the first time');
    } else {
      inbox.notify();
      request.log.info({ sorId: sor.record.id, eventId: record.id, jti: event.jti, event: event.eventUri }, 'SET accepted');
    }
    request.pushEvent = undefined;
    return reply.code(202).send();
  });
}

/**
 * Stores an accepted SET in the inbox. A SoR deleted since the request read it refuses the row (its foreign key):
 * that is answered as a request after the deletion is, 404, not a 500 asking the sender to retry what will never be
 * stored. The refusal is not logged, since the SoR's event log went with it.
 */
async function storeAccepted(store: GraphStore, request: FastifyRequest, accepted: PushEventRecord): Promise<'recorded' | 'duplicate'> {
  try {
    return await store.recordPushEvent(accepted);
  } catch (error) {
    if (await store.getSystemOfRecord(accepted.sorId).then((sor) => sor !== undefined, () => true)) throw error;
    request.pushEvent = undefined;
    throw noEventsEndpoint(accepted.sorId, undefined);
  }
}

function noEventsEndpoint(sorId: string, pushType: string | undefined): SetError {
  const reason = pushType === undefined ? undefined : noPushEndpointReason(pushType);
  return new SetError(
    404,
    'invalid_request',
    reason ? `system of record "${sorId}" has pushType "${pushType}": ${reason}` : `no SCIM events endpoint for system of record "${sorId}"`,
  );
}

function takeRate(rateLimiter: RateLimiter, sorId: string): void {
  const limit = rateLimiter.take(sorId);
  if (!limit.ok) throw new SetError(429, 'access_denied', `too many requests for this system of record; retry in ${limit.retryAfterSeconds}s`, limit.retryAfterSeconds);
}

function asSetError(error: Error & { statusCode?: number; code?: string }): SetError | undefined {
  if (error instanceof SetError) return error;
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new SetError(415, 'invalid_request', 'send the SET with Content-Type: application/secevent+jwt');
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new SetError(413, 'invalid_request', `the SET is larger than ${SET_BODY_LIMIT} bytes`);
  if (error.statusCode && error.statusCode < 500) return invalidRequest(error.message);
  return undefined;
}

/** Refusals of a known SoR are logged too, so an operator sees why a sender's SETs do not arrive. */
async function recordRefusal(store: GraphStore, systemsOfRecord: SystemsOfRecord, request: FastifyRequest, refusal: SetError): Promise<void> {
  let record = request.pushEvent;
  if (!record) {
    const sorId = (request.params as { sorId?: string }).sorId;
    const sor = sorId === undefined ? undefined : await systemsOfRecord.get(sorId).catch(() => undefined);
    if (!sor) return;
    record = startEventRecord(request, sor.record.id, new Date());
  }
  const entry: PushEventRecord = {
    ...record,
    status: 'refused',
    httpStatus: refusal.status,
    errorCode: refusal.err,
    errorDescription: refusal.description,
    ...(record.raw === undefined ? refusedBody(request.body) : {}),
  };
  request.log.info({ sorId: record.sorId, err: refusal.err, reason: record.authentication.reason ?? refusal.description }, 'SET refused');
  try {
    await store.recordPushEvent(entry);
  } catch (error) {
    request.log.error({ err: error }, 'could not record a refused SET in the event log');
  }
}

function sendSetError(reply: FastifyReply, error: SetError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="pushgraph-events"');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).type('application/json').header('content-language', 'en').send({ err: error.err, description: error.description });
}
