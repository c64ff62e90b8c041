import type { GraphOperation, InboxEvent, PushAuthentication, PushEventRecord, PushEventStatus } from './push-events.js';
import { InvalidCursorError } from './paging.js';
import { isoTime } from './rows.js';

/** A push_events row as either backend returns it (SQLite: JSON as text; PostgreSQL: jsonb parsed, Dates). */
export interface PushEventRow {
  sequence: number | string;
  id: string;
  sor_id: string;
  received_at: string | Date;
  protocol: 'set' | 'scim';
  method: string;
  path: string;
  remote_address: string | null;
  authentication: string | PushAuthentication;
  status: PushEventStatus;
  http_status: number;
  error_code: string | null;
  error_description: string | null;
  event_type: string | null;
  subject: string | null;
  jti: string | null;
  dedup_key: string | null;
  raw: string | null;
  decoded: unknown;
  extracted: unknown;
  operations: unknown;
  applied_at: string | Date | null;
  attempts: number;
  notes: unknown;
}

function json<T>(value: unknown, textual: boolean): T | undefined {
  if (value === null || value === undefined) return undefined;
  return (textual && typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toPushEvent(row: PushEventRow, jsonAsText: boolean): PushEventRecord {
  const event: PushEventRecord = {
    id: row.id,
    sorId: row.sor_id,
    sequence: Number(row.sequence),
    receivedAt: isoTime(row.received_at),
    protocol: row.protocol,
    method: row.method,
    path: row.path,
    authentication: json<PushAuthentication>(row.authentication, true)!,
    status: row.status,
    httpStatus: row.http_status,
    attempts: row.attempts,
  };
  const optional: Partial<PushEventRecord> = {
    remoteAddress: row.remote_address ?? undefined,
    errorCode: row.error_code ?? undefined,
    errorDescription: row.error_description ?? undefined,
    eventType: row.event_type ?? undefined,
    subject: row.subject ?? undefined,
    jti: row.jti ?? undefined,
    dedupKey: row.dedup_key ?? undefined,
    raw: row.raw ?? undefined,
    decoded: json(row.decoded, jsonAsText) ?? decodedFromRaw(row),
    extracted: json(row.extracted, jsonAsText),
    operations: json<GraphOperation[]>(row.operations, jsonAsText),
    appliedAt: row.applied_at === null ? undefined : isoTime(row.applied_at),
    notes: json<string[]>(row.notes, jsonAsText),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
  }
  return event;
}

/** The columns an InboxEvent is read from. */
export const INBOX_EVENT_COLUMNS = 'sequence, id, sor_id, received_at, subject, jti, attempts, raw, decoded';

export type InboxEventRow = Pick<PushEventRow, 'sequence' | 'id' | 'sor_id' | 'received_at' | 'subject' | 'jti' | 'attempts' | 'raw' | 'decoded'>;

export function toInboxEvent(row: InboxEventRow, jsonAsText: boolean): InboxEvent {
  const event: InboxEvent = { id: row.id, sorId: row.sor_id, sequence: Number(row.sequence), receivedAt: isoTime(row.received_at), attempts: Number(row.attempts) };
  if (row.subject !== null) event.subject = row.subject;
  if (row.jti !== null) event.jti = row.jti;
  // Stores written before SETs were kept only as received have the decoded claims in their own column.
  const decoded = json<{ claims?: unknown }>(row.decoded, jsonAsText);
  const claims = decoded ? decoded.claims : row.raw === null ? undefined : claimsOf(row.raw);
  if (typeof claims === 'object' && claims !== null && !Array.isArray(claims)) event.claims = claims as Record<string, unknown>;
  return event;
}

function claimsOf(raw: string): unknown {
  try {
    return JSON.parse(Buffer.from(raw.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A SET that was not refused is stored as received only (its raw compact JWS), since its header and claims
 * can be read back from that: it passed decodeSet when it arrived. Refused ones keep what was decoded, if any.
 */
function decodedFromRaw(row: PushEventRow): { header: unknown; claims: unknown } | undefined {
  if (row.protocol !== 'set' || row.status === 'refused' || row.raw === null) return undefined;
  const [header, claims] = row.raw.split('.');
  try {
    return { header: JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')), claims: JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) };
  } catch {
    return undefined;
  }
}

/** The values of a push_events insert, in the column order both backends use. */
export function pushEventValues(event: PushEventRecord): unknown[] {
  return [
    event.id,
    event.sorId,
    event.receivedAt,
    event.protocol,
    event.method,
    event.path,
    event.remoteAddress ?? null,
    JSON.stringify(event.authentication),
    event.status,
    event.httpStatus,
    event.errorCode ?? null,
    event.errorDescription ?? null,
    event.eventType ?? null,
    event.subject ?? null,
    event.jti ?? null,
    event.dedupKey ?? null,
    event.raw ?? null,
    jsonOrNull(event.decoded),
    jsonOrNull(event.extracted),
    jsonOrNull(event.operations),
    event.appliedAt ?? null,
    event.attempts,
    jsonOrNull(event.notes),
  ];
}

export const PUSH_EVENT_COLUMNS =
  'id, sor_id, received_at, protocol, method, path, remote_address, authentication, status, http_status, error_code, ' +
  'error_description, event_type, subject, jti, dedup_key, raw, decoded, extracted, operations, applied_at, attempts, notes';

export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function encodeSequenceCursor(sequence: number): string {
  return Buffer.from(`s:${sequence}`).toString('base64url');
}

export function decodeSequenceCursor(cursor: string): number {
  const match = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidCursorError();
  return Number(match[1]);
}
