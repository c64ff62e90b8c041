import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, type TlsFiles } from '../config.js';

export interface TlsCredentials {
  cert: string;
  key: string;
  /** When the first certificate of the file's chain stops being valid (an intermediate may end before the server's own). */
  validTo: Date;
}

/**
 * Reads and checks the certificate and key before the server uses them, so that a wrong file is reported by
 * name rather than as OpenSSL's "no start line" or "key values mismatch" on the first connection.
 */
export function readTlsCredentials(files: TlsFiles): TlsCredentials {
  const cert = readPem(files.certFile, 'certificate');
  const key = readPem(files.keyFile, 'private key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`the TLS certificate file "${files.certFile}" holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(
      `the TLS key file "${files.keyFile}" holds no unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----" or an RSA/EC one)`,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(`the TLS key in "${files.keyFile}" is not the private key of the certificate in "${files.certFile}"`);
  }
  return { cert, key, validTo: earliestEnd(cert, certificate) };
}

function earliestEnd(pem: string, leaf: X509Certificate): Date {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const ends = blocks.flatMap((block) => {
    try {
      return [new Date(new X509Certificate(block).validTo).getTime()];
    } catch {
      return [];
    }
  });
  return new Date(Math.min(new Date(leaf.validTo).getTime(), ...ends));
}

/** What to warn an operator of: an expired certificate, or one that expires within two weeks. */
export function certificateWarning(credentials: TlsCredentials, now = new Date()): string | undefined {
  const daysLeft = (credentials.validTo.getTime() - now.getTime()) / 86_400_000;
  if (daysLeft < 0) return `the TLS certificate (or one of its chain) expired on ${credentials.validTo.toISOString()}: senders will refuse to connect`;
  if (daysLeft < 14) return `the TLS certificate (or one of its chain) expires on ${credentials.validTo.toISOString()} (in ${Math.floor(daysLeft)} days)`;
  return undefined;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the TLS ${what} file "${file}": ${(error as Error).message}`);
  }
}
