import { setTimeout as sleep } from 'node:timers/promises';
import { serviceUnavailable } from './scim-error.js';

/**
 * Runs the writes to one resource one after another within this instance, so that concurrent PATCHes of one
 * group (an IdP pushing many membership changes at once) do not keep invalidating each other's reads.
 * Writes of other instances on the same database can still interleave: `retryStaleWrite` covers those.
 */
export class ResourceWriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, write: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(write);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** How a read-modify-write that found the resource changed by another write is tried again. */
export interface StaleWriteRetries {
  attempts: number;
  /** The pause after the given failed attempt (1-based), randomized so that competing writers spread out. */
  pauseMs(attempt: number): number;
  /** What the client is told to wait when every attempt lost the race. */
  retryAfterSeconds: number;
}

export const STALE_WRITE_RETRIES: StaleWriteRetries = {
  attempts: 8,
  pauseMs: (attempt) => Math.random() * Math.min(200, 5 * 2 ** attempt),
  retryAfterSeconds: 1,
};

/**
 * Reads, changes and writes again while the write finds the resource changed since its read ('stale'). A
 * client that sent no If-Match set no precondition, so losing a race is the server's problem: it retries,
 * and when every attempt lost, answers a retryable 503 with Retry-After rather than a 412.
 */
export async function retryStaleWrite<T>(attempt: () => Promise<T | 'stale'>, what: string, retries: StaleWriteRetries = STALE_WRITE_RETRIES): Promise<T> {
  for (let count = 1; count <= retries.attempts; count++) {
    const result = await attempt();
    if (result !== 'stale') return result;
    if (count < retries.attempts) await sleep(retries.pauseMs(count));
  }
  throw serviceUnavailable(`${what} kept changing while it was being written (${retries.attempts} attempts); retry`, retries.retryAfterSeconds);
}
