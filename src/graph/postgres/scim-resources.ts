import type pg from 'pg';
import { filterToSql, membershipTests, type SqlDialect } from '../../scim/filter/to-sql.js';
import {
  CANDIDATE_BATCH,
  groupsByMember,
  SCIM_RESOURCE_COLUMNS,
  orderBy,
  pageInMemory,
  wholeResult,
  scimFilterTable,
  scimResourceValues,
  toScimMember,
  toScimResource,
  type ScimMemberRow,
  type ScimResourceRow,
} from '../scim-rows.js';
import { childIdRanges } from '../child-ids.js';
import type {
  GraphProjection,
  ScimChange,
  ScimChangeResult,
  ScimMemberRecord,
  ScimMemberWrite,
  ScimQuery,
  ScimQueryResult,
  ScimResourceRecord,
  ScimResourceType,
  ScimResourceWrite,
} from '../scim-resources.js';
import { memoKey, type ScimListingMemo } from '../scim-listing-memo.js';
import type { NodeTree, WriteOptions } from '../store.js';
import type { NodeRow } from '../tree.js';

/** The store's own node writes, so that the projection goes through them inside the SCIM transaction. */
export interface PostgresGraphWriter {
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  writeTrees(client: pg.PoolClient, sorId: string, trees: readonly NodeTree[], options: WriteOptions): Promise<void>;
  writeRows(client: pg.PoolClient, sorId: string, rows: readonly NodeRow[], options: WriteOptions): Promise<void>;
  /** Deletes a node with everything below it. */
  deleteTree(client: pg.PoolClient, sorId: string, entity: string, id: string): Promise<boolean>;
  /** Deletes nodes that have no children (group members), with their index rows, by key and many at once. */
  deleteLeaves(client: pg.PoolClient, sorId: string, refs: readonly { entity: string; id: string }[]): Promise<void>;
}

function query(name: string, text: string): { name: string; text: string } {
  return { name: `pushgraph.scim.${name}`, text };
}

const SQL = {
  get: query('get', `SELECT ${SCIM_RESOURCE_COLUMNS} FROM scim_resources r WHERE r.sor_id = $1 AND r.resource_type = $2 AND r.id = $3`),
  insert: query(
    'insert',
    `INSERT INTO scim_resources (sor_id, resource_type, id, external_id, name, name_ci, document, version, created_at, modified_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)`,
  ),
  update: query(
    'update',
    `UPDATE scim_resources SET external_id = $4, name = $5, name_ci = $6, document = $7::jsonb, version = $8, modified_at = $9
     WHERE sor_id = $1 AND resource_type = $2 AND id = $3 AND version = $10`,
  ),
  delete: query(
    'delete',
    'DELETE FROM scim_resources WHERE sor_id = $1 AND resource_type = $2 AND id = $3 AND ($4::bigint IS NULL OR version = $4)',
  ),
  importMany: query(
    'importMany',
    `INSERT INTO scim_resources (sor_id, resource_type, id, external_id, name, name_ci, document, version, created_at, modified_at)
     SELECT w.sor_id, w.resource_type, w.id, w.external_id, w.name, w.name_ci, w.document::jsonb, w.version::bigint, w.created_at::timestamptz, w.modified_at::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS w (sor_id, resource_type, id, external_id, name, name_ci, document, version, created_at, modified_at)`,
  ),
  // FOR SHARE: a write of the resource waits for this transaction, so its nodes are written after these.
  isAtVersion: query(
    'isAtVersion',
    'SELECT 1 FROM scim_resources WHERE sor_id = $1 AND resource_type = $2 AND id = $3 AND version = $4 FOR SHARE',
  ),
  deleteMembers: query('deleteMembers', 'DELETE FROM scim_group_members WHERE sor_id = $1 AND group_id = $2'),
  removeMembers: query('removeMembers', 'DELETE FROM scim_group_members WHERE sor_id = $1 AND group_id = $2 AND value = ANY($3::text[])'),
  addMembers: query(
    'addMembers',
    `INSERT INTO scim_group_members (sor_id, group_id, value, display, type, ref)
     SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (sor_id, group_id, value) DO UPDATE SET display = excluded.display, type = excluded.type, ref = excluded.ref`,
  ),
  membersFirst: query(
    'membersFirst',
    'SELECT value, display, type, ref FROM scim_group_members WHERE sor_id = $1 AND group_id = $2 ORDER BY value LIMIT $3',
  ),
  membersAfter: query(
    'membersAfter',
    `SELECT value, display, type, ref FROM scim_group_members WHERE sor_id = $1 AND group_id = $2 AND value > $3
     ORDER BY value LIMIT $4`,
  ),
  findMembers: query(
    'findMembers',
    'SELECT value, display, type, ref FROM scim_group_members WHERE sor_id = $1 AND group_id = $2 AND value = ANY($3::text[])',
  ),
  groupsOf: query(
    'groupsOf',
    `SELECT r.id, r.name FROM scim_group_members m
     JOIN scim_resources r ON r.sor_id = m.sor_id AND r.resource_type = 'Group' AND r.id = m.group_id
     WHERE m.sor_id = $1 AND m.value = $2 ORDER BY r.id`,
  ),
  groupsOfEach: query(
    'groupsOfEach',
    `SELECT m.value AS member, r.id, r.name FROM scim_group_members m
     JOIN scim_resources r ON r.sor_id = m.sor_id AND r.resource_type = 'Group' AND r.id = m.group_id
     WHERE m.sor_id = $1 AND m.value = ANY($2::text[]) ORDER BY r.id`,
  ),
  // Children of one parent, found through the primary key by their id prefix, with everything below them.
  deleteChildren: query(
    'deleteChildren',
    `WITH RECURSIVE subtree (entity, id) AS (
       SELECT n.entity, n.id FROM nodes n
       WHERE n.sor_id = $1 AND n.entity = $2 AND n.id >= $3 AND n.id < $4 AND n.parent_entity = $5 AND n.parent_id = $6
         AND NOT (n.id = ANY($7::text[]))
       UNION
       SELECT n.entity, n.id FROM nodes n JOIN subtree s
         ON n.sor_id = $1 AND n.parent_entity = s.entity AND n.parent_id = s.id AND n.parent_id IS NOT NULL
     ), dropped_index AS (
       DELETE FROM node_attribute_index i USING subtree s WHERE i.sor_id = $1 AND i.entity = s.entity AND i.node_id = s.id
     )
     DELETE FROM nodes n USING subtree s WHERE n.sor_id = $1 AND n.entity = s.entity AND n.id = s.id`,
  ),
} as const;

/** SCIM resources on PostgreSQL. */
export class PostgresScimResources {
  constructor(
    private readonly pool: pg.Pool,
    private readonly graph: PostgresGraphWriter,
    private readonly memo: ScimListingMemo,
  ) {}

  private fold: Promise<(expression: string) => string> | undefined;

  async get(sorId: string, resourceType: ScimResourceType, id: string): Promise<ScimResourceRecord | undefined> {
    const result = await this.pool.query<ScimResourceRow>({ ...SQL.get, values: [sorId, resourceType, id] });
    const row = result.rows[0];
    return row && toScimResource(row);
  }

  async query(sorId: string, resourceType: ScimResourceType, query: ScimQuery): Promise<ScimQueryResult> {
    const params: unknown[] = [sorId, resourceType];
    const table = scimFilterTable(resourceType);
    const fold = await this.folding();
    const condition = query.filter === undefined ? { sql: 'true', exact: true } : filterToSql(query.filter, table, dialect(params, fold));
    const where = `r.sor_id = $1 AND r.resource_type = $2 AND ${condition.sql}`;
    if (condition.exact && query.compare === undefined) return this.pushedDown(sorId, where, params, query);
    // Membership is not in the documents `matches` reads, so SQL decides those tests for every candidate.
    const tests = condition.exact || query.filter === undefined ? [] : membershipTests(query.filter, table);
    const testColumns = tests.map((test, i) => `, coalesce(${filterToSql(test, table, dialect(params, fold)).sql}, false) AS decided_${i}`);
    const n = params.length;
    const sql = `SELECT ${SCIM_RESOURCE_COLUMNS}${testColumns.join('')} FROM scim_resources r WHERE ${where} AND r.id > $${n + 1} ORDER BY r.id LIMIT $${n + 2}`;
    const matches: ScimResourceRecord[] = [];
    let after = '';
    for (;;) {
      const result = await this.pool.query<ScimResourceRow & Record<string, unknown>>(sql, [...params, after, CANDIDATE_BATCH]);
      for (const row of result.rows) {
        const record = toScimResource(row);
        const decided = new Map(tests.map((test, i) => [test, row[`decided_${i}`] === true]));
        if (condition.exact || !query.matches || query.matches(record, decided)) matches.push(record);
      }
      if (result.rows.length < CANDIDATE_BATCH) break;
      after = result.rows[result.rows.length - 1]!.id;
    }
    return { ...pageInMemory(matches, query), pushedDown: false };
  }

  private async pushedDown(sorId: string, where: string, params: unknown[], query: ScimQuery): Promise<ScimQueryResult> {
    const generation = this.memo.generation(sorId);
    const key = memoKey(where, params, query.descending);
    const rows = await this.page(sorId, where, params, query, key, generation);
    let total = wholeResult(rows.length, query) ?? this.memo.total(sorId, key);
    if (total === undefined) {
      const counted = await this.pool.query<{ count: string }>(`SELECT count(*) FROM scim_resources r WHERE ${where}`, params);
      total = Number(counted.rows[0]?.count ?? 0);
      this.memo.rememberTotal(sorId, key, generation, total);
    }
    return { resources: rows.map(toScimResource), total, pushedDown: true };
  }

  /**
   * In id order, a startIndex that follows on from an earlier page continues after that page's last id (the
   * memo); any other deep startIndex is skipped over the primary key alone, then the page is read from there.
   */
  private async page(sorId: string, where: string, params: unknown[], query: ScimQuery, key: string, generation: number): Promise<ScimResourceRow[]> {
    const select = async (condition: string, values: unknown[], offset: number) => {
      const n = values.length;
      const sql = `SELECT ${SCIM_RESOURCE_COLUMNS} FROM scim_resources r WHERE ${condition} ORDER BY ${orderBy(query)} LIMIT $${n + 1} OFFSET $${n + 2}`;
      return (await this.pool.query<ScimResourceRow>(sql, [...values, query.count, offset])).rows;
    };
    const next = `$${params.length + 1}`;
    if (query.afterId !== undefined) return select(`${where} AND r.id > ${next}`, [...params, query.afterId], 0);
    const offset = query.offset ?? 0;
    if ((query.sortBy ?? 'id') !== 'id' || query.count === 0) return select(where, params, offset);
    const rows = await (async (): Promise<ScimResourceRow[]> => {
      if (offset === 0) return select(where, params, 0);
      const after = this.memo.position(sorId, key, offset);
      if (after !== undefined) return select(`${where} AND r.id ${query.descending ? '<' : '>'} ${next}`, [...params, after], 0);
      const first = await this.pool.query<{ id: string }>(`SELECT r.id FROM scim_resources r WHERE ${where} ORDER BY ${orderBy(query)} LIMIT 1 OFFSET ${next}`, [...params, offset]);
      const id = first.rows[0]?.id;
      return id === undefined ? [] : select(`${where} AND r.id ${query.descending ? '<=' : '>='} ${next}`, [...params, id], 0);
    })();
    // Only a full page can have one after it; a lookup (one row of a page of 100) leaves nothing behind.
    if (rows.length === query.count) this.memo.rememberPosition(sorId, key, generation, offset + rows.length, rows[rows.length - 1]!.id);
    return rows;
  }

  /**
   * How member rows are case-folded, which SQL alone decides: with ICU's root collation, lower() folds as
   * JavaScript's toLowerCase does (É, the Kelvin sign, a dotted I); a database's own collation may fold ASCII only.
   */
  private folding(): Promise<(expression: string) => string> {
    this.fold ??= this.pool
      .query<{ icu: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') AS icu`)
      .then(({ rows }) => (rows[0]?.icu ? (expression: string) => `lower(${expression} COLLATE "und-x-icu")` : (expression: string) => `lower(${expression})`))
      .catch((error: unknown) => {
        this.fold = undefined;
        throw error;
      });
    return this.fold;
  }

  async members(sorId: string, groupId: string, options: { afterValue?: string; limit: number }): Promise<ScimMemberRecord[]> {
    const result =
      options.afterValue === undefined
        ? await this.pool.query<ScimMemberRow>({ ...SQL.membersFirst, values: [sorId, groupId, options.limit] })
        : await this.pool.query<ScimMemberRow>({ ...SQL.membersAfter, values: [sorId, groupId, options.afterValue, options.limit] });
    return result.rows.map(toScimMember);
  }

  async findMembers(sorId: string, groupId: string, values: readonly string[]): Promise<ScimMemberRecord[]> {
    const result = await this.pool.query<ScimMemberRow>({ ...SQL.findMembers, values: [sorId, groupId, values] });
    return result.rows.map(toScimMember);
  }

  async groupsOf(sorId: string, memberId: string): Promise<{ id: string; name: string }[]> {
    return (await this.pool.query<{ id: string; name: string }>({ ...SQL.groupsOf, values: [sorId, memberId] })).rows;
  }

  async groupsOfEach(sorId: string, memberIds: readonly string[]): Promise<Map<string, { id: string; name: string }[]>> {
    const result = await this.pool.query<{ member: string; id: string; name: string }>({ ...SQL.groupsOfEach, values: [sorId, memberIds] });
    return groupsByMember(result.rows);
  }

  async apply(sorId: string, change: ScimChange): Promise<ScimChangeResult> {
    try {
      return await this.graph.transaction(async (client): Promise<ScimChangeResult> => {
        if (!(await this.writeResource(client, sorId, change.resource))) return 'stale';
        for (const members of [change.members ?? []].flat()) await this.writeMembers(client, sorId, members);
        await this.project(client, sorId, change.graph, change.options);
        return 'ok';
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') return 'conflict';
      throw error;
    } finally {
      this.memo.changed(sorId);
    }
  }

  async import(sorId: string, resources: readonly ScimResourceRecord[], graph: GraphProjection, options: WriteOptions): Promise<ScimChangeResult> {
    const rows = resources.map(scimResourceValues);
    const columns = Array.from({ length: 10 }, (_, column) => rows.map((row) => (row[column] === null ? null : String(row[column]))));
    try {
      return await this.graph.transaction(async (client): Promise<ScimChangeResult> => {
        if (rows.length > 0) await client.query({ ...SQL.importMany, values: columns });
        await this.project(client, sorId, graph, options);
        return 'ok';
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') return 'conflict';
      throw error;
    } finally {
      this.memo.changed(sorId);
    }
  }

  private async writeResource(client: pg.PoolClient, sorId: string, write: ScimResourceWrite): Promise<boolean> {
    switch (write.kind) {
      case 'create':
        await client.query({ ...SQL.insert, values: scimResourceValues(write.resource) });
        return true;
      case 'update': {
        const values = scimResourceValues(write.resource);
        values.splice(8, 1);
        const result = await client.query({ ...SQL.update, values: [...values, write.expectedVersion] });
        return result.rowCount === 1;
      }
      case 'delete': {
        const result = await client.query({ ...SQL.delete, values: [sorId, write.resourceType, write.id, write.expectedVersion ?? null] });
        if (result.rowCount === 1 && write.resourceType === 'Group') await client.query({ ...SQL.deleteMembers, values: [sorId, write.id] });
        return result.rowCount === 1;
      }
      case 'unchanged': {
        const result = await client.query({ ...SQL.isAtVersion, values: [sorId, write.resourceType, write.id, write.expectedVersion] });
        return result.rowCount === 1;
      }
    }
  }

  private async writeMembers(client: pg.PoolClient, sorId: string, write: ScimMemberWrite): Promise<void> {
    if (write.removeAll) await client.query({ ...SQL.deleteMembers, values: [sorId, write.groupId] });
    if (write.remove?.length) await client.query({ ...SQL.removeMembers, values: [sorId, write.groupId, write.remove] });
    const add = [...new Map((write.add ?? []).map((member) => [member.value, member])).values()];
    if (add.length === 0) return;
    await client.query({
      ...SQL.addMembers,
      values: [
        sorId,
        write.groupId,
        add.map((member) => member.value),
        add.map((member) => member.display ?? null),
        add.map((member) => member.type ?? null),
        add.map((member) => member.ref ?? null),
      ],
    });
  }

  private async project(client: pg.PoolClient, sorId: string, graph: GraphProjection, options: WriteOptions): Promise<void> {
    for (const ref of graph.delete ?? []) await this.graph.deleteTree(client, sorId, ref.entity, ref.id);
    if (graph.deleteLeaves?.length) await this.graph.deleteLeaves(client, sorId, graph.deleteLeaves);
    for (const { parent, entity, keep } of graph.deleteChildren ?? []) {
      for (const [from, to] of childIdRanges(parent.id)) {
        await client.query({ ...SQL.deleteChildren, values: [sorId, entity, from, to, parent.entity, parent.id, keep ?? []] });
      }
    }
    if (graph.replace?.length) await this.graph.writeTrees(client, sorId, graph.replace, options);
    if (graph.upsert?.length) await this.graph.writeRows(client, sorId, graph.upsert, options);
  }
}

function dialect(params: unknown[], fold: (expression: string) => string): SqlDialect {
  return {
    param(value) {
      params.push(value);
      return `$${params.length}::text`;
    },
    mark: () => params.length,
    reset(mark) {
      params.length = mark;
    },
    fold,
    jsonText: (path) => `(r.document #>> ${textArray(path)})`,
    elementsExist: (path, condition) =>
      `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(r.document #> ${textArray(path)}) WHEN 'array' THEN r.document #> ${textArray(path)} ELSE '[]'::jsonb END) AS e (value) WHERE ${condition})`,
    elementText: (key) => `(e.value ->> ${literal(key)})`,
    contains(expression, value) {
      return `strpos(${expression}, ${this.param(value)}) > 0`;
    },
    startsWith(expression, value) {
      return `starts_with(${expression}, ${this.param(value)})`;
    },
    endsWith(expression, value) {
      const placeholder = this.param(value);
      return `right(${expression}, length(${placeholder})) = ${placeholder}`;
    },
    jsonIs(ref, kind) {
      const value = 'key' in ref ? `(e.value -> ${literal(ref.key)})` : `(r.document #> ${textArray(ref.path)})`;
      return kind === 'true' || kind === 'false' ? `${value} = '${kind}'::jsonb` : `jsonb_typeof(${value}) = '${kind}'`;
    },
    // lower() folds by the database's locale, not always as JavaScript does (the Kelvin sign, a dotted I);
    // ASCII folds the same everywhere, so only text outside it is left to the evaluator.
    foldText: (text) => ({ text: `translate(${text}, '${ASCII_UPPER}', '${ASCII_UPPER.toLowerCase()}')`, undecided: `${text} ~ ${NON_ASCII}` }),
    order(expression, sign, value) {
      return `${expression} COLLATE "C" ${sign} ${this.param(value)}`;
    },
    // Rendered values are whole milliseconds (node-pg truncates the microseconds). Outside years 0000-9999 they
    // render as "+010000-…" or "-000001-…": no RFC 3339 date-times, and before any of them as text.
    compareInstant(column, op, instant) {
      const at = (milliseconds: number) => `${this.param(timestampLiteral(milliseconds))}::timestamptz`;
      const inRange = `(${column} >= ${YEAR_0} AND ${column} < ${YEAR_10000})`;
      switch (op) {
        case 'eq':
          return `(${inRange} AND ${column} >= ${at(instant)} AND ${column} < ${at(instant + 1)})`;
        case 'gt':
          return `(${inRange} AND ${column} >= ${at(instant + 1)})`;
        case 'ge':
          return `(${inRange} AND ${column} >= ${at(instant)})`;
        case 'lt':
          return `(NOT ${inRange} OR ${column} < ${at(instant)})`;
        case 'le':
          return `(NOT ${inRange} OR ${column} < ${at(instant + 1)})`;
      }
    },
    // to_char gives toISOString's text for years 1-9999.
    renderedTime: (column) => ({
      text: `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"t"HH24:MI:SS.MS"z"')`,
      undecided: `NOT (${column} >= '0001-01-01 00:00:00+00'::timestamptz AND ${column} < ${YEAR_10000})`,
    }),
  };
}

const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NON_ASCII = String.raw`E'[^\x01-\x7f]'`;
const YEAR_0 = "'0001-01-01 00:00:00+00 BC'::timestamptz";
const YEAR_10000 = "'10000-01-01 00:00:00+00'::timestamptz";

/** An instant as a timestamptz literal, also for the years before 1 AD. */
function timestampLiteral(milliseconds: number): string {
  const date = new Date(milliseconds);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const year = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+00`;
  return year > 0 ? `${pad(year, 4)}-${rest}` : `${pad(1 - year, 4)}-${rest} BC`;
}

/** Keys come from the schema table, not from requests; quoted as literals all the same. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function textArray(keys: readonly string[]): string {
  return `ARRAY[${keys.map(literal).join(', ')}]::text[]`;
}
