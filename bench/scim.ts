import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { openStore } from '../src/graph/open-store.js';
import type { GraphStore } from '../src/graph/store.js';
import { buildApp } from '../src/http/app.js';
import { ScimResources } from '../src/scim/resources.js';
import { readSystemOfRecordRequest } from '../src/systems-of-record/create-request.js';
import { createPushToken } from '../src/systems-of-record/push-tokens.js';
import { SystemsOfRecord, type SystemOfRecord } from '../src/systems-of-record/service.js';
import { percentile, postAll } from './lib/load.js';
import { startProcess, startService, stop, waitUntilReady } from './lib/processes.js';
import { freePort } from '../test/support/service-process.js';

const SIZES = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const PG_SIZES = (process.env.BENCH_PG_SIZES ?? process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const GROUP_SIZES = (process.env.BENCH_GROUP_SIZES ?? '10,10000,200000').split(',').map(Number);
const CREATES = Number(process.env.BENCH_SCIM_CREATES ?? 5000);
const LOOKUPS = Number(process.env.BENCH_SCIM_LOOKUPS ?? 2000);
const PATCHES = Number(process.env.BENCH_SCIM_PATCHES ?? 200);
const IMPORT_SIZE = Number(process.env.BENCH_SCIM_IMPORT ?? 100_000);
const LOAD_BATCH = 1000;
const CONCURRENCY = 16;
const PG_URL = process.env.PUSHGRAPH_BENCH_DATABASE_URL || process.env.PUSHGRAPH_TEST_DATABASE_URL;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',');

/** After a bulk load, as autovacuum would within a minute: fresh statistics, so plans see the real sizes. */
type AfterLoad = () => Promise<void>;

interface Row {
  backend: string;
  operation: string;
  size: string;
  rate?: number;
  p50?: number;
  p99?: number;
  /** Against the same operation at the smallest size, or for creates against the bare route. */
  ratio?: number;
  note?: string;
}

const rows: Row[] = [];

function userBody(i: number, run = 'user'): Record<string, unknown> {
  const userName = `${run}-${i}@example.com`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    externalId: `${run}-ext-${i}`,
    name: { givenName: 'Bench', familyName: `User ${i}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
  };
}

async function timed(count: number, run: (i: number) => Promise<void>): Promise<{ rate: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    await run(i);
    latencies.push(performance.now() - sent);
  }
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function expectStatus(status: number, expected: number, what: string): void {
  if (status !== expected) throw new Error(`${what}: ${status}, expected ${expected}`);
}

async function newSor(store: GraphStore, name: string): Promise<{ sor: SystemOfRecord; token: string }> {
  const sor = await new SystemsOfRecord(store).create(readSystemOfRecordRequest({ pushType: 'SCIM2.0', displayName: name }));
  const { token } = await createPushToken(store, sor.record.id);
  return { sor, token };
}

/** User creates through a real listener, concurrency 16, against the bare Fastify route of bench:set. */
async function benchCreates(backend: string, databaseUrl: string, store: GraphStore, bareRate: number): Promise<void> {
  const { sor, token } = await newSor(store, 'creates');
  const port = await freePort();
  const service = startService(['--port', String(port)], {
    PUSHGRAPH_DATABASE_URL: databaseUrl,
    PUSHGRAPH_ADMIN_TOKEN: 'bench-admin-token-000000000000000000',
    PUSHGRAPH_LOG_LEVEL: 'warn',
    PUSHGRAPH_RATE_LIMIT: '1000000',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntilReady(url);
    const endpoint = `${url}/scim/v2/${sor.record.id}/Users`;
    const headers = { 'content-type': 'application/scim+json', authorization: `Bearer ${token}` };
    await postAll(endpoint, Array.from({ length: 200 }, (_, i) => JSON.stringify(userBody(i, 'warm'))), headers, CONCURRENCY);
    const result = await postAll(endpoint, Array.from({ length: CREATES }, (_, i) => JSON.stringify(userBody(i, 'create'))), headers, CONCURRENCY);
    if ((result.statuses[201] ?? 0) !== CREATES) throw new Error(`creates: ${JSON.stringify(result.statuses)}`);
    rows.push({
      backend,
      operation: 'POST /Users (HTTP, concurrency 16)',
      size: `${CREATES}`,
      rate: result.perSecond,
      p50: percentile(result.latenciesMs, 50),
      p99: percentile(result.latenciesMs, 99),
      ratio: result.perSecond / bareRate,
      note: 'ratio: to the bare Fastify route of bench:set',
    });
  } finally {
    await stop(service);
  }
}

async function loadUsers(resources: ScimResources, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += LOAD_BATCH) {
    const bodies = Array.from({ length: Math.min(LOAD_BATCH, to - start) }, (_, k) => userBody(start + k));
    await resources.importUsers(bodies);
  }
}

/** `filter=userName eq` lookups, one at a time, at each size; then, at 100k, a full import in pages of 100. */
async function benchLookups(backend: string, store: GraphStore, app: FastifyInstance, sizes: number[], afterLoad: AfterLoad): Promise<void> {
  const { sor, token } = await newSor(store, 'lookups');
  const resources = new ScimResources(store, sor, 'http://bench/scim/v2', 'bench-load');
  const headers = { authorization: `Bearer ${token}` };
  const get = (path: string) => app.inject({ method: 'GET', url: `/scim/v2/${sor.record.id}${path}`, headers });
  let loaded = 0;
  let first: number | undefined;
  for (const size of sizes) {
    const started = performance.now();
    await loadUsers(resources, loaded, size);
    await afterLoad();
    const loadSeconds = (performance.now() - started) / 1000;
    console.error(`${backend}: loaded users ${loaded} to ${size} in ${loadSeconds.toFixed(0)} s`);
    loaded = size;
    const pick = () => Math.floor(Math.random() * size);
    for (let i = 0; i < 200; i++) await get(`/Users?filter=${encodeURIComponent(`userName eq "user-${pick()}@example.com"`)}`);
    const result = await timed(LOOKUPS, async () => {
      const response = await get(`/Users?filter=${encodeURIComponent(`userName eq "USER-${pick()}@example.com"`)}&startIndex=1&count=100`);
      expectStatus(response.statusCode, 200, 'lookup');
      if (response.json().totalResults !== 1) throw new Error('lookup found nothing');
    });
    first ??= result.rate;
    rows.push({ backend, operation: 'GET /Users?filter=userName eq', size: `${size} users`, ...result, ratio: first / result.rate, note: `load ${loadSeconds.toFixed(0)} s` });
    if (size === IMPORT_SIZE) await benchImport(backend, get, size);
  }
}

async function benchImport(backend: string, get: (path: string) => Promise<{ statusCode: number; json(): unknown }>, size: number): Promise<void> {
  const pages = size / 100;
  const byIndex: number[] = [];
  let started = performance.now();
  for (let page = 0; page < pages; page++) {
    const sent = performance.now();
    const response = await get(`/Users?startIndex=${page * 100 + 1}&count=100`);
    expectStatus(response.statusCode, 200, 'import page');
    byIndex.push(performance.now() - sent);
  }
  const indexSeconds = (performance.now() - started) / 1000;
  const byCursor: number[] = [];
  started = performance.now();
  let cursor = '';
  let seen = 0;
  for (;;) {
    const sent = performance.now();
    const response = await get(`/Users?cursor=${cursor}&count=100`);
    expectStatus(response.statusCode, 200, 'cursor page');
    byCursor.push(performance.now() - sent);
    const body = response.json() as { Resources: unknown[]; nextCursor?: string };
    seen += body.Resources.length;
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  if (seen !== size) throw new Error(`cursor import saw ${seen} users`);
  const cursorSeconds = (performance.now() - started) / 1000;
  // Flatness: the last tenth of the pages against the first tenth.
  const tail = (latencies: number[]) => percentile(latencies.slice(-latencies.length / 10), 50) / percentile(latencies.slice(0, latencies.length / 10), 50);
  for (const [name, latencies, seconds] of [['startIndex', byIndex, indexSeconds], ['cursor', byCursor, cursorSeconds]] as const) {
    rows.push({
      backend,
      operation: `full import, pages of 100 (${name})`,
      size: `${size} users`,
      rate: size / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      ratio: tail(latencies),
      note: `${seconds.toFixed(1)} s; rate in users/s; ratio: last 10% of pages to first 10%`,
    });
  }
}

/** Membership PATCH (add one, remove one) at each group size; groups are created in-process (no body limit). */
async function benchMembership(backend: string, store: GraphStore, app: FastifyInstance, afterLoad: AfterLoad): Promise<void> {
  const { sor, token } = await newSor(store, 'groups');
  const resources = new ScimResources(store, sor, 'http://bench/scim/v2', 'bench-groups');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  const first: Record<string, number> = {};
  for (const size of GROUP_SIZES) {
    const started = performance.now();
    const members = Array.from({ length: size }, (_, i) => ({ value: `member-${size}-${i}` }));
    const { record } = await resources.create('Group', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `group of ${size}`, members });
    const createSeconds = (performance.now() - started) / 1000;
    await afterLoad();
    const patch = (operations: unknown[]) =>
      app.inject({ method: 'PATCH', url: `/scim/v2/${sor.record.id}/Groups/${record.id}`, headers, payload: { schemas: [PATCH_OP], Operations: operations } });
    for (let i = 0; i < 20; i++) await patch([{ op: 'add', path: 'members', value: [{ value: `warm-${i}` }] }]);
    const add = await timed(PATCHES, async (i) => expectStatus((await patch([{ op: 'add', path: 'members', value: [{ value: `new-${i}` }] }])).statusCode, 204, 'add'));
    const remove = await timed(PATCHES, async (i) => expectStatus((await patch([{ op: 'remove', path: `members[value eq "new-${i}"]` }])).statusCode, 204, 'remove'));
    for (const [name, result] of [['add one member', add], ['remove one member', remove]] as const) {
      first[name] ??= result.p50;
      rows.push({ backend, operation: `PATCH /Groups: ${name}`, size: `${size} members`, ...result, ratio: result.p50 / first[name]!, note: `group created in ${createSeconds.toFixed(1)} s; ratio: p50 to the smallest group` });
    }
  }
}

async function bareRate(): Promise<number> {
  const bare = await startProcess(['bench/lib/bare-server.ts']);
  try {
    const endpoint = `${bare.firstLine}/events/scim/v1/bench`;
    const bodies = Array.from({ length: CREATES }, (_, i) => JSON.stringify(userBody(i, 'bare')));
    const headers = { 'content-type': 'application/secevent+jwt', authorization: 'Bearer x' };
    await postAll(endpoint, bodies.slice(0, 500), headers, CONCURRENCY);
    const result = await postAll(endpoint, bodies, headers, CONCURRENCY);
    rows.push({ backend: '-', operation: 'bare Fastify route (bench:set baseline)', size: `${CREATES}`, rate: result.perSecond, p50: percentile(result.latenciesMs, 50), p99: percentile(result.latenciesMs, 99) });
    return result.perSecond;
  } finally {
    await stop(bare.child);
  }
}

async function benchBackend(backend: string, databaseUrl: string, sizes: number[], bare: number, afterLoad: AfterLoad = async () => undefined): Promise<void> {
  const store = openStore(databaseUrl);
  await store.migrate();
  const app = await buildApp({ store, publicUrl: 'http://bench', logger: false, rateLimitPerSecond: 1e9 });
  try {
    await benchCreates(backend, databaseUrl, store, bare);
    await benchMembership(backend, store, app, afterLoad);
    await benchLookups(backend, store, app, sizes, afterLoad);
  } finally {
    await app.close();
    await store.close();
  }
}

async function analyze(connectionString: string, schemaName: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`ANALYZE "${schemaName}".scim_resources, "${schemaName}".scim_group_members, "${schemaName}".nodes, "${schemaName}".node_attribute_index`);
  } finally {
    await client.end();
  }
}

function report(): void {
  const number = (value: number | undefined, digits = 0) => (value === undefined ? '' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  console.log(`\nbench:scim — ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}, ${new Date().toISOString()}\n`);
  console.log('| backend | operation | size | per s | p50 ms | p99 ms | ratio | note |');
  console.log('|---|---|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    console.log(`| ${row.backend} | ${row.operation} | ${row.size} | ${number(row.rate)} | ${number(row.p50, 2)} | ${number(row.p99, 2)} | ${number(row.ratio, 2)} | ${row.note ?? ''} |`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pushgraph-bench-scim-'));
const schema = `pushgraph_bench_${randomBytes(4).toString('hex')}`;
try {
  const bare = await bareRate();
  if (BACKENDS.includes('sqlite')) await benchBackend('SQLite', `sqlite:${join(dir, 'bench.db')}`, SIZES, bare);
  if (PG_URL && BACKENDS.includes('postgres')) {
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    await benchBackend('PostgreSQL', url.toString(), PG_SIZES, bare, () => analyze(PG_URL, schema));
  }
} finally {
  report();
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL) {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
