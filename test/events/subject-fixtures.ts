import type { FastifyInstance } from 'fastify';
import { admin } from '../support/service.js';
import { HMAC_SECRET } from './set-fixtures.js';

/** A User keyed by `$.sub_id.id` or, as a template may, by its userName in the event's data. */
export function subjectTemplate(uniqueId: 'id' | 'userName'): string {
  return `displayName: Subject lookup
pushType: SCIM
entities:
  User:
    externalId: Users
    pushExternalId: Users
    attributes:
      - { name: id, externalId: id, pushExternalId: $.sub_id.id, type: String, indexed: true, uniqueId: ${uniqueId === 'id'} }
      - { name: userName, externalId: userName, pushExternalId: $.events.*.data.userName, type: String, indexed: true, uniqueId: ${uniqueId === 'userName'} }
      - { name: enabled, externalId: enabled, pushExternalId: $.events.*.data.enabled, type: Bool }
      - { name: title, externalId: title, pushExternalId: $.events.*.data.title, type: String }
  Email:
    parent: User
    externalId: emails
    pushExternalId: $.events.*.data.emails.*
    attributes:
      - { name: value, externalId: value, pushExternalId: value, type: String, uniqueId: true }
`;
}

export type SubjectSor = { sorId: string; token: string };

/** A SoR of subjectTemplate that verifies the test HMAC secret, with a push token, made through the admin API. */
export async function subjectSor(app: FastifyInstance, uniqueId: 'id' | 'userName'): Promise<SubjectSor> {
  const created = await app.inject({
    method: 'POST', url: '/api/v1/systems-of-record', headers: admin,
    payload: { template: subjectTemplate(uniqueId), verification: { hmacSecrets: [HMAC_SECRET] } },
  });
  const sorId = created.json().id as string;
  const token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token as string;
  return { sorId, token };
}
