import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';

const directory = mkdtempSync(join(tmpdir(), 'pushgraph-checkpoint-test-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('SQLite checkpoints', () => {
  it('copies the WAL into the database file from its own thread, and stops with the store', async () => {
    const file = join(directory, 'graph.db');
    const store = new SqliteGraphStore(file);
    await store.migrate();
    await store.createSystemOfRecord({
      id: 'sor', displayName: 'S', pushType: 'SCIM', deliveryMethod: 'entityPush', templateYaml: 'x', verification: {},
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const before = statSync(file).size;
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        store.recordPushEvent({
          id: `e-${i}`, sorId: 'sor', receivedAt: new Date().toISOString(), protocol: 'set', method: 'POST', path: '/',
          authentication: { bearer: 'valid' }, status: 'refused', httpStatus: 401, attempts: 0, raw: 'x'.repeat(2000),
        }),
      ),
    );
    // The commits went to the WAL only (the automatic checkpoint on the connection is far off).
    expect(statSync(file).size).toBe(before);
    const deadline = Date.now() + 5000;
    while (statSync(file).size <= before + 500 * 2000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(file).size).toBeGreaterThan(before + 500 * 2000);
    await store.close();
    const reopened = new SqliteGraphStore(file);
    expect((await reopened.getPushEvent('sor', 'e-499'))?.raw).toHaveLength(2000);
    await reopened.close();
  });
});
