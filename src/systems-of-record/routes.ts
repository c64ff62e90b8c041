import type { FastifyInstance } from 'fastify';
import { buildAttributeIndexes } from '../bulk/build-attribute-indexes.js';
import { remapSystemOfRecord } from '../bulk/remap.js';
import { streamProgress, wantsProgress } from '../bulk/progress-answer.js';
import type { ProgressListener } from '../bulk/progress.js';
import { builtinTemplates } from '../template/builtin.js';
import { readSystemOfRecordRequest } from './create-request.js';
import { presentPushToken, presentSystemOfRecord } from './present.js';
import { createPushToken, revokePushToken, rotatePushToken } from './push-tokens.js';
import type { AdminApiOptions } from '../http/admin-api.js';

const sorParams = {
  type: 'object',
  properties: { sorId: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['sorId'],
} as const;

const tokenBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    expiresAt: { type: 'string', maxLength: 64 },
    description: { type: 'string', maxLength: 500 },
  },
} as const;

export async function systemOfRecordRoutes(app: FastifyInstance, { store, systemsOfRecord, publicUrl }: AdminApiOptions) {
  app.get('/templates', async () => ({
    items: builtinTemplates.map(({ id, displayName, pushType }) => ({ id, displayName, pushType })),
  }));

  app.post('/systems-of-record', async (request, reply) => {
    const sor = await systemsOfRecord.create(readSystemOfRecordRequest(request.body));
    request.log.info({ sorId: sor.record.id, pushType: sor.record.pushType }, 'system of record created');
    return reply.code(201).header('location', `/api/v1/systems-of-record/${sor.record.id}`).send(presentSystemOfRecord(sor, publicUrl));
  });

  app.get('/systems-of-record', async () => ({
    items: (await systemsOfRecord.list()).map((sor) => presentSystemOfRecord(sor, publicUrl)),
  }));

  app.get<{ Params: { sorId: string } }>('/systems-of-record/:sorId', { schema: { params: sorParams } }, async (request) =>
    presentSystemOfRecord(await systemsOfRecord.require(request.params.sorId), publicUrl, { withTemplate: true }),
  );

  // A template that indexes more attributes answers once their index is built for the nodes already there, and with
  // ?remap=true once the stored nodes are mapped again with it (with Accept: application/x-ndjson, streaming the
  // progress of both and then {"result": the SoR}).
  app.put<{ Params: { sorId: string }; Querystring: { remap?: string } }>(
    '/systems-of-record/:sorId',
    { schema: { params: sorParams, querystring: { type: 'object', properties: { remap: { type: 'string', enum: ['true', 'false'] } } } } },
    async (request, reply) => {
      const remap = request.query.remap === 'true';
      const sor = await systemsOfRecord.replace(request.params.sorId, readSystemOfRecordRequest(request.body), undefined, { remap });
      request.log.info({ sorId: sor.record.id, indexBuilds: sor.record.indexBuilds }, 'system of record replaced');
      if (!sor.record.indexBuilds && !remap) return presentSystemOfRecord(sor, publicUrl, { withTemplate: true });
      const finishThenPresent = async (onProgress: ProgressListener) => {
        const { built } = await buildAttributeIndexes(store, sor.record.id, onProgress);
        if (built.length > 0) request.log.info({ sorId: sor.record.id, built }, 'attribute index built');
        const remapped = remap ? await remapSystemOfRecord(store, sor, publicUrl, onProgress) : undefined;
        if (remapped) request.log.info({ sorId: sor.record.id, remapped: remapped.remapped, skipped: remapped.skipped }, 'nodes mapped again');
        const current = presentSystemOfRecord(await systemsOfRecord.require(sor.record.id), publicUrl, { withTemplate: true });
        return remapped ? { ...current, remap: remapped } : current;
      };
      if (!wantsProgress(request)) return finishThenPresent(() => undefined);
      return streamProgress(request, reply, finishThenPresent);
    },
  );

  app.delete<{ Params: { sorId: string } }>('/systems-of-record/:sorId', { schema: { params: sorParams } }, async (request, reply) => {
    await systemsOfRecord.delete(request.params.sorId);
    request.log.info({ sorId: request.params.sorId }, 'system of record deleted');
    return reply.code(204).send();
  });

  app.post<{ Params: { sorId: string }; Body: { expiresAt?: string; description?: string } | null }>(
    '/systems-of-record/:sorId/tokens',
    { schema: { params: sorParams, body: tokenBody } },
    async (request, reply) => {
      const { sorId } = request.params;
      await systemsOfRecord.require(sorId);
      const { record, token } = await createPushToken(store, sorId, request.body ?? {});
      request.log.info({ sorId, tokenId: record.id }, 'push token created');
      return reply.code(201).send({ id: record.id, token, createdAt: record.createdAt, expiresAt: record.expiresAt });
    },
  );

  app.get<{ Params: { sorId: string } }>('/systems-of-record/:sorId/tokens', { schema: { params: sorParams } }, async (request) => {
    await systemsOfRecord.require(request.params.sorId);
    return { items: (await store.listPushTokens(request.params.sorId)).map(presentPushToken) };
  });

  app.post<{ Params: { sorId: string; tokenId: string }; Body: { graceSeconds?: number; expiresAt?: string } | null }>(
    '/systems-of-record/:sorId/tokens/:tokenId/rotate',
    {
      schema: {
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { graceSeconds: { type: 'integer' }, expiresAt: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const { sorId, tokenId } = request.params;
      await systemsOfRecord.require(sorId);
      const { record, token, previous } = await rotatePushToken(store, sorId, tokenId, request.body ?? {});
      request.log.info({ sorId, tokenId: record.id, previous }, 'push token rotated');
      return reply.code(201).send({ id: record.id, token, createdAt: record.createdAt, expiresAt: record.expiresAt, previous });
    },
  );

  app.delete<{ Params: { sorId: string; tokenId: string } }>('/systems-of-record/:sorId/tokens/:tokenId', async (request, reply) => {
    const { sorId, tokenId } = request.params;
    await systemsOfRecord.require(sorId);
    await revokePushToken(store, sorId, tokenId);
    request.log.info({ sorId, tokenId }, 'push token revoked');
    return reply.code(204).send();
  });
}
