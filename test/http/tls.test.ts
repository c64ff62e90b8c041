import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runPushgraph } from '../support/cli.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { certificateWarning, readTlsCredentials } from '../../src/http/tls.js';
import { startService, type RunningService } from '../../src/server.js';
import { freePort, waitForExit } from '../support/service-process.js';

const fixture = (name: string) => new URL(`../fixtures/tls/${name}`, import.meta.url).pathname;
const CERT = fixture('localhost.crt');
const KEY = fixture('localhost.key');
const RENEWED_CERT = fixture('renewed.crt');
const RENEWED_KEY = fixture('renewed.key');
const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
const silent = pino({ level: 'silent' });

/** GETs a path over HTTPS on a new connection, trusting both test certificates; the status and the server's certificate. */
function httpsGet(url: string): Promise<{ status: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: [readFileSync(CERT), readFileSync(RENEWED_CERT)], agent: false }, (response) => {
      const peer = (response.socket as unknown as { getPeerCertificate(): { fingerprint256: string } }).getPeerCertificate();
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, fingerprint: peer.fingerprint256 }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS credentials', () => {
  it('reads a certificate and its key, with when the certificate ends', () => {
    const credentials = readTlsCredentials({ certFile: CERT, keyFile: KEY });
    expect(credentials.cert).toContain('BEGIN CERTIFICATE');
    expect(credentials.validTo.getUTCFullYear()).toBeGreaterThan(2100);
  });

  it.each([
    [{ certFile: '/nonexistent/cert.pem', keyFile: KEY }, 'cannot read the TLS certificate file "/nonexistent/cert.pem": ENOENT'],
    [{ certFile: CERT, keyFile: '/nonexistent/key.pem' }, 'cannot read the TLS private key file "/nonexistent/key.pem": ENOENT'],
    [{ certFile: KEY, keyFile: KEY }, `the TLS certificate file "${KEY}" holds no PEM certificate`],
    [{ certFile: CERT, keyFile: CERT }, `the TLS key file "${CERT}" holds no unencrypted PEM private key`],
    [{ certFile: CERT, keyFile: RENEWED_KEY }, `the TLS key in "${RENEWED_KEY}" is not the private key of the certificate in "${CERT}"`],
  ])('refuses %j, naming the file', (files, message) => {
    expect(() => readTlsCredentials(files)).toThrowError(ConfigError);
    expect(() => readTlsCredentials(files)).toThrowError(message);
  });

  it('takes the end of the chain as the earliest end of its certificates (an intermediate may end first)', () => {
    const chain = readFileSync(fixture('chain-short-lived.crt'), 'utf8');
    const intermediate = chain.slice(chain.indexOf('-----BEGIN CERTIFICATE-----', 10));
    const credentials = readTlsCredentials({ certFile: fixture('chain-short-lived.crt'), keyFile: KEY });
    expect(credentials.validTo).toEqual(new Date(new X509Certificate(intermediate).validTo));
    expect(credentials.validTo.getTime()).toBeLessThan(new Date(new X509Certificate(readFileSync(CERT)).validTo).getTime());
  });

  it('warns of a certificate that has expired or expires within two weeks', () => {
    const credentials = { cert: '', key: '', validTo: new Date('2027-01-15T00:00:00Z') };
    expect(certificateWarning(credentials, new Date('2026-12-01T00:00:00Z'))).toBeUndefined();
    expect(certificateWarning(credentials, new Date('2027-01-05T00:00:00Z'))).toBe('the TLS certificate (or one of its chain) expires on 2027-01-15T00:00:00.000Z (in 10 days)');
    expect(certificateWarning(credentials, new Date('2027-02-01T00:00:00Z'))).toMatch(/^the TLS certificate \(or one of its chain\) expired on 2027-01-15T00:00:00.000Z: senders will refuse/);
  });
});

describe('TLS and proxy settings', () => {
  it('takes the certificate and key together, and then shows https addresses', () => {
    const config = loadConfig({ PUSHGRAPH_TLS_CERT: CERT, PUSHGRAPH_TLS_KEY: KEY, PUSHGRAPH_PORT: '8443' });
    expect(config.tls).toEqual({ certFile: CERT, keyFile: KEY });
    expect(config.publicUrl).toBe('https://127.0.0.1:8443');
    expect(loadConfig({}).tls).toBeUndefined();
  });

  it.each([
    [{ PUSHGRAPH_TLS_CERT: CERT }, 'PUSHGRAPH_TLS_CERT is set but PUSHGRAPH_TLS_KEY is not: HTTPS needs both'],
    [{ PUSHGRAPH_TLS_KEY: KEY }, 'PUSHGRAPH_TLS_KEY is set but PUSHGRAPH_TLS_CERT is not'],
    [{ PUSHGRAPH_TRUST_PROXY: '2' }, '"2" is none of these'],
    [{ PUSHGRAPH_TRUST_PROXY: '10.0.0.1, proxy.internal' }, '"proxy.internal" is none of these'],
    [{ PUSHGRAPH_TRUST_PROXY: '10.0.0.0/33' }, '"10.0.0.0/33" is none of these'],
    [{ PUSHGRAPH_TRUST_PROXY: 'yes' }, 'PUSHGRAPH_TRUST_PROXY must be true, false, or a comma-separated list'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, fd00::/8,loopback', ['10.0.0.0/8', 'fd00::/8', 'loopback']],
  ])('reads PUSHGRAPH_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { PUSHGRAPH_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});

describe('the service over HTTPS', () => {
  const dirs: string[] = [];
  const services: RunningService[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.stop()));
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await waitForExit(child);
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A folder with the first certificate and key under fixed names, as a renewal job would keep them. */
  function certificateFolder(): { dir: string; cert: string; key: string; renew(certFile: string, keyFile: string): void } {
    const dir = mkdtempSync(join(tmpdir(), 'pushgraph-tls-'));
    dirs.push(dir);
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const renew = (certFile: string, keyFile: string) => {
      copyFileSync(certFile, cert);
      copyFileSync(keyFile, key);
    };
    renew(CERT, KEY);
    return { dir, cert, key, renew };
  }

  it('answers over HTTPS, and serves a renewed certificate to new connections once reloaded', async () => {
    const folder = certificateFolder();
    const env = { PUSHGRAPH_PORT: '0', PUSHGRAPH_DATABASE_URL: `sqlite:${join(folder.dir, 'pushgraph.db')}`, PUSHGRAPH_TLS_CERT: folder.cert, PUSHGRAPH_TLS_KEY: folder.key };
    const service = await startService(loadConfig({ ...env, PUSHGRAPH_ADMIN_TOKEN: 'tls-test-admin-token-000000000000000' }), silent);
    services.push(service);
    expect(service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await httpsGet(`${service.url}/readyz`)).toEqual({ status: 200, fingerprint: fingerprint(CERT) });
    await expect(fetch(`${service.url.replace('https:', 'http:')}/readyz`)).rejects.toThrow();

    folder.renew(RENEWED_CERT, RENEWED_KEY);
    expect(service.reloadTls()).toBe(true);
    expect(await httpsGet(`${service.url}/readyz`)).toEqual({ status: 200, fingerprint: fingerprint(RENEWED_CERT) });

    // A renewal that went wrong (a key of another certificate) is refused, and the service goes on with the last good one.
    folder.renew(CERT, RENEWED_KEY);
    expect(() => service.reloadTls()).toThrowError('is not the private key of the certificate');
    expect(await httpsGet(`${service.url}/readyz`)).toEqual({ status: 200, fingerprint: fingerprint(RENEWED_CERT) });
  });

  it('lets `pushgraph set send` reach it once NODE_EXTRA_CA_CERTS trusts its CA, and says so when it does not', async () => {
    const folder = certificateFolder();
    const service = await startService(
      loadConfig({ PUSHGRAPH_PORT: '0', PUSHGRAPH_DATABASE_URL: `sqlite:${join(folder.dir, 'pushgraph.db')}`, PUSHGRAPH_TLS_CERT: folder.cert, PUSHGRAPH_TLS_KEY: folder.key, PUSHGRAPH_ADMIN_TOKEN: 'tls-test-admin-token-000000000000000' }),
      silent,
    );
    services.push(service);
    const send = (env: Record<string, string>) =>
      runPushgraph(['set', 'send', '--endpoint', `${service.url}/events/scim/v1/no-such-sor`, '--token', 'pgt_x', 'not.a.set'], { env });
    const untrusted = await send({});
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain(`cannot reach ${service.url}/events/scim/v1/no-such-sor: Error: self-signed certificate`);
    expect(untrusted.stderr).toContain('(signed by a private CA? set NODE_EXTRA_CA_CERTS to its PEM file)');
    const trusted = await send({ NODE_EXTRA_CA_CERTS: CERT });
    expect(trusted.stdout).toContain('404 Not Found');
  });

  it('does not start with a key that does not match its certificate', async () => {
    const folder = certificateFolder();
    folder.renew(CERT, RENEWED_KEY);
    const config = loadConfig({ PUSHGRAPH_PORT: '0', PUSHGRAPH_DATABASE_URL: `sqlite:${join(folder.dir, 'pushgraph.db')}`, PUSHGRAPH_TLS_CERT: folder.cert, PUSHGRAPH_TLS_KEY: folder.key });
    await expect(startService(config, silent)).rejects.toThrowError(`the TLS key in "${folder.key}" is not the private key of the certificate in "${folder.cert}"`);
  });

  it('reloads the certificate on SIGHUP (pushgraph serve --tls-cert --tls-key)', async () => {
    const folder = certificateFolder();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port), '--tls-cert', folder.cert, '--tls-key', folder.key], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, PUSHGRAPH_LOG_LEVEL: 'info', PUSHGRAPH_DATABASE_URL: `sqlite:${join(folder.dir, 'pushgraph.db')}`, PUSHGRAPH_ADMIN_TOKEN: 'tls-test-admin-token-000000000000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `https://127.0.0.1:${port}/readyz`;
    const servedFingerprint = async (): Promise<string | undefined> => {
      try {
        return (await httpsGet(url)).fingerprint;
      } catch {
        return undefined;
      }
    };
    await until(async () => (await servedFingerprint()) === fingerprint(CERT), () => `not serving the first certificate: ${output}`);
    folder.renew(RENEWED_CERT, RENEWED_KEY);
    child.kill('SIGHUP');
    await until(async () => (await servedFingerprint()) === fingerprint(RENEWED_CERT), () => `not serving the renewed certificate: ${output}`);
    expect(output).toContain('TLS certificate reloaded');
    expect(child.exitCode).toBeNull();
  });

  it('survives a SIGHUP while it starts, and serves the certificate renewed meanwhile once it listens', async () => {
    const folder = certificateFolder();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(port), '--tls-cert', folder.cert, '--tls-key', folder.key], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, PUSHGRAPH_LOG_LEVEL: 'info', PUSHGRAPH_DATABASE_URL: `sqlite:${join(folder.dir, 'pushgraph.db')}`, PUSHGRAPH_ADMIN_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    let hungUp = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // The generated admin token is printed after the TLS files were read and before the service listens.
      if (!hungUp && output.includes('admin token: ')) {
        hungUp = true;
        folder.renew(RENEWED_CERT, RENEWED_KEY);
        child.kill('SIGHUP');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const served = async () => (await httpsGet(`https://127.0.0.1:${port}/readyz`).catch(() => undefined))?.fingerprint;
    await until(async () => (await served()) === fingerprint(RENEWED_CERT), () => `not serving the renewed certificate: ${output}`);
    expect(hungUp).toBe(true);
    expect(child.exitCode).toBeNull();
  });

  it('exits with a message naming the setting when only the certificate is given', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--tls-cert', CERT], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, PUSHGRAPH_TLS_KEY: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitForExit(child);
    expect(child.exitCode).toBe(1);
    expect(stderr).toContain('pushgraph: PUSHGRAPH_TLS_CERT is set but PUSHGRAPH_TLS_KEY is not');
  });
});

async function until(check: () => Promise<boolean>, failure: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
