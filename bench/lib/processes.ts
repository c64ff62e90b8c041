import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../..', import.meta.url).pathname;

/** Starts a TypeScript entry point in its own process and waits for the first line it prints (its address). */
export async function startProcess(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(buffered.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  child.stdout!.resume();
  return { child, firstLine };
}

/**
 * Starts `pushgraph serve` in its own process; wait for it with waitUntilReady. With BENCH_CPU_PROF=DIR set, the
 * service writes a V8 CPU profile per thread into DIR when it stops (open them in Chrome's DevTools).
 */
export function startService(args: string[], env: Record<string, string>): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return spawn(process.execPath, [...profile, '--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function waitUntilReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * CPU time (user + system, ms) a process has used so far, all its threads together, from /proc; undefined where
 * there is no /proc (the benches then print "-").
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name: state is the 1st, utime the 12th and stime the 13th, in clock ticks (1/100 s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Runs `load`, and returns with its result the CPU time per request of the server process and of this one, in µs. */
export async function measureCpu<T extends { requests: number }>(
  serverPid: number | undefined,
  load: () => Promise<T>,
): Promise<T & { serverCpuUs?: number; loadCpuUs: number }> {
  const server = processCpuMs(serverPid);
  const own = process.cpuUsage();
  const result = await load();
  const serverAfter = processCpuMs(serverPid);
  const ownUsed = process.cpuUsage(own);
  return {
    ...result,
    ...(server !== undefined && serverAfter !== undefined ? { serverCpuUs: ((serverAfter - server) * 1000) / result.requests } : {}),
    loadCpuUs: (ownUsed.user + ownUsed.system) / result.requests,
  };
}
