import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { NoStoreError, openExistingStore } from '../graph/open-store.js';
import type { GraphStore } from '../graph/store.js';
import { ProblemError } from '../http/problem.js';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** OpenSSL's codes for a certificate whose issuer Node does not trust: the usual case of a private CA. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** A request that got no answer (fetch's cause says why), with how to trust a private CA when that is why. */
export function cannotReach(url: string, error: unknown): CliError {
  const cause = (error as Error).cause ?? (error as Error).message;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const hint = typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code) ? ' (signed by a private CA? set NODE_EXTRA_CA_CERTS to its PEM file)' : '';
  return new CliError(`cannot reach ${url}: ${String(cause)}${hint}`);
}

/**
 * Runs a command against the store named by the global options, closing it afterwards. Only `serve` creates a
 * store: here a URL that names none is an error, so a typo is not answered from a new, empty store.
 */
export async function withStore<T>(command: Command, run: (store: GraphStore, config: Config) => Promise<T>): Promise<T> {
  const globals = command.optsWithGlobals<{ databaseUrl?: string; publicUrl?: string }>();
  const config = loadConfig(process.env, {
    ...(globals.databaseUrl ? { databaseUrl: globals.databaseUrl } : {}),
    ...(globals.publicUrl ? { publicUrl: globals.publicUrl } : {}),
  });
  const store = await openExistingStore(config.databaseUrl).catch((error: unknown) => {
    throw error instanceof NoStoreError ? new CliError(error.message) : error;
  });
  try {
    await store.migrate();
    return await run(store, config);
  } catch (error) {
    if (error instanceof ProblemError) throw new CliError(describeProblem(error));
    throw error;
  } finally {
    await store.close();
  }
}

function describeProblem(error: ProblemError): string {
  const { detail, title, errors } = error.problem;
  const lines = [detail ?? title];
  for (const problem of errors ?? []) lines.push(`  ${problem.place}: ${problem.message}`);
  return lines.join('\n');
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** Ends the command with success when the reader of `stream` has gone away (EPIPE); other write errors fail it. */
export function exitQuietlyWhenOutputCloses(stream: NodeJS.WriteStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return exit(0);
    process.stderr.write(`pushgraph: cannot write the output: ${error.message}\n`);
    exit(1);
  });
}
