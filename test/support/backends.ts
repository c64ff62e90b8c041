import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { GraphStore } from '../../src/graph/store.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { PostgresGraphStore } from '../../src/graph/postgres/store.js';

/** A storage backend that integration tests run against; PostgreSQL only where CI names a database. */
export interface Backend {
  kind: 'sqlite' | 'postgres';
  /** The kind, and for SQLite whether the database is a file (the service's inbox then runs in its own thread). */
  name: string;
  /** A fresh, migrated, empty store. */
  open(): Promise<GraphStore>;
  /** Two stores on one fresh database, as two service instances would share it. */
  openPair(): Promise<[GraphStore, GraphStore]>;
  /** Drops whatever open() created. */
  dispose(): Promise<void>;
}

/** `sqliteFile`: also SQLite on a file, for suites that go through the service's inbox (see InboxThread). */
export function backends(options: { sqliteFile?: boolean } = {}): Backend[] {
  const list: Backend[] = [sqliteBackend()];
  if (options.sqliteFile) list.push(sqliteBackend({ file: true }));
  const url = process.env.PUSHGRAPH_TEST_DATABASE_URL;
  if (url) list.push(postgresBackend(url));
  return list;
}

function sqliteBackend(options: { file?: boolean } = {}): Backend {
  const stores: GraphStore[] = [];
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pushgraph-test-'));
    dirs.push(dir);
    return dir;
  };
  return {
    kind: 'sqlite',
    name: options.file ? 'sqlite file' : 'sqlite',
    async open() {
      const store = new SqliteGraphStore(options.file ? join(newDir(), 'db') : ':memory:');
      await store.migrate();
      stores.push(store);
      return store;
    },
    async openPair() {
      const dir = newDir();
      const pair: [GraphStore, GraphStore] = [new SqliteGraphStore(join(dir, 'db')), new SqliteGraphStore(join(dir, 'db'))];
      await pair[0].migrate();
      await pair[1].migrate();
      stores.push(...pair);
      return pair;
    },
    async dispose() {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(connectionString: string): Backend {
  const opened: { store: GraphStore; schema: string }[] = [];
  return {
    kind: 'postgres',
    name: 'postgres',
    async open() {
      const schema = `pushgraph_test_${randomBytes(6).toString('hex')}`;
      const store = new PostgresGraphStore({ connectionString, schema, maxConnections: 4 });
      await store.migrate();
      opened.push({ store, schema });
      return store;
    },
    async openPair() {
      const schema = `pushgraph_test_${randomBytes(6).toString('hex')}`;
      const pair: [GraphStore, GraphStore] = [
        new PostgresGraphStore({ connectionString, schema, maxConnections: 4 }),
        new PostgresGraphStore({ connectionString, schema, maxConnections: 4 }),
      ];
      await Promise.all(pair.map((store) => store.migrate()));
      opened.push({ store: pair[0], schema }, { store: pair[1], schema });
      return pair;
    },
    async dispose() {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        for (const { store, schema } of opened.splice(0)) {
          await store.close();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        }
      } finally {
        await client.end();
      }
    },
  };
}
