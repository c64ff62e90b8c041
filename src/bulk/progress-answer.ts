import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { throttled, type ProgressListener } from './progress.js';

const NDJSON = 'application/x-ndjson';

/** Long operations stream their progress to clients that ask for it with `Accept: application/x-ndjson`. */
export function wantsProgress(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes(NDJSON);
}

/**
 * Answers at once and streams progress as JSON lines (`{"operation","done","total"}`), ending with
 * `{"result": …}` or `{"error": …}`. Progress lives in the answer, so no instance keeps state.
 */
export function streamProgress<T>(request: FastifyRequest, reply: FastifyReply, work: (onProgress: ProgressListener) => Promise<T>) {
  const stream = new PassThrough();
  const write = (line: unknown) => stream.write(`${JSON.stringify(line)}\n`);
  work(throttled(write))
    .then((result) => write({ result }))
    .catch((error: unknown) => {
      request.log.error({ err: error }, 'bulk operation failed');
      write({ error: 'the operation failed; what was done so far stays done. See the service log.' });
    })
    .finally(() => stream.end());
  return reply.type(NDJSON).header('cache-control', 'no-store').send(stream);
}
