import { describe, expect, it } from 'vitest';
import { DEFAULT_VERIFICATION, parseVerification } from '../../src/systems-of-record/verification.js';

describe('parseVerification', () => {
  it('fills the defaults of CONTRACT.md when nothing is given', () => {
    expect(parseVerification(undefined)).toEqual({ ok: true, verification: DEFAULT_VERIFICATION });
    expect(DEFAULT_VERIFICATION).toMatchObject({ bearerToken: 'required', signature: 'optional' });
  });

  it('accepts the example of CONTRACT.md', () => {
    const result = parseVerification({
      bearerToken: 'optional',
      signature: 'required',
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'],
      hmacSecrets: ['a-string-secret-at-least-256-bits-long'],
      jwks: { keys: [] },
      jwksUri: 'https://transmitter.example/jwks.json',
      issuerMetadataUri: 'https://transmitter.example/.well-known/ssf-configuration',
      issuer: 'https://scim.example.com',
      audience: ['https://pushgraph.example/events/scim/v1/ID', 'sgnl.ai'],
      maxAgeSeconds: 86400,
      clockSkewSeconds: 300,
    });
    expect(result.ok).toBe(true);
  });

  it('reports every problem with its place at once', () => {
    const result = parseVerification({
      bearerToken: 'sometimes',
      algorithms: ['HS256', 'none'],
      hmacSecrets: ['short'],
      jwksUri: 'ftp://x',
      audience: [],
      maxAgeSeconds: -1,
      colour: 'blue',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.place).sort()).toEqual(
      [
        'verification.algorithms[1]',
        'verification.audience',
        'verification.bearerToken',
        'verification.colour',
        'verification.hmacSecrets[0]',
        'verification.jwksUri',
        'verification.maxAgeSeconds',
      ].sort(),
    );
  });

  it('refuses settings that would let anyone push: signatures disabled without a required push token', () => {
    for (const bearerToken of ['disabled', 'optional']) {
      const result = parseVerification({ bearerToken, signature: 'disabled' });
      expect(result).toMatchObject({ ok: false, problems: [{ place: 'verification', message: expect.stringContaining('only with bearerToken "required"') }] });
    }
    expect(parseVerification({ bearerToken: 'required', signature: 'disabled' }).ok).toBe(true);
  });

  it('takes a single audience string as a list', () => {
    expect(parseVerification({ audience: 'sgnl.ai' })).toMatchObject({ ok: true, verification: { audience: ['sgnl.ai'] } });
  });
});
