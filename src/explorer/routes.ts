import type { FastifyInstance } from 'fastify';
import type { AdminApiOptions } from '../http/admin-api.js';
import { badRequest, notFound } from '../http/problem.js';
import type { Template } from '../template/model.js';
import { presentNode } from './present-node.js';
import { parseEqualityFilter } from './simple-filter.js';

const MAX_PAGE = 1000;

/** Reading the graph: entity types with counts, nodes of an entity, one node with its children. */
export async function explorerRoutes(app: FastifyInstance, { store, systemsOfRecord }: AdminApiOptions) {
  app.get<{ Params: { sorId: string } }>('/systems-of-record/:sorId/entities', async (request) => {
    const { template } = await systemsOfRecord.require(request.params.sorId);
    const counts = await store.countNodes(request.params.sorId);
    return {
      items: Object.values(template.entities).map((entity) => ({
        id: entity.key,
        displayName: entity.displayName,
        ...(entity.parent ? { parent: entity.parent } : {}),
        count: counts[entity.key] ?? 0,
      })),
    };
  });

  app.get<{ Params: { sorId: string; entity: string }; Querystring: { filter?: string; count?: string; cursor?: string } }>(
    '/systems-of-record/:sorId/entities/:entity/nodes',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            filter: { type: 'string', maxLength: 2000 },
            count: { type: 'string', pattern: '^[0-9]{1,6}$' },
            cursor: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request) => {
      const { sorId, entity } = request.params;
      const { template } = await systemsOfRecord.require(sorId);
      requireEntity(template, entity, sorId);
      const limit = Math.min(Number(request.query.count ?? 100), MAX_PAGE);
      if (limit < 1) throw badRequest('"count" must be at least 1');
      if (request.query.filter !== undefined) {
        const filter = parseEqualityFilter(request.query.filter);
        if ('error' in filter) throw badRequest(filter.error, { title: 'Invalid filter' });
        const indexed = template.entities[entity]!.indexedAttributes;
        if (!indexed.includes(filter.attribute)) {
          throw badRequest(
            `attribute "${filter.attribute}" of ${entity} is not indexed; filter on one of: ${indexed.join(', ') || '(none)'}`,
            { title: 'Invalid filter' },
          );
        }
        const nodes = await store.findNodes(sorId, entity, filter.attribute, filter.value, { limit });
        return { items: nodes.map((n) => presentNode(n)) };
      }
      const page = await store.listNodes(sorId, entity, { limit, cursor: request.query.cursor });
      return { items: page.nodes.map((n) => presentNode(n)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  );

  app.get<{ Params: { sorId: string; entity: string; nodeId: string } }>(
    '/systems-of-record/:sorId/entities/:entity/nodes/:nodeId',
    async (request) => {
      const { sorId, entity, nodeId } = request.params;
      const { template } = await systemsOfRecord.require(sorId);
      requireEntity(template, entity, sorId);
      const node = await store.getNode(sorId, entity, nodeId);
      if (!node) throw notFound(`no ${entity} node with id "${nodeId}" in system of record "${sorId}"`);
      return presentNode(node, await store.getChildren(sorId, entity, nodeId));
    },
  );
}

function requireEntity(template: Template, entity: string, sorId: string): void {
  if (!template.entities[entity]) {
    throw notFound(
      `system of record "${sorId}" has no entity "${entity}"; its entities are ${Object.keys(template.entities).join(', ')}`,
    );
  }
}
