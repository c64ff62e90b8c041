import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { throttled } from '../bulk/progress.js';
import { loadConfig } from '../config.js';
import { NoStoreError, existingSqliteFile } from '../graph/open-store.js';
import { backupSqliteFile } from '../graph/sqlite/backup.js';
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
      const result = await backupSqliteFile(source, destination, throttled(progress.report, 200)).catch((error: unknown) => {
        throw new CliError((error as Error).message);
      });
      progress.finish();
      print(`backed up ${source} to ${destination} (${(result.bytes / 1024 / 1024).toFixed(1)} MiB, integrity checked) in ${result.seconds.toFixed(1)} s`);
    });
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
  if (destination === source) throw new CliError(`--to names the store itself (${source}); give another file`);
  if (!existsSync(dirname(destination))) throw new CliError(`the folder of --to does not exist: ${dirname(destination)}`);
  if (existsSync(destination) && !force) throw new CliError(`${destination} exists; give --force to replace it`);
}
