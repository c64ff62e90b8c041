import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { HMAC_SECRET, seedSet, signHs256 } from '../events/set-fixtures.js';
import { admin, testApp } from '../support/service.js';

const run = promisify(execFile);
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
    const result = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'set', 'import', '--endpoint', endpoint, '--token', token, file], { cwd: root }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect((result as { code?: number }).code).toBe(1);
    expect(result.stdout).toContain('line 5: 400');
    expect(result.stdout).toContain('2 accepted, 1 refused, of 3 SETs');
    expect(result.stderr).toContain('importing SETs: 0 of 3\n');
    expect(result.stderr).toContain('importing SETs: 3 of 3\n');
  });
});
