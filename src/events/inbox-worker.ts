import type { Logger } from 'pino';
import { indexedAttributesOf } from '../graph/tree.js';
import type { InboxEvent, PushEventCompletion } from '../graph/push-events.js';
import type { GraphStore } from '../graph/store.js';
import type { SystemOfRecord, SystemsOfRecord } from '../systems-of-record/service.js';
import { planEvent, type EventPlan } from './plan-event.js';
import { SetError } from './set-error.js';
import { readSecurityEvent, type SecurityEvent } from './validate-set.js';

export interface InboxWorkerOptions {
  /** How often to look for SETs accepted by other instances; this instance's own wake it at once. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Back-off after the store failed, before trying again. */
  retryDelayMs?: number;
  /** Told about every event this worker completed (for metrics). */
  onCompleted?: (event: Pick<InboxEvent, 'sorId' | 'receivedAt'>, status: EventPlan['status'], at: Date) => void;
}

/** What the service needs of whatever applies the inbox: an InboxWorker here, or one in a thread (InboxThread). */
export interface Inbox {
  start(): void;
  stop(): Promise<void>;
  notify(): void;
  drain(): Promise<void>;
}

/**
 * Applies accepted SETs to the graph, oldest first. Each event's outcome and writes are committed in one
 * transaction that only succeeds while the event is still `accepted`, so with several instances reading
 * the same inbox every event is applied exactly once, and in the order received.
 */
export class InboxWorker implements Inbox {
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly onCompleted: InboxWorkerOptions['onCompleted'];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeAgain = false;
  /** A pass is about to start and has not read the inbox yet. */
  private starting = false;
  private stopped = true;

  constructor(
    private readonly store: GraphStore,
    private readonly systemsOfRecord: SystemsOfRecord,
    private readonly logger: Logger,
    options: InboxWorkerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    // A PostgreSQL batch costs the same few round trips whatever its size, so larger ones let the worker keep up
    // with a burst; on SQLite a batch is one synchronous transaction, and a larger one would hold up longer the
    // requests (in-process) or the other writes of the inbox thread.
    this.batchSize = options.batchSize ?? (store.kind === 'postgres' ? 400 : 100);
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.onCompleted = options.onCompleted;
  }

  start(): void {
    this.stopped = false;
    this.notify();
  }

  /** Lets the batch in progress finish, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * A SET was accepted: apply it now rather than at the next poll. The pass starts after the current turn of the
   * event loop, so that the answers to the requests whose SETs were committed together go out first, and the
   * pass finds all of those SETs.
   */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      if (!this.starting) this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.starting = true;
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.starting = false;
      return this.applyPending();
    });
    this.running = this.running.finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.notify();
      } else {
        this.schedule(this.pollIntervalMs);
      }
    });
  }

  /**
   * Applies everything waiting in the inbox (tests use it directly). It first lets the worker's own pass
   * finish, so that a caller sees that pass's outcomes (and their metrics) recorded, not only committed.
   */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    await this.applyPending();
  }

  private async applyPending(): Promise<void> {
    for (;;) {
      let pass: { read: number; notCompleted: number };
      try {
        pass = await this.applyBatch();
      } catch (error) {
        this.logger.error({ err: error }, 'inbox worker: the store failed; retrying');
        this.schedule(this.retryDelayMs);
        return;
      }
      // Events left accepted (planned with a template replaced meanwhile) are planned again at once.
      if (pass.read < this.batchSize && pass.notCompleted === 0) return;
      // On SQLite every step above completes without waiting, so without this a backlog would be applied to
      // its end before the requests (or the thread's messages) that arrived meanwhile are read.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.notify(), delayMs);
    this.timer.unref();
  }

  /**
   * Commits a batch of events in one transaction. An event is planned against the graph as it is, so when
   * its subject already has an uncommitted event in the batch, the batch is committed first. Counts the events
   * read and those this pass did not complete (another worker did, or their SoR's template changed meanwhile).
   */
  private async applyBatch(): Promise<{ read: number; notCompleted: number }> {
    const pending = await this.store.pendingPushEvents(this.batchSize);
    const sors = new Map<string, SystemOfRecord | undefined>();
    let batch: { completion: PushEventCompletion; plan: EventPlan; record: InboxEvent }[] = [];
    let subjects = new Set<string>();
    /** The nodes the batch's events replace, by SoR, entity and id. */
    let replaced = new Set<string>();
    let notCompleted = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const done = await this.store.completePushEvents(batch.map((item) => item.completion));
      batch.forEach((item, i) => done[i] && this.logOutcome(item.record, item.plan));
      notCompleted += done.filter((completed) => !completed).length;
      batch = [];
      subjects = new Set();
      replaced = new Set();
    };
    for (const record of pending) {
      if (!sors.has(record.sorId)) sors.set(record.sorId, await this.systemsOfRecord.get(record.sorId));
      const sor = sors.get(record.sorId);
      if (!sor) continue;
      const subject = `${record.sorId} ${record.subject ?? record.id}`;
      if (subjects.has(subject)) await flush();
      let plan = await this.plan(sor, record);
      if (deletesReplacedNode(record.sorId, plan, replaced)) {
        // A rename planned before an earlier event of the batch took its old id: planned again once that is committed.
        await flush();
        plan = await this.plan(sor, record);
      }
      subjects.add(subject);
      for (const write of plan.writes) if (write.kind === 'replace') replaced.add(writtenNodeKey(record.sorId, write.tree.entity, write.tree.id));
      batch.push({
        record,
        plan,
        completion: {
          sorId: sor.record.id,
          id: record.id,
          outcome: { status: plan.status, errorDescription: plan.errorDescription, extracted: plan.extracted, operations: plan.operations, at: new Date() },
          writes: plan.writes,
          options: { eventId: record.jti ?? record.id, indexedAttributes: indexedAttributesOf(sor.template) },
          templateVersion: sor.record.updatedAt,
        },
      });
    }
    await flush();
    return { read: pending.length, notCompleted };
  }

  /**
   * Events of a subject are applied in the order received; a failed one put back by a retry is the exception, since
   * later ones may have been applied meanwhile. One that sets the whole state (a full create or put, a delete, an
   * activate or deactivate) would then undo them: a failed create retried after a deactivate would enable the
   * account again. A patch is a change to apply to the subject as it is now, the way a patch that arrived before
   * its create is applied once the create has.
   */
  private async supersededRetry(record: InboxEvent, event: SecurityEvent): Promise<boolean> {
    if (record.attempts === 0 || record.subject === undefined || event.kind === 'patch:full' || event.kind === undefined) return false;
    if (event.kind.endsWith(':notice')) return false;
    return this.store.hasLaterChangeOf(record.sorId, record.subject, record.sequence);
  }

  private logOutcome(record: InboxEvent, plan: EventPlan): void {
    this.onCompleted?.(record, plan.status, new Date());
    const log = { sorId: record.sorId, eventId: record.id, jti: record.jti, status: plan.status, operations: plan.operations };
    if (plan.status === 'failed') this.logger.warn({ ...log, reason: plan.errorDescription }, 'SET could not be applied');
    else this.logger.debug(log, 'SET applied');
  }

  private async plan(sor: SystemOfRecord, record: InboxEvent): Promise<EventPlan> {
    try {
      const claims = record.claims;
      if (!claims) return { status: 'failed', writes: [], operations: [], errorDescription: 'the stored event has no claims' };
      const event = readSecurityEvent(claims);
      if (await this.supersededRetry(record, event)) {
        return {
          status: 'ignored',
          writes: [],
          operations: [],
          errorDescription: `retried after a later event for ${record.subject} changed or deleted it; applying this one would bring back an older state`,
        };
      }
      return await planEvent(this.store, sor.record.id, sor.template, event);
    } catch (error) {
      // The template may have changed since the SET was accepted; the operator fixes it and retries.
      if (error instanceof SetError) return { status: 'failed', writes: [], operations: [], errorDescription: error.description };
      throw error;
    }
  }
}

/**
 * Whether the plan deletes, as its subject's node under an old id, a node that an uncommitted event of the batch
 * replaces: planned against the graph as it was, it would name a delete that its commit skips (see GraphWrite's builtBy).
 */
function deletesReplacedNode(sorId: string, plan: EventPlan, replaced: ReadonlySet<string>): boolean {
  return plan.writes.some((write) => write.kind === 'delete' && write.builtBy !== undefined && replaced.has(writtenNodeKey(sorId, write.entity, write.id)));
}

function writtenNodeKey(sorId: string, entity: string, id: string): string {
  return `${sorId}\u0000${entity}\u0000${id}`;
}
