import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPushgraph } from '../support/cli.js';
import { createStore } from '../support/created-store.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pushgraph-cli-'));
const databaseUrl = `sqlite:${join(dir, 'cli.db')}`;

async function pushgraph(...args: string[]) {
  return pushgraphAt(databaseUrl, ...args);
}

async function pushgraphAt(url: string, ...args: string[]) {
  return runPushgraph(args, { databaseUrl: url, env: { PUSHGRAPH_PUBLIC_URL: 'https://pushgraph.example' } });
}

describe('pushgraph CLI', () => {
  beforeAll(() => createStore(databaseUrl));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a SoR and prints its endpoint and the next steps, then a token, then reads nothing yet', async () => {
    const neither = await pushgraph('sor', 'create');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give one of --template FILE, --scim or --events');
    const sor = await pushgraph('sor', 'create', '--template', 'examples/entity-push.sgnl.yaml');
    expect(sor.code).toBe(0);
    const id = /created system of record (\S+)/.exec(sor.stdout)![1]!;
    expect(sor.stdout).toContain(`SET endpoint:      https://pushgraph.example/events/scim/v1/${id}`);
    expect(sor.stdout).toContain(`pushgraph token create --sor ${id}`);
    expect(sor.stdout).toMatch(/curl -X POST/);

    const token = await pushgraph('token', 'create', '--sor', id, '--json');
    expect(JSON.parse(token.stdout)).toMatchObject({ id: expect.any(String), token: expect.stringMatching(/^pgt_/) });
    const list = await pushgraph('sor', 'list');
    expect(list.stdout).toContain(id);

    const missing = await pushgraph('node', 'get', '--sor', id, '--entity', 'User', '--id', '100');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no User node with id "100"');
    const revoked = await pushgraph('token', 'revoke', '--sor', id, JSON.parse(token.stdout).id);
    expect(revoked.stdout).toContain('revoked');
  });

  it('rotates a token, refusing a --grace that is no whole number of seconds by its flag', async () => {
    const id = /created system of record (\S+)/.exec((await pushgraph('sor', 'create', '--scim')).stdout)![1]!;
    const token = JSON.parse((await pushgraph('token', 'create', '--sor', id, '--json')).stdout);
    for (const grace of ['abc', '1.5', '-1', '', '2592001']) {
      const refused = await pushgraph('token', 'rotate', '--sor', id, '--grace', grace, token.id);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(`pushgraph: --grace must be a whole number of seconds from 0 to 2592000 (30 days), not ${JSON.stringify(grace)}\n`);
    }
    const rotated = await pushgraph('token', 'rotate', '--sor', id, '--grace', '60', token.id);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`the old token ${token.id} keeps working until`);
  });

  it('creates a SCIM 2.0 SoR with --scim', async () => {
    const sor = await pushgraph('sor', 'create', '--scim');
    expect(sor.code).toBe(0);
    expect(sor.stdout).toMatch(/SCIM 2\.0 endpoint: https:\/\/pushgraph\.example\/scim\/v2\//);
  });

  it('creates a SCIM events SoR with --events', async () => {
    const sor = await pushgraph('sor', 'create', '--events');
    expect(sor.code).toBe(0);
    expect(sor.stdout).toMatch(/\(SCIM Events, pushType SCIM\)/);
    expect(sor.stdout).toMatch(/entities: User, Email, Group, GroupMember/);
  });

  it('refuses a store that does not exist instead of creating an empty one; only serve creates it', async () => {
    const typo = join(dir, 'no-such-dir', 'x.db');
    for (const args of [['sor', 'list'], ['sor', 'create', '--scim'], ['token', 'list', '--sor', 'x']]) {
      const refused = await pushgraphAt(`sqlite:${typo}`, ...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`pushgraph: no pushgraph store at sqlite:${typo} (start \`pushgraph serve\` once to create it)\n`);
      expect(refused.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });

  it.runIf(process.env.PUSHGRAPH_TEST_DATABASE_URL)('refuses a PostgreSQL schema without pushgraph\'s tables', async () => {
    const url = new URL(process.env.PUSHGRAPH_TEST_DATABASE_URL!);
    url.searchParams.set('schema', `pushgraph_test_typo_${Date.now()}`);
    const refused = await pushgraphAt(url.toString(), 'sor', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`pushgraph: no pushgraph store at ${url.toString()} (start \`pushgraph serve\` once to create it)\n`);
  });

  it('shows every template problem with its place', async () => {
    const bad = await pushgraph('sor', 'create', '--template', 'test/fixtures/templates/seed-entity-push.sgnl.yaml', '--push-type', 'SAML');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('pushType: pushType "SAML" is not supported');
    const unreadable = await pushgraph('sor', 'create', '--template', 'no/such/file.yaml');
    expect(unreadable.stderr).toContain('cannot read no/such/file.yaml: ENOENT');
  });

  it('signs a SET like the seed walkthrough', async () => {
    const signed = await pushgraph('set', 'sign', '--secret', 'a-string-secret-at-least-256-bits-long', '--uri', '/Users/44f6142df96bd6ab61e7521d9',
      '--id', '100', '--aud', 'sgnl.ai', '--data', '@examples/jdoe.json');
    expect(signed.code).toBe(0);
    const jws = signed.stdout.trim();
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'HS256', typ: 'secevent+jwt' });
    expect(decodeJwt(jws)).toMatchObject({
      aud: 'sgnl.ai',
      sub_id: { format: 'scim', uri: '/Users/44f6142df96bd6ab61e7521d9', id: '100' },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { data: { userName: 'jdoe@example.com' } } },
    });
  });

  it('fills iss and aud of a --payload SET from the flags, and refuses a flag that contradicts the payload', async () => {
    const payload = join(dir, 'payload.json');
    writeFileSync(payload, JSON.stringify({ sub_id: { format: 'scim', uri: '/Users/x', id: '100' }, events: { 'urn:ietf:params:scim:event:prov:delete': {} } }));
    const sign = (...flags: string[]) => pushgraph('set', 'sign', '--secret', 'a-string-secret-at-least-256-bits-long', '--payload', payload, ...flags);
    expect(decodeJwt((await sign()).stdout.trim())).toMatchObject({ iss: 'https://scim.example.com', iat: expect.any(Number), jti: expect.any(String) });
    const flagged = decodeJwt((await sign('--iss', 'https://idp.example', '--aud', 'sgnl.ai')).stdout.trim());
    expect(flagged).toMatchObject({ iss: 'https://idp.example', aud: 'sgnl.ai' });

    writeFileSync(payload, JSON.stringify({ iss: 'https://idp.example', aud: ['sgnl.ai'], sub_id: { format: 'scim', uri: '/Users/x' }, events: { 'urn:ietf:params:scim:event:prov:delete': {} } }));
    expect(decodeJwt((await sign('--iss', 'https://idp.example', '--aud', 'sgnl.ai')).stdout.trim())).toMatchObject({ iss: 'https://idp.example', aud: ['sgnl.ai'] });
    const otherIssuer = await sign('--iss', 'https://other.example');
    expect(otherIssuer.code).toBe(2);
    expect(otherIssuer.stderr).toBe(`pushgraph: ${payload} has "iss" "https://idp.example" but --iss is "https://other.example"; give one of them\n`);
    const otherAudience = await sign('--aud', 'other');
    expect(otherAudience.code).toBe(2);
    expect(otherAudience.stderr).toBe(`pushgraph: ${payload} has "aud" ["sgnl.ai"] but --aud is "other"; give one of them\n`);
    const evented = await sign('--event', 'delete');
    expect(evented.code).toBe(2);
    expect(evented.stderr).toContain('--payload is the whole SET; --event would be left out');
    const building = await sign('--uri', '/Users/y', '--data', '{}');
    expect(building.code).toBe(2);
    expect(building.stderr).toBe('pushgraph: --payload is the whole SET; --uri, --data would be left out: put them in the payload, or build the SET from flags alone\n');
  });

  it('refuses an unknown --event kind, listing the known ones; takes a full event URI too', async () => {
    const sign = (event: string) => pushgraph('set', 'sign', '--secret', 'a-string-secret-at-least-256-bits-long', '--uri', '/Users/x', '--event', event);
    const typo = await sign('put:ful');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('pushgraph: unknown --event "put:ful": give one of create:full, create:notice, put:full, put:notice, patch:full, '
      + 'patch:notice, delete, activate, deactivate, or a SCIM event URI (urn:ietf:params:scim:event:…)\n');
    expect((await sign('urn:ietf:params:scim:event:prov:nope')).code).toBe(2);
    const uri = 'urn:ietf:params:SCIM:event:prov:deactivate';
    expect(decodeJwt((await sign(uri)).stdout.trim()).events).toEqual({ [uri]: {} });
    expect(decodeJwt((await sign('put:notice')).stdout.trim()).events).toEqual({ 'urn:ietf:params:scim:event:prov:put:notice': {} });
  });

  it('checks a sample SET with the server\'s own rules', async () => {
    const sample = join(dir, 'no-iss.json');
    writeFileSync(sample, JSON.stringify({
      iat: 1, jti: 'j', sub_id: { format: 'scim', uri: '/Users/x', id: '100' },
      events: { 'urn:ietf:params:SCIM:event:prov:create:full': { data: { userName: 'jdoe@example.com' } } },
    }));
    const checked = await pushgraph('template', 'check', 'examples/entity-push.sgnl.yaml', '--sample', sample);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('the SET has no "iss" claim (a non-empty string)');
  });

  it('checks a template and shows what a sample SET becomes, attribute by attribute', async () => {
    const sample = join(dir, 'seed-set.json');
    writeFileSync(sample, JSON.stringify({
      iss: 'x', iat: 1, jti: 'j', sub_id: { format: 'scim', uri: '/Users/x', id: '100' },
      events: { 'urn:ietf:params:SCIM:event:prov:create:full': { data: { userName: 'jdoe@example.com', enabled: 'false', emails: [{ type: 'work', value: 'a@b' }] } } },
    }));
    const checked = await pushgraph('template', 'check', 'examples/entity-push.sgnl.yaml', '--sample', sample);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('examples/entity-push.sgnl.yaml: the template is valid');
    expect(checked.stdout).toMatch(/User "100"/);
    expect(checked.stdout).toMatch(/enabled\s+Bool\s+false\s+from \$\.events\.\*\.data\.enabled/);
    expect(checked.stdout).toMatch(/Email "100:a@b"/);

    writeFileSync(sample, JSON.stringify({ iss: 'x', iat: 1, jti: 'j', sub_id: { format: 'scim', uri: '/Users/x', id: '100' }, events: { 'urn:ietf:params:SCIM:event:prov:create:full': { data: { enabled: 'maybe' } } } }));
    const bad = await pushgraph('template', 'check', 'examples/entity-push.sgnl.yaml', '--sample', sample);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/does not map to User:\n {2}User\.enabled: expected/);
  });

  it('refuses a template that maps a write-only value, as the admin API does', async () => {
    const file = join(dir, 'password.sgnl.yaml');
    const mapped = '      - name: initialPassword\n        externalId: password\n        pushExternalId: $.events.*.data.password\n        type: String\n';
    writeFileSync(file, readFileSync(join(root, 'examples/entity-push.sgnl.yaml'), 'utf8').replace('      - name: enabled\n', `${mapped}      - name: enabled\n`));
    const checked = await pushgraph('template', 'check', file);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/entities\.User\.attributes\[2\]\.pushExternalId: attribute initialPassword is read from "\$\.events\.\*\.data\.password", a write-only value/);
  });

  it('agrees with the admin API on push types: SSF loads without an endpoint, an unknown one is a problem', async () => {
    const ssf = await pushgraph('template', 'check', 'test/fixtures/templates/sgnl-catalog/ssfevents.caep.sgnl.yaml');
    expect(ssf.code).toBe(0);
    expect(ssf.stdout).toContain('the template is valid');
    expect(ssf.stdout).toMatch(/no push endpoint: SSF \(CAEP\) event delivery is not supported yet/);
    const created = await pushgraph('sor', 'create', '--template', 'test/fixtures/templates/sgnl-catalog/ssfevents.caep.sgnl.yaml');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/no push endpoint: SSF \(CAEP\) event delivery is not supported yet/);
    expect(created.stdout).not.toContain('token create');

    const unknown = join(dir, 'saml.yaml');
    writeFileSync(unknown, readFileSync(join(root, 'examples/entity-push.sgnl.yaml'), 'utf8').replace(/pushType: .*/, 'pushType: SAML'));
    const checked = await pushgraph('template', 'check', unknown);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('template.pushType: pushType "SAML" is not supported');
  });

  it('agrees with the admin API that SCIM 2.0 Group members need a uniqueId', async () => {
    const positional = join(dir, 'positional-members.yaml');
    const template = readFileSync(join(root, 'test/fixtures/templates/sgnl-catalog/scim-2.0-push.sgnl.yaml'), 'utf8');
    const keyedMembers = /(pushExternalId: members\n(?:.*\n)*?\s+type: String\n\s+indexed: true\n)\s+uniqueId: true\n/;
    expect(template).toMatch(keyedMembers);
    writeFileSync(positional, template.replace(keyedMembers, '$1'));
    const checked = await pushgraph('template', 'check', positional);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('entities.GroupMember.attributes: the Group members child entity GroupMember needs its uniqueId attribute to be the member\'s "value"');
  });

  it('exits quietly when the reader of its output goes away (pushgraph sor list | head)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), '--database-url', databaseUrl, 'sor', 'list'], { cwd: root });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('lists the global --database-url and --public-url in serve --help, as README shows them with serve', async () => {
    const help = await pushgraph('serve', '--help');
    expect(help.stdout).toMatch(/--log-level/);
    expect(help.stdout).toMatch(/Global Options:[\s\S]*--database-url <url>[\s\S]*--public-url <url>/);
  });

  it('generates an ES256 key pair', async () => {
    const keys = JSON.parse((await pushgraph('keys', 'generate')).stdout);
    expect(keys.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', d: expect.any(String) });
    expect(keys.jwks.keys[0]).not.toHaveProperty('d');
  });
});
