import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { throttled } from '../bulk/progress.js';
import { CliError, cannotReach, print } from './context.js';
import { progressReporter } from './progress-bar.js';

/** Refusals printed in full; the rest are only counted. */
const SHOWN_REFUSALS = 10;
/** Answers a sender retries (RFC 8935 senders and SCIM clients do): the SET was not stored, and may be later. */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 6;
/** The wait when an answer to retry names none (Retry-After), doubled each time. */
const FIRST_BACKOFF_MS = 1000;
const MAX_WAIT_MS = 60_000;

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
    .option('--from-line <n>', 'start at this line of the file (to go on after an import that stopped)', '1')
    .argument('<file>', 'SETs, one compact JWS per line (blank lines and lines starting with # are skipped)')
    .action(async (file: string, options: { endpoint: string; token?: string; fromLine: string }) => {
      const fromLine = Number(options.fromLine);
      if (!/^\d+$/.test(options.fromLine) || fromLine < 1) throw new CliError(`--from-line must be a line number, 1 or more (got "${options.fromLine}")`);
      const sets = (await readSets(file)).filter(({ line }) => line >= fromLine);
      const progress = progressReporter('importing SETs');
      const report = throttled(progress.report, 100);
      const refusals: string[] = [];
      let accepted = 0;
      let retried = 0;
      report({ operation: 'import', done: 0, total: sets.length });
      for (const [i, { line, jws }] of sets.entries()) {
        const answer = await sendWithRetries(options.endpoint, options.token, jws, line);
        retried += answer.attempts - 1;
        if (answer.status === 202) accepted++;
        else refusals.push(`line ${line}: ${answer.status} ${answer.body}${answer.attempts > 1 ? ` (after ${answer.attempts} attempts)` : ''}`);
        report({ operation: 'import', done: i + 1, total: sets.length });
      }
      progress.finish();
      for (const refusal of refusals.slice(0, SHOWN_REFUSALS)) print(refusal);
      if (refusals.length > SHOWN_REFUSALS) print(`… and ${refusals.length - SHOWN_REFUSALS} more refusals`);
      print(`${accepted} accepted, ${refusals.length} refused, of ${sets.length} SETs${retried > 0 ? ` (${retried} retries after 429/5xx answers)` : ''}`);
      if (refusals.length > 0) process.exitCode = 1;
    });
}

/**
 * Sends one SET, and again after a 429, 502, 503 or 504 (waiting as Retry-After says, or backing off), as a sender
 * would: those mean the receiver did not store it. A SET that cannot be sent at all stops the import at its line.
 */
async function sendWithRetries(endpoint: string, token: string | undefined, jws: string, line: number): Promise<Answer & { attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    let answer: Answer;
    try {
      answer = await send(endpoint, token, jws);
    } catch (error) {
      const reason = cannotReach(endpoint, error).message;
      throw new CliError(`${reason}; stopped at line ${line}, which was not sent: go on with --from-line ${line}`);
    }
    if (!RETRIED_STATUSES.has(answer.status) || attempt === MAX_ATTEMPTS) return { ...answer, attempts: attempt };
    await new Promise((resolve) => setTimeout(resolve, retryWait(answer.retryAfter, attempt)));
  }
}

/** Retry-After in seconds or as an HTTP date (RFC 9110), else an exponential backoff; at most a minute. */
export function retryWait(retryAfter: string | null, attempt: number, now = Date.now()): number {
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) * 1000 : undefined;
  const date = retryAfter !== null && seconds === undefined ? Date.parse(retryAfter) - now : undefined;
  const wait = seconds ?? (date !== undefined && !Number.isNaN(date) ? Math.max(0, date) : FIRST_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.min(wait, MAX_WAIT_MS);
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

interface Answer {
  status: number;
  body: string;
  retryAfter: string | null;
}

async function send(endpoint: string, token: string | undefined, jws: string): Promise<Answer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/secevent+jwt', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: jws,
  });
  return { status: response.status, body: (await response.text()).trim(), retryAfter: response.headers.get('retry-after') };
}
