import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/admin/secrets.js';
import { decodeSet } from '../../src/events/decode-set.js';
import { REDACTED_BODY_NOTE, REDACTED_PAYLOAD_NOTE, redactRefusedBody as redactRefused, withoutWriteOnlyValues } from '../../src/events/redact-set.js';
import { seedSet, signHs256 } from './set-fixtures.js';

const segment = (text: string) => Buffer.from(text).toString('base64url');
const decoded = (part: string) => Buffer.from(part, 'base64url').toString('utf8');

describe('withoutWriteOnlyValues', () => {
  it('returns a SET without write-only values itself', async () => {
    const set = decodeSet(await signHs256(seedSet()));
    expect(withoutWriteOnlyValues(set)).toEqual({ set, redacted: false });
    expect(withoutWriteOnlyValues(set).set).toBe(set);
  });

  it('re-encodes the payload of one with them, keeping its header and signature segments', async () => {
    const compact = await signHs256(seedSet({ events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'a', password: 'Hunter2' } } } }));
    const { set, redacted } = withoutWriteOnlyValues(decodeSet(compact));
    expect(redacted).toBe(true);
    const [header, payload, signature] = set.compact.split('.');
    expect([header, signature]).toEqual([compact.split('.')[0], compact.split('.')[2]]);
    expect(decoded(payload!)).not.toContain('Hunter2');
    expect(JSON.parse(decoded(payload!))).toEqual(set.claims);
    expect(set.claims).toMatchObject({ events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'a', password: REDACTED } } } });
  });

  it('re-encodes only the header of one whose JWS header holds one, keeping its payload and signature segments', async () => {
    const compact = await signHs256(seedSet(), undefined, { Password: 'Hunter2' });
    const { set, redacted } = withoutWriteOnlyValues(decodeSet(compact));
    expect(redacted).toBe(true);
    const [header, payload, signature] = set.compact.split('.');
    expect([payload, signature]).toEqual([compact.split('.')[1], compact.split('.')[2]]);
    expect(JSON.parse(decoded(header!))).toEqual({ alg: 'HS256', typ: 'secevent+jwt', Password: REDACTED });
    expect(set.header).toEqual(JSON.parse(decoded(header!)));
  });
});

/** The body as kept, checking that the note says which way it was redacted. */
function redactRefusedBody(body: string): string {
  const { body: kept, note } = redactRefused(body);
  if (kept === body) expect(note).toBeUndefined();
  else expect(note).toBe(/^\s*[[{]/.test(body) || !body.includes('.') ? REDACTED_BODY_NOTE : REDACTED_PAYLOAD_NOTE);
  return kept;
}

describe('redactRefusedBody', () => {
  it('redacts a compact JWS\'s JSON segments, leaving the others as they are', () => {
    const body = `${segment('{"alg":"HS256"}')}.${segment('{"events":{"x":{"data":{"password":"Hunter2","userName":"a"}}}}')}.c2ln`;
    const [header, payload, signature] = redactRefusedBody(body).split('.');
    expect([header, signature]).toEqual([segment('{"alg":"HS256"}'), 'c2ln']);
    expect(JSON.parse(decoded(payload!))).toEqual({ events: { x: { data: { password: REDACTED, userName: 'a' } } } });
  });

  it('withholds a segment that mentions a password but is not JSON', () => {
    expect(redactRefusedBody(`${segment('{"alg":"HS256"}')}.${segment('{"password":"Hunter2",')}.c2ln`)).toBe(`${segment('{"alg":"HS256"}')}.${REDACTED}.c2ln`);
    expect(redactRefusedBody(`${segment('{"alg":"HS256"}')}.${segment('password=Hunter2')}.c2ln`)).toBe(`${segment('{"alg":"HS256"}')}.${REDACTED}.c2ln`);
  });

  it('leaves a signature segment as it is, even one whose bytes read as a \\u escape', () => {
    const body = `${segment('{"alg":"HS256"}')}.${segment('{"userName":"a"}')}.${segment('\\u0041 not JSON')}`;
    expect(redactRefusedBody(body)).toBe(body);
  });

  it('redacts a JSON body, a key spelt with \\u escapes too, and withholds other text naming a password', () => {
    expect(redactRefusedBody('{"userName":"a","p\\u0061ssword":"Hunter2"}')).toBe(`{"userName":"a","password":"${REDACTED}"}`);
    expect(redactRefusedBody('userName=a&password=Hunter2')).toBe(REDACTED);
    expect(redactRefusedBody('{"password": ')).toBe(REDACTED);
  });

  it('leaves a body without one as it is', () => {
    expect(redactRefusedBody('not a set')).toBe('not a set');
    expect(redactRefusedBody('{ "userName": "a" }')).toBe('{ "userName": "a" }');
  });
});
