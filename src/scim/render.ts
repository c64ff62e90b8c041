import type { ScimMemberRecord, ScimResourceRecord } from '../graph/scim-resources.js';
import type { JsonObject } from './patch/json.js';
import { RESOURCE_TYPES } from './resource-document.js';

/** W/"version": weak, since the same version may be serialized with attributes in another order. */
export function etagOf(record: Pick<ScimResourceRecord, 'version'>): string {
  return `W/"${record.version}"`;
}

export function locationOf(baseUrl: string, record: Pick<ScimResourceRecord, 'resourceType' | 'id'>): string {
  return `${baseUrl}/${RESOURCE_TYPES[record.resourceType].endpoint}/${encodeURIComponent(record.id)}`;
}

/** The resource as SCIM clients see it: the stored document with `id` and `meta`, without members. */
export function renderResource(record: ScimResourceRecord, baseUrl: string): JsonObject {
  return {
    ...record.document,
    id: record.id,
    meta: {
      resourceType: record.resourceType,
      created: record.created,
      lastModified: record.modified,
      location: locationOf(baseUrl, record),
      version: etagOf(record),
    },
  };
}

export function renderMember(member: ScimMemberRecord): JsonObject {
  return {
    value: member.value,
    ...(member.display === undefined ? {} : { display: member.display }),
    ...(member.type === undefined ? {} : { type: member.type }),
    ...(member.ref === undefined ? {} : { $ref: member.ref }),
  };
}

export function renderGroupOf(group: { id: string; name: string }, baseUrl: string): JsonObject {
  return { value: group.id, display: group.name, $ref: `${baseUrl}/Groups/${encodeURIComponent(group.id)}`, type: 'direct' };
}
