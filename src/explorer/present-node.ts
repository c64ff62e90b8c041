import type { EntityNode } from '../graph/store.js';

export function presentNode(node: EntityNode, children?: EntityNode[]) {
  const view: Record<string, unknown> = {
    entity: node.entity,
    id: node.id,
    attributes: node.attributes,
  };
  if (node.parent) view.parent = node.parent;
  if (children) {
    const grouped: Record<string, ReturnType<typeof presentNode>[]> = {};
    for (const child of children) (grouped[child.entity] ??= []).push(presentNode(child));
    view.children = grouped;
  }
  view.createdAt = node.createdAt;
  view.updatedAt = node.updatedAt;
  if (node.lastEventId !== undefined) view.lastEventId = node.lastEventId;
  if (node.changedUpstreamAt !== undefined) view.changedUpstreamAt = node.changedUpstreamAt;
  return view;
}
