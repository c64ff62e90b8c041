import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runPushgraph } from '../support/cli.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import type { NodeTree } from '../../src/graph/store.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { createStore } from '../support/created-store.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pushgraph-cli-backup-'));
const file = join(dir, 'live.db');

const pushgraph = (databaseUrl: string, ...args: string[]) => runPushgraph(args, { databaseUrl });

const user = (i: number): NodeTree => ({
  entity: 'User',
  id: `u${i}`,
  attributes: { id: `u${i}`, userName: `user${i}@example.com`, title: 'a title long enough to fill some pages '.repeat(4) },
  children: [],
});

describe('pushgraph backup', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a store that is being written to into one checked file that opens as the store did', async () => {
    const store = new SqliteGraphStore(file);
    await store.migrate();
    const sorId = (await new SystemsOfRecord(store).create(readSystemOfRecordRequest({ pushType: 'SCIM2.0' }))).record.id;
    const options = { indexedAttributes: { User: ['id', 'userName'] }, eventId: 'backup-test' };
    for (let i = 0; i < 20_000; i += 1000) await store.replaceNodes(sorId, Array.from({ length: 1000 }, (_, k) => user(i + k)), options);

    // Another connection goes on committing while the backup runs, as a running service would.
    let written = 20_000;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await store.replaceNode(sorId, user(written), options);
        written++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const backup = join(dir, 'backup.db');
    const result = await pushgraph(`sqlite:${file}`, 'backup', '--to', backup);
    writing = false;
    await writer;
    await store.close();

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^backed up ${file} to ${backup} \\(\\d+\\.\\d MiB, integrity checked\\) in \\d+\\.\\d s\\n$`));
    expect(result.stderr).toMatch(/^backup \(MiB\): 0 of \d+\n/);
    expect(existsSync(`${backup}.partial`)).toBe(false);
    expect(existsSync(`${backup}-wal`)).toBe(false);
    const copy = new Database(backup, { readonly: true });
    try {
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      const count = (copy.prepare('SELECT count(*) AS n FROM nodes WHERE sor_id = ?').get(sorId) as { n: number }).n;
      expect(count).toBeGreaterThanOrEqual(20_000);
      expect(count).toBeLessThanOrEqual(written);
    } finally {
      copy.close();
    }
    // The copy is a store the CLI (and so the service) opens.
    expect(await pushgraph(`sqlite:${backup}`, 'sor', 'list')).toMatchObject({ code: 0, stdout: expect.stringContaining(sorId) });
  });

  it('refuses to overwrite a file, to write into a folder that does not exist, or over the store itself', async () => {
    const url = `sqlite:${join(dir, 'small.db')}`;
    await createStore(url);
    const existing = join(dir, 'existing.db');
    writeFileSync(existing, 'keep me');
    expect(await pushgraph(url, 'backup', '--to', existing)).toMatchObject({ code: 1, stderr: `pushgraph: ${existing} exists; give --force to replace it\n` });
    expect((await pushgraph(url, 'backup', '--to', existing, '--force')).code).toBe(0);
    const nowhere = join(dir, 'missing', 'backup.db');
    expect(await pushgraph(url, 'backup', '--to', nowhere)).toMatchObject({ code: 1, stderr: `pushgraph: the folder of --to does not exist: ${join(dir, 'missing')}\n` });
    expect((await pushgraph(url, 'backup', '--to', join(dir, 'small.db'))).stderr).toContain('--to names the store itself');
  });

  it('refuses to write over, or next to, one of the store\'s own files: its -wal, -shm or -journal, also through a symlink', async () => {
    const store = join(dir, 'guarded.db');
    await createStore(`sqlite:${store}`);
    symlinkSync(dir, join(dir, 'link'));
    for (const to of [`${store}-wal`, `${store}-shm`, `${store}-journal`, join(dir, 'link', 'guarded.db')]) {
      const result = await pushgraph(`sqlite:${store}`, 'backup', '--to', to, '--force');
      expect(result, to).toMatchObject({ code: 1, stderr: expect.stringContaining('--to names the store itself or one of its files') });
    }
    for (const suffix of ['-shm', '-journal']) expect(existsSync(`${store}${suffix}`)).toBe(false);
  });

  it('removes its partial copy when interrupted, leaving no file that looks like a backup', async () => {
    const store = join(dir, 'large.db');
    await createStore(`sqlite:${store}`);
    const db = new Database(store);
    db.exec('CREATE TABLE ballast (b BLOB)');
    db.prepare('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000) INSERT INTO ballast SELECT randomblob(1000) FROM n').run();
    db.close();
    const backup = join(dir, 'interrupted.db');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), '--database-url', `sqlite:${store}`, 'backup', '--to', backup], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    while (!existsSync(`${backup}.partial`)) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain(`pushgraph: backup interrupted; ${backup} was not written`);
    expect(readdirSync(dir).filter((name) => name.startsWith('interrupted.db'))).toEqual([]);
  });

  it('names what is missing when there is no store, and points a PostgreSQL store to pg_dump', async () => {
    const none = await pushgraph(`sqlite:${join(dir, 'typo.db')}`, 'backup', '--to', join(dir, 'b.db'));
    expect(none).toMatchObject({ code: 1 });
    expect(none.stderr).toContain(`no pushgraph store at sqlite:${join(dir, 'typo.db')}`);
    const postgres = await pushgraph('postgres://user:secret@db.example/pushgraph', 'backup', '--to', join(dir, 'b.db'));
    expect(postgres.code).toBe(1);
    expect(postgres.stderr).toContain('back up a PostgreSQL store with PostgreSQL\'s tools, e.g. `pg_dump --format=custom');
    expect(postgres.stderr).not.toContain('secret');
  });
});
