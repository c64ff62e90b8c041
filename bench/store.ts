import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresGraphStore } from '../src/graph/postgres/store.js';
import { SqliteGraphStore } from '../src/graph/sqlite/store.js';
import type { GraphStore, NodeTree, WriteOptions } from '../src/graph/store.js';

const SIZES = (process.env['BENCH_SIZES'] ?? '100000,1000000').split(',').map((size) => Number(size.trim()));
const BATCH = 500;
const SORID = 'bench';
/** The SCIM 2.0 template indexes a User's id, externalId and userName. */
const OPTIONS: WriteOptions = { indexedAttributes: { User: ['id', 'externalId', 'userName'] }, eventId: 'bench' };
const PG_URL = process.env['PUSHGRAPH_BENCH_DATABASE_URL'] || process.env['PUSHGRAPH_TEST_DATABASE_URL'];

interface Counts {
  singleWrites: number;
  updateBatches: number;
  lookups: number;
}
const SQLITE_COUNTS: Counts = { singleWrites: 5000, updateBatches: 20, lookups: 20000 };
const PG_COUNTS: Counts = { singleWrites: 2000, updateBatches: 20, lookups: 5000 };

interface Result {
  backend: string;
  size: number;
  loadPerSecond: number;
  singlePerSecond: number;
  updatePerSecond: number;
  lookupsPerSecond: number;
  rawPerSecond: number;
  loadSeconds: number;
}

/** Random-looking ids, as SCIM servers hand out, so inserts land all over the B-trees. */
function userId(i: number): string {
  return createHash('sha1').update(String(i)).digest('hex').slice(0, 24);
}

function userTree(i: number, title = 'Engineer'): NodeTree {
  const id = userId(i);
  return {
    entity: 'User',
    id,
    attributes: {
      id,
      externalId: `ext-${i}`,
      userName: `user${i}@example.com`,
      displayName: `User Number ${i}`,
      givenName: 'User',
      familyName: `Number ${i}`,
      active: i % 10 !== 0,
      title,
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    },
    children: [],
  };
}

function batchOf(from: number, to: number, title?: string): NodeTree[] {
  return Array.from({ length: to - from }, (_, k) => userTree(from + k, title));
}

async function timed(work: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

async function load(store: GraphStore, size: number): Promise<number> {
  let seconds = 0;
  for (let from = 0; from < size; from += BATCH) {
    const trees = batchOf(from, Math.min(size, from + BATCH));
    seconds += await timed(() => store.replaceNodes(SORID, trees, OPTIONS));
    if (from % 100_000 === 0 && from > 0) process.stderr.write(`  loaded ${from}\n`);
  }
  return seconds;
}

async function measure(backend: string, store: GraphStore, size: number, counts: Counts): Promise<Result> {
  await store.migrate();
  await store.createSystemOfRecord({
    id: SORID,
    displayName: 'bench',
    pushType: 'SCIM2.0',
    deliveryMethod: 'entityPush',
    templateYaml: '',
    verification: {},
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
  process.stderr.write(`${backend}: loading ${size} nodes\n`);
  const loadSeconds = await load(store, size);

  const singleSeconds = await timed(async () => {
    for (let i = size; i < size + counts.singleWrites; i++) await store.replaceNode(SORID, userTree(i), OPTIONS);
  });

  let updateSeconds = 0;
  for (let b = 0; b < counts.updateBatches; b++) {
    const start = Math.floor(Math.random() * (size - BATCH));
    const trees = batchOf(start, start + BATCH, `Title ${b}`);
    updateSeconds += await timed(() => store.replaceNodes(SORID, trees, OPTIONS));
  }

  const keys = Array.from({ length: counts.lookups }, () => `user${Math.floor(Math.random() * size)}@example.com`);
  const lookupSeconds = await timed(async () => {
    for (const key of keys) {
      const found = await store.findNodes(SORID, 'User', 'userName', key);
      if (found.length !== 1) throw new Error(`lookup of ${key} found ${found.length} nodes`);
    }
  });

  return {
    backend,
    size,
    loadSeconds,
    loadPerSecond: size / loadSeconds,
    singlePerSecond: counts.singleWrites / singleSeconds,
    updatePerSecond: (counts.updateBatches * BATCH) / updateSeconds,
    lookupsPerSecond: counts.lookups / lookupSeconds,
    rawPerSecond: 0,
  };
}

/** The baseline: the same rows inserted into a plain table, one prepared statement, one transaction per batch. */
function rawInsertRate(directory: string, size: number): number {
  const db = new Database(join(directory, `raw-${size}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE raw_nodes (sor_id TEXT, entity TEXT, id TEXT, parent_entity TEXT, parent_id TEXT,
    attributes TEXT, created_at TEXT, updated_at TEXT, last_event_id TEXT)`);
  const insert = db.prepare('INSERT INTO raw_nodes VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?)');
  const insertBatch = db.transaction((trees: NodeTree[]) => {
    const at = new Date().toISOString();
    for (const tree of trees) insert.run(SORID, tree.entity, tree.id, JSON.stringify(tree.attributes), at, at, 'bench');
  });
  let seconds = 0;
  for (let from = 0; from < size; from += BATCH) {
    const trees = batchOf(from, Math.min(size, from + BATCH));
    const start = performance.now();
    insertBatch(trees);
    seconds += (performance.now() - start) / 1000;
  }
  db.close();
  return size / seconds;
}

async function sqliteRun(size: number): Promise<Result> {
  const directory = mkdtempSync(join(tmpdir(), 'pushgraph-bench-'));
  try {
    const rawPerSecond = rawInsertRate(directory, size);
    const store = new SqliteGraphStore(join(directory, 'graph.db'));
    try {
      return { ...(await measure('SQLite', store, size, SQLITE_COUNTS)), rawPerSecond };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function postgresRun(url: string, size: number, rawPerSecond: number): Promise<Result> {
  const schema = `pushgraph_bench_${randomBytes(4).toString('hex')}`;
  const store = new PostgresGraphStore({ connectionString: url, schema, maxConnections: 2 });
  try {
    return { ...(await measure('PostgreSQL', store, size, PG_COUNTS)), rawPerSecond };
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function printTable(results: readonly Result[]): void {
  const header = ['backend', 'nodes', 'load s', 'batched upserts/s', 'single-txn upserts/s', 'batched updates/s', 'lookups/s', 'raw inserts/s', 'batched/raw'];
  const rows = results.map((r) => [
    r.backend,
    rate(r.size),
    r.loadSeconds.toFixed(1),
    rate(r.loadPerSecond),
    rate(r.singlePerSecond),
    rate(r.updatePerSecond),
    rate(r.lookupsPerSecond),
    rate(r.rawPerSecond),
    (r.loadPerSecond / r.rawPerSecond).toFixed(2),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padStart(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function printLookupRatios(results: readonly Result[]): void {
  for (const backend of new Set(results.map((r) => r.backend))) {
    const runs = results.filter((r) => r.backend === backend).sort((a, b) => a.size - b.size);
    const smallest = runs[0];
    const largest = runs[runs.length - 1];
    if (!smallest || !largest || smallest === largest) continue;
    const ratio = largest.lookupsPerSecond / smallest.lookupsPerSecond;
    console.log(`${backend}: lookup rate at ${rate(largest.size)} / at ${rate(smallest.size)} = ${ratio.toFixed(2)}`);
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const size of SIZES) results.push(await sqliteRun(size));
  if (PG_URL) {
    for (const size of SIZES) {
      const raw = results.find((r) => r.backend === 'SQLite' && r.size === size)?.rawPerSecond ?? 0;
      results.push(await postgresRun(PG_URL, size, raw));
    }
  } else {
    console.log('PostgreSQL skipped: set PUSHGRAPH_BENCH_DATABASE_URL or PUSHGRAPH_TEST_DATABASE_URL to include it.');
  }
  printTable(results);
  printLookupRatios(results);
  console.log('batched/raw: batched upsert rate divided by raw better-sqlite3 inserts of the same rows into a plain table.');
}

await main();
