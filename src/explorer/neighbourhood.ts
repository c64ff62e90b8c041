import { relationshipsOf, resolveRelationshipFrom } from '../graph/relationships.js';
import type { EntityNode, GraphStore, NodeRef } from '../graph/store.js';
import { nodeKey } from '../graph/tree.js';
import type { Template } from '../template/model.js';
import { hasEntity } from '../template/entity-lookup.js';
import { nodeLabel } from './node-label.js';

export const MAX_DEPTH = 4;
export const MAX_NODES = 500;

export interface NeighbourhoodNode extends NodeRef {
  label: string;
  /** Steps from the start node. */
  depth: number;
}

/** An edge as the relationship reads Forward: `from` is where the relationship starts. */
export interface NeighbourhoodEdge {
  from: NodeRef;
  to: NodeRef;
  relationship: string;
  label: string;
}

export interface Neighbourhood {
  nodes: NeighbourhoodNode[];
  edges: NeighbourhoodEdge[];
  /** Some neighbours were left out to keep within `limit`. */
  truncated: boolean;
}

/**
 * The nodes within `depth` steps of a start node, over every relationship of the template and the parent/child
 * links of child entities, breadth first, at most `limit` nodes. Each level costs one batched read per
 * relationship and entity, not one per node.
 */
export async function neighbourhoodOf(
  store: GraphStore,
  sorId: string,
  template: Template,
  start: EntityNode,
  depth: number,
  limit: number,
): Promise<Neighbourhood> {
  const nodes = new Map<string, NeighbourhoodNode>([[keyOf(start), { entity: start.entity, id: start.id, label: nodeLabel(start), depth: 0 }]]);
  const edges = new Map<string, NeighbourhoodEdge>();
  let truncated = false;
  let frontier: EntityNode[] = [start];
  for (let level = 1; level <= depth && frontier.length > 0; level++) {
    const links = await linksFrom(store, sorId, template, frontier);
    const next: EntityNode[] = [];
    for (const link of links) {
      const key = keyOf(link.to);
      if (!nodes.has(key)) {
        if (nodes.size >= limit) {
          truncated = true;
          continue;
        }
        nodes.set(key, { entity: link.to.entity, id: link.to.id, label: nodeLabel(link.to), depth: level });
        next.push(link.to);
      }
      const edge = link.forward
        ? { from: ref(link.from), to: ref(link.to), relationship: link.relationship, label: link.label }
        : { from: ref(link.to), to: ref(link.from), relationship: link.relationship, label: link.label };
      edges.set(`${edge.relationship}\u0000${keyOf(edge.from)}\u0000${keyOf(edge.to)}`, edge);
    }
    frontier = next;
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}

interface Link {
  from: EntityNode;
  to: EntityNode;
  relationship: string;
  label: string;
  /** Whether from→to is the relationship's Forward direction. */
  forward: boolean;
}

async function linksFrom(store: GraphStore, sorId: string, template: Template, frontier: EntityNode[]): Promise<Link[]> {
  const byKey = new Map(frontier.map((node) => [keyOf(node), node]));
  const entities = [...new Set(frontier.map((node) => node.entity))];
  const followed = entities.flatMap((entity) =>
    relationshipsOf(template, entity).map(async ({ relationship, direction }) => {
      const from = frontier.filter((node) => node.entity === entity);
      const reached = await resolveRelationshipFrom(store, sorId, template, relationship.key, from, direction);
      return [...reached].flatMap(([key, targets]) =>
        targets.map((to) => ({
          from: byKey.get(key)!,
          to,
          relationship: relationship.key,
          label: relationship.displayName ?? relationship.name,
          forward: direction === 'Forward',
        })),
      );
    }),
  );
  const links = (await Promise.all([...followed, parentLinks(store, sorId, template, frontier)])).flat();
  return links.filter((link) => link.from !== undefined);
}

/** Children and parents of child entities that no parentChild relationship of the template covers. */
async function parentLinks(store: GraphStore, sorId: string, template: Template, frontier: EntityNode[]): Promise<Link[]> {
  const covered = new Set(
    Object.values(template.relationships).flatMap((r) => (r.kind === 'parentChild' ? [r.childEntity] : [])),
  );
  const uncovered = (entity: string) => !covered.has(entity) && !covered.has(template.entities[entity]?.externalId ?? entity);
  const byKey = new Map(frontier.map((node) => [keyOf(node), node]));
  const [children, parents] = await Promise.all([
    store.getChildrenOfMany(sorId, frontier),
    store.getNodes(sorId, frontier.flatMap((node) => (node.parent && uncovered(node.entity) ? [node.parent] : []))),
  ]);
  const parentsByKey = new Map(parents.map((parent) => [keyOf(parent), parent]));
  const links: Link[] = [];
  for (const child of children) {
    const parent = child.parent && byKey.get(nodeKey(child.parent.entity, child.parent.id));
    if (parent && uncovered(child.entity) && hasEntity(template.entities, child.entity)) links.push({ from: parent, to: child, relationship: 'parent', label: 'parent of', forward: true });
  }
  for (const node of frontier) {
    const parent = node.parent && parentsByKey.get(nodeKey(node.parent.entity, node.parent.id));
    if (parent) links.push({ from: node, to: parent, relationship: 'parent', label: 'parent of', forward: false });
  }
  return links;
}

function keyOf(node: NodeRef): string {
  return nodeKey(node.entity, node.id);
}

function ref(node: NodeRef): NodeRef {
  return { entity: node.entity, id: node.id };
}
