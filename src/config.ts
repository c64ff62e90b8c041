/** Settings come from the environment (CONTRACT.md); `pushgraph serve` flags override them. */
export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  adminToken?: string;
  publicUrl: string;
  logLevel: string;
  /** Largest request body accepted on any route, in bytes. */
  bodyLimit: number;
  /** Requests per second each SoR may make to its push endpoints. */
  rateLimitPerSecond: number;
  /** How long the event log keeps entries. */
  eventRetentionDays: number;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/pushgraph.db';

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const host = overrides.host ?? env.PUSHGRAPH_HOST ?? '127.0.0.1';
  const port = overrides.port ?? parsePort(env.PUSHGRAPH_PORT ?? '8080');
  const publicUrl = stripTrailingSlash(
    overrides.publicUrl ?? env.PUSHGRAPH_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
  );
  if (!/^https?:\/\//.test(publicUrl)) {
    throw new ConfigError(`PUSHGRAPH_PUBLIC_URL must start with http:// or https:// (got "${publicUrl}")`);
  }
  return {
    host,
    port,
    databaseUrl: overrides.databaseUrl ?? (env.PUSHGRAPH_DATABASE_URL || DEFAULT_DATABASE_URL),
    adminToken: adminToken(overrides.adminToken ?? (env.PUSHGRAPH_ADMIN_TOKEN || undefined)),
    publicUrl,
    logLevel: logLevel(overrides.logLevel, env.PUSHGRAPH_LOG_LEVEL),
    bodyLimit: overrides.bodyLimit ?? 1024 * 1024,
    rateLimitPerSecond: overrides.rateLimitPerSecond ?? positiveNumber('PUSHGRAPH_RATE_LIMIT', env.PUSHGRAPH_RATE_LIMIT, 500),
    eventRetentionDays:
      overrides.eventRetentionDays ?? positiveNumber('PUSHGRAPH_EVENT_RETENTION_DAYS', env.PUSHGRAPH_EVENT_RETENTION_DAYS, 30),
  };
}

/** As long as the HMAC secrets a SoR accepts: the admin token opens every SoR's graph and settings. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

function adminToken(configured: string | undefined): string | undefined {
  if (configured !== undefined && configured.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `PUSHGRAPH_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (got ${configured.length}); ` +
        'generate one with: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"',
    );
  }
  return configured;
}

/** pino's levels; pino itself would throw an error that names none of them. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(flag: string | undefined, env: string | undefined): string {
  const level = flag ?? (env || 'info');
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`${flag !== undefined ? '--log-level' : 'PUSHGRAPH_LOG_LEVEL'} must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  return level;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PUSHGRAPH_PORT must be an integer from 0 to 65535 (got "${text}")`);
  }
  return port;
}

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number (got "${text}")`);
  return value;
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
