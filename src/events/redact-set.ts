import { REDACTED } from '../admin/secrets.js';
import { mayHoldWriteOnlyValue, mentionsWriteOnlyAttribute, redactWriteOnlyValues } from '../scim/write-only-values.js';
import type { DecodedSet } from './decode-set.js';

/** Kept with an event whose SET carried a write-only value, so the log says why its stored signature no longer verifies. */
export const REDACTED_PAYLOAD_NOTE =
  'write-only values (password) were redacted from the SET before it was stored: its payload (or header) was re-encoded ' +
  'without them, so the raw SET\'s signature no longer matches it';

/** Kept with a refused body that was JSON rather than a SET, whose write-only values were redacted. */
export const REDACTED_BODY_NOTE = 'write-only values (password) were redacted from the body before it was stored';

/**
 * The SET as the event log and the inbox keep it, with every write-only value (RFC 7643 `password`: returned never)
 * replaced by REDACTED, and whether anything was. A SET without one is returned itself, unchanged and uncopied.
 *
 * The stored compact JWS keeps its header and signature segments and gets the base64url of the redacted claims as
 * its payload: the log reads the header and claims back from it and the inbox worker plans from it, so one stored
 * copy stays what the log shows and what the graph gets; the header and signature still tell which key and
 * algorithm the sender used. A header is JSON a sender may put anything in, so it is redacted too (re-encoded only
 * when it held a write-only value). The signature then no longer matches, which REDACTED_PAYLOAD_NOTE says; the
 * signature is verified on the SET as received, before this.
 */
export function withoutWriteOnlyValues(set: DecodedSet): { set: DecodedSet; redacted: boolean } {
  const header = redactWriteOnlyValues(set.header) as DecodedSet['header'];
  // Searching the payload's text costs a tenth of walking the claims, and almost every SET has nothing to redact.
  const claimsMayHoldOne = set.payload === undefined || mayHoldWriteOnlyValue(set.payload);
  const claims = claimsMayHoldOne ? (redactWriteOnlyValues(set.claims) as Record<string, unknown>) : set.claims;
  if (claims === set.claims && header === set.header) return { set, redacted: false };
  const [headerSegment, payloadSegment, signature] = set.compact.split('.');
  const redactedPayload = claims === set.claims ? undefined : JSON.stringify(claims);
  const payload = redactedPayload ?? set.payload;
  const compact = [
    header === set.header ? headerSegment : base64url(JSON.stringify(header)),
    redactedPayload === undefined ? payloadSegment : base64url(redactedPayload),
    signature,
  ].join('.');
  return { set: { header, claims, ...(payload === undefined ? {} : { payload }), compact }, redacted: true };
}

/**
 * The body of a request refused before it decoded as a SET, with write-only values redacted where it can be read:
 * a JSON body (sent instead of a JWS), and each dot-separated segment whose base64url decodes to JSON. A body or
 * segment that names a write-only attribute but cannot be read as JSON is replaced by REDACTED as a whole, since
 * what in it is secret cannot be told. A changed body comes with the note that says so.
 */
export function redactRefusedBody(body: string): { body: string; note?: string } {
  if (looksLikeJson(body) || mentionsWriteOnlyAttribute(body)) {
    const redacted = redactedJsonText(body) ?? REDACTED;
    return redacted === body ? { body } : { body: redacted, note: REDACTED_BODY_NOTE };
  }
  const redacted = body.split('.').map(redactedSegment).join('.');
  return redacted === body ? { body } : { body: redacted, note: REDACTED_PAYLOAD_NOTE };
}

function redactedSegment(segment: string): string {
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  // A JWS header or payload is JSON; a signature is bytes that read as text only by chance.
  if (!looksLikeJson(text)) return mentionsWriteOnlyAttribute(text) ? REDACTED : segment;
  const redacted = redactedJsonText(text);
  if (redacted === undefined) return REDACTED;
  return redacted === text ? segment : base64url(redacted);
}

function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/** The JSON text with its write-only values redacted (the text itself when it has none), or undefined if it is not JSON. */
function redactedJsonText(text: string): string | undefined {
  if (!mayHoldWriteOnlyValue(text)) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    const redacted = redactWriteOnlyValues(parsed);
    return redacted === parsed ? text : JSON.stringify(redacted);
  } catch {
    // Not JSON, or nested too deeply to walk.
    return undefined;
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
