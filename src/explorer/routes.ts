import type { FastifyInstance } from 'fastify';
import type { AdminApiOptions } from '../http/admin-api.js';
import { pageLimit } from '../http/page-limit.js';
import { badRequest, notFound } from '../http/problem.js';
import { InvalidFilterError } from '../scim/filter/index.js';
import type { EntityDef, Template } from '../template/model.js';
import { hasEntity } from '../template/entity-lookup.js';
import { MAX_DEPTH, MAX_NODES, neighbourhoodOf } from './neighbourhood.js';
import { nodeHistory } from './node-history.js';
import { resolveNodeRelationships } from './node-relationships.js';
import { searchNodes } from './node-search.js';
import { presentNode } from './present-node.js';

const MAX_PAGE = 1000;

type NodeParams = { Params: { sorId: string; entity: string; nodeId: string } };

/**
 * Reading the graph ("DataLens"): entity types with counts, node search with SCIM filters, a node with its
 * children and relationships, its neighbourhood to a depth, and its history in the event log.
 */
export async function explorerRoutes(app: FastifyInstance, { store, systemsOfRecord }: AdminApiOptions) {
  app.get<{ Params: { sorId: string } }>('/systems-of-record/:sorId/entities', async (request) => {
    const { template } = await systemsOfRecord.require(request.params.sorId);
    const counts = await store.countNodes(request.params.sorId);
    return {
      items: Object.values(template.entities).map((entity) => ({
        id: entity.key,
        displayName: entity.displayName,
        ...(entity.parent ? { parent: entity.parent } : {}),
        indexedAttributes: entity.indexedAttributes,
        attributes: entity.attributes.map((attribute) => attribute.name),
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
      const { template, record } = await systemsOfRecord.require(sorId);
      const entityDef = requireEntity(template, entity, sorId);
      const limit = pageLimit(request.query.count, { fallback: 100, max: MAX_PAGE });
      const { filter, cursor } = request.query;
      if (filter !== undefined && filter.trim() !== '') {
        const indexBuilds = record.indexBuilds && Object.hasOwn(record.indexBuilds, entity) ? record.indexBuilds[entity] : undefined;
        const found = await searchNodes(store, { sorId, entity: entityDef, indexBuilds, filter, limit, cursor }).catch(asBadFilter);
        return {
          items: found.nodes.map((n) => presentNode(n)),
          plan: found.plan,
          ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
          ...(found.truncated ? { truncated: true } : {}),
        };
      }
      const page = await store.listNodes(sorId, entity, { limit, cursor });
      return { items: page.nodes.map((n) => presentNode(n)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  );

  app.get<NodeParams>('/systems-of-record/:sorId/entities/:entity/nodes/:nodeId', async (request) => {
    const { sorId, entity, nodeId } = request.params;
    const { template } = await systemsOfRecord.require(sorId);
    const node = await requireNode(template, sorId, entity, nodeId);
    const [children, relationships] = await Promise.all([
      store.getChildren(sorId, entity, nodeId),
      resolveNodeRelationships(store, sorId, template, node),
    ]);
    // A PUT that drops an entity keeps its nodes (they come back with the entity) but hides them, children too.
    const shownChildren = children.filter((child) => hasEntity(template.entities, child.entity));
    return { ...presentNode(node, shownChildren), relationships };
  });

  app.get<NodeParams & { Querystring: { depth?: string; limit?: string } }>(
    '/systems-of-record/:sorId/entities/:entity/nodes/:nodeId/neighbours',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { depth: { type: 'string', pattern: '^[0-9]{1,2}$' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
        },
      },
    },
    async (request) => {
      const { sorId, entity, nodeId } = request.params;
      const depth = Number(request.query.depth ?? 1);
      const limit = Number(request.query.limit ?? 100);
      if (depth < 1 || depth > MAX_DEPTH) throw badRequest(`"depth" must be between 1 and ${MAX_DEPTH}`);
      if (limit < 1 || limit > MAX_NODES) throw badRequest(`"limit" must be between 1 and ${MAX_NODES}`);
      const { template } = await systemsOfRecord.require(sorId);
      const node = await requireNode(template, sorId, entity, nodeId);
      return neighbourhoodOf(store, sorId, template, node, depth, limit);
    },
  );

  app.get<NodeParams & { Querystring: { count?: string; cursor?: string } }>(
    '/systems-of-record/:sorId/entities/:entity/nodes/:nodeId/history',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { count: { type: 'string', pattern: '^[0-9]{1,4}$' }, cursor: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (request) => {
      const { sorId, entity, nodeId } = request.params;
      const { template } = await systemsOfRecord.require(sorId);
      const node = await requireNode(template, sorId, entity, nodeId);
      const limit = pageLimit(request.query.count, { fallback: 50, max: 500 });
      return nodeHistory(store, sorId, node, { limit, cursor: request.query.cursor });
    },
  );

  async function requireNode(template: Template, sorId: string, entity: string, nodeId: string) {
    requireEntity(template, entity, sorId);
    const node = await store.getNode(sorId, entity, nodeId);
    if (!node) throw notFound(`no ${entity} node with id "${nodeId}" in system of record "${sorId}"`);
    return node;
  }
}

function requireEntity(template: Template, entity: string, sorId: string): EntityDef {
  const found = Object.hasOwn(template.entities, entity) ? template.entities[entity] : undefined;
  if (!found) {
    throw notFound(
      `system of record "${sorId}" has no entity "${entity}"; its entities are ${Object.keys(template.entities).join(', ')}`,
    );
  }
  return found;
}

function asBadFilter(error: unknown): never {
  if (error instanceof InvalidFilterError) {
    const position = (error as { position?: number }).position;
    throw badRequest(error.message, { title: 'Invalid filter', ...(position === undefined ? {} : { position }) });
  }
  throw error;
}
