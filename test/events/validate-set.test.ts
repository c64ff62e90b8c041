import { describe, expect, it } from 'vitest';
import { decodeSet } from '../../src/events/decode-set.js';
import { scimEventKind } from '../../src/events/event-type.js';
import { SetError } from '../../src/events/set-error.js';
import { validateSet } from '../../src/events/validate-set.js';
import { DEFAULT_VERIFICATION, type Verification } from '../../src/systems-of-record/verification.js';
import { seedSet, unsigned } from './set-fixtures.js';

const verification: Verification = { ...DEFAULT_VERIFICATION };

function validate(payload: Record<string, unknown>, header?: Record<string, unknown>, settings = verification) {
  return validateSet(decodeSet(unsigned(payload, header)), settings);
}

function refusal(run: () => unknown): SetError {
  try {
    run();
  } catch (error) {
    if (error instanceof SetError) return error;
    throw error;
  }
  throw new Error('expected a SetError');
}

describe('scimEventKind', () => {
  it('matches both casings of the RFC 9967 URIs', () => {
    expect(scimEventKind('urn:ietf:params:scim:event:prov:create:full')).toBe('create:full');
    expect(scimEventKind('urn:ietf:params:SCIM:event:prov:put:full')).toBe('put:full');
    expect(scimEventKind('urn:ietf:params:SCIM:event:prov:delete')).toBe('delete');
    expect(scimEventKind('https://schemas.openid.net/secevent/caep/event-type/session-revoked')).toBeUndefined();
  });
});

describe('decodeSet', () => {
  it.each([
    ['{"payload":"x","signatures":[]}', /compact JWS/],
    ['a.b.c.d.e', /JWE/],
    ['only.two', /three base64url parts/],
    ['!!!.e30.', /header/],
    [`${Buffer.from('{"alg":"none"}').toString('base64url')}.bm90IGpzb24.`, /payload is not base64url-encoded JSON/],
    [`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.`, /JSON object/],
  ])('refuses %s', (body, message) => {
    const error = refusal(() => decodeSet(body));
    expect(error.err).toBe('invalid_request');
    expect(error.description).toMatch(message);
  });

  it('refuses claims nested 100k levels deep without overflowing', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const body = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(deep).toString('base64url')}.`;
    expect(refusal(() => decodeSet(body)).description).toMatch(/nested too deeply/);
  });
});

describe('validateSet', () => {
  it('reads the seed example', () => {
    const event = validate(seedSet({ jti: 'j1' }));
    expect(event).toMatchObject({ jti: 'j1', kind: 'create:full', subject: { uri: '/Users/44f6142df96bd6ab61e7521d9', id: '100' } });
    expect(event.eventUri).toBe('urn:ietf:params:SCIM:event:prov:create:full');
  });

  it('accepts typ with the application/ prefix and any case', () => {
    expect(validate(seedSet(), { alg: 'none', typ: 'application/SECEVENT+JWT' }).kind).toBe('create:full');
  });

  it('answers unknown event types without applying them', () => {
    const event = validate(seedSet({ events: { 'https://example.com/event/other': {} } }));
    expect(event.kind).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown> | undefined, RegExp]>([
    ['missing typ', seedSet(), { alg: 'none' }, /no "typ"/],
    ['wrong typ', seedSet(), { alg: 'none', typ: 'JWT' }, /"secevent\+jwt"/],
    ['missing jti', seedSet({ jti: undefined }), undefined, /"jti"/],
    ['missing iss', seedSet({ iss: undefined }), undefined, /"iss"/],
    ['missing iat', seedSet({ iat: undefined }), undefined, /"iat"/],
    ['iat far in the future', seedSet({ iat: Math.floor(Date.now() / 1000) + 3600 }), undefined, /future/],
    ['sub and sub_id', seedSet({ sub: 'x' }), undefined, /both "sub" and "sub_id"/],
    ['events missing', seedSet({ events: undefined }), undefined, /no "events"/],
    ['events empty', seedSet({ events: {} }), undefined, /empty/],
    ['events not an object', seedSet({ events: [1] }), undefined, /no "events"/],
    ['an event that is not an object', seedSet({ events: { 'urn:x': 5 } }), undefined, /must be a JSON object/],
    ['sub_id missing', seedSet({ sub_id: undefined }), undefined, /no "sub_id"/],
    ['sub_id without uri', seedSet({ sub_id: { format: 'scim', id: '1' } }), undefined, /"sub_id.uri"/],
    ['sub_id of another format', seedSet({ sub_id: { format: 'email', email: 'a@b' } }), undefined, /"sub_id.format" must be "scim"/],
    [
      'data and attributes both',
      seedSet({ events: { 'urn:ietf:params:scim:event:prov:put:full': { data: {}, attributes: ['a'] } } }),
      undefined,
      /not both/,
    ],
    ['full event without data', seedSet({ events: { 'urn:ietf:params:scim:event:prov:put:full': {} } }), undefined, /"data"/],
    ['notice without attributes', seedSet({ events: { 'urn:ietf:params:scim:event:prov:put:notice': {} } }), undefined, /"attributes"/],
  ])('refuses %s with invalid_request', (_name, payload, header, message) => {
    const error = refusal(() => validate(payload, header));
    expect(error.err).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.description).toMatch(message);
  });

  it('checks issuer, audience and age only when configured', () => {
    const strict = { ...verification, issuer: 'https://scim.example.com', audience: ['sgnl.ai'], maxAgeSeconds: 60 };
    expect(validate(seedSet(), undefined, strict).kind).toBe('create:full');
    expect(refusal(() => validate(seedSet({ iss: 'https://evil.example' }), undefined, strict)).err).toBe('invalid_issuer');
    expect(refusal(() => validate(seedSet({ aud: ['other'] }), undefined, strict)).err).toBe('invalid_audience');
    expect(refusal(() => validate(seedSet({ aud: undefined }), undefined, strict)).err).toBe('invalid_audience');
    const old = seedSet({ iat: Math.floor(Date.now() / 1000) - 3600 });
    expect(refusal(() => validate(old, undefined, strict)).description).toMatch(/too old/);
    expect(validate(old).kind).toBe('create:full');
  });
});

describe('validateSet: exp, nbf and events of other kinds', () => {
  it('refuses a SET past its exp or before its nbf, allowing the clock skew (300 s), and a non-numeric one', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(refusal(() => validate(seedSet({ exp: now - 400 }))).description).toMatch(/expired at .*"exp"/);
    expect(validate(seedSet({ exp: now - 200 })).jti).toBeDefined();
    expect(refusal(() => validate(seedSet({ nbf: now + 400 }))).description).toMatch(/not valid before/);
    expect(validate(seedSet({ nbf: now + 200 })).jti).toBeDefined();
    expect(refusal(() => validate(seedSet({ exp: 'tomorrow' }))).description).toMatch(/"exp" claim must be a NumericDate/);
  });

  it('reads an event that is not a SCIM event without a SCIM subject', () => {
    const ssf = { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'x' } };
    const opaque = validate(seedSet({ sub_id: { format: 'opaque', id: 'stream-1' }, events: ssf }));
    expect(opaque.kind).toBeUndefined();
    expect(opaque.subject).toBeUndefined();
    const { sub_id: _none, ...withoutSubject } = seedSet({ events: ssf });
    expect(validate(withoutSubject).subject).toBeUndefined();
    expect(validate(seedSet({ events: ssf })).subject).toMatchObject({ uri: '/Users/44f6142df96bd6ab61e7521d9' });
    // A SCIM event still needs its SCIM subject.
    expect(refusal(() => validate(seedSet({ sub_id: { format: 'opaque', id: 'x' } }))).description).toMatch(/sub_id.format/);
  });
});
