import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPushgraph } from '../support/cli.js';
import { pino } from 'pino';
import { InboxWorker } from '../../src/events/inbox-worker.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { pushUserEvent, seedSorWithToken, testApp } from '../support/service.js';
import { waitForExit } from '../support/service-process.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pushgraph-cli-events-'));
const databaseUrl = `sqlite:${join(dir, 'events.db')}`;
const cli = ['--import', 'tsx', join(root, 'src/cli/main.ts'), '--database-url', databaseUrl];

const pushgraph = (...args: string[]) => runPushgraph(args, { databaseUrl });

describe('pushgraph events list and show', () => {
  let store: SqliteGraphStore;
  let app: FastifyInstance;
  let target: { sorId: string; token: string };

  beforeAll(async () => {
    store = new SqliteGraphStore(join(dir, 'events.db'));
    await store.migrate();
    app = await testApp(store);
    target = await seedSorWithToken(app);
    expect(await pushUserEvent(app, target, { id: 'ada', type: 'create:full', data: { userName: 'ada@example.com' } })).toBe(202);
    expect(await pushUserEvent(app, { ...target, token: 'pgt_wrong' }, { id: 'eve', type: 'create:full', data: { userName: 'eve@example.com' } })).toBe(401);
    expect(await pushUserEvent(app, target, { id: 'nobody', type: 'patch:full', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } })).toBe(202);
    await app.inbox.drain();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the newest events oldest first, one line each, with what an operator scans for', async () => {
    const listed = await pushgraph('events', 'list', '--sor', target.sorId);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\S+Z {2}applied {4}202 {2}prov:create:full {2}\/Users\/ada {2}replace User ada {2}\S+$/);
    expect(lines[1]).toMatch(/^\S+Z {2}refused {4}401 {2}SET {2}- {2}authentication_failed: .+ {2}\S+$/);
    expect(lines[2]).toMatch(/^\S+Z {2}failed {5}202 {2}prov:patch:full {2}\/Users\/nobody {2}no User node "nobody" built from a full event to apply the patch to {2}\S+$/);
  });

  it('filters as the admin API does, prints JSON lines, and shows one event whole', async () => {
    const failed = await pushgraph('events', 'list', '--sor', target.sorId, '--status', 'failed', '--json');
    const events = failed.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; status: string; subject: string });
    expect(events).toMatchObject([{ status: 'failed', subject: '/Users/nobody' }]);
    const shown = await pushgraph('events', 'show', '--sor', target.sorId, '--event', events[0]!.id);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: events[0]!.id, status: 'failed', authentication: { bearer: 'valid' }, decoded: { claims: { sub_id: { uri: '/Users/nobody' } } } });
    expect(await pushgraph('events', 'list', '--sor', target.sorId, '--count', '1')).toMatchObject({ stdout: expect.stringMatching(/^\S+ {2}failed {5}.*\n$/) });
  });

  it('refuses bad options and unknown events with a message naming them', async () => {
    expect((await pushgraph('events', 'list', '--sor', target.sorId, '--status', 'done')).stderr).toBe(
      'pushgraph: --status must be one of accepted, applied, failed, ignored, refused, duplicate (got "done")\n',
    );
    expect((await pushgraph('events', 'list', '--sor', target.sorId, '--count', '0')).stderr).toContain('--count must be a whole number from 1 to 500 (got "0")');
    expect((await pushgraph('events', 'list', '--sor', target.sorId, '--since', 'yesterday')).stderr).toContain('--since must be an RFC 3339 time');
    expect(await pushgraph('events', 'show', '--sor', target.sorId, '--event', 'nope')).toMatchObject({ code: 1, stderr: `pushgraph: no event "nope" in the log of system of record ${target.sorId}\n` });
    expect((await pushgraph('events', 'list', '--sor', 'no-such-sor')).code).toBe(1);
  });

  it('follows: prints events as they arrive, and an accepted one again once applied', async () => {
    const child = spawn(process.execPath, [...cli, 'events', 'list', '--sor', target.sorId, '--count', '1', '--follow'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await until(() => output.includes('/Users/nobody'), () => output);
      await app.inbox.stop();
      expect(await pushUserEvent(app, target, { id: 'grace', type: 'create:full', data: { userName: 'grace@example.com' } })).toBe(202);
      await until(() => /accepted {3}202 {2}prov:create:full {2}\/Users\/grace/.test(output), () => output);
      await new InboxWorker(store, new SystemsOfRecord(store), pino({ level: 'silent' })).drain();
      await until(() => /applied {4}202 {2}prov:create:full {2}\/Users\/grace {2}replace User grace/.test(output), () => output);
      expect(output.split('\n').filter((line) => line.includes('/Users/grace'))).toHaveLength(2);
    } finally {
      child.kill('SIGINT');
      await waitForExit(child);
    }
  });
});

async function until(check: () => boolean, failure: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not seen in time; output:\n${failure()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
