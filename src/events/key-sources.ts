import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Verification } from '../systems-of-record/verification.js';
import { SetError } from './set-error.js';

export interface KeySourceOptions {
  /** How long to wait for a JWKS or metadata document. */
  timeoutMs?: number;
  /** After a refetch, how long before an unknown `kid` may trigger another one. */
  cooldownMs?: number;
  /** How long fetched keys and metadata are used before they are fetched again. */
  maxAgeMs?: number;
}

/**
 * Where a SoR's public keys come from: a static JWKS, a JWKS URL, or a transmitter's metadata document
 * (`jwks_uri` in `/.well-known/ssf-configuration`). Fetched keys are cached per URL in this process only;
 * the cache is derived from the URL, so nothing here is state another instance needs.
 */
export class KeySources {
  private readonly remote = new Map<string, JWTVerifyGetKey>();
  /**
   * A static JWKS's getter per JWKS object: the getter imports each key once and keeps it, and a SoR's
   * verification settings are the same object until the SoR changes. A getter made per request imported the
   * key on every SET (a quarter of the CPU of an ES256 SET).
   */
  private readonly local = new WeakMap<object, JWTVerifyGetKey>();
  private readonly metadata = new Map<string, { jwksUri: string; fetchedAt: number }>();
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;

  constructor(options: KeySourceOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    // Short: a transmitter that rotates its key signs with the new one at once, and a SET refused for an unknown
    // kid is not sent again (a 400). Five seconds still bounds the refetches an unknown kid can cause.
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  }


  /** The key getters configured for a SoR, in the order they are tried. */
  async keysFor(verification: Verification): Promise<JWTVerifyGetKey[]> {
    const getters: JWTVerifyGetKey[] = [];
    if (verification.jwks) getters.push(this.localSet(verification.jwks));
    if (verification.jwksUri) getters.push(this.remoteSet(verification.jwksUri));
    if (verification.issuerMetadataUri) getters.push(this.remoteSet(await this.jwksUriFromMetadata(verification.issuerMetadataUri)));
    return getters;
  }

  private localSet(jwks: object): JWTVerifyGetKey {
    let getter = this.local.get(jwks);
    if (!getter) {
      getter = createLocalJWKSet(jwks as never);
      this.local.set(jwks, getter);
    }
    return getter;
  }

  private remoteSet(uri: string): JWTVerifyGetKey {
    let getter = this.remote.get(uri);
    if (!getter) {
      getter = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: this.timeoutMs,
        cooldownDuration: this.cooldownMs,
        cacheMaxAge: this.maxAgeMs,
      });
      this.remote.set(uri, getter);
    }
    return getter;
  }

  private async jwksUriFromMetadata(uri: string): Promise<string> {
    const cached = this.metadata.get(uri);
    if (cached && Date.now() - cached.fetchedAt < this.maxAgeMs) return cached.jwksUri;
    let document: unknown;
    try {
      const response = await fetch(uri, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = await response.json();
    } catch (error) {
      throw keysUnavailable(`the transmitter metadata at ${uri} could not be fetched (${(error as Error).message})`);
    }
    const jwksUri = (document as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string') throw keysUnavailable(`the transmitter metadata at ${uri} has no "jwks_uri"`);
    this.metadata.set(uri, { jwksUri, fetchedAt: Date.now() });
    return jwksUri;
  }
}

/** The keys could not be had right now: the sender should retry, so this is a 503, not a refusal. */
export function keysUnavailable(description: string): SetError {
  return new SetError(503, 'temporarily_unavailable', `${description}; retry later`, 5);
}
