import { randomBytes } from 'node:crypto';
import type { PushAuthentication } from '../graph/push-events.js';
import type { GraphStore, PushTokenRecord } from '../graph/store.js';
import { matchesHash, randomSecret, sha256Hex } from '../admin/secrets.js';
import { badRequest, notFound } from '../http/problem.js';
import { parseRfc3339 } from '../mapping/datetime.js';

const PUSH_TOKEN_PREFIX = 'pgt';

/**
 * A push token is `pgt_<id>_<secret>`: the id finds the record, then the whole token's hash is compared
 * in constant time. Only the hash is stored.
 */
export async function createPushToken(
  store: GraphStore,
  sorId: string,
  options: { description?: string; expiresAt?: string } = {},
  now = new Date(),
): Promise<{ record: PushTokenRecord; token: string }> {
  const expiresAt = options.expiresAt === undefined ? undefined : readExpiry(options.expiresAt, now);
  const id = randomBytes(8).toString('hex');
  const token = `${PUSH_TOKEN_PREFIX}_${id}_${randomSecret()}`;
  const record: PushTokenRecord = {
    id,
    sorId,
    hash: sha256Hex(token),
    description: options.description,
    createdAt: now.toISOString(),
    expiresAt: expiresAt?.toISOString(),
  };
  await store.createPushToken(record);
  return { record, token };
}

function readExpiry(text: string, now: Date): Date {
  const expiresAt = parseRfc3339(text);
  if (!expiresAt) {
    throw badRequest(`"expiresAt" must be an RFC 3339 time on a real calendar day, such as 2027-01-31T00:00:00Z (got "${text}")`);
  }
  if (expiresAt.getTime() <= now.getTime()) throw badRequest(`"expiresAt" (${text}) is in the past`);
  return expiresAt;
}

export async function revokePushToken(store: GraphStore, sorId: string, tokenId: string, now = new Date()): Promise<void> {
  if (!(await store.revokePushToken(sorId, tokenId, now))) {
    throw notFound(`no active push token "${tokenId}" for system of record "${sorId}"`);
  }
}

export const MAX_GRACE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Rotation without downtime: the new token works at once; the old one keeps working until the grace period
 * ends (or its own earlier expiry), so senders can be switched over at leisure.
 */
export async function rotatePushToken(
  store: GraphStore,
  sorId: string,
  tokenId: string,
  options: { graceSeconds?: number; expiresAt?: string } = {},
  now = new Date(),
): Promise<{ record: PushTokenRecord; token: string; previous: { id: string; expiresAt: string } }> {
  const graceSeconds = options.graceSeconds ?? 24 * 60 * 60;
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw badRequest(`"graceSeconds" must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (30 days)`);
  }
  const old = await store.getPushToken(tokenId);
  // An expired token is as dead as a revoked one: rotating it would bring its sender back without anyone noticing.
  if (!old || old.sorId !== sorId || old.revokedAt || hasExpired(old, now)) {
    throw notFound(`no active push token "${tokenId}" for system of record "${sorId}"`);
  }
  const created = await createPushToken(store, sorId, { description: old.description, expiresAt: options.expiresAt }, now);
  const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
  await store.expirePushToken(sorId, tokenId, graceEnd);
  const previous = (await store.getPushToken(tokenId))!;
  return { ...created, previous: { id: tokenId, expiresAt: previous.expiresAt ?? graceEnd.toISOString() } };
}

export function hasExpired(token: PushTokenRecord, now: Date): boolean {
  return token.expiresAt ? Date.parse(token.expiresAt) <= now.getTime() : false;
}

export type PushTokenRefusal = 'malformed' | 'unknown' | 'other-sor' | 'revoked' | 'expired';

export type PushTokenCheck = { ok: true; token: PushTokenRecord } | { ok: false; reason: PushTokenRefusal; token?: PushTokenRecord };

const PUSH_TOKEN = /^pgt_([0-9a-f]{16})_[A-Za-z0-9_-]{20,}$/;

/** The id part of a presented push token, or undefined when it is not one. */
export function pushTokenId(presented: string): string | undefined {
  return PUSH_TOKEN.exec(presented)?.[1];
}

/** A token record read already (with GraphStore.readPushCredentials), for the id in the presented token. */
export interface ReadToken {
  id: string;
  token: PushTokenRecord | undefined;
}

/**
 * Checks a presented push token for one SoR. The reason is for the event log, never for the caller. The token
 * is read from the store unless `read` holds it already.
 */
export async function checkPushToken(store: GraphStore, sorId: string, presented: string, now = new Date(), read?: ReadToken): Promise<PushTokenCheck> {
  const id = pushTokenId(presented);
  if (id === undefined) return { ok: false, reason: 'malformed' };
  const token = read?.id === id ? read.token : await store.getPushToken(id);
  if (!token || !matchesHash(presented, token.hash)) return { ok: false, reason: 'unknown' };
  if (token.sorId !== sorId) return { ok: false, reason: 'other-sor', token };
  if (token.revokedAt) return { ok: false, reason: 'revoked', token };
  if (hasExpired(token, now)) return { ok: false, reason: 'expired', token };
  return { ok: true, token };
}

const LAST_USED_RESOLUTION_MS = 60_000;
const EXPIRY_WARNING_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Checks a presented push token for a push endpoint, noting the outcome in `auth` for the event log (why a
 * token was refused is for operators only). A valid token's last use is recorded to the minute, and a
 * token in use that expires within 7 days gets a warning in the log.
 */
export async function acceptPushToken(
  store: GraphStore,
  sorId: string,
  presented: string,
  auth: PushAuthentication,
  log?: { warn(object: object, message: string): void },
  now = new Date(),
  read?: ReadToken,
): Promise<PushTokenRecord | undefined> {
  const check = await checkPushToken(store, sorId, presented, now, read);
  if (!check.ok) {
    auth.bearer = 'invalid';
    if (check.token?.sorId === sorId) auth.tokenId = check.token.id;
    auth.reason = describeRefusal(check.reason, check.token?.expiresAt);
    return undefined;
  }
  auth.bearer = 'valid';
  auth.tokenId = check.token.id;
  const { token } = check;
  if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
    await store.touchPushToken(token.id, now);
    if (token.expiresAt && Date.parse(token.expiresAt) - now.getTime() <= EXPIRY_WARNING_MS) {
      log?.warn({ sorId, tokenId: token.id, expiresAt: token.expiresAt }, 'a push token in use expires within 7 days; rotate it');
    }
  }
  return token;
}

function describeRefusal(reason: PushTokenRefusal, expiresAt: string | undefined): string {
  switch (reason) {
    case 'expired':
      return `push token expired at ${expiresAt}`;
    case 'other-sor':
      return 'push token of another system of record';
    case 'revoked':
      return 'push token revoked';
    case 'malformed':
      return 'bearer token is not a pushgraph push token';
    default:
      return 'unknown push token';
  }
}
