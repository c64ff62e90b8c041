import type { FastifyBaseLogger } from 'fastify';
import type { GraphStore, PushTokenRecord } from '../graph/store.js';
import type { PushAuthentication } from '../graph/push-events.js';
import { bearerToken } from '../admin/secrets.js';
import { checkPushToken } from '../systems-of-record/push-tokens.js';
import type { Verification } from '../systems-of-record/verification.js';
import { SetError } from './set-error.js';

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Checks the push token per `verification.bearerToken`, noting the result in `auth` for the event log.
 * Returns the token when a valid one was presented, so that HS* signatures can be verified with it. Why a
 * token was refused goes to the log, never to the caller.
 */
export async function authenticateBearer(
  store: GraphStore,
  sorId: string,
  verification: Verification,
  authorization: string | undefined,
  auth: PushAuthentication,
  log?: FastifyBaseLogger,
): Promise<string | undefined> {
  if (verification.bearerToken === 'disabled') return undefined;
  const presented = bearerToken(authorization);
  if (!presented) {
    auth.bearer = 'missing';
    if (verification.bearerToken === 'optional') return undefined;
    auth.reason = 'no bearer token';
    throw new SetError(401, 'authentication_failed', 'a push token is required: send "Authorization: Bearer <token>"');
  }
  const check = await checkPushToken(store, sorId, presented);
  if (!check.ok) {
    auth.bearer = 'invalid';
    auth.tokenId = check.token?.sorId === sorId ? check.token.id : undefined;
    auth.reason = describeRefusal(check.reason, check.token?.expiresAt);
    throw new SetError(401, 'authentication_failed', 'the push token is not valid for this system of record');
  }
  auth.bearer = 'valid';
  auth.tokenId = check.token.id;
  const now = new Date();
  // Last-used is for operators, to the minute: not a write on every push.
  if (!check.token.lastUsedAt || now.getTime() - Date.parse(check.token.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
    await store.touchPushToken(check.token.id, now);
    warnIfExpiringSoon(check.token, now, log);
  }
  return presented;
}

const EXPIRY_WARNING_MS = 7 * 24 * 60 * 60 * 1000;

/** A sender still using a token that expires within 7 days is about to break: say so (once a minute at most). */
function warnIfExpiringSoon(token: PushTokenRecord, now: Date, log: FastifyBaseLogger | undefined): void {
  if (!token.expiresAt || Date.parse(token.expiresAt) - now.getTime() > EXPIRY_WARNING_MS) return;
  log?.warn({ sorId: token.sorId, tokenId: token.id, expiresAt: token.expiresAt }, 'a push token in use expires within 7 days; rotate it');
}

function describeRefusal(reason: string, expiresAt: string | undefined): string {
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
