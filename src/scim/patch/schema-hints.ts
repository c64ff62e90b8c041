/**
 * What PATCH needs to know about the User (RFC 7643 §4.1, enterprise extension §4.3) and Group (§4.2)
 * schemas: proper casing, which attributes are multi-valued, boolean, read-only or required, and which
 * string sub-attributes compare case-exactly in value filters. A small table, not the /Schemas documents.
 */

export type AttributeType = 'string' | 'boolean' | 'integer' | 'decimal' | 'dateTime' | 'reference' | 'binary' | 'complex';

export interface AttributeHint {
  name: string;
  type: AttributeType;
  multiValued?: boolean;
  readOnly?: boolean;
  required?: boolean;
  caseExact?: boolean;
  subAttributes?: readonly AttributeHint[];
  /** Entra ID sends the enterprise `manager` as the manager's id alone; it is stored as `{value}`. */
  acceptsBareValue?: boolean;
  /** A reference to another resource: values are the same when their `value`s (ids) are equal. */
  identifiedByValue?: boolean;
  /** Mutability writeOnly, returned never (RFC 7643 §7): a secret such as `password`, never shown again. */
  writeOnly?: boolean;
}

export interface SchemaHints {
  urn: string;
  attributes: readonly AttributeHint[];
}

export interface ResourceHints {
  core: SchemaHints;
  extensions: readonly SchemaHints[];
}

export type ResourceType = 'User' | 'Group';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const text = (name: string): AttributeHint => ({ name, type: 'string' });

const PLURAL_SUB_ATTRIBUTES: readonly AttributeHint[] = [
  text('value'),
  text('display'),
  text('type'),
  { name: 'primary', type: 'boolean' },
];

const plural = (name: string, value: AttributeType = 'string'): AttributeHint => ({
  name,
  type: 'complex',
  multiValued: true,
  subAttributes: [{ name: 'value', type: value }, ...PLURAL_SUB_ATTRIBUTES.slice(1)],
});

/** `id`, `externalId`, `meta` and `schemas`, common to every resource (RFC 7643 §3.1). */
const COMMON: readonly AttributeHint[] = [
  { name: 'schemas', type: 'reference', multiValued: true, caseExact: true },
  { name: 'id', type: 'string', readOnly: true, caseExact: true },
  { name: 'externalId', type: 'string', caseExact: true },
  {
    name: 'meta',
    type: 'complex',
    readOnly: true,
    subAttributes: [
      text('resourceType'),
      { name: 'created', type: 'dateTime' },
      { name: 'lastModified', type: 'dateTime' },
      { name: 'location', type: 'reference' },
      text('version'),
    ],
  },
];

/** Sub-attributes of references to other resources (RFC 7643 §8.7.1: only `$ref` is caseExact). */
const REFERENCE_SUB_ATTRIBUTES: readonly AttributeHint[] = [
  text('value'),
  { name: '$ref', type: 'reference', caseExact: true },
  text('display'),
  text('type'),
];

const USER: SchemaHints = {
  urn: USER_SCHEMA,
  attributes: [
    ...COMMON,
    { name: 'userName', type: 'string', required: true },
    {
      name: 'name',
      type: 'complex',
      subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map(text),
    },
    ...['displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'].map(text),
    { name: 'profileUrl', type: 'reference' },
    { name: 'active', type: 'boolean' },
    { name: 'password', type: 'string', caseExact: true, writeOnly: true },
    plural('emails'),
    plural('phoneNumbers'),
    plural('ims'),
    plural('photos', 'reference'),
    {
      name: 'addresses',
      type: 'complex',
      multiValued: true,
      subAttributes: [
        ...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map(text),
        { name: 'primary', type: 'boolean' },
      ],
    },
    {
      name: 'groups',
      type: 'complex',
      multiValued: true,
      readOnly: true,
      identifiedByValue: true,
      subAttributes: REFERENCE_SUB_ATTRIBUTES,
    },
    plural('entitlements'),
    plural('roles'),
    plural('x509Certificates', 'binary'),
  ],
};

const ENTERPRISE_USER: SchemaHints = {
  urn: ENTERPRISE_USER_SCHEMA,
  attributes: [
    ...['employeeNumber', 'costCenter', 'organization', 'division', 'department'].map(text),
    {
      name: 'manager',
      type: 'complex',
      acceptsBareValue: true,
      identifiedByValue: true,
      subAttributes: [text('value'), { name: '$ref', type: 'reference', caseExact: true }, text('displayName')],
    },
  ],
};

const GROUP: SchemaHints = {
  urn: GROUP_SCHEMA,
  attributes: [
    ...COMMON,
    { name: 'displayName', type: 'string', required: true },
    { name: 'members', type: 'complex', multiValued: true, identifiedByValue: true, subAttributes: REFERENCE_SUB_ATTRIBUTES },
  ],
};

const RESOURCE_HINTS: Readonly<Record<ResourceType, ResourceHints>> = {
  User: { core: USER, extensions: [ENTERPRISE_USER] },
  Group: { core: GROUP, extensions: [] },
};

export const CORE_SCHEMAS: readonly string[] = [USER_SCHEMA, GROUP_SCHEMA];

export function resourceHints(resourceType: ResourceType): ResourceHints {
  return RESOURCE_HINTS[resourceType];
}

/** The names, in lower case, of every write-only attribute and sub-attribute of Users and Groups. */
export const WRITE_ONLY_ATTRIBUTES: ReadonlySet<string> = new Set(
  Object.values(RESOURCE_HINTS)
    .flatMap((hints) => [hints.core, ...hints.extensions])
    .flatMap((schema) => writeOnlyNames(schema.attributes)),
);

function writeOnlyNames(attributes: readonly AttributeHint[]): string[] {
  return attributes.flatMap((hint) => [...(hint.writeOnly ? [hint.name.toLowerCase()] : []), ...writeOnlyNames(hint.subAttributes ?? [])]);
}

export function findHint(hints: readonly AttributeHint[] | undefined, name: string): AttributeHint | undefined {
  const lower = name.toLowerCase();
  return hints?.find((hint) => hint.name.toLowerCase() === lower);
}

/** The attributes of the schema `urn` (the core schema when undefined); undefined for unknown extensions. */
export function schemaAttributes(hints: ResourceHints, urn: string | undefined): readonly AttributeHint[] | undefined {
  if (urn === undefined) return hints.core.attributes;
  const lower = urn.toLowerCase();
  return hints.extensions.find((extension) => extension.urn.toLowerCase() === lower)?.attributes;
}

/**
 * The extension an attribute named without a schema URN belongs to: the one extension that has it, when the
 * core schema does not (clients send `department` or `manager` unprefixed; RFC 7644 §3.10 lets a server
 * resolve a name that only one of the resource's schemas defines).
 */
export function extensionOwning(hints: ResourceHints, attribute: string): string | undefined {
  if (findHint(hints.core.attributes, attribute) !== undefined) return undefined;
  const owners = hints.extensions.filter((extension) => findHint(extension.attributes, attribute) !== undefined);
  return owners.length === 1 ? owners[0]!.urn : undefined;
}
