import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
  const databaseUrl = url === undefined || url.trim() === '' ? DEFAULT_DATABASE_URL : url.trim();
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(databaseUrl.slice('sqlite:'.length).replace(/^\/\//, ''));
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
