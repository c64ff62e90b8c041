import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PushEventRecord } from '../graph/push-events.js';
import type { RoutedWrite, SqliteGraphStore } from '../graph/sqlite/store.js';
import type { Inbox, InboxWorkerOptions } from './inbox-worker.js';
import type { EventPlan } from './plan-event.js';

export interface InboxThreadSettings {
  file: string;
  logLevel: string;
  worker: Omit<InboxWorkerOptions, 'onCompleted'>;
}

export type ToInboxThread =
  | { type: 'record'; id: number; events: readonly PushEventRecord[] }
  | { type: 'write'; id: number; method: RoutedWrite; args: unknown[] }
  | { type: 'start' }
  | { type: 'notify' }
  | { type: 'drain'; id: number }
  | { type: 'stop' };

export type FromInboxThread =
  /** The answer to a message with an id: its result, or why it failed. */
  | { type: 'done'; id: number; result?: unknown; message?: string }
  | { type: 'completed'; events: { sorId: string; receivedAt: string; status: EventPlan['status']; at: Date }[] }
  | { type: 'log'; level: number; args: unknown[] };

type Waiter = { resolve: (value: never) => void; reject: (error: Error) => void };

/**
 * The inbox of a service on a SQLite file, in a thread of its own that makes the push writes: the event log
 * rows of SET and SCIM requests (each request is still answered only after its row's commit), the SCIM
 * resource changes and the other writes of ROUTED_WRITES, and the application of the inbox. Neither their
 * B-tree writes nor their disk flushes run on the event loop that answers requests (better-sqlite3 is
 * synchronous: there they were about half of its time per SET), and one connection makes them all, so that no
 * two connections wait for each other's commits: with the SCIM writes left on the main connection, SCIM creates
 * during a SET burst halved the SET rate and put its p99 at 0.3–0.6 s. The admin API's small writes (SoRs,
 * tokens) stay on the main connection.
 *
 * If the thread ends unexpectedly, the requests waiting on it fail (500: not acknowledged, so the sender
 * retries) and everything is done in-process from then on (`fallback`).
 */
export class InboxThread implements Inbox {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private started = false;
  private stopping = false;
  private notifyPosted = false;
  private replacement: Inbox | undefined;
  private ended = false;
  private readonly exited: Promise<void>;

  constructor(
    private readonly store: SqliteGraphStore,
    private readonly logger: Logger,
    private readonly options: InboxWorkerOptions & { fallback: () => Inbox },
  ) {
    const { fallback: _fallback, onCompleted: _onCompleted, ...worker } = options;
    const settings: InboxThreadSettings = { file: store.filename, logLevel: logger.level, worker };
    this.worker = startThread(settings);
    // Like the store's own checkpoint thread, it must not keep alive a process that has nothing else to do.
    this.worker.unref();
    this.worker.on('message', (message: FromInboxThread) => this.receive(message));
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'inbox thread failed'));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', () => {
        this.ended = true;
        resolve(this.lost());
      }),
    );
    store.routeWrites({
      recordPushEvents: (events) => this.call((id) => ({ type: 'record', id, events })),
      call: (method, args) => this.call((id) => ({ type: 'write', id, method, args })) as never,
    });
  }

  start(): void {
    this.started = true;
    if (this.replacement) return this.replacement.start();
    this.worker.postMessage({ type: 'start' } satisfies ToInboxThread);
  }

  /** Posted once per turn of the event loop, however many requests were accepted in it. */
  notify(): void {
    if (this.replacement) return this.replacement.notify();
    if (this.notifyPosted || this.stopping) return;
    this.notifyPosted = true;
    setImmediate(() => {
      this.notifyPosted = false;
      if (!this.stopping && !this.replacement) this.worker.postMessage({ type: 'notify' } satisfies ToInboxThread);
    });
  }

  async drain(): Promise<void> {
    if (this.replacement) return this.replacement.drain();
    await this.call<void>((id) => ({ type: 'drain', id }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.replacement) return this.replacement.stop();
    this.worker.ref();
    this.worker.postMessage({ type: 'stop' } satisfies ToInboxThread);
    await this.exited;
    this.store.routeWrites(undefined);
  }

  private call<T>(message: (id: number) => ToInboxThread): Promise<T> {
    // Once it has ended nothing would answer (between stop()'s end of the thread and its routing writes back).
    if (this.ended) return Promise.reject(new Error('the inbox thread has stopped'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage(message(id));
    });
  }

  private settle(id: number, outcome: { value: unknown } | { error: Error }): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if ('error' in outcome) waiter.reject(outcome.error);
    else waiter.resolve(outcome.value as never);
  }

  private receive(message: FromInboxThread): void {
    switch (message.type) {
      case 'done':
        return this.settle(message.id, message.message === undefined ? { value: message.result } : { error: new Error(message.message) });
      case 'completed':
        for (const event of message.events) {
          this.options.onCompleted?.(event, event.status, event.at);
        }
        return;
      case 'log': {
        const write = this.logger[this.logger.levels.labels[message.level] as 'info'];
        if (typeof write === 'function') write.apply(this.logger, message.args as [object, string]);
      }
    }
  }

  /** The thread has ended: after stop(), or unexpectedly, when the in-process inbox takes over. */
  private lost(): void {
    const error = new Error('the inbox thread has stopped');
    for (const id of [...this.waiting.keys()]) this.settle(id, { error });
    if (this.stopping) return;
    this.logger.error('the inbox thread ended unexpectedly; its writes and the inbox are done on the main thread from now on');
    this.store.routeWrites(undefined);
    this.replacement = this.options.fallback();
    if (this.started) this.replacement.start();
  }
}

/**
 * From the compiled service the thread runs dist's JavaScript; from the TypeScript sources (tsx, the tests)
 * it loads its entry through tsx's require hook, since module hooks registered in a thread do not reach that
 * thread's entry module on Node 20.
 */
function startThread(settings: InboxThreadSettings): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return new Worker(new URL('./inbox-thread-entry.js', import.meta.url), { workerData: settings });
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL('./inbox-thread-entry.ts', import.meta.url));
  return new Worker(`require(${JSON.stringify(tsx)}).require(${JSON.stringify(entry)}, __filename)`, { eval: true, workerData: settings });
}
