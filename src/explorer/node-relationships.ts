import { relationshipsOf, resolveRelationshipFrom } from '../graph/relationships.js';
import type { EntityNode, GraphStore } from '../graph/store.js';
import { nodeKey } from '../graph/tree.js';
import type { RelationshipDirection, Template } from '../template/model.js';
import { linkTo, type NodeLink } from './node-label.js';

/** Most neighbours listed per relationship on a node page; `total` still counts them all. */
export const MAX_LINKS_PER_RELATIONSHIP = 1000;

export interface RelationshipView {
  key: string;
  name: string;
  displayName?: string;
  kind: 'direct' | 'path' | 'parentChild';
  direction: RelationshipDirection;
  toEntity: string;
  total: number;
  nodes: NodeLink[];
}

/**
 * Every relationship of the template that starts or ends at the node's entity, resolved in both directions.
 * Each is followed from the node with batched reads (one query per relationship step, however many
 * neighbours), and all of them at once.
 */
export async function resolveNodeRelationships(
  store: GraphStore,
  sorId: string,
  template: Template,
  node: EntityNode,
): Promise<RelationshipView[]> {
  const start = nodeKey(node.entity, node.id);
  return Promise.all(
    relationshipsOf(template, node.entity).map(async ({ relationship, direction, toEntity }) => {
      const reached = await resolveRelationshipFrom(store, sorId, template, relationship.key, [node], direction);
      const nodes = reached.get(start) ?? [];
      const view: RelationshipView = {
        key: relationship.key,
        name: relationship.name,
        kind: relationship.kind,
        direction,
        toEntity,
        total: nodes.length,
        nodes: nodes.slice(0, MAX_LINKS_PER_RELATIONSHIP).map(linkTo),
      };
      if (relationship.displayName !== undefined) view.displayName = relationship.displayName;
      return view;
    }),
  );
}
