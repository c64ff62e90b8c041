import { createSecretKey, type KeyObject } from 'node:crypto';
import { compactVerify, errors } from 'jose';
import { keysUnavailable, type KeySources } from './key-sources.js';
import type { Verification } from '../systems-of-record/verification.js';
import type { DecodedSet } from './decode-set.js';
import { SetError, invalidRequest } from './set-error.js';

export type SignatureOutcome = 'verified' | 'unsigned' | 'not-checked';

/**
 * Verifies the JWS signature per the SoR's settings. HS* keys are the configured HMAC secrets and the push
 * token the caller presented (SGNL's clients sign with it). `alg: none` passes only when signatures are
 * disabled and a bearer token is required.
 */
export async function verifySignature(
  set: DecodedSet,
  verification: Verification,
  presentedPushToken: string | undefined,
  keySources: KeySources,
): Promise<SignatureOutcome> {
  const alg = set.header.alg;
  if (typeof alg !== 'string') throw invalidRequest('the JWS header has no "alg"');
  if (set.header.crit !== undefined) {
    throw invalidRequest(`the JWS header has "crit" parameters (${JSON.stringify(set.header.crit)}) this receiver does not understand`);
  }
  if (alg.toLowerCase() === 'none') {
    if (verification.signature === 'disabled' && verification.bearerToken === 'required') return 'unsigned';
    throw new SetError(400, 'invalid_key', 'unsigned SETs (alg "none") are not accepted by this system of record');
  }
  if (verification.signature === 'disabled') return 'not-checked';
  if (!verification.algorithms.includes(alg)) {
    throw new SetError(400, 'invalid_key', `algorithm "${alg}" is not allowed; allowed: ${verification.algorithms.join(', ')}`);
  }
  if (alg.startsWith('HS')) return verifyHmac(set, verification, presentedPushToken);
  const keys = await keySources.keysFor(verification);
  if (keys.length === 0) {
    if (verification.signature === 'optional') return 'not-checked';
    throw new SetError(400, 'invalid_key', 'no public keys are configured for this system of record');
  }
  let failure: SetError | undefined;
  for (const key of keys) {
    try {
      await compactVerify(set.compact, key, { algorithms: [alg] });
      return 'verified';
    } catch (error) {
      failure = signatureFailure(error);
      if (failure.status >= 500) throw failure;
    }
  }
  throw failure!;
}

async function verifyHmac(set: DecodedSet, verification: Verification, presentedPushToken: string | undefined): Promise<SignatureOutcome> {
  const secrets = [...verification.hmacSecrets, ...(presentedPushToken ? [presentedPushToken] : [])];
  if (secrets.length === 0) {
    if (verification.signature === 'optional') return 'not-checked';
    throw new SetError(400, 'invalid_key', 'no HMAC secret is configured and no push token was presented to verify the signature');
  }
  for (const secret of secrets) {
    try {
      await compactVerify(set.compact, hmacKey(secret), { algorithms: [set.header.alg!] });
      return 'verified';
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw signatureFailure(error);
    }
  }
  throw new SetError(400, 'invalid_key', 'the SET signature does not verify with any configured key');
}

const hmacKeys = new Map<string, KeyObject>();
const MAX_CACHED_HMAC_KEYS = 1000;

/** Importing a raw key costs more than verifying an HMAC, so each secret's key object is made once. */
function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) {
    if (hmacKeys.size >= MAX_CACHED_HMAC_KEYS) hmacKeys.delete(hmacKeys.keys().next().value!);
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

function signatureFailure(error: unknown): SetError {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return keysUnavailable('the transmitter\'s keys could not be fetched');
  }
  if (error instanceof TypeError || (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')) {
    return keysUnavailable(`the transmitter's keys could not be fetched (${error.message})`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new SetError(400, 'invalid_key', 'no configured key matches the SET (check "kid" and "alg")');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new SetError(400, 'invalid_key', 'the SET signature does not verify');
  }
  if (error instanceof errors.JOSEError) return new SetError(400, 'invalid_key', `the SET signature cannot be verified: ${error.message}`);
  return new SetError(400, 'invalid_key', 'the SET signature cannot be verified');
}
