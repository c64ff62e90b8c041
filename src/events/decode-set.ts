import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { exceedsDepth, unstorableContent } from '../http/json-depth.js';
import { invalidRequest } from './set-error.js';

export interface DecodedSet {
  compact: string;
  header: ProtectedHeaderParameters;
  claims: Record<string, unknown>;
  /** The payload's JSON text, as decoded: cheaper to search than the claims are to walk. */
  payload?: string;
}

/** Reads the compact JWS of a SET without trusting it yet: signature and claims are checked later. */
export function decodeSet(body: string): DecodedSet {
  const compact = body.trim();
  const parts = compact.split('.');
  if (compact.startsWith('{')) {
    throw invalidRequest('the body is JSON; a SET must be sent as a compact JWS (header.payload.signature)');
  }
  if (parts.length === 5) throw invalidRequest('encrypted SETs (JWE) are not supported; send a compact JWS');
  if (parts.length !== 3) throw invalidRequest('the body is not a compact JWS: expected three base64url parts separated by dots');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(compact);
  } catch {
    throw invalidRequest('the JWS header is not base64url-encoded JSON');
  }
  let claims: unknown;
  const payload = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  try {
    claims = JSON.parse(payload);
  } catch {
    throw invalidRequest('the JWS payload is not base64url-encoded JSON');
  }
  const unstorable = unstorableContent(payload, claims);
  if (unstorable) throw invalidRequest(`the SET contains ${unstorable}`);
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw invalidRequest('the JWS payload must be a JSON object (the SET claims)');
  }
  if (exceedsDepth(claims)) throw invalidRequest('the SET is nested too deeply');
  return { compact, header, claims: claims as Record<string, unknown>, payload };
}
