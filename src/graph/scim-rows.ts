import type { ScimMemberRecord, ScimQuery, ScimResourceRecord, ScimResourceType, ScimSortKey } from './scim-resources.js';
import type { FilterTable } from '../scim/filter/to-sql.js';
import { isoTime } from './rows.js';
import { foldCase } from './tree.js';

/** A scim_resources row as either backend returns it (SQLite: JSON text; PostgreSQL: parsed jsonb, Dates). */
export interface ScimResourceRow {
  sor_id: string;
  resource_type: ScimResourceType;
  id: string;
  external_id: string | null;
  name: string;
  document: string | Record<string, unknown>;
  version: number | string;
  created_at: string | Date;
  modified_at: string | Date;
}

export interface ScimMemberRow {
  value: string;
  display: string | null;
  type: string | null;
  ref: string | null;
}

export const SCIM_RESOURCE_COLUMNS = 'r.sor_id, r.resource_type, r.id, r.external_id, r.name, r.document, r.version, r.created_at, r.modified_at';

export function toScimResource(row: ScimResourceRow): ScimResourceRecord {
  const record: ScimResourceRecord = {
    sorId: row.sor_id,
    resourceType: row.resource_type,
    id: row.id,
    name: row.name,
    document: typeof row.document === 'string' ? (JSON.parse(row.document) as Record<string, unknown>) : row.document,
    version: Number(row.version),
    created: isoTime(row.created_at),
    modified: isoTime(row.modified_at),
  };
  if (row.external_id !== null) record.externalId = row.external_id;
  return record;
}

export function toScimMember(row: ScimMemberRow): ScimMemberRecord {
  const member: ScimMemberRecord = { value: row.value };
  if (row.display !== null) member.display = row.display;
  if (row.type !== null) member.type = row.type;
  if (row.ref !== null) member.ref = row.ref;
  return member;
}

/** The values of a scim_resources insert or update, in the column order both backends use. */
export function scimResourceValues(record: ScimResourceRecord): unknown[] {
  return [
    record.sorId,
    record.resourceType,
    record.id,
    record.externalId ?? null,
    record.name,
    foldCase(record.name),
    JSON.stringify(record.document),
    record.version,
    record.created,
    record.modified,
  ];
}

export function scimMemberValues(member: ScimMemberRecord): (string | null)[] {
  return [member.value, member.display ?? null, member.type ?? null, member.ref ?? null];
}

export const SORT_COLUMNS: Readonly<Record<ScimSortKey, string>> = {
  id: 'r.id',
  name: 'r.name_ci',
  externalId: 'r.external_id',
  created: 'r.created_at',
  modified: 'r.modified_at',
};

/**
 * Ties broken by id, so every order is stable across pages. A resource without an externalId sorts last in both
 * orders (RFC 7644 §3.4.2.3); left to themselves SQLite puts NULL first and PostgreSQL last when ascending.
 */
export function orderBy(query: ScimQuery): string {
  const direction = query.descending ? 'DESC' : 'ASC';
  const key = query.sortBy ?? 'id';
  if (key === 'id') return `r.id ${direction}`;
  return `${SORT_COLUMNS[key]} ${direction}${key === 'externalId' ? ' NULLS LAST' : ''}, r.id ${direction}`;
}

/** The same order in memory, for the path where candidates are filtered after SQL. */
export function compareRecords(query: ScimQuery): (a: ScimResourceRecord, b: ScimResourceRecord) => number {
  if (query.compare) return query.compare;
  const key = query.sortBy ?? 'id';
  const sign = query.descending ? -1 : 1;
  return (a, b) => {
    const [x, y] = [sortValueOf(key, a), sortValueOf(key, b)];
    if (x !== y) {
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return x < y ? -sign : sign;
    }
    return a.id < b.id ? -sign : a.id > b.id ? sign : 0;
  };
}

/** What a sort key orders by, as the SQL order has it; undefined (sorted last) for a missing externalId. */
export function sortValueOf(key: ScimSortKey, record: ScimResourceRecord): string | undefined {
  switch (key) {
    case 'name':
      return foldCase(record.name);
    case 'externalId':
      return record.externalId;
    case 'created':
      return record.created;
    case 'modified':
      return record.modified;
    case 'id':
      return record.id;
  }
}

/** A first page that is not full holds every match, so its length is the total and no count is needed. */
export function wholeResult(rows: number, query: ScimQuery): number | undefined {
  return query.afterId === undefined && (query.offset ?? 0) === 0 && rows < query.count ? rows : undefined;
}

/** Candidates are read in id order in batches of this size, so a big SoR is never held in memory at once. */
export const CANDIDATE_BATCH = 1000;

/** Pages the matches found in memory. */
export function pageInMemory(matches: ScimResourceRecord[], query: ScimQuery): { resources: ScimResourceRecord[]; total: number } {
  const sorted = matches.sort(compareRecords(query));
  const after = query.afterId;
  const start = after === undefined ? (query.offset ?? 0) : 0;
  const remaining = after === undefined ? sorted : sorted.filter((record) => record.id > after);
  return { resources: remaining.slice(start, start + query.count), total: sorted.length };
}

/** The member tables as the SCIM filter translation reads them (the same SQL on both backends). */
export function scimFilterTable(resourceType: ScimResourceType): FilterTable {
  return {
    resourceType,
    membersExists: (condition) => `EXISTS (SELECT 1 FROM scim_group_members m WHERE m.sor_id = r.sor_id AND m.group_id = r.id AND ${condition})`,
    groupsExists: (condition) =>
      `EXISTS (SELECT 1 FROM scim_group_members m JOIN scim_resources g ON g.sor_id = m.sor_id AND g.resource_type = 'Group' AND g.id = m.group_id
        WHERE m.sor_id = r.sor_id AND m.value = r.id AND ${condition})`,
  };
}

/** Rows of (member, group) in group id order, as each member's list of groups. */
export function groupsByMember(rows: readonly { member: string; id: string; name: string }[]): Map<string, { id: string; name: string }[]> {
  const groups = new Map<string, { id: string; name: string }[]>();
  for (const { member, id, name } of rows) {
    const list = groups.get(member);
    if (list) list.push({ id, name });
    else groups.set(member, [{ id, name }]);
  }
  return groups;
}
