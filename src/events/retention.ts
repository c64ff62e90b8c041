import type { Logger } from 'pino';
import type { GraphStore } from '../graph/store.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface RetentionOptions {
  /** Entries deleted per transaction. */
  batchSize?: number;
  /** Pause between two batches, so that the pushes being received get the store in between. */
  pauseMs?: number;
}

/**
 * Deletes event log entries older than the retention period, once at start and then hourly. A busy SoR logs
 * millions of entries an hour, and one statement deleting them all held the database for tens of seconds (on
 * SQLite: the only writer, past its busy timeout), so the sweep deletes a batch at a time, oldest first.
 */
export function startEventRetention(store: GraphStore, retentionDays: number, logger: Logger, options: RetentionOptions = {}): () => void {
  const batchSize = options.batchSize ?? 5000;
  const pauseMs = options.pauseMs ?? 50;
  let stopped = false;
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    const started = Date.now();
    let deleted = 0;
    try {
      const cutoff = new Date(started - retentionDays * 24 * 60 * 60 * 1000);
      while (!stopped) {
        const batch = await store.deletePushEventsBefore(cutoff, batchSize);
        deleted += batch;
        if (batch < batchSize) break;
        await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
      }
      if (deleted > 0) logger.info({ deleted, retentionDays, ms: Date.now() - started }, 'event log: old entries deleted');
    } catch (error) {
      logger.warn({ err: error, deleted }, 'event log: retention sweep failed; will try again');
    } finally {
      sweeping = false;
    }
  };
  void sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
