import type { GraphStore } from '../graph/store.js';
import { bearerToken } from '../admin/secrets.js';
import { checkPushToken } from '../systems-of-record/push-tokens.js';
import type { Verification } from '../systems-of-record/verification.js';
import { SetError } from './set-error.js';

/**
 * Checks the push token per `verification.bearerToken`. Returns the token when a valid one was presented,
 * so that HS* signatures can be verified with it. Why a token was refused goes to the log, not the caller.
 */
export async function authenticateBearer(
  store: GraphStore,
  sorId: string,
  verification: Verification,
  authorization: string | undefined,
): Promise<string | undefined> {
  if (verification.bearerToken === 'disabled') return undefined;
  const presented = bearerToken(authorization);
  if (!presented) {
    if (verification.bearerToken === 'optional') return undefined;
    throw new SetError(401, 'authentication_failed', 'a push token is required: send "Authorization: Bearer <token>"', 'no bearer token');
  }
  const check = await checkPushToken(store, sorId, presented);
  if (!check.ok) {
    throw new SetError(401, 'authentication_failed', 'the push token is not valid for this system of record', `push token ${check.reason}`);
  }
  await store.touchPushToken(check.token.id, new Date());
  return presented;
}
