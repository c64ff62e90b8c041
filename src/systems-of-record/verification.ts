import type { TemplateProblem } from '../template/model.js';

export type Requirement = 'required' | 'optional' | 'disabled';

/** How a SET SoR authenticates its transmitter (CONTRACT.md, `verification`). */
export interface Verification {
  bearerToken: Requirement;
  signature: Requirement;
  algorithms: string[];
  hmacSecrets: string[];
  jwks?: { keys: Record<string, unknown>[] };
  jwksUri?: string;
  issuerMetadataUri?: string;
  issuer?: string;
  audience?: string[];
  maxAgeSeconds?: number;
  clockSkewSeconds: number;
}

export const SUPPORTED_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512',
] as const;

const REQUIREMENTS: readonly Requirement[] = ['required', 'optional', 'disabled'];
const MIN_HMAC_SECRET_LENGTH = 32;

export const DEFAULT_VERIFICATION: Verification = {
  bearerToken: 'required',
  signature: 'optional',
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'],
  hmacSecrets: [],
  clockSkewSeconds: 300,
};

/** Validates verification settings, filling defaults; reports every problem with its place. */
export function parseVerification(
  input: unknown,
): { ok: true; verification: Verification } | { ok: false; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ place: `verification.${field}`, message });
  if (input === undefined || input === null) return { ok: true, verification: { ...DEFAULT_VERIFICATION } };
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: [{ place: 'verification', message: 'must be an object' }] };
  }
  const raw = input as Record<string, unknown>;
  const known = new Set([
    'bearerToken', 'signature', 'algorithms', 'hmacSecrets', 'jwks', 'jwksUri', 'issuerMetadataUri', 'issuer',
    'audience', 'maxAgeSeconds', 'clockSkewSeconds',
  ]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problem(key, 'is not a verification setting');

  const requirement = (field: 'bearerToken' | 'signature'): Requirement => {
    const value = raw[field];
    if (value === undefined) return DEFAULT_VERIFICATION[field];
    if (typeof value === 'string' && (REQUIREMENTS as string[]).includes(value)) return value as Requirement;
    problem(field, `must be one of ${REQUIREMENTS.join(', ')}`);
    return DEFAULT_VERIFICATION[field];
  };
  const verification: Verification = {
    bearerToken: requirement('bearerToken'),
    signature: requirement('signature'),
    algorithms: DEFAULT_VERIFICATION.algorithms,
    hmacSecrets: [],
    clockSkewSeconds: DEFAULT_VERIFICATION.clockSkewSeconds,
  };

  if (raw.algorithms !== undefined) {
    if (!Array.isArray(raw.algorithms) || raw.algorithms.length === 0) {
      problem('algorithms', 'must be a non-empty list of algorithm names');
    } else {
      raw.algorithms.forEach((alg, i) => {
        if (typeof alg !== 'string' || !(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
          problem(`algorithms[${i}]`, `unsupported algorithm ${JSON.stringify(alg)}; supported: ${SUPPORTED_ALGORITHMS.join(', ')}`);
        }
      });
      verification.algorithms = raw.algorithms.filter((a): a is string => typeof a === 'string');
    }
  }
  if (raw.hmacSecrets !== undefined) {
    if (!Array.isArray(raw.hmacSecrets)) problem('hmacSecrets', 'must be a list of strings');
    else {
      raw.hmacSecrets.forEach((secret, i) => {
        if (typeof secret !== 'string' || secret.length < MIN_HMAC_SECRET_LENGTH) {
          problem(`hmacSecrets[${i}]`, `must be a string of at least ${MIN_HMAC_SECRET_LENGTH} characters (256 bits)`);
        }
      });
      verification.hmacSecrets = raw.hmacSecrets.filter((s): s is string => typeof s === 'string');
    }
  }
  if (raw.jwks !== undefined) {
    const jwks = raw.jwks as { keys?: unknown };
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) problem('jwks', 'must be a JWK Set: {"keys": [...]}');
    else {
      jwks.keys.forEach((key, i) => {
        if (typeof key !== 'object' || key === null || typeof (key as { kty?: unknown }).kty !== 'string') {
          problem(`jwks.keys[${i}]`, 'must be a JWK with a "kty"');
        } else if ('d' in key) {
          problem(`jwks.keys[${i}]`, 'is a private key; give only public keys');
        }
      });
      verification.jwks = { keys: jwks.keys as Record<string, unknown>[] };
    }
  }
  for (const field of ['jwksUri', 'issuerMetadataUri'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !isHttpUrl(value)) problem(field, 'must be an http(s) URL');
    else verification[field] = value;
  }
  if (raw.issuer !== undefined) {
    if (typeof raw.issuer !== 'string' || raw.issuer === '') problem('issuer', 'must be a non-empty string');
    else verification.issuer = raw.issuer;
  }
  if (raw.audience !== undefined) {
    const audience = typeof raw.audience === 'string' ? [raw.audience] : raw.audience;
    if (!Array.isArray(audience) || audience.length === 0 || audience.some((a) => typeof a !== 'string' || a === '')) {
      problem('audience', 'must be a non-empty string or list of non-empty strings');
    } else verification.audience = audience as string[];
  }
  for (const field of ['maxAgeSeconds', 'clockSkewSeconds'] as const) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) problem(field, 'must be a non-negative integer');
    else verification[field] = value;
  }
  if (verification.signature === 'disabled' && verification.bearerToken !== 'required') {
    problems.push({
      place: 'verification',
      message: `signature can be disabled only with bearerToken "required" (it is "${verification.bearerToken}"): otherwise anyone could push into the graph`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, verification };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
