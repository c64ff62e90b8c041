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
import { bareTableRate, sameSchemaPostgresRate, sameSchemaSqliteRate } from './lib/store-baselines.js';

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
  /** Baseline (a): better-sqlite3 appending the node rows to a bare table. */
  rawBarePerSecond: number;
  /** Baseline (b): plain INSERTs of the node rows and their index rows into the store's schema, same backend. */
  rawSchemaPerSecond: number;
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

async function createBenchSor(store: GraphStore): Promise<void> {
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
}

async function measure(backend: string, store: GraphStore, size: number, counts: Counts): Promise<Omit<Result, 'rawBarePerSecond' | 'rawSchemaPerSecond'>> {
  await store.migrate();
  await createBenchSor(store);
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
  };
}

async function sqliteRun(size: number): Promise<Result> {
  const directory = mkdtempSync(join(tmpdir(), 'pushgraph-bench-'));
  try {
    process.stderr.write(`SQLite: baselines at ${size} nodes\n`);
    const rawBarePerSecond = bareTableRate(join(directory, 'bare.db'), size, BATCH, batchOf, SORID);
    // The store's own connection (its pragmas) and schema (its migrations), written with plain INSERTs instead.
    const baseline = new SqliteGraphStore(join(directory, 'same-schema.db'));
    let rawSchemaPerSecond: number;
    try {
      await baseline.migrate();
      await createBenchSor(baseline);
      const db = (baseline as unknown as { db: Database.Database }).db;
      rawSchemaPerSecond = sameSchemaSqliteRate(db, size, BATCH, batchOf, SORID, OPTIONS);
    } finally {
      await baseline.close();
    }
    rmSync(join(directory, 'same-schema.db'), { force: true });
    const store = new SqliteGraphStore(join(directory, 'graph.db'));
    try {
      return { ...(await measure('SQLite', store, size, SQLITE_COUNTS)), rawBarePerSecond, rawSchemaPerSecond };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

/** Baseline (b) on PostgreSQL, in a schema of its own migrated by the store. */
async function postgresBaseline(url: string, size: number): Promise<number> {
  const schema = `pushgraph_bench_${randomBytes(4).toString('hex')}`;
  try {
    const store = new PostgresGraphStore({ connectionString: url, schema, maxConnections: 1 });
    try {
      await store.migrate();
      await createBenchSor(store);
    } finally {
      await store.close();
    }
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return await sameSchemaPostgresRate(client, size, BATCH, batchOf, SORID, OPTIONS);
    } finally {
      await client.end();
    }
  } finally {
    await dropSchema(url, schema);
  }
}

async function postgresRun(url: string, size: number, rawBarePerSecond: number): Promise<Result> {
  process.stderr.write(`PostgreSQL: baseline at ${size} nodes\n`);
  const rawSchemaPerSecond = await postgresBaseline(url, size);
  const schema = `pushgraph_bench_${randomBytes(4).toString('hex')}`;
  const store = new PostgresGraphStore({ connectionString: url, schema, maxConnections: 2 });
  try {
    return { ...(await measure('PostgreSQL', store, size, PG_COUNTS)), rawBarePerSecond, rawSchemaPerSecond };
  } finally {
    await store.close();
    await dropSchema(url, schema);
  }
}

function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function printTable(results: readonly Result[]): void {
  const header = [
    'backend',
    'nodes',
    'load s',
    'batched upserts/s',
    'single-txn upserts/s',
    'batched updates/s',
    'lookups/s',
    '(a) bare inserts/s',
    '(b) schema inserts/s',
    'batched/(a)',
    'batched/(b)',
  ];
  const rows = results.map((r) => [
    r.backend,
    rate(r.size),
    r.loadSeconds.toFixed(1),
    rate(r.loadPerSecond),
    rate(r.singlePerSecond),
    rate(r.updatePerSecond),
    rate(r.lookupsPerSecond),
    rate(r.rawBarePerSecond),
    rate(r.rawSchemaPerSecond),
    (r.loadPerSecond / r.rawBarePerSecond).toFixed(2),
    (r.loadPerSecond / r.rawSchemaPerSecond).toFixed(2),
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
      const raw = results.find((r) => r.backend === 'SQLite' && r.size === size)?.rawBarePerSecond ?? 0;
      results.push(await postgresRun(PG_URL, size, raw));
    }
  } else {
    console.log('PostgreSQL skipped: set PUSHGRAPH_BENCH_DATABASE_URL or PUSHGRAPH_TEST_DATABASE_URL to include it.');
  }
  printTable(results);
  printLookupRatios(results);
  console.log('(a) better-sqlite3 appending the same node rows to a bare table (no key, no index, no index rows).');
  console.log('(b) plain INSERTs of the same node rows and their index rows into the store\'s schema on the same backend');
  console.log('    (better-sqlite3 on the store\'s connection; pg with one unnest INSERT per table and batch).');
  console.log('batched/(a), batched/(b): batched upsert rate divided by that baseline (1.00 = as fast).');
}

await main();
