import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startService } from '../src/server.js';
import { SqliteGraphStore } from '../src/graph/sqlite/store.js';
import { readSystemOfRecordRequest } from '../src/systems-of-record/create-request.js';
import { SystemsOfRecord } from '../src/systems-of-record/service.js';
import { seedTemplate } from './support/service.js';

const silent = pino({ level: 'silent' });

describe('startService', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the SQLite file, prints a generated admin token once, and stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pushgraph-'));
    dirs.push(dir);
    const config = loadConfig({ PUSHGRAPH_PORT: '0', PUSHGRAPH_DATABASE_URL: `sqlite:${join(dir, 'nested', 'pushgraph.db')}` });
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });

    const first = await startService(config, silent);
    const tokenLine = written.find((line) => line.startsWith('admin token: '));
    expect(tokenLine).toMatch(/^admin token: pga_\S+\n$/);
    // The CLI's store commands need no admin token, so the hint names only what does.
    expect(written).toContain('  (shown once; keep it: the admin API and the console at /console need it)\n');
    const adminToken = tokenLine!.slice('admin token: '.length).trim();
    const ready = await fetch(`${first.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'sqlite' });
    const list = await fetch(`${first.url}/api/v1/systems-of-record`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(list.status).toBe(200);
    await first.stop();
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    written.length = 0;
    const second = await startService(config, silent);
    expect(written.some((line) => line.startsWith('admin token: '))).toBe(false);
    const again = await fetch(`${second.url}/api/v1/systems-of-record`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(again.status).toBe(200);
    await second.stop();
  });

  it('finishes at start the attribute index build a stopped service left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pushgraph-'));
    dirs.push(dir);
    const file = join(dir, 'pushgraph.db');
    const before = new SqliteGraphStore(file);
    await before.migrate();
    const { record } = await new SystemsOfRecord(before).create(readSystemOfRecordRequest({ template: seedTemplate }));
    const users = Array.from({ length: 1200 }, (_, i) => ({ entity: 'User', id: `u${i}`, attributes: { id: `u${i}`, enabled: i % 2 === 0 }, children: [] }));
    await before.replaceNodes(record.id, users, { indexedAttributes: {} });
    // As a template change that indexes `enabled` leaves it when the service stops during the build.
    await before.updateSystemOfRecord({ ...record, indexPlan: { User: ['userName', 'id', 'enabled'] }, indexBuilds: { User: ['enabled'] } });
    await before.close();

    const service = await startService(
      loadConfig({ PUSHGRAPH_PORT: '0', PUSHGRAPH_ADMIN_TOKEN: 'configured-admin-token-000000000000', PUSHGRAPH_DATABASE_URL: `sqlite:${file}` }),
      silent,
    );
    await vi.waitFor(async () => expect((await service.store.getSystemOfRecord(record.id))?.indexBuilds).toBeUndefined(), { timeout: 10_000 });
    expect(await service.store.findNodes(record.id, 'User', 'enabled', true)).toHaveLength(600);
    await service.stop();
  });

  it('uses PUSHGRAPH_ADMIN_TOKEN when it is set and prints nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pushgraph-'));
    dirs.push(dir);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const service = await startService(
      loadConfig({ PUSHGRAPH_PORT: '0', PUSHGRAPH_ADMIN_TOKEN: 'configured-admin-token-000000000000', PUSHGRAPH_DATABASE_URL: `sqlite:${join(dir, 'db')}` }),
      silent,
    );
    expect(written.join('')).not.toContain('admin token');
    const response = await fetch(`${service.url}/api/v1/templates`, { headers: { authorization: 'Bearer configured-admin-token-000000000000' } });
    expect(response.status).toBe(200);
    await service.stop();
  });
});

describe('loadConfig', () => {
  it('has the defaults of CONTRACT.md', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./data/pushgraph.db',
      publicUrl: 'http://127.0.0.1:8080',
    });
  });

  it.each([
    [{ PUSHGRAPH_PORT: 'eighty' }, /PUSHGRAPH_PORT/],
    [{ PUSHGRAPH_PORT: '70000' }, /PUSHGRAPH_PORT/],
    [{ PUSHGRAPH_PUBLIC_URL: 'pushgraph.example' }, /PUSHGRAPH_PUBLIC_URL/],
    [{ PUSHGRAPH_LOG_LEVEL: 'bogus' }, 'PUSHGRAPH_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "bogus")'],
    [{ PUSHGRAPH_ADMIN_TOKEN: 'a' }, /PUSHGRAPH_ADMIN_TOKEN must be at least 32 characters \(got 1\); generate one with/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it('refuses a --log-level flag the logger does not know, naming the flag', () => {
    expect(() => loadConfig({}, { logLevel: 'loud' })).toThrowError('--log-level must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
  });

  it('strips a trailing slash from the public URL', () => {
    expect(loadConfig({ PUSHGRAPH_PUBLIC_URL: 'https://pushgraph.example/' }).publicUrl).toBe('https://pushgraph.example');
  });
});
