import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate as migratePostgres } from '../../src/graph/postgres/migrations.js';
import { NODE_ID_BY_SUBJECT as POSTGRES_QUERY } from '../../src/graph/postgres/store.js';
import { migrate as migrateSqlite } from '../../src/graph/sqlite/migrations.js';
import { NODE_ID_BY_SUBJECT as SQLITE_QUERY } from '../../src/graph/sqlite/store.js';

/** findNodeIdBySubject runs on every delete or activate of a data-keyed node: it must seek, never scan the nodes. */
describe('the subject lookup uses the partial index nodes_subject', () => {
  it('on SQLite', () => {
    const db = new Database(':memory:');
    try {
      migrateSqlite(db);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${SQLITE_QUERY}`).all('sor', 'User', '/Users/x') as { detail: string }[];
      expect(plan.map((step) => step.detail).join('\n')).toMatch(/SEARCH nodes USING INDEX nodes_subject \(sor_id=\? AND entity=\? AND <expr>=\?\)/);
    } finally {
      db.close();
    }
  });

  const databaseUrl = process.env['PUSHGRAPH_TEST_DATABASE_URL'];
  it.skipIf(!databaseUrl)('on PostgreSQL', async () => {
    const schema = `pushgraph_test_${randomBytes(6).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, options: `-c search_path=${schema}` });
    const client = await pool.connect();
    try {
      await migratePostgres(client, schema);
      // On an empty table a scan is as cheap as any index; ruling scans out asks whether the index can serve at all.
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${POSTGRES_QUERY.text}`, ['sor', 'User', '/Users/x']);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using nodes_subject on nodes/);
      expect(plan).toMatch(/Index Cond: .*'uri'::text\) = '\/Users\/x'::text/);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      client.release();
      await pool.end();
    }
  });
});
