import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApiOptions } from '../http/admin-api.js';
import { checkRemappable } from '../systems-of-record/service.js';
import { clearNodes } from './clear-nodes.js';
import { remapSystemOfRecord } from './remap.js';
import type { ProgressListener } from './progress.js';
import { streamProgress, wantsProgress } from './progress-answer.js';
import { retryFailedEvents } from './retry-failed.js';

/**
 * Long operations on a SoR's data. Asked with `Accept: application/x-ndjson`, they answer at once and stream
 * progress as JSON lines (`{"operation","done","total"}`), ending with `{"result": …}` or `{"error": …}`;
 * otherwise they answer the result when done. Progress lives in the answer, so no instance keeps state.
 */
export async function bulkRoutes(app: FastifyInstance, { store, systemsOfRecord, publicUrl, onRetry }: AdminApiOptions) {
  app.post<{ Params: { sorId: string } }>('/systems-of-record/:sorId/events/retry-failed', async (request, reply) => {
    await systemsOfRecord.require(request.params.sorId);
    return run(request, reply, async (onProgress) => {
      const result = await retryFailedEvents(store, request.params.sorId, onProgress);
      if (result.retried > 0) onRetry();
      return result;
    });
  });

  app.post<{ Params: { sorId: string } }>('/systems-of-record/:sorId/nodes/remap', async (request, reply) => {
    const sor = await systemsOfRecord.require(request.params.sorId);
    checkRemappable(sor.record.pushType);
    return run(request, reply, (onProgress) => remapSystemOfRecord(store, sor, publicUrl, onProgress));
  });

  app.delete<{ Params: { sorId: string } }>('/systems-of-record/:sorId/nodes', async (request, reply) => {
    const sor = await systemsOfRecord.require(request.params.sorId);
    return run(request, reply, (onProgress) => clearNodes(store, sor, publicUrl, onProgress));
  });
}

async function run<T>(request: FastifyRequest, reply: FastifyReply, work: (onProgress: ProgressListener) => Promise<T>) {
  if (!wantsProgress(request)) return { result: await work(() => undefined) };
  return streamProgress(request, reply, work);
}
