import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { GraphStore } from '../../src/graph/store.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { PostgresGraphStore } from '../../src/graph/postgres/store.js';

/** A storage backend that integration tests run against; PostgreSQL only where CI names a database. */
export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty store. */
  open(): Promise<GraphStore>;
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
  return {
    name: 'sqlite',
    async open() {
      const store = new SqliteGraphStore(':memory:');
      await store.migrate();
      stores.push(store);
      return store;
    },
    async dispose() {
      await Promise.all(stores.splice(0).map((s) => s.close()));
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
