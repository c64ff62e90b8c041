/*
 * Maps a pushed document (a SCIM resource or a SET) to a node tree. Hand-written rather than taken from a
 * library: evaluating template paths, converting values and identifying child nodes is pushgraph's own
 * logic, following SGNL's rules.
 */
import type { JSONPathQuery, JSONValue } from 'json-p3';
import { childNodeId } from '../graph/child-ids.js';
import type { NodeTree } from '../graph/store.js';
import type { AttributeDef, AttributeValue, EntityDef, ScalarValue, Template } from '../template/model.js';
import { EXPECTED, convertValue } from './convert.js';
import {
  missingId,
  multipleValues,
  noUniqueId,
  notAnObject,
  unknownEntity,
  wrongType,
  type Found,
  type MappingError,
} from './errors.js';

export type { MappingError } from './errors.js';

export type MappingResult = { ok: true; node: NodeTree } | { ok: false; errors: MappingError[] };

export interface MappingOptions {
  /**
   * A child element without a value for its entity's uniqueId cannot be keyed. `refuse` (the default) reports
   * it; `skip` leaves it out of the tree, for SCIM resources where such an element is valid (an e-mail whose
   * `value` was removed) and simply has no node.
   */
  unkeyedChildren?: 'refuse' | 'skip';
}

/** How a node is identified: a top-level node by its uniqueId, a child also by its parent and position. */
interface Identity {
  parent?: { id: string; isChild: boolean; position: number };
}

export function mapEntity(template: Template, entityKey: string, document: unknown, options: MappingOptions = {}): MappingResult {
  const entity = Object.hasOwn(template.entities, entityKey) ? template.entities[entityKey] : undefined;
  if (entity === undefined) return { ok: false, errors: [unknownEntity(entityKey)] };
  const mapper = new DocumentMapper(template, options.unkeyedChildren ?? 'refuse');
  const node = mapper.node(entity, { value: document, location: [] }, {});
  return node !== undefined && mapper.errors.length === 0 ? { ok: true, node } : { ok: false, errors: mapper.errors };
}

/** Maps one document, collecting every error instead of stopping at the first. */
class DocumentMapper {
  readonly errors: MappingError[] = [];

  constructor(
    private readonly template: Template,
    private readonly unkeyedChildren: 'refuse' | 'skip',
  ) {}

  node(entity: EntityDef, scope: Found, identity: Identity): NodeTree | undefined {
    const failed = new Set<string>();
    const attributes: Record<string, AttributeValue> = {};
    for (const attribute of entity.attributes) {
      const errorCount = this.errors.length;
      const value = this.attribute(entity, attribute, scope);
      if (this.errors.length > errorCount) failed.add(attribute.name);
      if (value !== undefined) attributes[attribute.name] = value;
    }
    const id = this.nodeId(entity, attributes, scope, identity, failed);
    if (id === undefined) return undefined;
    const parent = { id, isChild: identity.parent !== undefined };
    const children = this.childEntities(entity).flatMap((child) => this.children(child, scope, parent));
    return { entity: entity.key, id, attributes, children };
  }

  /**
   * A uniqueId that failed to convert is already reported; it is not reported again as missing. A child
   * without one is left out when unkeyed children are skipped.
   */
  private nodeId(
    entity: EntityDef,
    attributes: Record<string, AttributeValue>,
    scope: Found,
    identity: Identity,
    failed: Set<string>,
  ): string | undefined {
    const uniqueId = entity.attributes.find((a) => a.name === entity.uniqueIdAttribute);
    if (uniqueId === undefined) {
      if (identity.parent !== undefined) return childNodeId(identity.parent, identity.parent.position);
      this.errors.push(noUniqueId(entity, scope));
      return undefined;
    }
    const value = attributes[uniqueId.name];
    if (value === undefined) {
      const skipped = identity.parent !== undefined && this.unkeyedChildren === 'skip';
      if (!failed.has(uniqueId.name) && !skipped) this.errors.push(missingId(entity, uniqueId, scope));
      return undefined;
    }
    return identity.parent === undefined ? String(value) : childNodeId(identity.parent, String(value));
  }

  private childEntities(parent: EntityDef): EntityDef[] {
    return Object.values(this.template.entities).filter((entity) => entity.parent === parent.key);
  }

  /** Later elements with the same id replace earlier ones. */
  private children(child: EntityDef, scope: Found, parent: { id: string; isChild: boolean }): NodeTree[] {
    const byId = new Map<string, NodeTree>();
    this.elements(child, scope).forEach((element, position) => {
      const node = this.node(child, element, { parent: { ...parent, position } });
      if (node !== undefined) byId.set(node.id, node);
    });
    return [...byId.values()];
  }

  /** Every matched list contributes its elements and every matched object itself; nulls are dropped. */
  private elements(child: EntityDef, scope: Found): Found[] {
    if (child.path === undefined) return [];
    const elements: Found[] = [];
    for (const found of flattenLists(evaluate(child.path.query, scope))) {
      if (found.value === null) continue;
      if (isObject(found.value)) elements.push(found);
      else this.errors.push(notAnObject(child, found));
    }
    return elements;
  }

  private attribute(entity: EntityDef, attribute: AttributeDef, scope: Found): AttributeValue | undefined {
    const matches = evaluate(attribute.path.query, scope).filter((match) => match.value !== null);
    if (matches.length === 0) return undefined;
    if (attribute.list) return this.list(entity, attribute, matches);
    if (matches.length > 1) {
      this.errors.push(multipleValues(entity, attribute, matches));
      return undefined;
    }
    return this.convert(entity, attribute, matches[0] as Found);
  }

  /** Matched lists are flattened one level; each element must be a scalar of the attribute's type. */
  private list(entity: EntityDef, attribute: AttributeDef, matches: Found[]): ScalarValue[] {
    const values: ScalarValue[] = [];
    for (const element of flattenLists(matches)) {
      if (element.value === null) continue;
      const value = this.convert(entity, attribute, element);
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  private convert(entity: EntityDef, attribute: AttributeDef, found: Found): ScalarValue | undefined {
    const conversion = isScalar(found.value) ? convertValue(attribute.type, found.value) : undefined;
    if (conversion?.ok) return conversion.value;
    this.errors.push(wrongType(entity, attribute, found, conversion?.expected ?? EXPECTED[attribute.type]));
    return undefined;
  }
}

function evaluate(query: JSONPathQuery, scope: Found): Found[] {
  return query.query(scope.value as JSONValue).nodes.map((node) => ({
    value: node.value,
    location: [...scope.location, ...node.location],
  }));
}

function flattenLists(matches: Found[]): Found[] {
  return matches.flatMap((match) =>
    Array.isArray(match.value)
      ? match.value.map((value: unknown, index) => ({ value, location: [...match.location, index] }))
      : [match],
  );
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
