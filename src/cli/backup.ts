import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { throttled } from '../bulk/progress.js';
import { loadConfig } from '../config.js';
import { NoStoreError, existingSqliteFile } from '../graph/open-store.js';
import { BackupInterrupted, backupSqliteFile } from '../graph/sqlite/backup.js';
import { CliError, print } from './context.js';
import { progressReporter } from './progress-bar.js';

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite store, while the service runs, into a file that can be put back in its place (PostgreSQL: use pg_dump)')
    .requiredOption('--to <file>', 'the backup file to write')
    .option('--force', 'replace the file if it exists')
    .action(async (options: { to: string; force?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<{ databaseUrl?: string }>();
      const config = loadConfig(process.env, globals.databaseUrl ? { databaseUrl: globals.databaseUrl } : {});
      const source = sqliteSource(config.databaseUrl);
      const destination = resolve(options.to);
      checkDestination(source, destination, options.force === true);
      const progress = progressReporter('backup (MiB)');
      const interrupted = abortOnSignals(['SIGINT', 'SIGTERM']);
      const result = await backupSqliteFile(source, destination, throttled(progress.report, 200), interrupted.signal)
        .catch((error: unknown) => {
          if (error instanceof BackupInterrupted) throw new CliError(`backup interrupted; ${destination} was not written`, 130);
          throw new CliError((error as Error).message);
        })
        .finally(interrupted.release);
      progress.finish();
      print(`backed up ${source} to ${destination} (${(result.bytes / 1024 / 1024).toFixed(1)} MiB, integrity checked) in ${result.seconds.toFixed(1)} s`);
    });
}

/** An abort signal for the signals that would otherwise end the process before the partial copy is removed. */
function abortOnSignals(signals: NodeJS.Signals[]): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  for (const name of signals) process.once(name, abort);
  return { signal: controller.signal, release: () => signals.forEach((name) => process.off(name, abort)) };
}

function sqliteSource(databaseUrl: string): string {
  let file: string | undefined;
  try {
    file = existingSqliteFile(databaseUrl);
  } catch (error) {
    throw error instanceof NoStoreError ? new CliError(error.message) : error;
  }
  if (file === undefined) {
    throw new CliError(
      'pushgraph backup copies a SQLite store; back up a PostgreSQL store with PostgreSQL\'s tools, e.g. ' +
        '`pg_dump --format=custom --file=pushgraph.dump "$PUSHGRAPH_DATABASE_URL"` (add `--schema=NAME` when the URL has `?schema=NAME`, and leave that parameter out of the URL given to pg_dump)',
    );
  }
  return file;
}

function checkDestination(source: string, destination: string, force: boolean): void {
  if (!existsSync(dirname(destination))) throw new CliError(`the folder of --to does not exist: ${dirname(destination)}`);
  if (writesOverStoreFile(source, destination)) {
    throw new CliError(`--to names the store itself or one of its files (${source}, its -wal, -shm or -journal); give another file`);
  }
  if (existsSync(destination) && !force) throw new CliError(`${destination} exists; give --force to replace it`);
}

/** The running service's files beside the store: replacing its -wal with a copy corrupts the store. */
const STORE_FILE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Whether the backup would replace or remove one of the store's files: the destination itself, or the `.partial`
 * files it writes first and removes. Compared by real path, so a symlinked folder does not hide the store.
 */
function writesOverStoreFile(source: string, destination: string): boolean {
  const storeFiles = new Set(STORE_FILE_SUFFIXES.map((suffix) => `${realPath(source)}${suffix}`));
  const target = realPath(destination);
  const written = [target, ...STORE_FILE_SUFFIXES.map((suffix) => `${target}.partial${suffix}`)];
  return written.some((file) => storeFiles.has(file));
}

function realPath(file: string): string {
  return existsSync(file) ? realpathSync(file) : join(realpathSync(dirname(file)), basename(file));
}
