import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPushgraph } from '../support/cli.js';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { HMAC_SECRET, seedSet, signHs256 } from '../events/set-fixtures.js';
import { retryWait } from '../../src/cli/set-import.js';
import { admin, testApp } from '../support/service.js';
import { freePort } from '../support/service-process.js';

const root = new URL('../..', import.meta.url).pathname;

describe('pushgraph set import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pushgraph-import-'));
  const store = new SqliteGraphStore(':memory:');
  let app: FastifyInstance;
  let endpoint: string;
  let token: string;

  beforeAll(async () => {
    await store.migrate();
    app = await testApp(store);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/systems-of-record',
      headers: admin,
      payload: { template: readFileSync(join(root, 'examples/entity-push.sgnl.yaml'), 'utf8'), verification: { hmacSecrets: [HMAC_SECRET] } },
    });
    const sorId = created.json().id as string;
    endpoint = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/events/scim/v1/${sorId}`;
    token = (await app.inject({ method: 'POST', url: `/api/v1/systems-of-record/${sorId}/tokens`, headers: admin })).json().token;
  });
  afterAll(async () => {
    await app?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every SET of a file in order, with progress lines, and sums up', async () => {
    const sets = [await signHs256(seedSet({ jti: 'import-1' })), '# a comment', '', await signHs256(seedSet({ jti: 'import-2' })), 'not-a-jws'];
    const file = join(dir, 'sets.txt');
    writeFileSync(file, `${sets.join('\n')}\n`);
    const result = await runPushgraph(['set', 'import', '--endpoint', endpoint, '--token', token, file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('line 5: 400');
    expect(result.stdout).toContain('2 accepted, 1 refused, of 3 SETs');
    expect(result.stderr).toContain('importing SETs: 0 of 3\n');
    expect(result.stderr).toContain('importing SETs: 3 of 3\n');
  });

  const importSets = (args: string[]) => runPushgraph(['set', 'import', ...args]);

  it('sends a SET again after a 429 or 503, waiting as Retry-After says or backing off', async () => {
    const answers = [{ status: 429, headers: { 'retry-after': '0' } }, { status: 503, headers: {} }, { status: 202, headers: {} }];
    const received: string[] = [];
    const flaky: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(body);
        const answer = answers.shift() ?? { status: 202, headers: {} };
        response.writeHead(answer.status, answer.headers).end();
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const file = join(dir, 'one.txt');
      writeFileSync(file, `${await signHs256(seedSet({ jti: 'retried-1' }))}\n`);
      const result = await importSets(['--endpoint', `http://127.0.0.1:${(flaky.address() as { port: number }).port}/events`, file]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('1 accepted, 0 refused, of 1 SETs (2 retries after 429/5xx answers)\n');
      expect(received).toHaveLength(3);
      expect(new Set(received).size).toBe(1);
    } finally {
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  it('says at which line it stopped when the endpoint cannot be reached, and goes on from a line', async () => {
    const file = join(dir, 'three.txt');
    writeFileSync(file, [await signHs256(seedSet({ jti: 'from-1' })), await signHs256(seedSet({ jti: 'from-2' })), await signHs256(seedSet({ jti: 'from-3' }))].join('\n'));
    const closed = `http://127.0.0.1:${await freePort()}/events`;
    const stopped = await importSets(['--endpoint', closed, file]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(`pushgraph: cannot reach ${closed}: `);
    expect(stopped.stderr).toContain('; stopped at line 1, which was not sent: go on with --from-line 1\n');
    const resumed = await importSets(['--endpoint', endpoint, '--token', token, '--from-line', '2', file]);
    expect(resumed.stdout).toBe('2 accepted, 0 refused, of 2 SETs\n');
    expect((await importSets(['--endpoint', endpoint, '--from-line', '0', file])).stderr).toContain('--from-line must be a line number, 1 or more (got "0")');
  });
});

describe('retryWait', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it.each([
    ['2', 1, 2000],
    ['Thu, 26 Nov 2026 12:00:05 GMT', 1, 5000],
    ['Thu, 26 Nov 2026 11:59:00 GMT', 1, 0],
    ['3600', 1, 60_000],
    [null, 1, 1000],
    [null, 3, 4000],
    ['soon', 2, 2000],
  ])('Retry-After %j on attempt %i waits %i ms', (retryAfter, attempt, wait) => {
    expect(retryWait(retryAfter, attempt, now)).toBe(wait);
  });
});
