import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresGraphStore } from '../../src/graph/postgres/store.js';
import { sorRecord } from '../support/sor-record.js';

const databaseUrl = process.env['PUSHGRAPH_TEST_DATABASE_URL'];

/**
 * The retention sweep against a failed event put back in the inbox at the same moment. On SQLite one connection
 * makes both writes, one after the other; on PostgreSQL they run at once, which this drives with a second session.
 */
describe.skipIf(!databaseUrl)('the retention sweep while an old failed event is retried, on PostgreSQL', () => {
  const schema = `pushgraph_test_${randomBytes(6).toString('hex')}`;
  const store = new PostgresGraphStore({ connectionString: databaseUrl!, schema, maxConnections: 4 });
  const operator = new pg.Client({ connectionString: databaseUrl });

  afterAll(async () => {
    await store.close();
    await operator.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await operator.end();
  });

  it('keeps the event: it waits in the inbox again, so it is an acknowledged SET to apply, not an old entry', async () => {
    await store.migrate();
    await operator.connect();
    await operator.query(`SET search_path TO "${schema}"`);
    await store.createSystemOfRecord(sorRecord('sor-1'));
    await store.recordPushEvent({
      id: 'old-failed', sorId: 'sor-1', receivedAt: '2001-01-01T00:00:00.000Z', protocol: 'set', method: 'POST', path: '/x',
      authentication: { bearer: 'valid' }, status: 'failed', httpStatus: 202, attempts: 1, dedupKey: 'old-failed',
    });
    // The retry's UPDATE (retryPushEvent's), not yet committed when the sweep's DELETE reaches the row.
    await operator.query('BEGIN');
    await operator.query("UPDATE push_events SET status = 'accepted', error_description = NULL WHERE id = 'old-failed' AND status = 'failed'");
    const sweep = store.deletePushEventsBefore(new Date('2002-01-01T00:00:00Z'), 5000);
    let swept = false;
    void sweep.finally(() => (swept = true));
    await waitUntilBlocked(operator, () => swept);
    await operator.query('COMMIT');
    expect(await sweep).toBe(0);
    expect((await store.getPushEvent('sor-1', 'old-failed'))?.status).toBe('accepted');
  });
});

/** Until a session of the store waits for the row lock the operator's transaction holds (or `done` says it ended). */
async function waitUntilBlocked(client: pg.Client, done: () => boolean): Promise<void> {
  while (!done()) {
    // The operator's session is inside its transaction, where pg_stat_activity would answer the same snapshot again.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM push_events%' AND pid <> pg_backend_pid()
         AND datname = current_database()`,
    );
    if (rows[0]!.waiting > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
