import type { PushTokenRecord } from '../graph/store.js';
import { hasExpired } from './push-tokens.js';
import type { SystemOfRecord } from './service.js';
import type { Verification } from './verification.js';

export interface Endpoints {
  scim?: string;
  events?: string;
}

export function endpointsOf(publicUrl: string, id: string, pushType: string): Endpoints {
  if (pushType === 'SCIM2.0') return { scim: `${publicUrl}/scim/v2/${id}` };
  if (pushType === 'SCIM') return { events: `${publicUrl}/events/scim/v1/${id}` };
  return {};
}

/** The API view of a SoR. HMAC secrets are never shown back, only how many there are. */
export function presentSystemOfRecord(sor: SystemOfRecord, publicUrl: string, options: { withTemplate?: boolean } = {}) {
  const { record, template } = sor;
  return {
    id: record.id,
    displayName: record.displayName,
    // Always present (CONTRACT.md lists it): empty when neither the template nor the request gave one.
    description: record.description ?? '',
    pushType: record.pushType,
    deliveryMethod: record.deliveryMethod,
    entities: Object.values(template.entities).map((entity) => ({
      id: entity.key,
      displayName: entity.displayName,
      externalId: entity.externalId,
      pushExternalId: entity.pushExternalId,
      ...(entity.parent ? { parent: entity.parent } : {}),
      uniqueId: entity.uniqueIdAttribute,
      attributes: entity.attributes.map((a) => ({ name: a.name, type: a.type, list: a.list, indexed: a.indexed, uniqueId: a.uniqueId })),
    })),
    relationships: Object.values(template.relationships).map((r) => ({ id: r.key, name: r.name, kind: r.kind })),
    endpoints: endpointsOf(publicUrl, record.id, record.pushType),
    exampleCurl: exampleCurl(endpointsOf(publicUrl, record.id, record.pushType)),
    verification: redactVerification(sor.verification),
    ...(record.pushType === 'SCIM2.0' ? { scim: { schemaChecks: record.options?.scimSchemaChecks ?? 'strict' } } : {}),
    // Attributes a template change started indexing whose rows are still being built for the nodes already there.
    ...(record.indexBuilds ? { indexBuilds: record.indexBuilds } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(options.withTemplate ? { template: record.templateYaml } : {}),
  };
}

function redactVerification(verification: Verification) {
  const { hmacSecrets, ...rest } = verification;
  return { ...rest, hmacSecrets: hmacSecrets.map(() => '(redacted)') };
}

export function presentPushToken(token: PushTokenRecord) {
  return {
    id: token.id,
    description: token.description,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
    lastUsedAt: token.lastUsedAt,
    status: token.revokedAt ? 'revoked' : hasExpired(token, new Date()) ? 'expired' : 'active',
  };
}

/** A curl line that pushes the seed's first example to a new SoR, ready to paste. */
export function exampleCurl(endpoints: Endpoints, token = '$PUSH_TOKEN'): string | undefined {
  if (endpoints.scim) {
    const user = JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'test.user@example.com',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ value: 'test.user@example.com', type: 'work', primary: true }],
      active: true,
    });
    return `curl -X POST '${endpoints.scim}/Users' -H 'Content-Type: application/scim+json' -H "Authorization: Bearer ${token}" -d '${user}'`;
  }
  if (endpoints.events) {
    return `curl -X POST '${endpoints.events}' -H 'Content-Type: application/secevent+jwt' -H "Authorization: Bearer ${token}" --data-binary "$SET"`;
  }
  return undefined;
}
