/**
 * The syntax tree of an RFC 7644 §3.4.2.2 filter. It is explicit on purpose: the evaluator walks it
 * against in-memory resources, and the storage layer translates it to SQL.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A `compValue`: a JSON string, number, `true`, `false` or `null`. */
export type ComparisonValue = string | number | boolean | null;

/**
 * An attribute path (`attrPath`) as written, e.g. `name.givenName` or
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
 * Attribute names and schema URIs match case-insensitively, so `normalized` holds the lower-case forms
 * to compare against; the written forms are kept for messages and for answering in the client's spelling.
 */
export interface AttrPath {
  /** The schema URI prefix, without the `:` that separates it from the attribute. */
  schema?: string;
  attribute: string;
  subAttribute?: string;
  normalized: {
    schema?: string;
    attribute: string;
    subAttribute?: string;
  };
}

/** `path op value`. Inside a value filter, `path` is relative to one element of the filtered attribute. */
export interface CompareFilter {
  kind: 'compare';
  path: AttrPath;
  op: ComparisonOperator;
  value: ComparisonValue;
}

/** `path pr`: the attribute has a non-empty value. */
export interface PresentFilter {
  kind: 'present';
  path: AttrPath;
}

/** `left and right`, `left or right`; chains are left-associative (`a and b and c` is `(a and b) and c`). */
export interface LogicalFilter {
  kind: 'and' | 'or';
  left: FilterNode;
  right: FilterNode;
}

/** `not (filter)`. */
export interface NotFilter {
  kind: 'not';
  filter: FilterNode;
}

/**
 * `path[filter]`, optionally followed by a sub-attribute test as Entra ID sends it:
 * `emails[type eq "work"].value eq "x"`. The resource matches when one and the same element of `path`
 * satisfies both `filter` and `subAttributeTest`.
 *
 * Paths inside `filter` and `subAttributeTest` are relative to the element: their `attribute` is the
 * sub-attribute's name (`type`, `value`) and they carry neither `schema` nor `subAttribute`.
 * Value filters do not nest (RFC 7644 §3.4.2.2), so `filter` contains no `valuePath` node.
 */
export interface ValuePathFilter {
  kind: 'valuePath';
  path: AttrPath;
  filter: FilterNode;
  subAttributeTest?: AttributeTest;
}

export type AttributeTest = CompareFilter | PresentFilter;

export type FilterNode = AttributeTest | LogicalFilter | NotFilter | ValuePathFilter;

export function attrPath(schema: string | undefined, attribute: string, subAttribute?: string): AttrPath {
  return {
    ...(schema === undefined ? {} : { schema }),
    attribute,
    ...(subAttribute === undefined ? {} : { subAttribute }),
    normalized: {
      ...(schema === undefined ? {} : { schema: schema.toLowerCase() }),
      attribute: attribute.toLowerCase(),
      ...(subAttribute === undefined ? {} : { subAttribute: subAttribute.toLowerCase() }),
    },
  };
}
