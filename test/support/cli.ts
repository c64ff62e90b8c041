import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `pushgraph` command in a process of its own, as an operator would, and answers whatever its exit code. */
export async function runPushgraph(args: readonly string[], options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<CliOutcome> {
  const global = options.databaseUrl === undefined ? [] : ['--database-url', options.databaseUrl];
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...global, ...args], {
      cwd: root,
      env: { ...process.env, ...options.env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliOutcome;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
