import type { FastifyBaseLogger } from 'fastify';
import type { GraphStore } from '../graph/store.js';
import type { PushAuthentication } from '../graph/push-events.js';
import { acceptPushToken, type ReadToken } from '../systems-of-record/push-tokens.js';
import type { Verification } from '../systems-of-record/verification.js';
import { SetError } from './set-error.js';

/**
 * Checks the push token per `verification.bearerToken`, noting the result in `auth` for the event log.
 * Returns the token when a valid one was presented, so that HS* signatures can be verified with it: also with
 * `bearerToken: disabled`, where a token that is not valid is then only not used, not refused. Why a token was
 * refused goes to the log, never to the caller. `presented` is the token of the Authorization header
 * (bearerToken), `read` the token's record as read with the SoR, if it was.
 */
export async function authenticateBearer(
  store: GraphStore,
  sorId: string,
  verification: Verification,
  presented: string | undefined,
  auth: PushAuthentication,
  log?: FastifyBaseLogger,
  read?: ReadToken,
): Promise<string | undefined> {
  if (verification.bearerToken === 'disabled') {
    if (!presented) return undefined;
    const valid = await acceptPushToken(store, sorId, presented, auth, log, new Date(), read);
    return valid ? presented : undefined;
  }
  if (!presented) {
    auth.bearer = 'missing';
    if (verification.bearerToken === 'optional') return undefined;
    auth.reason = 'no bearer token';
    throw new SetError(401, 'authentication_failed', 'a push token is required: send "Authorization: Bearer <token>"');
  }
  if (!(await acceptPushToken(store, sorId, presented, auth, log, new Date(), read))) {
    throw new SetError(401, 'authentication_failed', 'the push token is not valid for this system of record');
  }
  return presented;
}
