import type { JSONPathQuery } from 'json-p3';

/** The value types a template attribute can declare, after aliases (Integer, Boolean, Date, Float) are folded in. */
export type AttributeType = 'String' | 'Int64' | 'Double' | 'Bool' | 'DateTime' | 'Duration';

/**
 * A typed attribute value as stored in the graph: String, DateTime (RFC 3339, UTC) and Duration (ISO 8601)
 * are strings; Int64 and Double are numbers; Bool is a boolean. A list attribute holds an array of them.
 */
export type ScalarValue = string | number | boolean;
export type AttributeValue = ScalarValue | ScalarValue[];

/** A pushExternalId expression compiled once at load time. */
export interface CompiledPath {
  /** The expression as written in the template. */
  source: string;
  /** The RFC 9535 form actually evaluated (a bare name `userName` becomes `$['userName']`). */
  normalized: string;
  query: JSONPathQuery;
}

export interface AttributeDef {
  name: string;
  externalId: string;
  /** The expression used for push; falls back to externalId for templates written for polling. */
  pushExternalId: string;
  description?: string;
  type: AttributeType;
  /** The type as written, when it was an alias (e.g. `Boolean`). */
  declaredType: string;
  indexed: boolean;
  uniqueId: boolean;
  list: boolean;
  attributeAlias?: string;
  path: CompiledPath;
}

export interface EntityDef {
  /** The key in the template's `entities` map (`User`). */
  key: string;
  displayName?: string;
  externalId: string;
  pushExternalId: string;
  description?: string;
  /** The parent entity's key, resolved from either its key or its externalId. */
  parent?: string;
  pageSize?: number;
  pagesOrderedById?: boolean;
  entityAlias?: string;
  attributes: AttributeDef[];
  /**
   * For a child entity: the expression selecting its list of objects. A top-level entity's pushExternalId
   * names a resource type (`Users`), not a path, so it has none.
   */
  path?: CompiledPath;
  /** The attribute that identifies a node; absent only for a child identified by its position. */
  uniqueIdAttribute?: string;
  /**
   * Attributes the store keeps an index for: those marked `indexed` or `uniqueId`, and those that a
   * direct relationship joins on.
   */
  indexedAttributes: string[];
}

export type RelationshipDirection = 'Forward' | 'Backward';

export interface AttributeRef {
  entity: string;
  attribute: string;
}

export type RelationshipDef =
  | { kind: 'direct'; key: string; name: string; displayName?: string; from: AttributeRef; to: AttributeRef }
  | {
      kind: 'path';
      key: string;
      name: string;
      displayName?: string;
      steps: { relationship: string; direction: RelationshipDirection }[];
    }
  | { kind: 'parentChild'; key: string; name: string; displayName?: string; parentEntity: string; childEntity: string };

/** SGNL's push types: `SCIM` is SCIM events (SETs), `SCIM2.0` the SCIM 2.0 API; others are kept as written. */
export type PushType = 'SCIM' | 'SCIM2.0' | (string & {});

export interface Template {
  displayName: string;
  description?: string;
  hostname?: string;
  icon?: string;
  type?: string;
  pushType?: PushType;
  deliveryMethod?: string;
  defaultSyncFrequency?: string;
  defaultSyncMinInterval?: number;
  defaultApiCallFrequency?: string;
  defaultApiCallMinInterval?: number;
  adapterConfig?: string;
  auth?: unknown[];
  entities: Record<string, EntityDef>;
  relationships: Record<string, RelationshipDef>;
  /** The template document as it was given (parsed YAML), kept so it can be shown and stored unchanged. */
  source: unknown;
}

/** One problem found in a template, with its place (`entities.User.attributes[2].type`) and a plain reason. */
export interface TemplateProblem {
  place: string;
  message: string;
}

export class TemplateError extends Error {
  constructor(readonly problems: TemplateProblem[]) {
    super(
      `the template has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ` +
        problems.map((p) => `${p.place}: ${p.message}`).join('; '),
    );
    this.name = 'TemplateError';
  }
}
