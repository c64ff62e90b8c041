import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pushgraph-cli-bulk-'));
const databaseUrl = `sqlite:${join(dir, 'cli.db')}`;

async function pushgraph(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), '--database-url', databaseUrl, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('pushgraph bulk commands', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report progress as plain lines when not on a terminal', async () => {
    const sor = await pushgraph('sor', 'create', '--template', 'examples/entity-push.sgnl.yaml');
    const id = /created system of record (\S+)/.exec(sor.stdout)![1]!;
    const refused = await pushgraph('sor', 'clear', '--sor', id);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    const cleared = await pushgraph('sor', 'clear', '--sor', id, '--yes');
    expect(cleared.stderr).toBe('deleting nodes: 0 of 0\n');
    expect(cleared.stdout).toContain('deleted 0 nodes');
    const retried = await pushgraph('events', 'retry-failed', '--sor', id);
    expect(retried.stderr).toBe('retrying failed events: 0 of 0\n');
    expect(retried.stdout).toContain('0 of 0 failed events put back in the inbox');
  });
});
