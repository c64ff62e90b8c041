import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { ROUTED_WRITES, SqliteGraphStore } from '../graph/sqlite/store.js';
import { SystemsOfRecord } from '../systems-of-record/service.js';
import { InboxWorker } from './inbox-worker.js';
import type { FromInboxThread, InboxThreadSettings, ToInboxThread } from './inbox-thread.js';

// The thread's side of InboxThread: its own connection records the event log batches, makes the writes the
// service routes to it (ROUTED_WRITES) and applies the inbox, so that neither their writes nor their disk
// flushes hold up the service's event loop.
const port = parentPort!;
const settings = workerData as InboxThreadSettings;
const post = (message: FromInboxThread) => port.postMessage(message);

const store = new SqliteGraphStore(settings.file, { checkpoints: 'elsewhere' });
const logger = pino({
  level: settings.logLevel,
  hooks: {
    // Entries go to the service's logger, which has the service's destination and bindings.
    logMethod(args, _write, level) {
      post({ type: 'log', level, args: cloneable(args) });
    },
  },
});

let completed: Extract<FromInboxThread, { type: 'completed' }>['events'] = [];
const flushCompleted = () => {
  if (completed.length === 0) return;
  post({ type: 'completed', events: completed });
  completed = [];
};
const worker = new InboxWorker(store, new SystemsOfRecord(store), logger, {
  ...settings.worker,
  onCompleted(record, status, at) {
    if (completed.length === 0) setImmediate(flushCompleted);
    completed.push({ sorId: record.sorId, receivedAt: record.receivedAt, status, at });
  },
});

let records: Extract<ToInboxThread, { type: 'record' }>[] = [];

/**
 * The batches that arrived while the thread was busy share one transaction, so one disk flush: the service
 * sends a batch per group commit, and several queue up while a batch of the inbox is being applied.
 */
function recordQueued(): void {
  if (records.length === 0) return;
  const batches = records;
  records = [];
  try {
    const results = store.recordPushEventBatches(batches.map((batch) => batch.events));
    batches.forEach((batch, i) => post({ type: 'done', id: batch.id, result: results[i] }));
  } catch {
    // One batch the database refuses fails alone; the service then retries its rows one by one (GroupCommit).
    for (const batch of batches) {
      try {
        post({ type: 'done', id: batch.id, result: store.recordPushEventBatches([batch.events])[0] });
      } catch (error) {
        post({ type: 'done', id: batch.id, message: (error as Error).message });
      }
    }
  }
}

port.on('message', (message: ToInboxThread) => {
  switch (message.type) {
    case 'record':
      if (records.length === 0) setImmediate(recordQueued);
      records.push(message);
      return;
    case 'write': {
      if (!(ROUTED_WRITES as readonly string[]).includes(message.method)) {
        return post({ type: 'done', id: message.id, message: `"${message.method}" is not a write the inbox thread makes` });
      }
      const write = store[message.method] as (...args: unknown[]) => Promise<unknown>;
      return answer(message.id, write.apply(store, message.args));
    }
    case 'start':
      return worker.start();
    case 'notify':
      return worker.notify();
    case 'drain':
      // Completions go out before the answer, so that the caller sees their metrics recorded.
      return answer(message.id, worker.drain().then(flushCompleted));
    case 'stop':
      if (records.length > 0) recordQueued();
      void worker
        .stop()
        .then(() => {
          flushCompleted();
          return store.close();
        })
        .finally(() => port.close());
      return;
  }
});

function answer(id: number, result: Promise<unknown>): void {
  result.then(
    (value) => post({ type: 'done', id, result: value }),
    (error: unknown) => post({ type: 'done', id, message: (error as Error).message }),
  );
}

/** Log arguments cross to the service by structured clone, which refuses functions; those go as JSON. */
function cloneable(args: unknown[]): unknown[] {
  try {
    return structuredClone(args);
  } catch {
    return JSON.parse(JSON.stringify(args, (_key, value: unknown) => (value instanceof Error ? { message: value.message, stack: value.stack } : value))) as unknown[];
  }
}
