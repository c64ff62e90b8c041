import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/graph/open-store.js';

const directory = mkdtempSync(join(tmpdir(), 'pushgraph-open-store-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('openStore', () => {
  it('opens SQLite in memory', async () => {
    const store = openStore('sqlite::memory:');
    expect(store.kind).toBe('sqlite');
    await store.migrate();
    await store.ping();
    await store.close();
  });

  it('opens a SQLite file, creating its directory', async () => {
    const file = join(directory, 'nested', 'deeper', 'graph.db');
    const store = openStore(`sqlite:${file}`);
    await store.migrate();
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('opens PostgreSQL for postgres:// and postgresql:// URLs without connecting yet', async () => {
    for (const url of ['postgres://user@127.0.0.1:1/db', 'postgresql://user@127.0.0.1:1/db']) {
      const store = openStore(url);
      expect(store.kind).toBe('postgres');
      await store.close();
    }
  });

  it('refuses other URLs without repeating them, since they may hold a password', () => {
    expect(() => openStore('mysql://root:s3cret@db/graph')).toThrow(/unsupported database URL \(mysql:\)/);
    expect(() => openStore('mysql://root:s3cret@db/graph')).not.toThrow(/s3cret/);
    expect(() => openStore('sqlite:')).toThrow(/needs a path/);
  });
});

describe('openStore with ?schema=', () => {
  it.runIf(process.env.PUSHGRAPH_TEST_DATABASE_URL)('keeps the tables in the named schema', async () => {
    const { default: pg } = await import('pg');
    const base = process.env.PUSHGRAPH_TEST_DATABASE_URL!;
    const schema = `pushgraph_test_url_${Date.now()}`;
    const url = new URL(base);
    url.searchParams.set('schema', schema);
    const store = openStore(url.toString());
    await store.migrate();
    await store.setSetting('k', 'v');
    await store.close();
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      const found = await client.query(`SELECT value FROM "${schema}".settings WHERE key = 'k'`);
      expect(found.rows).toEqual([{ value: 'v' }]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
