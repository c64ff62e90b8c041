import { isIP } from 'node:net';

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
  /** PEM files to serve HTTPS with (RFC 8935 and RFC 7644 both require TLS); read when the service starts. */
  tls?: TlsFiles;
  /** Which peers' X-Forwarded-For to believe (Fastify's trustProxy), so the event log shows the sender's address. */
  trustProxy: TrustProxy;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/**
 * false, true (every peer), or the proxies' addresses and CIDR ranges (and proxy-addr's names for ranges). No hop
 * count: it cannot tell a proxy from a client that sends X-Forwarded-For itself (Fastify treats one as false).
 */
export type TrustProxy = boolean | string[];

export const DEFAULT_DATABASE_URL = 'sqlite:./data/pushgraph.db';

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const host = overrides.host ?? env.PUSHGRAPH_HOST ?? '127.0.0.1';
  const port = overrides.port ?? parsePort(env.PUSHGRAPH_PORT ?? '8080');
  const tls = 'tls' in overrides ? overrides.tls : tlsFiles(env.PUSHGRAPH_TLS_CERT || undefined, env.PUSHGRAPH_TLS_KEY || undefined);
  const publicUrl = stripTrailingSlash(overrides.publicUrl ?? env.PUSHGRAPH_PUBLIC_URL ?? listenUrl(tls ? 'https' : 'http', host, port));
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
    ...(tls ? { tls } : {}),
    trustProxy: overrides.trustProxy ?? trustProxy(env.PUSHGRAPH_TRUST_PROXY),
  };
}

/** The address a service listening on host:port answers at (an IPv6 host in brackets). */
export function listenUrl(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function tlsFiles(certFile: string | undefined, keyFile: string | undefined): TlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    const [set, missing] = certFile === undefined ? ['PUSHGRAPH_TLS_KEY', 'PUSHGRAPH_TLS_CERT'] : ['PUSHGRAPH_TLS_CERT', 'PUSHGRAPH_TLS_KEY'];
    throw new ConfigError(`${set} is set but ${missing} is not: HTTPS needs both the certificate and its private key (PEM files)`);
  }
  return { certFile, keyFile };
}

/** proxy-addr's names for address ranges, accepted in PUSHGRAPH_TRUST_PROXY as Fastify accepts them. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxy(text: string | undefined): TrustProxy {
  const value = text?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !PROXY_RANGE_NAMES.includes(entry) && !isAddressOrRange(entry));
  if (bad !== undefined) {
    throw new ConfigError(
      `PUSHGRAPH_TRUST_PROXY must be true, false, or a comma-separated list of the proxies' addresses and CIDR ranges ` +
        `(or ${PROXY_RANGE_NAMES.join(', ')}); "${bad}" is none of these`,
    );
  }
  return entries;
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
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
