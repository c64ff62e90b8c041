import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/graph/open-store.js';
import type { GraphStore } from '../../src/graph/store.js';
import { readSystemOfRecordRequest } from '../../src/systems-of-record/create-request.js';
import { createPushToken } from '../../src/systems-of-record/push-tokens.js';
import { SystemsOfRecord } from '../../src/systems-of-record/service.js';
import { seedTemplate } from '../support/service.js';
import { startServiceProcess, waitForExit } from '../support/service-process.js';
import { seedSet, signHs256 } from './set-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pushgraph-crash-'));
const schemas: string[] = [];

function databases(): { name: string; url: string }[] {
  const list = [{ name: 'sqlite', url: `sqlite:${join(dir, 'crash.db')}` }];
  const pgUrl = process.env.PUSHGRAPH_TEST_DATABASE_URL;
  if (pgUrl) {
    const schema = `pushgraph_test_crash_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const url = new URL(pgUrl);
    url.searchParams.set('schema', schema);
    list.push({ name: 'postgres', url: url.toString() });
  }
  return list;
}

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const pgUrl = process.env.PUSHGRAPH_TEST_DATABASE_URL;
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.each(databases())('a SIGKILL under load on $name', ({ url }) => {
  it('loses no acknowledged SET, applies each once, and applies nothing refused', async () => {
    const setup = openStore(url);
    await setup.migrate();
    const sor = await new SystemsOfRecord(setup).create(readSystemOfRecordRequest({ template: seedTemplate }));
    const { token } = await createPushToken(setup, sor.record.id);
    await setup.close();

    const env = { PUSHGRAPH_DATABASE_URL: url, PUSHGRAPH_ADMIN_TOKEN: 'crash-test-admin-token-000000000000' };
    const first = await startServiceProcess(env);
    const accepted = new Set<string>();
    const refused = new Set<string>();
    let sent = 0;
    let killed = false;
    const sender = async (worker: number) => {
      for (let i = 0; !killed; i++) {
        const id = `w${worker}-${i}`;
        // Every fifth SET is signed with the wrong key: it must be refused and never reach the graph.
        const secret = i % 5 === 4 ? 'not-the-push-token-but-long-enough-000' : token;
        const body = await signHs256(seedSet({ jti: id, sub_id: { format: 'scim', uri: `/Users/${id}`, id } }), secret);
        try {
          const response = await fetch(`${first.url}/events/scim/v1/${sor.record.id}`, {
            method: 'POST',
            headers: { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` },
            body,
          });
          if (response.status === 202) accepted.add(id);
          else if (response.status === 400) refused.add(id);
          sent++;
        } catch {
          return;
        }
      }
    };
    const senders = Array.from({ length: 16 }, (_, worker) => sender(worker));
    while (accepted.size < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    killed = true;
    await waitForExit(first.child);
    await Promise.all(senders);
    expect(sent).toBeGreaterThan(300);
    expect(refused.size).toBeGreaterThan(0);

    const second = await startServiceProcess(env);
    const store = openStore(url);
    try {
      await waitForEmptyInbox(store);
      for (const id of accepted) {
        const node = await store.getNode(sor.record.id, 'User', id);
        expect(node, `User ${id} was acknowledged with 202`).toBeDefined();
        expect(node!.lastEventId).toBe(id);
      }
      for (const id of refused) expect(await store.getNode(sor.record.id, 'User', id)).toBeUndefined();
      const applied = await allEvents(store, sor.record.id);
      for (const id of accepted) {
        const entries = applied.filter((e) => e.jti === id && e.status !== 'refused');
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ status: 'applied', attempts: 1 });
      }
    } finally {
      second.child.kill('SIGTERM');
      await waitForExit(second.child);
      await store.close();
    }
  }, 120_000);
});

async function waitForEmptyInbox(store: GraphStore): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await store.pendingPushEvents(1)).length > 0) {
    if (Date.now() > deadline) throw new Error('the inbox did not drain after restart');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function allEvents(store: GraphStore, sorId: string) {
  const events = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPushEvents(sorId, { limit: 1000, cursor });
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}
