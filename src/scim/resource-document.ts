import { describeJsonKind, isJsonObject, type JsonObject } from './patch/json.js';
import { PatchError } from './patch/patch-error.js';
import { ENTERPRISE_USER_SCHEMA, findHint, resourceHints, type ResourceType } from './patch/schema-hints.js';
import { normalizeSingleValue, normalizeValues } from './patch/values.js';
import type { ScimMemberRecord } from '../graph/scim-resources.js';
import { badRequest } from './scim-error.js';

/** The core schema URN and the attribute that names a resource of each type. */
export const RESOURCE_TYPES = {
  User: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', endpoint: 'Users', nameAttribute: 'userName' },
  Group: { schema: 'urn:ietf:params:scim:schemas:core:2.0:Group', endpoint: 'Groups', nameAttribute: 'displayName' },
} as const;

/** Bounded so that the case-folded copy fits a B-tree entry on PostgreSQL. */
const MAX_NAME_LENGTH = 1024;
/** Server-assigned or derived: ignored when a client sends them (RFC 7643 §2.2 readOnly). */
const READ_ONLY = new Set(['id', 'meta', 'groups']);

/** A resource as a client wrote it, checked and in the schemas' spelling, ready to be stored. */
export interface IncomingResource {
  document: JsonObject;
  name: string;
  externalId?: string;
  /** A Group's members, kept apart from the document. */
  members?: ScimMemberRecord[];
}

/**
 * Checks and normalizes a User or Group body (POST, PUT, or the result of a PATCH): attribute names take the
 * schemas' casing so stored documents can be queried by path, booleans sent as "True"/"False" (Entra ID)
 * become booleans, read-only attributes are dropped, and `password` is never stored.
 */
export function readResource(type: ResourceType, body: unknown, id: string): IncomingResource {
  if (!isJsonObject(body)) throw badRequest('invalidSyntax', `the body must be a JSON object (a SCIM ${type})`);
  const hints = resourceHints(type);
  const document: JsonObject = { schemas: schemasOf(type, body), id };
  let members: ScimMemberRecord[] | undefined;
  const core = RESOURCE_TYPES[type].schema.toLowerCase();
  // Core attributes nested under the core schema URN are read as if written at the top (RFC 7644 §3.10 lets
  // clients qualify names with it), so a stored document never holds an object named after the core schema.
  const nested = Object.entries(body).find(([key]) => key.toLowerCase() === core)?.[1];
  if (nested !== undefined && !isJsonObject(nested)) throw badRequest('invalidValue', `${RESOURCE_TYPES[type].schema} must be an object of ${type} attributes`);
  const entries = [...Object.entries(body).filter(([key]) => key.toLowerCase() !== core), ...Object.entries(nested ?? {})];
  try {
    for (const [key, value] of entries) {
      const lower = key.toLowerCase();
      // The password is never stored, but a wrong type is refused as PATCH refuses it (without repeating it).
      if (lower === 'password' && value !== null && typeof value !== 'string') {
        throw badRequest('invalidValue', `password expects a string, found ${describeJsonKind(value)}`);
      }
      if (READ_ONLY.has(lower) || lower === 'schemas' || lower === 'password' || value === null) continue;
      if (type === 'Group' && lower === 'members') {
        members = readMembers(value);
        continue;
      }
      const extension = hints.extensions.find((schema) => schema.urn.toLowerCase() === lower);
      if (extension) {
        if (!isJsonObject(value)) throw badRequest('invalidValue', `${extension.urn} must be an object`);
        document[extension.urn] = normalizeObject(extension.attributes, value, extension.urn);
        continue;
      }
      const hint = findHint(hints.core.attributes, key);
      document[hint?.name ?? key] = hint?.multiValued ? normalizeValues(hint, value, key) : normalizeSingleValue(hint, value, key);
    }
  } catch (error) {
    if (error instanceof PatchError) throw badRequest('invalidValue', error.detail);
    throw error;
  }
  const { nameAttribute } = RESOURCE_TYPES[type];
  const name = document[nameAttribute];
  if (typeof name !== 'string' || name.trim() === '') throw badRequest('invalidValue', `"${nameAttribute}" is required and must be a non-empty string`);
  if (name.length > MAX_NAME_LENGTH) throw badRequest('invalidValue', `"${nameAttribute}" is longer than ${MAX_NAME_LENGTH} characters`);
  const externalId = document.externalId;
  if (externalId !== undefined && typeof externalId !== 'string') throw badRequest('invalidValue', '"externalId" must be a string');
  if (ENTERPRISE_USER_SCHEMA in document && !(document.schemas as string[]).includes(ENTERPRISE_USER_SCHEMA)) {
    (document.schemas as string[]).push(ENTERPRISE_USER_SCHEMA);
  }
  return { document, name, ...(externalId === undefined ? {} : { externalId }), ...(members === undefined ? {} : { members }) };
}

/**
 * Lenient: a missing core schema is added (some clients leave `schemas` out of a PUT); URNs keep their spelling.
 * An extension this service has no schema for is kept while the body carries its object (stored like any
 * attribute it does not know) and dropped when the body only lists it: Entra ID's Create Group lists Microsoft's
 * `…/ADSCIM/2.0/Group` extension without carrying it, and refusing that refused every group.
 */
function schemasOf(type: ResourceType, body: JsonObject): string[] {
  const given = body.schemas;
  if (given !== undefined && (!Array.isArray(given) || !given.every((schema) => typeof schema === 'string'))) {
    throw badRequest('invalidSyntax', '"schemas" must be an array of schema URIs');
  }
  const core = RESOURCE_TYPES[type].schema;
  const schemas = (given ?? []).map((schema) => (schema.toLowerCase() === core.toLowerCase() ? core : schema.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase() ? ENTERPRISE_USER_SCHEMA : schema));
  const carried = new Set(Object.keys(body).map((key) => key.toLowerCase()));
  const known = (schema: string) => schema === core || (type === 'User' && schema === ENTERPRISE_USER_SCHEMA);
  return [...new Set([core, ...schemas.filter((schema) => known(schema) || carried.has(schema.toLowerCase()))])];
}

function normalizeObject(attributes: Parameters<typeof findHint>[0], value: JsonObject, where: string): JsonObject {
  const normalized: JsonObject = {};
  for (const [key, subValue] of Object.entries(value)) {
    if (subValue === null) continue;
    const hint = findHint(attributes, key);
    normalized[hint?.name ?? key] = normalizeSingleValue(hint, subValue, `${where}:${key}`);
  }
  return normalized;
}

function readMembers(value: unknown): ScimMemberRecord[] {
  const list = Array.isArray(value) ? value : [value];
  const members = new Map<string, ScimMemberRecord>();
  list.forEach((raw, index) => {
    if (!isJsonObject(raw) || typeof raw.value !== 'string' || raw.value === '') {
      throw badRequest('invalidValue', `members[${index}]: a member needs its id as a non-empty string "value"`);
    }
    members.set(raw.value, toMemberRecord(raw as { value: string }));
  });
  return [...members.values()];
}

export function toMemberRecord(raw: { value: string; display?: unknown; type?: unknown; $ref?: unknown }): ScimMemberRecord {
  const member: ScimMemberRecord = { value: raw.value };
  if (typeof raw.display === 'string') member.display = raw.display;
  if (typeof raw.type === 'string') member.type = raw.type;
  if (typeof raw.$ref === 'string') member.ref = raw.$ref;
  return member;
}
