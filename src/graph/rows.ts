import type { AttributeValue } from '../template/model.js';
import type { AttributeIndexPlan, EntityNode, NodeSource, PushCredentials, PushTokenRecord, SystemOfRecordOptions, SystemOfRecordRecord } from './store.js';

/** SQLite returns times and JSON as text; PostgreSQL returns Date and parsed jsonb. */
type Time = string | Date;
type Json<T> = string | T;

export interface SystemOfRecordRow {
  id: string;
  display_name: string;
  description: string | null;
  push_type: string;
  delivery_method: string;
  template_yaml: string;
  verification: Json<Record<string, unknown>>;
  options: Json<SystemOfRecordOptions> | null;
  indexed_attributes?: Json<AttributeIndexPlan> | null;
  index_builds?: Json<AttributeIndexPlan> | null;
  created_at: Time;
  updated_at: Time;
}

export interface PushTokenRow {
  id: string;
  sor_id: string;
  hash: string;
  description: string | null;
  created_at: Time;
  expires_at: Time | null;
  revoked_at: Time | null;
  last_used_at: Time | null;
}

export interface NodeRowRecord {
  entity: string;
  id: string;
  parent_entity: string | null;
  parent_id: string | null;
  attributes: Json<Record<string, AttributeValue>>;
  created_at: Time;
  updated_at: Time;
  last_event_id: string | null;
  changed_upstream_at: Time | null;
}

export function isoTime(time: Time): string {
  return typeof time === 'string' ? time : time.toISOString();
}

function parseJson<T>(value: Json<T>): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

export function toSystemOfRecord(row: SystemOfRecordRow): SystemOfRecordRecord {
  const sor: SystemOfRecordRecord = {
    id: row.id,
    displayName: row.display_name,
    pushType: row.push_type,
    deliveryMethod: row.delivery_method,
    templateYaml: row.template_yaml,
    verification: parseJson(row.verification),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  if (row.description !== null) sor.description = row.description;
  if (row.options !== null && row.options !== undefined) sor.options = parseJson(row.options);
  if (row.indexed_attributes !== null && row.indexed_attributes !== undefined) sor.indexPlan = parseJson(row.indexed_attributes);
  if (row.index_builds !== null && row.index_builds !== undefined) sor.indexBuilds = parseJson(row.index_builds);
  return sor;
}

export function toPushToken(row: PushTokenRow): PushTokenRecord {
  const token: PushTokenRecord = { id: row.id, sorId: row.sor_id, hash: row.hash, createdAt: isoTime(row.created_at) };
  if (row.description !== null) token.description = row.description;
  if (row.expires_at !== null) token.expiresAt = isoTime(row.expires_at);
  if (row.revoked_at !== null) token.revokedAt = isoTime(row.revoked_at);
  if (row.last_used_at !== null) token.lastUsedAt = isoTime(row.last_used_at);
  return token;
}

export function toEntityNode(row: NodeRowRecord): EntityNode {
  const node: EntityNode = {
    entity: row.entity,
    id: row.id,
    attributes: parseJson(row.attributes),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
  if (row.parent_entity !== null && row.parent_id !== null) node.parent = { entity: row.parent_entity, id: row.parent_id };
  if (row.last_event_id !== null) node.lastEventId = row.last_event_id;
  if (row.changed_upstream_at !== null && row.changed_upstream_at !== undefined) node.changedUpstreamAt = isoTime(row.changed_upstream_at);
  return node;
}

/** The columns every node query selects, in the order NodeRowRecord names them. */
export const NODE_COLUMNS =
  'entity, id, parent_entity, parent_id, attributes, created_at, updated_at, last_event_id, changed_upstream_at';

/** A row of the push credentials read: the SoR's updated_at, and the token's columns (NULL when there is none). */
export type PushCredentialsRow = { sor_updated_at: Time } & { [K in keyof PushTokenRow]: PushTokenRow[K] | null };

export function toPushCredentials(row: PushCredentialsRow | undefined): PushCredentials | undefined {
  if (!row) return undefined;
  const credentials: PushCredentials = { sorUpdatedAt: isoTime(row.sor_updated_at) };
  if (row.id !== null) credentials.token = toPushToken(row as PushTokenRow);
  return credentials;
}

/** A NodeSource without the fields a node does not have. */
export function nodeSource(id: string, updatedAt: string, lastEventId: string | null, source: unknown): NodeSource {
  const node: NodeSource = { id, updatedAt };
  if (lastEventId !== null) node.lastEventId = lastEventId;
  if (source !== null && source !== undefined) node.source = source;
  return node;
}
