import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import pg from 'pg';
import { openStore } from '../src/graph/open-store.js';
import type { PushEventRecord } from '../src/graph/push-events.js';
import type { GraphStore } from '../src/graph/store.js';
import { readSystemOfRecordRequest } from '../src/systems-of-record/create-request.js';
import { createPushToken } from '../src/systems-of-record/push-tokens.js';
import { SystemsOfRecord } from '../src/systems-of-record/service.js';
import { percentile, postAll, postPaced, type LoadResult } from './lib/load.js';
import { measureCpu, startProcess, startService, stop, waitUntilReady } from './lib/processes.js';
import { freePort } from '../test/support/service-process.js';

const EVENTS = Number(process.env.BENCH_SET_EVENTS ?? 20_000);
const CONCURRENCY = 64;
/** Steady rates under capacity: 200/s is normal load; 1,000/s shows how the latency holds up on the way to it. */
const PACED_RATES = [200, 1000];
const PACED_SECONDS = 10;
const PG_URL = process.env.PUSHGRAPH_BENCH_DATABASE_URL || process.env.PUSHGRAPH_TEST_DATABASE_URL;
const TEMPLATE = `displayName: Bench
pushType: SCIM
entities:
  User:
    externalId: Users
    pushExternalId: Users
    attributes:
      - { name: id, externalId: id, pushExternalId: $.sub_id.id, type: String, uniqueId: true, indexed: true }
      - { name: userName, externalId: userName, pushExternalId: $.events.*.data.userName, type: String, indexed: true }
      - { name: enabled, externalId: enabled, pushExternalId: $.events.*.data.enabled, type: Bool }
  Email:
    parent: User
    externalId: emails
    pushExternalId: $.events.*.data.emails.*
    attributes:
      - { name: value, externalId: value, pushExternalId: value, type: String, uniqueId: true, indexed: true }
      - { name: type, externalId: type, pushExternalId: type, type: String }
`;

interface Scenario {
  name: string;
  /** With the CPU time per request of the server (all its threads) and of the load generator. */
  result: LoadResult & { serverCpuUs?: number; loadCpuUs: number };
  applyDelayP99Ms?: number;
  /** Sent at a set rate, so its events/s say nothing against the bare route's. */
  paced?: boolean;
}

function claims(run: string, i: number): JWTPayload {
  const id = `${run}-${i}`;
  return {
    iss: 'https://bench.example',
    iat: Math.floor(Date.now() / 1000),
    jti: id,
    aud: 'pushgraph',
    sub_id: { format: 'scim', uri: `/Users/${id}`, id },
    events: {
      'urn:ietf:params:scim:event:prov:create:full': {
        data: { userName: `${id}@example.com`, enabled: true, emails: [{ type: 'work', value: `${id}@example.com` }] },
      },
    },
  };
}

async function signAll(run: string, sign: (payload: JWTPayload) => Promise<string>, count = EVENTS): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push(await sign(claims(run, i)));
  return bodies;
}

/**
 * The p99 time from receipt to graph write of one run's events (their jti prefix), read from the event log, newest
 * first: an upper bound on 202 → visible.
 */
async function applyDelayP99(store: GraphStore, sorId: string, jtiPrefix: string): Promise<number> {
  await inboxEmpty(store);
  const delays: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPushEvents(sorId, { status: 'applied', limit: 1000, cursor });
    for (const event of page.items as PushEventRecord[]) {
      if (event.jti?.startsWith(jtiPrefix)) delays.push(Date.parse(event.appliedAt!) - Date.parse(event.receivedAt));
    }
    cursor = page.nextCursor;
    if (page.items.some((event) => !event.jti?.startsWith(jtiPrefix))) break;
  } while (cursor);
  return percentile(delays, 99);
}

async function inboxEmpty(store: GraphStore): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await store.pendingPushEvents(1)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

async function benchBackend(name: string, databaseUrl: string): Promise<Scenario[]> {
  const store = openStore(databaseUrl);
  await store.migrate();
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256' };
  const systems = new SystemsOfRecord(store);
  const sor = await systems.create(readSystemOfRecordRequest({ template: TEMPLATE, verification: { jwks: { keys: [jwk] } } }));
  const { token } = await createPushToken(store, sor.record.id);

  const port = await freePort();
  const service = startService(['--port', String(port)], {
    PUSHGRAPH_DATABASE_URL: databaseUrl,
    PUSHGRAPH_ADMIN_TOKEN: 'bench-admin-token-000000000000000000',
    PUSHGRAPH_LOG_LEVEL: 'warn',
    PUSHGRAPH_RATE_LIMIT: '1000000',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(url);
  const endpoint = `${url}/events/scim/v1/${sor.record.id}`;
  const headers = { 'content-type': 'application/secevent+jwt', authorization: `Bearer ${token}` };
  const scenarios: Scenario[] = [];
  // The service's CPU is counted until the inbox is empty, so that it includes applying every event.
  const untilApplied = (load: () => Promise<LoadResult>) =>
    measureCpu(service.pid, async () => {
      const result = await load();
      await inboxEmpty(store);
      return result;
    });
  try {
    const hs256 = await signAll('hs', (p) => new SignJWT(p).setProtectedHeader({ alg: 'HS256', typ: 'secevent+jwt' }).sign(new TextEncoder().encode(token)));
    const hsResult = await untilApplied(() => postAll(endpoint, hs256, headers, CONCURRENCY));
    scenarios.push({ name: `${name} HS256`, result: hsResult, applyDelayP99Ms: await applyDelayP99(store, sor.record.id, 'hs-') });
    const es256 = await signAll('es', (p) => new SignJWT(p).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt', kid: 'bench' }).sign(privateKey));
    const esResult = await untilApplied(() => postAll(endpoint, es256, headers, CONCURRENCY));
    scenarios.push({ name: `${name} ES256`, result: esResult, applyDelayP99Ms: await applyDelayP99(store, sor.record.id, 'es-') });
    // Normal load: a steady rate well under capacity, where "visible within milliseconds" is the promise.
    for (const rate of PACED_RATES) {
      const paced = await signAll(
        `paced${rate}`,
        (p) => new SignJWT(p).setProtectedHeader({ alg: 'HS256', typ: 'secevent+jwt' }).sign(new TextEncoder().encode(token)),
        rate * PACED_SECONDS,
      );
      const pacedResult = await untilApplied(() => postPaced(endpoint, paced, headers, rate));
      scenarios.push({
        name: `${name} HS256 at ${rate}/s`,
        result: pacedResult,
        paced: true,
        applyDelayP99Ms: await applyDelayP99(store, sor.record.id, `paced${rate}-`),
      });
    }
  } finally {
    await stop(service);
    await store.close();
  }
  return scenarios;
}

async function bareBaseline(): Promise<Scenario> {
  const bare = await startProcess(['bench/lib/bare-server.ts']);
  try {
    const bodies = await signAll('bare', (p) => new SignJWT(p).setProtectedHeader({ alg: 'HS256', typ: 'secevent+jwt' }).sign(new TextEncoder().encode('bench-secret-bench-secret-bench-secret')));
    const endpoint = `${bare.firstLine}/events/scim/v1/bench`;
    const headers = { 'content-type': 'application/secevent+jwt', authorization: 'Bearer x' };
    await postAll(endpoint, bodies.slice(0, 500), headers, CONCURRENCY);
    return { name: 'bare Fastify route (baseline)', result: await measureCpu(bare.child.pid, () => postAll(endpoint, bodies, headers, CONCURRENCY)) };
  } finally {
    await stop(bare.child);
  }
}

function report(baseline: Scenario, scenarios: Scenario[]): void {
  const row = (s: Scenario) => {
    const ok = s.result.statuses[202] ?? 0;
    return [
      s.name.padEnd(32),
      s.result.perSecond.toFixed(0).padStart(8),
      percentile(s.result.latenciesMs, 50).toFixed(1).padStart(8),
      percentile(s.result.latenciesMs, 99).toFixed(1).padStart(8),
      (s.applyDelayP99Ms === undefined ? '-' : s.applyDelayP99Ms.toFixed(0)).padStart(12),
      (s.paced ? '-' : (s.result.perSecond / baseline.result.perSecond).toFixed(2)).padStart(9),
      `${ok}/${s.result.requests}`.padStart(13),
      (s.result.serverCpuUs === undefined ? '-' : s.result.serverCpuUs.toFixed(0)).padStart(14),
      s.result.loadCpuUs.toFixed(0).padStart(12),
    ].join(' ');
  };
  console.log(`\nbench:set — ${EVENTS} SETs per scenario, concurrency ${CONCURRENCY}; ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`${'scenario'.padEnd(32)} ${'events/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'apply p99 ms'.padStart(12)} ${'vs bare'.padStart(9)} ${'202s'.padStart(13)} ${'server µs/req'.padStart(14)} ${'load µs/req'.padStart(12)}`);
  console.log(row(baseline));
  for (const scenario of scenarios) console.log(row(scenario));
}

const dir = mkdtempSync(join(tmpdir(), 'pushgraph-bench-set-'));
const schema = `pushgraph_bench_${randomBytes(4).toString('hex')}`;
try {
  const baseline = await bareBaseline();
  const scenarios = await benchBackend('SQLite', `sqlite:${join(dir, 'bench.db')}`);
  if (PG_URL) {
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    scenarios.push(...(await benchBackend('PostgreSQL', url.toString())));
  }
  report(baseline, scenarios);
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL) {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
