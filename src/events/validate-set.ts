import type { Verification } from '../systems-of-record/verification.js';
import type { DecodedSet } from './decode-set.js';
import { scimEventKind, type ScimEventKind } from './event-type.js';
import { SetError, invalidRequest } from './set-error.js';

export interface ScimSubject {
  uri: string;
  id?: string;
  externalId?: string;
}

interface SecurityEventFields {
  jti: string;
  iss: string;
  iat: number;
  /** The event URI as the sender wrote it. */
  eventUri: string;
  payload: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** A SCIM provisioning event (RFC 9967): it names its SCIM resource. */
export interface ScimSecurityEvent extends SecurityEventFields {
  kind: ScimEventKind;
  subject: ScimSubject;
}

/**
 * Any other event this receiver answers and logs but does not apply (an SSF stream verification, say): it
 * need not name a SCIM resource.
 */
export interface OtherSecurityEvent extends SecurityEventFields {
  kind?: undefined;
  subject?: ScimSubject;
}

export type SecurityEvent = ScimSecurityEvent | OtherSecurityEvent;

/** Checks the SET's header and claims (RFC 8417, RFC 9967) and the SoR's issuer, audience and age rules. */
export function validateSet(set: DecodedSet, verification: Verification, now = new Date()): SecurityEvent {
  checkType(set.header.typ);
  const event = readSecurityEvent(set.claims);
  checkIssuer(event.iss, verification);
  checkAudience(set.claims.aud, verification);
  checkAge(event.iat, verification, now);
  checkValidity(set.claims, verification, now);
  return event;
}

/**
 * Reads the event out of SET claims, checking their shape. The inbox worker reads stored claims with it
 * again, without the time-dependent checks that were passed when the SET was received.
 */
export function readSecurityEvent(claims: Record<string, unknown>): SecurityEvent {
  const jti = requireString(claims, 'jti');
  const iss = requireString(claims, 'iss');
  const iat = claims.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalidRequest('the SET has no "iat" (a NumericDate) claim');
  if (claims.sub !== undefined && claims.sub_id !== undefined) {
    throw invalidRequest('the SET has both "sub" and "sub_id"; SCIM events identify their subject with "sub_id" only');
  }
  const { eventUri, payload } = singleEvent(claims.events);
  const kind = scimEventKind(eventUri);
  if (!kind) return { jti, iss, iat, subject: optionalScimSubject(claims.sub_id), eventUri, payload, claims };
  const subject = scimSubject(claims.sub_id);
  checkEventPayload(kind, payload);
  return { jti, iss, iat, subject, eventUri, kind, payload, claims };
}

function checkType(typ: unknown): void {
  if (typ === undefined) throw invalidRequest('the JWS header has no "typ"; a SET must have typ "secevent+jwt"');
  const normalized = String(typ).toLowerCase().replace(/^application\//, '');
  if (normalized !== 'secevent+jwt') throw invalidRequest(`the JWS header "typ" is ${JSON.stringify(typ)}; a SET must have "secevent+jwt"`);
}

function requireString(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') throw invalidRequest(`the SET has no "${name}" claim (a non-empty string)`);
  return value;
}

function checkIssuer(iss: string, verification: Verification): void {
  if (verification.issuer !== undefined && iss !== verification.issuer) {
    throw new SetError(400, 'invalid_issuer', `the issuer "${iss}" is not the one configured for this system of record`);
  }
}

function checkAudience(aud: unknown, verification: Verification): void {
  if (!verification.audience) return;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];
  if (!audiences.some((a) => verification.audience!.includes(a))) {
    throw new SetError(400, 'invalid_audience', `the audience ${JSON.stringify(aud ?? null)} does not name this receiver`);
  }
}

function checkAge(iat: number, verification: Verification, now: Date): void {
  const nowSeconds = now.getTime() / 1000;
  if (iat > nowSeconds + verification.clockSkewSeconds) {
    throw invalidRequest(`the SET was issued in the future ("iat" ${iat} is more than ${verification.clockSkewSeconds}s ahead)`);
  }
  if (verification.maxAgeSeconds !== undefined && nowSeconds - iat > verification.maxAgeSeconds + verification.clockSkewSeconds) {
    throw invalidRequest(`the SET is too old ("iat" ${iat} is more than ${verification.maxAgeSeconds}s ago)`);
  }
}

/** RFC 7519 `exp` and `nbf`: a SET past its expiry or before its start is not processed. */
function checkValidity(claims: Record<string, unknown>, verification: Verification, now: Date): void {
  const nowSeconds = now.getTime() / 1000;
  const skew = verification.clockSkewSeconds;
  for (const name of ['exp', 'nbf'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw invalidRequest(`the "${name}" claim must be a NumericDate (seconds since 1970), got ${JSON.stringify(value)}`);
    }
  }
  if (typeof claims.exp === 'number' && nowSeconds > claims.exp + skew) {
    throw invalidRequest(`the SET expired at ${isoSeconds(claims.exp)} ("exp" ${claims.exp})`);
  }
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + skew) {
    throw invalidRequest(`the SET is not valid before ${isoSeconds(claims.nbf)} ("nbf" ${claims.nbf})`);
  }
}

function isoSeconds(seconds: number): string {
  const time = new Date(seconds * 1000);
  return Number.isNaN(time.getTime()) ? String(seconds) : time.toISOString();
}

function singleEvent(events: unknown): { eventUri: string; payload: Record<string, unknown> } {
  if (typeof events !== 'object' || events === null || Array.isArray(events)) {
    throw invalidRequest('the SET has no "events" claim (a JSON object)');
  }
  const entries = Object.entries(events as Record<string, unknown>);
  if (entries.length === 0) throw invalidRequest('the "events" claim is empty');
  for (const [uri, payload] of entries) {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw invalidRequest(`the event "${uri}" must be a JSON object`);
    }
  }
  const scim = entries.filter(([uri]) => scimEventKind(uri) !== undefined);
  if (scim.length > 1) throw invalidRequest('the SET carries more than one SCIM event; send one SCIM event per SET');
  const [eventUri, payload] = scim[0] ?? entries[0]!;
  return { eventUri, payload: payload as Record<string, unknown> };
}

function scimSubject(subId: unknown): ScimSubject {
  if (typeof subId !== 'object' || subId === null || Array.isArray(subId)) {
    throw invalidRequest('the SET has no "sub_id" claim identifying the SCIM resource');
  }
  const { format, uri, id, externalId } = subId as Record<string, unknown>;
  if (format !== 'scim') throw invalidRequest(`"sub_id.format" must be "scim" (got ${JSON.stringify(format ?? null)})`);
  if (typeof uri !== 'string' || !/^\/[^/]+\/[^/]+/.test(uri)) {
    throw invalidRequest('"sub_id.uri" must name the resource, such as "/Users/2819c223"');
  }
  if (id !== undefined && typeof id !== 'string') throw invalidRequest('"sub_id.id" must be a string');
  if (externalId !== undefined && typeof externalId !== 'string') throw invalidRequest('"sub_id.externalId" must be a string');
  return { uri, id: id as string | undefined, externalId: externalId as string | undefined };
}

/** A SCIM subject of a non-SCIM event is kept for the log; any other subject (or none) is the event's own affair. */
function optionalScimSubject(subId: unknown): ScimSubject | undefined {
  if ((subId as { format?: unknown } | null | undefined)?.format !== 'scim') return undefined;
  try {
    return scimSubject(subId);
  } catch {
    return undefined;
  }
}

function checkEventPayload(kind: ScimEventKind, payload: Record<string, unknown>): void {
  const hasData = payload.data !== undefined;
  const hasAttributes = payload.attributes !== undefined;
  if (hasData && hasAttributes) throw invalidRequest(`a ${kind} event carries "data" or "attributes", not both`);
  if (kind.endsWith(':full')) {
    if (typeof payload.data !== 'object' || payload.data === null || Array.isArray(payload.data)) {
      throw invalidRequest(`a ${kind} event must carry the resource in "data" (a JSON object)`);
    }
  }
  if (kind.endsWith(':notice') && (!Array.isArray(payload.attributes) || payload.attributes.some((a) => typeof a !== 'string'))) {
    throw invalidRequest(`a ${kind} event must carry "attributes": the names of the changed attributes`);
  }
}
