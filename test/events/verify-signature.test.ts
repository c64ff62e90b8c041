import { generateKeyPair, exportJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeSet } from '../../src/events/decode-set.js';
import { SetError } from '../../src/events/set-error.js';
import { verifySignature } from '../../src/events/verify-signature.js';
import { KeySources } from '../../src/events/key-sources.js';
import { DEFAULT_VERIFICATION, type Verification } from '../../src/systems-of-record/verification.js';
import { HMAC_SECRET, seedSet, signHs256, unsigned } from './set-fixtures.js';

const keys = new KeySources();
const withSecret: Verification = { ...DEFAULT_VERIFICATION, hmacSecrets: [HMAC_SECRET] };

async function refusal(run: () => Promise<unknown>): Promise<SetError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof SetError) return error;
    throw error;
  }
  throw new Error('expected a SetError');
}

describe('verifySignature', () => {
  it('verifies HS256 with a configured secret and with the presented push token', async () => {
    expect(await verifySignature(decodeSet(await signHs256(seedSet())), withSecret, undefined, keys)).toBe('verified');
    const token = 'pgt_0123456789abcdef_abcdefghijklmnopqrstuvwxyz012345';
    expect(await verifySignature(decodeSet(await signHs256(seedSet(), token)), DEFAULT_VERIFICATION, token, keys)).toBe('verified');
  });

  it('refuses a tampered signature as invalid_key', async () => {
    const jws = await signHs256(seedSet());
    const tampered = jws.slice(0, -4) + (jws.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await refusal(() => verifySignature(decodeSet(tampered), withSecret, undefined, keys))).err).toBe('invalid_key');
  });

  it('verifies HS384 and HS512 when allowed, and refuses one signed with another secret', async () => {
    const allowed = { ...withSecret, algorithms: ['HS384', 'HS512'] };
    for (const alg of ['HS384', 'HS512']) {
      const jws = await new SignJWT(seedSet()).setProtectedHeader({ alg, typ: 'secevent+jwt' }).sign(new TextEncoder().encode(HMAC_SECRET));
      expect(await verifySignature(decodeSet(jws), allowed, undefined, keys)).toBe('verified');
      const other = await new SignJWT(seedSet()).setProtectedHeader({ alg, typ: 'secevent+jwt' }).sign(new TextEncoder().encode(`${HMAC_SECRET}x`));
      expect((await refusal(() => verifySignature(decodeSet(other), allowed, undefined, keys))).err).toBe('invalid_key');
    }
  });

  it('refuses a signature with characters outside base64url, even if the rest of it would verify', async () => {
    const jws = await signHs256(seedSet());
    const dot = jws.lastIndexOf('.');
    const padded = `${jws.slice(0, dot + 3)}=${jws.slice(dot + 3)}`;
    expect((await refusal(() => verifySignature(decodeSet(padded), withSecret, undefined, keys))).err).toBe('invalid_key');
  });

  it('refuses alg none unless signatures are disabled and a bearer token is required', async () => {
    const set = decodeSet(unsigned(seedSet()));
    expect((await refusal(() => verifySignature(set, DEFAULT_VERIFICATION, undefined, keys))).err).toBe('invalid_key');
    expect(await verifySignature(set, { ...DEFAULT_VERIFICATION, signature: 'disabled' }, undefined, keys)).toBe('unsigned');
    const noBearer = { ...DEFAULT_VERIFICATION, signature: 'disabled' as const, bearerToken: 'optional' as const };
    expect((await refusal(() => verifySignature(set, noBearer, undefined, keys))).err).toBe('invalid_key');
  });

  it('refuses an algorithm off the allow-list', async () => {
    const jws = await new SignJWT(seedSet()).setProtectedHeader({ alg: 'HS512', typ: 'secevent+jwt' }).sign(new TextEncoder().encode(HMAC_SECRET));
    const error = await refusal(() => verifySignature(decodeSet(jws), withSecret, undefined, keys));
    expect(error.err).toBe('invalid_key');
    expect(error.description).toMatch(/"HS512" is not allowed/);
  });

  it('refuses HS256 signed with the bytes of an RSA public key the receiver trusts', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const pem = JSON.stringify(jwk);
    const jws = await signHs256(seedSet(), pem, { kid: 'k1' });
    const settings: Verification = { ...DEFAULT_VERIFICATION, signature: 'required', jwks: { keys: [jwk] } };
    expect((await refusal(() => verifySignature(decodeSet(jws), settings, undefined, keys))).err).toBe('invalid_key');
  });

  it('verifies ES256 against a static JWKS and refuses an unknown kid', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const settings: Verification = { ...DEFAULT_VERIFICATION, signature: 'required', jwks: { keys: [jwk] } };
    const good = await new SignJWT(seedSet()).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid: 'k1' }).sign(privateKey);
    expect(await verifySignature(decodeSet(good), settings, undefined, keys)).toBe('verified');
    const unknownKid = await new SignJWT(seedSet()).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid: 'k2' }).sign(privateKey);
    expect((await refusal(() => verifySignature(decodeSet(unknownKid), settings, undefined, keys))).err).toBe('invalid_key');
  });

  it('refuses crit headers it does not understand', async () => {
    const set = decodeSet(unsigned(seedSet(), { alg: 'HS256', typ: 'secevent+jwt', crit: ['exp'] }));
    expect((await refusal(() => verifySignature(set, withSecret, undefined, keys))).description).toMatch(/"crit"/);
  });

  it('refuses a signature it must check when no key is configured', async () => {
    const set = decodeSet(await signHs256(seedSet()));
    const required = { ...DEFAULT_VERIFICATION, signature: 'required' as const };
    expect((await refusal(() => verifySignature(set, required, undefined, keys))).err).toBe('invalid_key');
  });

  it('lets an optional signature go unchecked only when no key can check it and a valid push token authenticated the sender', async () => {
    const token = 'pgt_0123456789abcdef_abcdefghijklmnopqrstuvwxyz012345';
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rs256 = decodeSet(await new SignJWT(seedSet()).setProtectedHeader({ alg: 'RS256', typ: 'secevent+jwt' }).sign(privateKey));
    expect(await verifySignature(rs256, withSecret, token, keys)).toBe('not-checked');
    // Without a token, signing with an algorithm the SoR has no key for must not be a way around verification.
    const noKey = await refusal(() => verifySignature(rs256, withSecret, undefined, keys));
    expect(noKey.err).toBe('invalid_key');
    expect(noKey.description).toMatch(/signed with RS256 but no public keys are configured/);

    const rsaOnly: Verification = { ...DEFAULT_VERIFICATION, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] } };
    const forgedHs = decodeSet(await signHs256(seedSet(), JSON.stringify(await exportJWK(publicKey)), { kid: 'k1' }));
    const forged = await refusal(() => verifySignature(forgedHs, rsaOnly, undefined, keys));
    expect(forged.err).toBe('invalid_key');
    expect(forged.description).toMatch(/no HMAC secret is configured and no valid push token was presented/);
    // A presented token is an HMAC key, so an HS256 signature made with anything else does not verify.
    expect((await refusal(() => verifySignature(forgedHs, rsaOnly, token, keys))).err).toBe('invalid_key');
  });
});

describe('remote keys', () => {
  it('fetches a JWKS URL and a transmitter metadata document, refetches on an unknown kid after the cooldown', async () => {
    const { createServer } = await import('node:http');
    const first = await generateKeyPair('ES256', { extractable: true });
    const rotated = await generateKeyPair('ES256', { extractable: true });
    const published = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'ES256' }];
    let jwksFetches = 0;
    const server = createServer((request, response) => {
      if (request.url === '/jwks.json') {
        jwksFetches++;
        response.setHeader('content-type', 'application/json');
        return response.end(JSON.stringify({ keys: published }));
      }
      if (request.url === '/.well-known/ssf-configuration') {
        response.setHeader('content-type', 'application/json');
        return response.end(JSON.stringify({ issuer: 'x', jwks_uri: `http://127.0.0.1:${port}/jwks.json` }));
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const sources = new KeySources({ cooldownMs: 0 });
      const sign = (key: CryptoKey, kid: string) =>
        new SignJWT(seedSet()).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid }).sign(key);
      const byUri: Verification = { ...DEFAULT_VERIFICATION, signature: 'required', jwksUri: `http://127.0.0.1:${port}/jwks.json` };
      expect(await verifySignature(decodeSet(await sign(first.privateKey, 'k1')), byUri, undefined, sources)).toBe('verified');

      const unknown = await refusal(() => sign(rotated.privateKey, 'k2').then((jws) => verifySignature(decodeSet(jws), byUri, undefined, sources)));
      expect(unknown.err).toBe('invalid_key');
      published.push({ ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'ES256' });
      const fetchesBefore = jwksFetches;
      expect(await verifySignature(decodeSet(await sign(rotated.privateKey, 'k2')), byUri, undefined, sources)).toBe('verified');
      expect(jwksFetches).toBeGreaterThan(fetchesBefore);

      const byMetadata: Verification = {
        ...DEFAULT_VERIFICATION,
        signature: 'required',
        issuerMetadataUri: `http://127.0.0.1:${port}/.well-known/ssf-configuration`,
      };
      expect(await verifySignature(decodeSet(await sign(first.privateKey, 'k1')), byMetadata, undefined, sources)).toBe('verified');

      const unreachable: Verification = { ...DEFAULT_VERIFICATION, signature: 'required', jwksUri: `http://127.0.0.1:${port}/missing` };
      const down = await refusal(() => sign(first.privateKey, 'k1').then((jws) => verifySignature(decodeSet(jws), unreachable, undefined, sources)));
      expect(down.status).toBe(503);
    } finally {
      server.close();
    }
  });
});

describe('a key rotated into a JWKS URL', () => {
  it('is refused as unknown within the refetch cooldown and verified after it; a kid that stays unknown is refused', async () => {
    const { createServer } = await import('node:http');
    const first = await generateKeyPair('ES256', { extractable: true });
    const rotated = await generateKeyPair('ES256', { extractable: true });
    const published = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'ES256' }];
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const sources = new KeySources({ cooldownMs: 300 });
      const settings: Verification = {
        ...DEFAULT_VERIFICATION,
        signature: 'required',
        jwksUri: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`,
      };
      const verify = async (key: CryptoKey, kid: string) =>
        verifySignature(decodeSet(await new SignJWT(seedSet()).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid }).sign(key)), settings, undefined, sources);
      expect(await verify(first.privateKey, 'k1')).toBe('verified');

      // The SSF receiver tests expect invalid_key for a key not in the JWKS, also right after a fetch.
      published.push({ ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'ES256' });
      expect(await refusal(() => verify(rotated.privateKey, 'k2'))).toMatchObject({ status: 400, err: 'invalid_key' });
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await verify(rotated.privateKey, 'k2')).toBe('verified');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await refusal(() => verify(rotated.privateKey, 'k3'))).toMatchObject({ status: 400, err: 'invalid_key' });
    } finally {
      server.close();
    }
  });

  it('refuses, with signatures disabled, a SET whose sender has no valid push token (settings saved before that was refused)', async () => {
    const set = decodeSet(await signHs256(seedSet()));
    const open = { ...DEFAULT_VERIFICATION, signature: 'disabled' as const, bearerToken: 'optional' as const };
    expect(await refusal(() => verifySignature(set, open, undefined, keys))).toMatchObject({ status: 401, err: 'authentication_failed' });
    expect(await verifySignature(set, open, 'pgt_0123456789abcdef_abcdefghijklmnopqrstuvwxyz012345', keys)).toBe('not-checked');
  });
});
