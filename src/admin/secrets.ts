import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a secret is replaced with wherever it would otherwise be logged or stored. */
export const REDACTED = '[redacted]';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored SHA-256 hash in constant time. */
export function matchesHash(presented: string, storedHashHex: string): boolean {
  const presentedHash = Buffer.from(sha256Hex(presented), 'hex');
  const stored = Buffer.from(storedHashHex, 'hex');
  return stored.length === presentedHash.length && timingSafeEqual(presentedHash, stored);
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The token in an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match?.[1];
}
