import type { AttributeValue } from '../template/model.js';
import type { NodeTree, WriteOptions } from './store.js';

/**
 * What happened to a push request. `accepted` SETs wait in the inbox for the worker, which moves them to
 * `applied`, `failed` (with the reason; retryable) or `ignored` (nothing to change).
 */
export const PUSH_EVENT_STATUSES = ['accepted', 'applied', 'failed', 'ignored', 'refused', 'duplicate'] as const;
export type PushEventStatus = (typeof PUSH_EVENT_STATUSES)[number];

export interface PushAuthentication {
  bearer: 'valid' | 'missing' | 'invalid' | 'not-checked';
  /** The push token's id (never the token). */
  tokenId?: string;
  signature?: 'verified' | 'unsigned' | 'not-checked' | 'invalid';
  /** Why authentication failed, for operators only (a revoked or expired token, another SoR's token). */
  reason?: string;
}

/** A graph operation a push caused, as the event log shows it. */
export interface GraphOperation {
  op: 'replace' | 'upsert' | 'delete' | 'setAttributes' | 'markChangedUpstream';
  entity: string;
  id: string;
  children?: number;
  attributes?: string[];
}

/** One push request as the event log keeps it. Secrets (tokens, Authorization headers) never appear. */
export interface PushEventRecord {
  id: string;
  sorId: string;
  /** Assigned by the store: the order of receipt, which is also the inbox order. */
  sequence?: number;
  receivedAt: string;
  protocol: 'set' | 'scim';
  method: string;
  path: string;
  remoteAddress?: string;
  authentication: PushAuthentication;
  status: PushEventStatus;
  httpStatus: number;
  errorCode?: string;
  errorDescription?: string;
  eventType?: string;
  subject?: string;
  jti?: string;
  /** For accepted SETs the jti: a second SET with it for the same SoR is a redelivery. */
  dedupKey?: string;
  raw?: string;
  decoded?: unknown;
  extracted?: unknown;
  operations?: GraphOperation[];
  appliedAt?: string;
  attempts: number;
  /** What the receiver relaxed or fixed up to accept the request (a missing core schema, …). */
  notes?: string[];
}

/**
 * What the inbox worker reads of an accepted event: what it needs to plan and order it, not the rest of its log
 * entry (reading and decoding all of that was a fifth of the cost of applying a SET).
 */
export interface InboxEvent {
  id: string;
  sorId: string;
  sequence: number;
  receivedAt: string;
  subject?: string;
  jti?: string;
  /** More than 0 once it was completed before: a failed event put back by a retry. */
  attempts: number;
  /** The SET's claims; undefined if the stored event has none (it is then recorded as failed). */
  claims?: Record<string, unknown>;
}

export interface PushEventQuery {
  status?: PushEventStatus;
  /** Matched against the event type URI without regard to case; a suffix such as `prov:create:full` is enough. */
  type?: string;
  subject?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

export interface PushEventPage {
  items: PushEventRecord[];
  nextCursor?: string;
}

/** A change to the graph that the inbox worker commits together with an event's outcome. */
export type GraphWrite =
  | { kind: 'replace'; tree: NodeTree; sourceDocument?: unknown }
  /**
   * `builtBy`: delete the node only while a SET about this `sub_id.uri` is still what it was last built from. A rename
   * deletes the subject's node under its old id, which an earlier event of the same batch, planned against the graph
   * as it was, may have given to another subject meanwhile.
   */
  | { kind: 'delete'; entity: string; id: string; builtBy?: string }
  | { kind: 'setAttributes'; entity: string; id: string; attributes: Record<string, AttributeValue> }
  | { kind: 'markChangedUpstream'; entity: string; id: string };

export interface PushEventOutcome {
  status: 'applied' | 'failed' | 'ignored';
  errorDescription?: string;
  extracted?: unknown;
  operations?: GraphOperation[];
  at: Date;
}

export interface PushEventCompletion {
  sorId: string;
  id: string;
  outcome: PushEventOutcome;
  writes: GraphWrite[];
  options: WriteOptions;
  /**
   * The SoR's `updatedAt` whose template planned the writes. Checked in the completion's transaction: planned with a
   * template since replaced, the event is left `accepted` (not completed), to be planned again with the new one;
   * written, it would put the old template's mapping over a remap that already ran, without a word.
   */
  templateVersion?: string;
}

/** The event log and the durable inbox; part of every GraphStore. */
export interface PushEventLog {
  /** Records a push request. With a dedupKey that this SoR already recorded, records nothing: 'duplicate'. */
  recordPushEvent(event: PushEventRecord): Promise<'recorded' | 'duplicate'>;
  getPushEvent(sorId: string, id: string): Promise<PushEventRecord | undefined>;
  /** Newest first. */
  listPushEvents(sorId: string, query?: PushEventQuery): Promise<PushEventPage>;
  /** Accepted events not yet applied, oldest first, across all SoRs. */
  pendingPushEvents(limit: number): Promise<InboxEvent[]>;
  /**
   * In one transaction: for each completion in order, records the outcome of an accepted event and performs
   * its writes, only if the event is still `accepted` (another worker may have completed it first; then
   * nothing of it is written) and its SoR is still at its templateVersion. Returns, per completion, whether it
   * was this call that completed it.
   */
  completePushEvents(completions: readonly PushEventCompletion[]): Promise<boolean[]>;
  /**
   * Whether the SoR applied an event that changed the subject (not a notice) after the one at `sequence`, or a delete
   * that found nothing to remove (ignored, but the subject's last state all the same): a retried event is then out of date.
   */
  hasLaterChangeOf(sorId: string, subject: string, sequence: number): Promise<boolean>;
  /** Puts a failed event back in the inbox, in its original place in the order. */
  retryPushEvent(sorId: string, id: string): Promise<boolean>;
  /**
   * Deletes log entries received before the time, except those still waiting in the inbox: the oldest `limit` of
   * them (all when it is not given). Returns how many it deleted.
   */
  deletePushEventsBefore(time: Date, limit?: number): Promise<number>;
  /** The document a node was last built from (for SCIM events: the SET), used to apply patches to it. */
  getNodeSource(sorId: string, entity: string, id: string): Promise<unknown | undefined>;
}
