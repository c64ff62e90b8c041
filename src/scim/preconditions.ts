import type { ScimResourceRecord } from '../graph/scim-resources.js';
import { etagOf } from './render.js';
import { preconditionFailed } from './scim-error.js';

function tags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
}

/** RFC 7232 If-Match with weak comparison (our ETags are weak): `*` or one of the listed versions. */
export function checkIfMatch(header: string | undefined, record: ScimResourceRecord): void {
  if (header === undefined) return;
  const current = etagOf(record).replace(/^W\//, '');
  const listed = tags(header);
  if (!listed.includes('*') && !listed.includes(current)) {
    throw preconditionFailed(`the resource is at version ${etagOf(record)}, not ${header}`);
  }
}

/** If-None-Match on a read: true when the client's copy is current (answer 304). */
export function notModified(header: string | undefined, record: ScimResourceRecord): boolean {
  if (header === undefined) return false;
  const listed = tags(header);
  return listed.includes('*') || listed.includes(etagOf(record).replace(/^W\//, ''));
}
