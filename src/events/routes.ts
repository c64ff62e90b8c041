import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GraphStore } from '../graph/store.js';
import type { SystemsOfRecord } from '../systems-of-record/service.js';
import { applyEvent } from './apply-event.js';
import { authenticateBearer } from './authenticate-bearer.js';
import { decodeSet } from './decode-set.js';
import type { KeySources } from './key-sources.js';
import { SetError, invalidRequest } from './set-error.js';
import { validateSet } from './validate-set.js';
import { verifySignature } from './verify-signature.js';

export interface EventRoutesOptions {
  store: GraphStore;
  systemsOfRecord: SystemsOfRecord;
  keySources: KeySources;
}

const SET_BODY_LIMIT = 256 * 1024;

/** `POST /events/scim/v1/{sorId}`: RFC 8935 push delivery of SCIM Security Event Tokens. */
export async function eventRoutes(app: FastifyInstance, { store, systemsOfRecord, keySources }: EventRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/secevent+jwt', 'application/jwt'], { parseAs: 'string', bodyLimit: SET_BODY_LIMIT }, (_r, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof SetError) {
      request.log.info({ sorId: (request.params as { sorId?: string }).sorId, err: error.err, reason: error.logReason ?? error.description }, 'SET refused');
      return sendSetError(reply, error);
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendSetError(reply, new SetError(415, 'invalid_request', 'send the SET with Content-Type: application/secevent+jwt'));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendSetError(reply, new SetError(413, 'invalid_request', `the SET is larger than ${SET_BODY_LIMIT} bytes`));
    }
    if (error.statusCode && error.statusCode < 500) return sendSetError(reply, invalidRequest(error.message));
    request.log.error({ err: error }, 'SET receive failed');
    return reply.code(500).type('application/json').header('content-language', 'en').send({ err: 'server_error', description: 'the SET could not be stored; retry later' });
  });

  app.post<{ Params: { sorId: string }; Body: string }>('/events/scim/v1/:sorId', async (request, reply) => {
    const sor = await systemsOfRecord.get(request.params.sorId);
    if (!sor || sor.record.pushType !== 'SCIM') {
      throw new SetError(404, 'invalid_request', `no SCIM events endpoint for system of record "${request.params.sorId}"`);
    }
    const { verification } = sor;
    if (typeof request.body !== 'string') throw invalidRequest('the body must be a SET (a compact JWS)');
    const pushToken = await authenticateBearer(store, sor.record.id, verification, request.headers.authorization);
    const set = decodeSet(request.body);
    const signature = await verifySignature(set, verification, pushToken, keySources);
    const event = validateSet(set, verification);
    const operation = await applyEvent(store, sor.record.id, sor.template, event);
    request.log.info({ sorId: sor.record.id, jti: event.jti, event: event.eventUri, signature, operation }, 'SET accepted');
    return reply.code(202).send();
  });
}

function sendSetError(reply: FastifyReply, error: SetError): FastifyReply {
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="pushgraph-events"');
  if (error.status === 503) reply.header('retry-after', '5');
  return reply.code(error.status).type('application/json').header('content-language', 'en').send({ err: error.err, description: error.description });
}
