import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../graph/store.js';

export async function healthRoutes(app: FastifyInstance, { store }: { store: GraphStore }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready', store: store.kind };
    } catch (error) {
      request.log.warn({ err: error }, 'store unreachable');
      return reply.code(503).send({ status: 'unavailable', store: store.kind, detail: 'the store cannot be reached' });
    }
  });
}
