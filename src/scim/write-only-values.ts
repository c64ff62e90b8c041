import { REDACTED } from '../admin/secrets.js';
import { isJsonObject } from './patch/json.js';
import { WRITE_ONLY_ATTRIBUTES } from './patch/schema-hints.js';

/**
 * A SCIM request body or SET claims for the event log, with every write-only value (RFC 7643 `password`) replaced by
 * REDACTED and everything else as sent. The body may be invalid, so nothing here parses it strictly: any key
 * naming a write-only attribute (`password`, `PASSWORD`, `urn:…:User:password`, `password.x`) is redacted at any
 * depth, which covers POST and PUT bodies, no-path PATCH values, Bulk operations' data and a SET's event data;
 * and an object whose `path` names one (a PATCH operation) has its `value` redacted. Only the objects and arrays
 * on the way to a redacted value are copied: a body without one is returned itself, so a caller can tell by
 * identity whether anything was redacted, and the common case costs a walk, not a copy.
 */
const WRITE_ONLY_NAMES: readonly string[] = [...WRITE_ONLY_ATTRIBUTES];

export function redactWriteOnlyValues(body: unknown): unknown {
  if (Array.isArray(body)) return redactedArray(body);
  if (!isJsonObject(body)) return body;
  const entries = Object.entries(body);
  const valueIsWriteOnly = entries.some(([key, value]) => key.toLowerCase() === 'path' && typeof value === 'string' && namesWriteOnlyAttribute(value));
  let changed = false;
  const redacted = entries.map(([key, value]): [string, unknown] => {
    const secret = namesWriteOnlyAttribute(key) || (valueIsWriteOnly && key.toLowerCase() === 'value');
    const kept = secret ? REDACTED : redactWriteOnlyValues(value);
    if (kept !== value) changed = true;
    return [key, kept];
  });
  return changed ? Object.fromEntries(redacted) : body;
}

function redactedArray(items: unknown[]): unknown[] {
  const redacted = items.map(redactWriteOnlyValues);
  return redacted.some((item, i) => item !== items[i]) ? redacted : items;
}

/**
 * Whether a JSON text may hold a write-only attribute's name: a cheap test before parsing it. A `\u` escape counts,
 * since JSON may spell a key that way.
 */
export function mayHoldWriteOnlyValue(json: string): boolean {
  return json.includes('\\u') || mentionsWriteOnlyAttribute(json);
}

/** Whether a text contains a write-only attribute's name, in any case. */
export function mentionsWriteOnlyAttribute(text: string): boolean {
  const lower = text.toLowerCase();
  return WRITE_ONLY_NAMES.some((name) => lower.includes(name));
}

/**
 * Whether an attribute name or PATCH path names a write-only attribute: its value filters left out, the name
 * follows a URN's last colon, and any of its dotted parts counts.
 */
export function namesWriteOnlyAttribute(reference: string): boolean {
  // Most keys name no write-only attribute at all; this spares them the parsing below.
  if (!mentionsWriteOnlyAttribute(reference)) return false;
  const withoutFilters = reference.replace(/\[[^\]]*\]/g, '');
  const name = withoutFilters.slice(withoutFilters.lastIndexOf(':') + 1);
  return name.split('.').some((part) => WRITE_ONLY_ATTRIBUTES.has(part.trim().toLowerCase()));
}
