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
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty store. */
  open(): Promise<GraphStore>;
  /** Two stores on one fresh database, as two service instances would share it. */
  openPair(): Promise<[GraphStore, GraphStore]>;
  /** Drops whatever open() created. */
  dispose(): Promise<void>;
}

export function backends(): Backend[] {
  const list: Backend[] = [sqliteBackend()];
  const url = process.env.PUSHGRAPH_TEST_DATABASE_URL;
  if (url) list.push(postgresBackend(url));
  return list;
}

function sqliteBackend(): Backend {
  const stores: GraphStore[] = [];
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async open() {
      const store = new SqliteGraphStore(':memory:');
      await store.migrate();
      stores.push(store);
      return store;
    },
    async openPair() {
      const dir = mkdtempSync(join(tmpdir(), 'pushgraph-pair-'));
      dirs.push(dir);
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
