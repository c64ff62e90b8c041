import { expect } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
  applyPatch,
  type PatchError,
  type PatchOptions,
  type PatchResult,
  type ScimResource,
} from '../../../src/scim/patch/index.js';

export { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA };

/** Barbara Jensen of RFC 7643 §8.2, trimmed, with the enterprise extension. */
export function bjensen(): ScimResource {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'bjensen',
    meta: {
      resourceType: 'User',
      created: '2011-08-01T18:29:49.793Z',
      lastModified: '2011-08-01T18:29:49.793Z',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
      version: 'W/"f250dd84f0671c3"',
    },
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', primary: true },
      { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA' },
    ],
    [ENTERPRISE_USER_SCHEMA]: {
      employeeNumber: '701984',
      department: 'Tour Operations',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
    },
  };
}

/** A user as Entra ID creates it: no enterprise extension, one e-mail of type work. */
export function entraUser(): ScimResource {
  return {
    schemas: [USER_SCHEMA],
    id: '48af03ac28ad4fb88478',
    externalId: 'Ryan3',
    userName: 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081',
    active: true,
    name: { familyName: 'familyName', givenName: 'givenName' },
    emails: [{ primary: true, type: 'work', value: 'Test_User_22370c1a-9012-42b2-bf64-86099c2a1c22@testuser.com' }],
  };
}

/** A Group without its members: the caller keeps them apart (PatchOptions.separateMembers). */
export function group(): ScimResource {
  return {
    schemas: [GROUP_SCHEMA],
    id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b',
    displayName: 'Test SCIMv2',
    meta: { resourceType: 'Group', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
  };
}

export function message(...operations: unknown[]): unknown {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

export const USER: PatchOptions = { resourceType: 'User' };
export const GROUP: PatchOptions = { resourceType: 'Group' };
export const GROUP_APART: PatchOptions = { resourceType: 'Group', separateMembers: true };

type Succeeded = Extract<PatchResult, { ok: true }>;

export function succeeds(resource: ScimResource, body: unknown, options: PatchOptions = USER): Succeeded {
  const before = structuredClone(resource);
  const result = applyPatch(resource, body, options);
  if (!result.ok) throw new Error(`expected the PATCH to apply, got ${result.error.scimType}: ${result.error.detail}`);
  expect(resource).toEqual(before);
  return result;
}

export function patched(resource: ScimResource, body: unknown, options: PatchOptions = USER): ScimResource {
  return succeeds(resource, body, options).resource;
}

export function refused(resource: ScimResource, body: unknown, options: PatchOptions = USER): PatchError {
  const before = structuredClone(resource);
  const result = applyPatch(resource, body, options);
  if (result.ok) throw new Error(`expected the PATCH to be refused, got ${JSON.stringify(result.resource)}`);
  expect(resource).toEqual(before);
  expect(result.error.status).toBe(400);
  return result.error;
}
