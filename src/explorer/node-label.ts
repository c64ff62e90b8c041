import type { EntityNode, NodeRef } from '../graph/store.js';

/** Attributes that name a node for people, in order of preference. */
const LABEL_ATTRIBUTES = ['displayName', 'name', 'userName', 'display', 'title', 'email', 'value', 'externalId'];

/** A short name for a node in lists and pictures: a naming attribute when it has one, else its id. */
export function nodeLabel(node: EntityNode): string {
  for (const wanted of LABEL_ATTRIBUTES) {
    const name = Object.keys(node.attributes).find((attribute) => attribute.toLowerCase() === wanted.toLowerCase());
    const value = name === undefined ? undefined : node.attributes[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return node.id;
}

export interface NodeLink extends NodeRef {
  label: string;
}

export function linkTo(node: EntityNode): NodeLink {
  return { entity: node.entity, id: node.id, label: nodeLabel(node) };
}
