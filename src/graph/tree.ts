import type { AttributeValue, ScalarValue, Template } from '../template/model.js';
import type { NodeRef, NodeTree, WriteOptions } from './store.js';

/** One node of a tree, ready to be written as one row. */
export interface NodeRow {
  entity: string;
  id: string;
  /** Absent for the root of a tree: a replaced root keeps whatever parent it already had. */
  parent?: NodeRef;
  attributes: Record<string, AttributeValue>;
}

/** One row of the attribute index. */
export interface IndexRow {
  entity: string;
  nodeId: string;
  attribute: string;
  value: string;
  valueCi: string;
}

export function nodeKey(entity: string, id: string): string {
  return `${entity}\u0000${id}`;
}

/**
 * Flattens trees into rows, parents before their children. A node that occurs twice (in one tree or across a
 * batch) is written once, with its last content, so that set-based upserts never touch one row twice.
 */
export function flattenTrees(trees: readonly NodeTree[]): NodeRow[] {
  const rows = new Map<string, NodeRow>();
  const visit = (tree: NodeTree, parent: NodeRef | undefined): void => {
    const key = nodeKey(tree.entity, tree.id);
    const row: NodeRow = { entity: tree.entity, id: tree.id, attributes: tree.attributes };
    if (parent) row.parent = parent;
    rows.delete(key);
    rows.set(key, row);
    for (const child of tree.children) visit(child, { entity: tree.entity, id: tree.id });
  };
  for (const tree of trees) visit(tree, undefined);
  return [...rows.values()];
}

/** The text an attribute value is indexed under: strings as-is, numbers String(n), booleans 'true'/'false'. */
export function encodeIndexValue(value: ScalarValue): string {
  return typeof value === 'string' ? value : String(value);
}

/** Lower-cased in JavaScript, not SQL, so both backends fold case alike (SQLite's lower() is ASCII-only). */
export function foldCase(value: string): string {
  return value.toLowerCase();
}

/** Identifies an index row within its node (the rest of its key): the attribute and the encoded value. */
export function indexRowKey(attribute: string, value: string): string {
  return `${attribute}\u0000${value}`;
}

/** The index rows of one node: only the entity's indexed attributes, one row per distinct list element. */
export function indexRowsOf(row: NodeRow, indexedAttributes: WriteOptions['indexedAttributes']): IndexRow[] {
  const names = Object.hasOwn(indexedAttributes, row.entity) ? (indexedAttributes[row.entity] ?? []) : [];
  const result: IndexRow[] = [];
  for (const attribute of names) {
    if (!Object.hasOwn(row.attributes, attribute)) continue;
    const raw = row.attributes[attribute];
    const values = new Set((Array.isArray(raw) ? raw : [raw]).filter(isScalar).map(encodeIndexValue));
    for (const value of values) {
      result.push({ entity: row.entity, nodeId: row.id, attribute, value, valueCi: foldCase(value) });
    }
  }
  return result;
}

function isScalar(value: unknown): value is ScalarValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The nodes of a batch keyed for membership tests. */
export function rowKeys(rows: readonly NodeRow[]): Set<string> {
  return new Set(rows.map((row) => nodeKey(row.entity, row.id)));
}

/** The attribute index a template asks for: each entity's indexed attributes, keyed by entity key. */
export function indexedAttributesOf(template: Pick<Template, 'entities'>): WriteOptions['indexedAttributes'] {
  return Object.fromEntries(Object.values(template.entities).map((entity) => [entity.key, entity.indexedAttributes]));
}
