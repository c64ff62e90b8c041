import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapSample } from '../../src/template/check-sample.js';
import { parseTemplate } from '../../src/template/load.js';

const seed = parseTemplate(readFileSync(new URL('../fixtures/templates/seed-entity-push.sgnl.yaml', import.meta.url), 'utf8'));
const createFull = { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'jdoe@example.com' } } };

describe('mapSample', () => {
  it('checks SET claims without sub_id as the SET endpoint does, instead of mapping them as a SCIM resource', () => {
    const result = mapSample(seed, { iss: 'x', events: createFull });
    expect(result).toMatchObject({ ok: false, kind: 'set', errors: [{ message: expect.stringMatching(/^the SET endpoint would refuse it: .*"jti"/) }] });
  });

  it('maps complete SET claims, and reads a body listing schemas as a SCIM resource', () => {
    const claims = { iss: 'x', iat: 1, jti: 'j1', sub_id: { format: 'scim', uri: '/Users/7', id: '7' }, events: createFull };
    expect(mapSample(seed, claims)).toMatchObject({ ok: true, kind: 'set', entity: 'User', node: { id: '7' } });
    expect(mapSample(seed, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], events: {}, userName: 'x' }).kind).toBe('scim');
  });

  it('says that a SET of another kind (an SSF verification) is accepted and ignored, as the SET endpoint does', () => {
    const ssf = { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'abc' } };
    for (const claims of [{ iss: 'x', iat: 1, jti: 'j1', events: ssf }, { iss: 'x', iat: 1, jti: 'j1', sub_id: { format: 'opaque', id: 's' }, events: ssf }]) {
      expect(mapSample(seed, claims)).toMatchObject({ ok: false, kind: 'set', errors: [{ message: expect.stringMatching(/^the SET endpoint would accept it and log it as ignored/) }] });
    }
  });
});
