import { resourceHints, type AttributeHint, type ResourceType, type SchemaHints } from '../patch/index.js';
import { ENTERPRISE_USER_SCHEMA } from '../patch/index.js';
import { RESOURCE_TYPES } from '../resource-document.js';
import { MAX_COUNT, DEFAULT_COUNT } from '../list-query.js';
import { MAX_PAYLOAD_BYTES } from './parse.js';

export const MAX_BULK_OPERATIONS = 1000;
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** What this server supports, as RFC 7643 §5 and RFC 9865 §3 describe it. */
export function serviceProviderConfig(baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://github.com/pushgraph/pushgraph#scim-20-api-okta-entra-id-any-scim-client',
    patch: { supported: true },
    bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: MAX_PAYLOAD_BYTES },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: DEFAULT_COUNT, maxPageSize: MAX_COUNT },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'Push token', description: "The system of record's push token as an HTTP Bearer token", primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypeOf(type: ResourceType, baseUrl: string): Record<string, unknown> {
  const { schema, endpoint } = RESOURCE_TYPES[type];
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: type,
    name: type,
    endpoint: `/${endpoint}`,
    description: type === 'User' ? 'User Account' : 'Group',
    schema,
    ...(type === 'User' ? { schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }] } : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type}` },
  };
}

/** The schemas as this server applies them: built from the same table PATCH and filtering use. */
export function schemaDocuments(baseUrl: string): Record<string, unknown>[] {
  const user = resourceHints('User');
  const group = resourceHints('Group');
  return [
    schemaDocument(user.core, 'User', 'User Account', baseUrl),
    schemaDocument(user.extensions[0]!, 'EnterpriseUser', 'Enterprise User', baseUrl),
    schemaDocument(group.core, 'Group', 'Group', baseUrl),
  ];
}

const COMMON = new Set(['id', 'externalid', 'meta', 'schemas']);

function schemaDocument(schema: SchemaHints, name: string, description: string, baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id: schema.urn,
    name,
    description,
    attributes: schema.attributes.filter((hint) => !COMMON.has(hint.name.toLowerCase())).map((hint) => attributeDocument(hint, name)),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.urn}` },
  };
}

function attributeDocument(hint: AttributeHint, schemaName: string): Record<string, unknown> {
  const unique = (schemaName === 'User' && hint.name === 'userName') || (schemaName === 'Group' && hint.name === 'displayName');
  return {
    name: hint.name,
    type: hint.type,
    multiValued: hint.multiValued === true,
    description: hint.name,
    required: hint.required === true,
    caseExact: hint.caseExact === true,
    mutability: hint.readOnly ? 'readOnly' : hint.writeOnly ? 'writeOnly' : 'readWrite',
    returned: hint.writeOnly ? 'never' : 'default',
    uniqueness: unique ? 'server' : 'none',
    ...(hint.subAttributes ? { subAttributes: hint.subAttributes.map((sub) => attributeDocument(sub, '')) } : {}),
    ...(hint.type === 'reference' ? { referenceTypes: hint.name === '$ref' || hint.name === 'profileUrl' || hint.name === 'photos' ? ['external', 'User', 'Group'] : ['uri'] } : {}),
  };
}

export function listOf(resources: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [LIST_RESPONSE], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}
