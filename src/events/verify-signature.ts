import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { compactVerify, errors } from 'jose';
import { keysUnavailable, type KeySources } from './key-sources.js';
import type { Verification } from '../systems-of-record/verification.js';
import type { DecodedSet } from './decode-set.js';
import { SetError, invalidRequest } from './set-error.js';

export type SignatureOutcome = 'verified' | 'unsigned' | 'not-checked';

/**
 * Verifies the JWS signature per the SoR's settings. HS* keys are the configured HMAC secrets and the push
 * token the caller presented (SGNL's clients sign with it): tokens are stored hashed, so an HS* signature
 * made with a token verifies only when the token is presented too. `alg: none` passes only when signatures
 * are disabled and a bearer token is required. `presentedPushToken` is the token only once it was found valid.
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
  if (verification.signature === 'disabled') {
    // Such settings are refused when a SoR is saved; one saved before that rule must not accept anyone's SET.
    if (presentedPushToken === undefined) {
      throw new SetError(401, 'authentication_failed', 'a push token is required: this system of record does not check signatures');
    }
    return 'not-checked';
  }
  if (!verification.algorithms.includes(alg)) {
    throw new SetError(400, 'invalid_key', `algorithm "${alg}" is not allowed; allowed: ${verification.algorithms.join(', ')}`);
  }
  if (alg.startsWith('HS')) return verifyHmac(set, verification, presentedPushToken);
  const keys = await keySources.keysFor(verification);
  if (keys.length === 0) {
    return unverifiable(verification, presentedPushToken, `the SET is signed with ${alg} but no public keys are configured for this system of record`);
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

/**
 * A signature no configured key can check. `optional` lets it through only when the push token has
 * authenticated the sender: otherwise anyone could skip verification by signing with an algorithm (or an
 * HMAC secret) the SoR has no key for, which `alg: none` is refused for.
 */
function unverifiable(verification: Verification, presentedPushToken: string | undefined, description: string): SignatureOutcome {
  if (verification.signature === 'optional' && presentedPushToken !== undefined) return 'not-checked';
  throw new SetError(400, 'invalid_key', description);
}

async function verifyHmac(set: DecodedSet, verification: Verification, presentedPushToken: string | undefined): Promise<SignatureOutcome> {
  const secrets = [...verification.hmacSecrets, ...(presentedPushToken ? [presentedPushToken] : [])];
  // With no secret there is no valid push token either, so `optional` cannot let it through (unverifiable).
  if (secrets.length === 0) {
    throw new SetError(
      400,
      'invalid_key',
      `the SET is signed with ${set.header.alg} but no HMAC secret is configured and no valid push token was presented to verify it with (a SET signed with a push token must also send it as "Authorization: Bearer")`,
    );
  }
  const hash = HMAC_HASHES[set.header.alg!];
  if (!hash) throw new SetError(400, 'invalid_key', `the SET signature cannot be verified: algorithm "${set.header.alg}" is not supported`);
  const dot = set.compact.lastIndexOf('.');
  const signature = set.compact.slice(dot + 1);
  if (BASE64URL.test(signature)) {
    const presented = Buffer.from(signature, 'base64url');
    for (const secret of secrets) {
      const expected = createHmac(hash, hmacKey(secret)).update(set.compact.slice(0, dot)).digest();
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) return 'verified';
    }
  }
  throw new SetError(400, 'invalid_key', 'the SET signature does not verify with any configured key');
}

/**
 * HS* is checked with node:crypto directly: going through jose's WebCrypto path cost about a tenth of the
 * CPU of an accepted SET (a key import and a thread-pool job per verification). decodeSet has already read
 * the header and payload, and verifySignature refused "crit", which is all jose would check besides the MAC.
 */
const HMAC_HASHES: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
const BASE64URL = /^[A-Za-z0-9_-]*$/;

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
