import { REDACTED } from '../../admin/secrets.js';
import { isJsonObject } from '../patch/json.js';
import { WRITE_ONLY_ATTRIBUTES } from '../patch/schema-hints.js';

/**
 * A copy of a SCIM request body for the event log, with every write-only value (RFC 7643 `password`) replaced by
 * REDACTED and everything else as sent. The body may be invalid, so nothing here parses it strictly: any key
 * naming a write-only attribute (`password`, `PASSWORD`, `urn:…:User:password`, `password.x`) is redacted at any
 * depth, which covers POST and PUT bodies, no-path PATCH values and Bulk operations' data; and an object whose
 * `path` names one (a PATCH operation) has its `value` redacted.
 */
export function redactWriteOnlyValues(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(redactWriteOnlyValues);
  if (!isJsonObject(body)) return body;
  const valueIsWriteOnly = Object.entries(body).some(([key, value]) => key.toLowerCase() === 'path' && typeof value === 'string' && namesWriteOnlyAttribute(value));
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      const secret = namesWriteOnlyAttribute(key) || (valueIsWriteOnly && key.toLowerCase() === 'value');
      return [key, secret ? REDACTED : redactWriteOnlyValues(value)];
    }),
  );
}

/**
 * Whether an attribute name or PATCH path names a write-only attribute: its value filters left out, the name
 * follows a URN's last colon, and any of its dotted parts counts.
 */
export function namesWriteOnlyAttribute(reference: string): boolean {
  const withoutFilters = reference.replace(/\[[^\]]*\]/g, '');
  const name = withoutFilters.slice(withoutFilters.lastIndexOf(':') + 1);
  return name.split('.').some((part) => WRITE_ONLY_ATTRIBUTES.has(part.trim().toLowerCase()));
}
