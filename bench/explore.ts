import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { resolveNodeRelationships } from '../src/explorer/node-relationships.js';
import { indexedAttributesOf } from '../src/graph/tree.js';
import { PostgresGraphStore } from '../src/graph/postgres/store.js';
import { SqliteGraphStore } from '../src/graph/sqlite/store.js';
import type { GraphStore, NodeTree } from '../src/graph/store.js';
import { countingStore, groupTree, scimPushTemplate, userTree } from '../test/support/group-graph.js';

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 500);
const MEMBERS_PER_GROUP = Number(process.env['BENCH_MEMBERS'] ?? 50);
const RUNS = 50;
const SORID = 'bench';
const PG_URL = process.env['PUSHGRAPH_BENCH_DATABASE_URL'] || process.env['PUSHGRAPH_TEST_DATABASE_URL'];
const template = scimPushTemplate();

/** The node page of one user who is in GROUPS groups of MEMBERS_PER_GROUP members each. */
async function measure(name: string, store: GraphStore): Promise<void> {
  await store.createSystemOfRecord({
    id: SORID, displayName: 'bench', pushType: 'SCIM2.0', deliveryMethod: 'entityPush', templateYaml: '', verification: {},
    createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
  });
  const options = { indexedAttributes: indexedAttributesOf(template), eventId: 'bench' };
  const others = Array.from({ length: MEMBERS_PER_GROUP - 1 }, (_, i) => `other${i}`);
  await store.replaceNodes(SORID, [userTree('star', ['star@example.com']), ...others.map((id) => userTree(id))], options);
  const groups: NodeTree[] = Array.from({ length: GROUPS }, (_, i) => groupTree(`group${i}`, ['star', ...others]));
  for (let from = 0; from < groups.length; from += 50) await store.replaceNodes(SORID, groups.slice(from, from + 50), options);

  // PostgreSQL plans from table statistics; autovacuum gathers them soon after a bulk load, here at once.
  if (store.kind === 'postgres') await analyze(store);
  const counting = countingStore(store);
  const page = async () => {
    const node = (await counting.store.getNode(SORID, 'User', 'star'))!;
    const [, relationships] = await Promise.all([
      counting.store.getChildren(SORID, 'User', 'star'),
      resolveNodeRelationships(counting.store, SORID, template, node),
    ]);
    return relationships;
  };
  const first = await page();
  const groupsFound = first.find((r) => r.key === 'UserGroups')?.total;
  counting.reset();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await page();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)]!;
  const p95 = times[Math.floor(RUNS * 0.95)]!;
  console.log(
    `| ${name.padEnd(10)} | ${String(GROUPS).padStart(6)} | ${String(GROUPS * MEMBERS_PER_GROUP).padStart(13)} | ${String(groupsFound).padStart(12)} | ` +
      `${String(counting.calls() / RUNS).padStart(11)} | ${median.toFixed(1).padStart(9)} | ${p95.toFixed(1).padStart(6)} |`,
  );
}

async function analyze(store: GraphStore): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${(store as unknown as { schema: string }).schema}` });
  await client.connect();
  await client.query('ANALYZE');
  await client.end();
}

console.log(`node page of a user in ${GROUPS} groups (${MEMBERS_PER_GROUP} members each), ${RUNS} runs after one warm-up`);
console.log('| backend    | groups | group members | UserGroups → | store calls | median ms | p95 ms |');
console.log('|------------|--------|---------------|--------------|-------------|-----------|--------|');
const dir = mkdtempSync(join(tmpdir(), 'pushgraph-bench-explore-'));
const sqlite = new SqliteGraphStore(join(dir, 'bench.db'));
try {
  await sqlite.migrate();
  await measure('SQLite', sqlite);
} finally {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}
if (PG_URL) {
  const schema = `pushgraph_bench_${randomBytes(4).toString('hex')}`;
  const store = new PostgresGraphStore({ connectionString: PG_URL, schema });
  try {
    await store.migrate();
    await measure('PostgreSQL', store);
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
