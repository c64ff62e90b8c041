import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NoStoreError, openExistingStore, openStore } from '../../src/graph/open-store.js';

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

describe('openExistingStore', () => {
  it('refuses a SQLite file that does not exist, creating neither it nor its directory', async () => {
    const file = join(directory, 'typo', 'graph.db');
    await expect(openExistingStore(`sqlite:${file}`)).rejects.toThrow(
      new NoStoreError(`sqlite:${file}`),
    );
    await expect(openExistingStore(`sqlite:${file}`)).rejects.toThrow(`no pushgraph store at sqlite:${file} (start \`pushgraph serve\` once to create it)`);
    expect(existsSync(join(directory, 'typo'))).toBe(false);
    await expect(openExistingStore('sqlite::memory:')).rejects.toThrow('no pushgraph store at sqlite::memory:');
  });

  it('refuses a SQLite file without pushgraph\'s tables, and one that is no database', async () => {
    const empty = join(directory, 'empty.db');
    openStore(`sqlite:${empty}`).close();
    await expect(openExistingStore(`sqlite:${empty}`)).rejects.toThrow(`no pushgraph store at sqlite:${empty}`);
    const text = join(directory, 'notes.txt');
    writeFileSync(text, 'not a database, but long enough to be read as one by SQLite: '.repeat(40));
    await expect(openExistingStore(`sqlite:${text}`)).rejects.toThrow(`cannot open the store at sqlite:${text}: file is not a database`);
  });

  it('opens a SQLite file that serve created', async () => {
    const file = join(directory, 'served.db');
    const created = openStore(`sqlite:${file}`);
    await created.migrate();
    await created.setSetting('k', 'v');
    await created.close();
    const store = await openExistingStore(`sqlite:${file}`);
    expect(await store.getSetting('k')).toBe('v');
    await store.close();
  });

  it.runIf(process.env.PUSHGRAPH_TEST_DATABASE_URL)('refuses a PostgreSQL schema without pushgraph\'s tables, creating nothing', async () => {
    const { default: pg } = await import('pg');
    const base = process.env.PUSHGRAPH_TEST_DATABASE_URL!;
    const schema = `pushgraph_test_typo_${Date.now()}`;
    const url = new URL(base);
    url.searchParams.set('schema', schema);
    await expect(openExistingStore(url.toString())).rejects.toThrow(`no pushgraph store at ${url.toString()}`);
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(found.rows).toEqual([]);
      const created = openStore(url.toString());
      await created.migrate();
      await created.close();
      const store = await openExistingStore(url.toString());
      await store.ping();
      await store.close();
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('names a PostgreSQL URL without its password', async () => {
    const refused = openExistingStore('postgres://someone:s3cret@127.0.0.1:1/db');
    await expect(refused).rejects.toThrow(/^cannot open the store at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/db: /);
    await expect(openExistingStore('postgres://someone:s3cret@127.0.0.1:1/db')).rejects.not.toThrow(/s3cret/);
  });
});
