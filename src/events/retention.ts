import type { Logger } from 'pino';
import type { GraphStore } from '../graph/store.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes event log entries older than the retention period, once at start and then hourly. */
export function startEventRetention(store: GraphStore, retentionDays: number, logger: Logger): () => void {
  const sweep = async () => {
    try {
      const deleted = await store.deletePushEventsBefore(new Date(Date.now() - retentionDays * 24 * 60 * 60 * 1000));
      if (deleted > 0) logger.info({ deleted, retentionDays }, 'event log: old entries deleted');
    } catch (error) {
      logger.warn({ err: error }, 'event log: retention sweep failed; will try again');
    }
  };
  void sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
