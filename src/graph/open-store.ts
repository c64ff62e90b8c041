import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isCreated as sqliteIsCreated } from './sqlite/migrations.js';
import { PostgresGraphStore } from './postgres/store.js';
import { SqliteGraphStore } from './sqlite/store.js';
import type { GraphStore } from './store.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/pushgraph.db';

export interface OpenStoreOptions {
  /** PostgreSQL only: the schema every connection uses (created by migrate()). */
  schema?: string;
  /** PostgreSQL only: the most connections the pool opens. */
  maxConnections?: number;
}

/**
 * Opens the store a database URL names: unset or `sqlite:PATH` (`sqlite::memory:` for memory) for SQLite,
 * `postgres://` or `postgresql://` for PostgreSQL. Call migrate() before use.
 */
export function openStore(url: string | undefined, options: OpenStoreOptions = {}): GraphStore {
  const databaseUrl = normalized(url);
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(sqlitePath(databaseUrl));
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    const { connectionString, schema } = splitSchema(databaseUrl);
    return new PostgresGraphStore({ connectionString, ...(schema ? { schema } : {}), ...options });
  }
  // Only the scheme is quoted: the rest of a URL may hold a password.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(databaseUrl)?.[0] ?? 'no scheme';
  throw new Error(
    `unsupported database URL (${scheme}): use sqlite:PATH, sqlite::memory: or postgres://user@host:port/database`,
  );
}

/** A database URL that names no store `pushgraph serve` has created. */
export class NoStoreError extends Error {
  constructor(databaseUrl: string) {
    super(`no pushgraph store at ${shownUrl(databaseUrl)} (start \`pushgraph serve\` once to create it)`);
    this.name = 'NoStoreError';
  }
}

/**
 * Opens a store that `pushgraph serve` created, creating nothing: a SQLite file that does not exist or lacks
 * pushgraph's tables, or a PostgreSQL database or schema without them, is a NoStoreError, so that a mistyped URL
 * is reported instead of answered from a new, empty store. A store that cannot be read at all is an Error
 * naming the URL (without its password).
 */
export async function openExistingStore(url: string | undefined, options: OpenStoreOptions = {}): Promise<GraphStore> {
  const databaseUrl = normalized(url);
  if (databaseUrl.startsWith('sqlite:')) {
    const path = sqlitePath(databaseUrl);
    if (path === ':memory:' || (path !== '' && !sqliteFileIsStore(resolve(path), databaseUrl))) throw new NoStoreError(databaseUrl);
    return openStore(databaseUrl, options);
  }
  const store = openStore(databaseUrl, options);
  let created: boolean;
  try {
    created = await store.isCreated();
  } catch (error) {
    await store.close();
    throw new Error(`cannot open the store at ${shownUrl(databaseUrl)}: ${(error as Error).message}`);
  }
  if (!created) {
    await store.close();
    throw new NoStoreError(databaseUrl);
  }
  return store;
}

/**
 * The file of the SQLite store a database URL names (a NoStoreError when there is none), or undefined for a
 * PostgreSQL URL.
 */
export function existingSqliteFile(url: string | undefined): string | undefined {
  const databaseUrl = normalized(url);
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const path = sqlitePath(databaseUrl);
  if (path === ':memory:' || path === '' || !sqliteFileIsStore(resolve(path), databaseUrl)) throw new NoStoreError(databaseUrl);
  return resolve(path);
}

function sqliteFileIsStore(file: string, databaseUrl: string): boolean {
  if (!existsSync(file)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    return sqliteIsCreated(db);
  } catch (error) {
    throw new Error(`cannot open the store at ${shownUrl(databaseUrl)}: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

function normalized(url: string | undefined): string {
  return url === undefined || url.trim() === '' ? DEFAULT_DATABASE_URL : url.trim();
}

function sqlitePath(databaseUrl: string): string {
  return databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '');
}

/** The URL as the user gave it, with a password replaced: messages may end up in logs. */
function shownUrl(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl;
  try {
    const url = new URL(databaseUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return databaseUrl.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/** `?schema=NAME` in a PostgreSQL URL puts pushgraph's tables in that schema (several deployments, one database). */
function splitSchema(databaseUrl: string): { connectionString: string; schema?: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { connectionString: databaseUrl };
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

function openSqlite(path: string): SqliteGraphStore {
  if (path === '') throw new Error('the sqlite: database URL needs a path, e.g. sqlite:./data/pushgraph.db');
  if (path === ':memory:') return new SqliteGraphStore(':memory:');
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  return new SqliteGraphStore(file);
}
