import type { SystemOfRecordRecord } from '../../src/graph/store.js';

/** A SCIM 2.0 SoR row as the store keeps it, for tests that write to the store directly. */
export function sorRecord(id: string, overrides: Partial<SystemOfRecordRecord> = {}): SystemOfRecordRecord {
  return {
    id,
    displayName: 'SCIM 2.0 Push',
    description: 'SCIM 2.0 as a System of Record',
    pushType: 'SCIM2.0',
    deliveryMethod: 'entityPush',
    templateYaml: 'displayName: "SCIM 2.0 Push"\n',
    verification: { bearerToken: 'required', algorithms: ['HS256'] },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
