import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { throttled } from '../bulk/progress.js';
import { CliError, cannotReach, print } from './context.js';
import { progressReporter } from './progress-bar.js';

/** Refusals printed in full; the rest are only counted. */
const SHOWN_REFUSALS = 10;

/**
 * `pushgraph set import`: sends a file of SETs (one compact JWS per line, as an export or a sender's outbox
 * holds them) to a SET endpoint in order, with progress, and sums up what was accepted and refused.
 */
export function registerSetImportCommand(program: Command): void {
  const set = program.commands.find((each) => each.name() === 'set');
  if (!set) throw new Error('register the set commands first');
  set
    .command('import')
    .description('POST every SET of a file (one per line) to a SET endpoint, in order, with progress')
    .requiredOption('--endpoint <url>', 'the SoR\'s SET endpoint')
    .option('--token <token>', 'the push token, sent as Bearer')
    .argument('<file>', 'SETs, one compact JWS per line (blank lines and lines starting with # are skipped)')
    .action(async (file: string, options: { endpoint: string; token?: string }) => {
      const sets = await readSets(file);
      const progress = progressReporter('importing SETs');
      const report = throttled(progress.report, 100);
      const refusals: string[] = [];
      let accepted = 0;
      report({ operation: 'import', done: 0, total: sets.length });
      for (const [i, { line, jws }] of sets.entries()) {
        const answer = await send(options.endpoint, options.token, jws);
        if (answer.status === 202) accepted++;
        else refusals.push(`line ${line}: ${answer.status} ${answer.body}`);
        report({ operation: 'import', done: i + 1, total: sets.length });
      }
      progress.finish();
      for (const refusal of refusals.slice(0, SHOWN_REFUSALS)) print(refusal);
      if (refusals.length > SHOWN_REFUSALS) print(`… and ${refusals.length - SHOWN_REFUSALS} more refusals`);
      print(`${accepted} accepted, ${refusals.length} refused, of ${sets.length} SETs`);
      if (refusals.length > 0) process.exitCode = 1;
    });
}

async function readSets(file: string): Promise<{ line: number; jws: string }[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text
    .split('\n')
    .map((jws, i) => ({ line: i + 1, jws: jws.trim() }))
    .filter(({ jws }) => jws !== '' && !jws.startsWith('#'));
}

async function send(endpoint: string, token: string | undefined, jws: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/secevent+jwt', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: jws,
    });
    return { status: response.status, body: (await response.text()).trim() };
  } catch (error) {
    throw cannotReach(endpoint, error);
  }
}
