import { bearerToken } from '../../admin/secrets.js';
import type { PushAuthentication } from '../../graph/push-events.js';
import type { GraphStore } from '../../graph/store.js';
import { checkPushToken } from '../../systems-of-record/push-tokens.js';
import { ScimError } from '../scim-error.js';

/** The SoR's push token as a Bearer token; why one was refused goes to the event log, never to the caller. */
export async function authenticate(store: GraphStore, sorId: string, authorization: string | undefined, auth: PushAuthentication): Promise<void> {
  const presented = bearerToken(authorization);
  if (!presented) {
    auth.bearer = 'missing';
    auth.reason = 'no bearer token';
    throw new ScimError(401, 'a push token is required: send "Authorization: Bearer <token>"');
  }
  const check = await checkPushToken(store, sorId, presented);
  if (!check.ok) {
    auth.bearer = 'invalid';
    if (check.token?.sorId === sorId) auth.tokenId = check.token.id;
    auth.reason = check.reason === 'other-sor' ? 'push token of another system of record' : `push token ${check.reason}`;
    throw new ScimError(401, 'the push token is not valid for this system of record');
  }
  auth.bearer = 'valid';
  auth.tokenId = check.token.id;
  await store.touchPushToken(check.token.id, new Date());
}
