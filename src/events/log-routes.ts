import type { FastifyInstance } from 'fastify';
import { PUSH_EVENT_STATUSES, type PushEventStatus } from '../graph/push-events.js';
import type { AdminApiOptions } from '../http/admin-api.js';
import { pageLimit } from '../http/page-limit.js';
import { parseRfc3339 } from '../mapping/datetime.js';
import { badRequest, conflict, notFound } from '../http/problem.js';


/** The event log of a SoR (seed: "Logs → Event Streams"), and retrying what failed to apply. */
export async function eventLogRoutes(app: FastifyInstance, { store, systemsOfRecord, onRetry }: AdminApiOptions) {
  app.get<{
    Params: { sorId: string };
    Querystring: { status?: string; type?: string; subject?: string; since?: string; cursor?: string; count?: string };
  }>(
    '/systems-of-record/:sorId/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...PUSH_EVENT_STATUSES] },
            type: { type: 'string', maxLength: 500 },
            subject: { type: 'string', maxLength: 1000 },
            since: { type: 'string', maxLength: 64 },
            cursor: { type: 'string', maxLength: 200 },
            count: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        },
      },
    },
    async (request) => {
      const { sorId } = request.params;
      await systemsOfRecord.require(sorId);
      const { status, type, subject, since, cursor, count } = request.query;
      // Strictly RFC 3339, calendar included: Date.parse would take "2030-02-30" as March 2.
      const sinceTime = since === undefined ? undefined : parseRfc3339(since);
      if (since !== undefined && sinceTime === undefined) {
        throw badRequest(`"since" must be an RFC 3339 time with its offset, such as 2026-11-26T08:00:00Z (got "${since}")`);
      }
      return store.listPushEvents(sorId, {
        status: status as PushEventStatus | undefined,
        type,
        subject,
        since: sinceTime?.toISOString(),
        cursor,
        limit: pageLimit(count, { fallback: 50, max: 500 }),
      });
    },
  );

  app.get<{ Params: { sorId: string; eventId: string } }>('/systems-of-record/:sorId/events/:eventId', async (request) => {
    const { sorId, eventId } = request.params;
    await systemsOfRecord.require(sorId);
    const event = await store.getPushEvent(sorId, eventId);
    if (!event) throw notFound(`no event "${eventId}" in the log of system of record "${sorId}"`);
    return event;
  });

  app.post<{ Params: { sorId: string; eventId: string } }>('/systems-of-record/:sorId/events/:eventId/retry', async (request, reply) => {
    const { sorId, eventId } = request.params;
    await systemsOfRecord.require(sorId);
    const event = await store.getPushEvent(sorId, eventId);
    if (!event) throw notFound(`no event "${eventId}" in the log of system of record "${sorId}"`);
    if (event.status !== 'failed') throw conflict(`only failed events can be retried; this one is ${event.status}`);
    if (!(await store.retryPushEvent(sorId, eventId))) throw conflict('the event changed meanwhile; read it again');
    onRetry();
    return reply.code(202).send({ id: eventId, status: 'accepted' });
  });
}
