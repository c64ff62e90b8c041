import { bearerToken } from '../../admin/secrets.js';
import type { PushAuthentication } from '../../graph/push-events.js';
import type { GraphStore } from '../../graph/store.js';
import { acceptPushToken } from '../../systems-of-record/push-tokens.js';
import { ScimError } from '../scim-error.js';

/** The SoR's push token as a Bearer token; why one was refused goes to the event log, never to the caller. */
export async function authenticate(
  store: GraphStore,
  sorId: string,
  authorization: string | undefined,
  auth: PushAuthentication,
  log?: { warn(object: object, message: string): void },
): Promise<void> {
  const presented = bearerToken(authorization);
  if (!presented) {
    auth.bearer = 'missing';
    auth.reason = 'no bearer token';
    throw new ScimError(401, 'a push token is required: send "Authorization: Bearer <token>"');
  }
  if (!(await acceptPushToken(store, sorId, presented, auth, log))) {
    throw new ScimError(401, 'the push token is not valid for this system of record');
  }
}
