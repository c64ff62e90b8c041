import { existsSync, rmSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ProgressListener } from '../../bulk/progress.js';
import { isCreated } from './migrations.js';

/**
 * The copy runs in a thread of its own so that this one can report its progress. SQLite's online backup restarts
 * whenever another connection (the running service) commits between two of its steps, so a backup in steps of a
 * few pages never ends while pushes arrive; one step copies every page from one WAL snapshot, which the service's
 * writers do not wait for. The script is evaluated as given, so it runs the same from TypeScript and from dist.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const source = new Database(workerData.source, { fileMustExist: true });
source.pragma('busy_timeout = 5000');
source.backup(workerData.destination, { progress: () => 0x7fffffff }).then(
  () => { source.close(); parentPort.postMessage({ done: true }); },
  (error) => { source.close(); parentPort.postMessage({ error: error.message }); },
);
`;

const MIB = 1024 * 1024;

/** Raised when a backup is stopped through its signal; the partial copy has been removed by then. */
export class BackupInterrupted extends Error {}

export interface BackupResult {
  bytes: number;
  seconds: number;
}

/**
 * Copies a SQLite store, while the service may be running, into `destination`: first into `destination.partial`,
 * checked with `PRAGMA quick_check` and turned into a single file (journal mode DELETE, no -wal beside it), then
 * renamed, so a file at `destination` is always a whole, checked copy. Progress is in MiB written. Aborting `signal`
 * (the command interrupted) stops the copy and removes the partial file, which would otherwise stay at full size.
 */
export async function backupSqliteFile(
  source: string,
  destination: string,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<BackupResult> {
  const started = Date.now();
  const partial = `${destination}.partial`;
  removeDatabaseFiles(partial);
  const total = Math.max(1, Math.ceil(databaseBytes(source) / MIB));
  onProgress({ operation: 'backup', done: 0, total });
  const timer = setInterval(() => {
    if (existsSync(partial)) onProgress({ operation: 'backup', done: Math.min(total, Math.floor(statSync(partial).size / MIB)), total });
  }, 200);
  try {
    await copyInThread(source, partial, signal);
    checkCopy(partial);
    renameSync(partial, destination);
  } catch (error) {
    removeDatabaseFiles(partial);
    throw error;
  } finally {
    clearInterval(timer);
  }
  onProgress({ operation: 'backup', done: total, total });
  return { bytes: statSync(destination).size, seconds: (Date.now() - started) / 1000 };
}

function databaseBytes(file: string): number {
  const db = new Database(file, { fileMustExist: true, readonly: true });
  try {
    return Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
}

function copyInThread(source: string, destination: string, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new BackupInterrupted('the backup was interrupted'));
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { source, destination, module } });
  return new Promise<void>((resolve, reject) => {
    const interrupt = () => {
      // The copy's file is removed only once the thread has stopped writing it.
      void worker.terminate().then(() => reject(new BackupInterrupted('the backup was interrupted')));
    };
    signal?.addEventListener('abort', interrupt, { once: true });
    worker.once('message', (message: { done?: true; error?: string }) => {
      signal?.removeEventListener('abort', interrupt);
      void worker.terminate();
      if (message.error !== undefined) reject(new Error(`the backup failed: ${message.error}`));
      else resolve();
    });
    worker.once('error', reject);
  });
}

function checkCopy(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
    if (problems.join() !== 'ok') throw new Error(`the copy failed its integrity check: ${problems.slice(0, 5).join('; ')}`);
    if (!isCreated(db)) throw new Error('the copy holds no pushgraph store');
    // A restore is then one file to put back; the service turns WAL on again when it opens it.
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}
