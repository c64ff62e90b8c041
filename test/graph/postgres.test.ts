import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { PostgresGraphStore } from '../../src/graph/postgres/store.js';
import { describeGraphStore } from './store-suite.js';

const databaseUrl = process.env['PUSHGRAPH_TEST_DATABASE_URL'];

if (databaseUrl === undefined || databaseUrl === '') {
  describe('GraphStore on PostgreSQL', () => {
    it.skip('needs PUSHGRAPH_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test); CI always sets it', () => {});
  });
} else {
  const connectionString = databaseUrl;
  const schemas: string[] = [];
  // Not pg_test_…: PostgreSQL reserves the pg_ prefix for system schemas.
  const newSchema = (): string => {
    const schema = `pushgraph_test_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  const runSchema = newSchema();
  const open = (schema: string) => new PostgresGraphStore({ connectionString, schema, maxConnections: 4 });

  describeGraphStore('PostgreSQL', {
    open: async () => open(runSchema),
    openPair: async () => {
      const schema = newSchema();
      return [open(schema), open(schema)];
    },
    cleanup: async () => {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  });
}
