import Database from 'better-sqlite3';
import { instantOf } from '../../scim/filter/evaluate.js';
import { filterToSql, membershipTests, type SqlDialect } from '../../scim/filter/to-sql.js';
import {
  CANDIDATE_BATCH,
  groupsByMember,
  SCIM_RESOURCE_COLUMNS,
  orderBy,
  pageInMemory,
  wholeResult,
  scimFilterTable,
  scimMemberValues,
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
import { foldCase, type NodeRow } from '../tree.js';

/** The store's own node writes, so that the projection goes through them inside the SCIM transaction. */
export interface SqliteGraphWriter {
  writeTrees(sorId: string, trees: readonly NodeTree[], options: WriteOptions): void;
  writeRows(sorId: string, rows: readonly NodeRow[], options: WriteOptions): void;
  deleteSubtree(sorId: string, entity: string, id: string): boolean;
}

const SQL = {
  get: `SELECT ${SCIM_RESOURCE_COLUMNS} FROM scim_resources r WHERE r.sor_id = ? AND r.resource_type = ? AND r.id = ?`,
  insert: `INSERT INTO scim_resources
      (sor_id, resource_type, id, external_id, name, name_ci, document, version, created_at, modified_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  update: `UPDATE scim_resources SET external_id = ?, name = ?, name_ci = ?, document = ?, version = ?, modified_at = ?
    WHERE sor_id = ? AND resource_type = ? AND id = ? AND version = ?`,
  delete: 'DELETE FROM scim_resources WHERE sor_id = ? AND resource_type = ? AND id = ? AND (? IS NULL OR version = ?)',
  isAtVersion: 'SELECT 1 FROM scim_resources WHERE sor_id = ? AND resource_type = ? AND id = ? AND version = ?',
  deleteMembers: 'DELETE FROM scim_group_members WHERE sor_id = ? AND group_id = ?',
  removeMember: 'DELETE FROM scim_group_members WHERE sor_id = ? AND group_id = ? AND value = ?',
  addMember: `INSERT INTO scim_group_members (sor_id, group_id, value, display, type, ref) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (sor_id, group_id, value) DO UPDATE SET display = excluded.display, type = excluded.type, ref = excluded.ref`,
  membersFirst: 'SELECT value, display, type, ref FROM scim_group_members WHERE sor_id = ? AND group_id = ? ORDER BY value LIMIT ?',
  membersAfter: `SELECT value, display, type, ref FROM scim_group_members WHERE sor_id = ? AND group_id = ? AND value > ?
    ORDER BY value LIMIT ?`,
  member: 'SELECT value, display, type, ref FROM scim_group_members WHERE sor_id = ? AND group_id = ? AND value = ?',
  // CROSS JOIN fixes the order (SQLite's planner otherwise walked every Group of the SoR in id order to skip a
  // sort, probing each for the member: a lookup cost grew with the number of groups).
  groupsOf: `SELECT r.id, r.name FROM scim_group_members m
    CROSS JOIN scim_resources r ON r.sor_id = m.sor_id AND r.resource_type = 'Group' AND r.id = m.group_id
    WHERE m.sor_id = ? AND m.value = ? ORDER BY r.id`,
  groupsOfEach: `SELECT m.value AS member, r.id, r.name FROM scim_group_members m
    CROSS JOIN scim_resources r ON r.sor_id = m.sor_id AND r.resource_type = 'Group' AND r.id = m.group_id
    WHERE m.sor_id = ? AND m.value IN (SELECT value FROM json_each(?)) ORDER BY r.id`,
  // Children of one parent, found through the primary key by their id prefix.
  childIds: `SELECT id FROM nodes WHERE sor_id = ? AND entity = ? AND id >= ? AND id < ? AND parent_entity = ? AND parent_id = ?`,
} as const;

/**
 * SCIM resources on SQLite. `scim_fold` folds case as JavaScript does, and `scim_instant` reads a date-time as
 * matchesFilter does (NULL for other text), so SQL and memory agree.
 */
export class SqliteScimResources {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly graph: SqliteGraphWriter,
    private readonly memo: ScimListingMemo,
  ) {
    db.function('scim_fold', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? foldCase(value) : value));
    db.function('scim_instant', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? (instantOf(value) ?? null) : null));
  }

  get(sorId: string, resourceType: ScimResourceType, id: string): ScimResourceRecord | undefined {
    const row = this.statement(SQL.get).get(sorId, resourceType, id) as ScimResourceRow | undefined;
    return row && toScimResource(row);
  }

  query(sorId: string, resourceType: ScimResourceType, query: ScimQuery): ScimQueryResult {
    const params: unknown[] = [sorId, resourceType];
    const table = scimFilterTable(resourceType);
    const condition = query.filter === undefined ? { sql: '1=1', exact: true } : filterToSql(query.filter, table, dialect(params));
    const where = `r.sor_id = ? AND r.resource_type = ? AND ${condition.sql}`;
    if (condition.exact && query.compare === undefined) return this.pushedDown(sorId, where, params, query);
    // Membership is not in the documents `matches` reads, so SQL decides those tests for every candidate.
    const tests = condition.exact || query.filter === undefined ? [] : membershipTests(query.filter, table);
    const testParams: unknown[] = [];
    const testColumns = tests.map((test, i) => `, CASE WHEN ${filterToSql(test, table, dialect(testParams)).sql} THEN 1 ELSE 0 END AS decided_${i}`);
    const select = this.db.prepare(
      `SELECT ${SCIM_RESOURCE_COLUMNS}${testColumns.join('')} FROM scim_resources r WHERE ${where} AND r.id > ? ORDER BY r.id LIMIT ?`,
    );
    const matches: ScimResourceRecord[] = [];
    let after = '';
    for (;;) {
      const rows = select.all(...testParams, ...params, after, CANDIDATE_BATCH) as (ScimResourceRow & Record<string, unknown>)[];
      for (const row of rows) {
        const record = toScimResource(row);
        const decided = new Map(tests.map((test, i) => [test, row[`decided_${i}`] === 1]));
        if (condition.exact || !query.matches || query.matches(record, decided)) matches.push(record);
      }
      if (rows.length < CANDIDATE_BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
    return { ...pageInMemory(matches, query), pushedDown: false };
  }

  private pushedDown(sorId: string, where: string, params: unknown[], query: ScimQuery): ScimQueryResult {
    const generation = this.memo.generation(sorId);
    const key = memoKey(where, params, query.descending);
    const rows = this.page(sorId, where, params, query, key, generation);
    let total = wholeResult(rows.length, query) ?? this.memo.total(sorId, key);
    if (total === undefined) {
      total = this.db.prepare(`SELECT count(*) FROM scim_resources r WHERE ${where}`).pluck().get(...params) as number;
      this.memo.rememberTotal(sorId, key, generation, total);
    }
    return { resources: rows.map(toScimResource), total, pushedDown: true };
  }

  /**
   * In id order, a startIndex that follows on from an earlier page continues after that page's last id (the
   * memo); any other deep startIndex is skipped over the primary key alone, then the page is read from there.
   */
  private page(sorId: string, where: string, params: unknown[], query: ScimQuery, key: string, generation: number): ScimResourceRow[] {
    const select = (condition: string, values: unknown[], offset: number) =>
      this.db
        .prepare(`SELECT ${SCIM_RESOURCE_COLUMNS} FROM scim_resources r WHERE ${condition} ORDER BY ${orderBy(query)} LIMIT ? OFFSET ?`)
        .all(...values, query.count, offset) as ScimResourceRow[];
    if (query.afterId !== undefined) return select(`${where} AND r.id > ?`, [...params, query.afterId], 0);
    const offset = query.offset ?? 0;
    if ((query.sortBy ?? 'id') !== 'id' || query.count === 0) return select(where, params, offset);
    const rows = ((): ScimResourceRow[] => {
      if (offset === 0) return select(where, params, 0);
      const after = this.memo.position(sorId, key, offset);
      if (after !== undefined) return select(`${where} AND r.id ${query.descending ? '<' : '>'} ?`, [...params, after], 0);
      const first = this.db.prepare(`SELECT r.id FROM scim_resources r WHERE ${where} ORDER BY ${orderBy(query)} LIMIT 1 OFFSET ?`).pluck().get(...params, offset) as string | undefined;
      return first === undefined ? [] : select(`${where} AND r.id ${query.descending ? '<=' : '>='} ?`, [...params, first], 0);
    })();
    // Only a full page can have one after it; a lookup (one row of a page of 100) leaves nothing behind.
    if (rows.length === query.count) this.memo.rememberPosition(sorId, key, generation, offset + rows.length, rows[rows.length - 1]!.id);
    return rows;
  }

  members(sorId: string, groupId: string, options: { afterValue?: string; limit: number }): ScimMemberRecord[] {
    const rows =
      options.afterValue === undefined
        ? this.statement(SQL.membersFirst).all(sorId, groupId, options.limit)
        : this.statement(SQL.membersAfter).all(sorId, groupId, options.afterValue, options.limit);
    return (rows as ScimMemberRow[]).map(toScimMember);
  }

  findMembers(sorId: string, groupId: string, values: readonly string[]): ScimMemberRecord[] {
    const member = this.statement(SQL.member);
    return values.flatMap((value) => {
      const row = member.get(sorId, groupId, value) as ScimMemberRow | undefined;
      return row ? [toScimMember(row)] : [];
    });
  }

  groupsOf(sorId: string, memberId: string): { id: string; name: string }[] {
    return this.statement(SQL.groupsOf).all(sorId, memberId) as { id: string; name: string }[];
  }

  groupsOfEach(sorId: string, memberIds: readonly string[]): Map<string, { id: string; name: string }[]> {
    const rows = this.statement(SQL.groupsOfEach).all(sorId, JSON.stringify(memberIds)) as { member: string; id: string; name: string }[];
    return groupsByMember(rows);
  }

  apply(sorId: string, change: ScimChange): ScimChangeResult {
    try {
      return this.db
        .transaction((): ScimChangeResult => {
          if (!this.writeResource(sorId, change.resource)) return 'stale';
          for (const members of [change.members ?? []].flat()) this.writeMembers(sorId, members);
          this.project(sorId, change.graph, change.options);
          return 'ok';
        })
        .immediate();
    } catch (error) {
      if (isNameTaken(error)) return 'conflict';
      throw error;
    } finally {
      this.memo.changed(sorId);
    }
  }

  import(sorId: string, resources: readonly ScimResourceRecord[], graph: GraphProjection, options: WriteOptions): ScimChangeResult {
    try {
      this.db
        .transaction(() => {
          const insert = this.statement(SQL.insert);
          for (const resource of resources) insert.run(...scimResourceValues(resource));
          this.project(sorId, graph, options);
        })
        .immediate();
      return 'ok';
    } catch (error) {
      if (isNameTaken(error)) return 'conflict';
      throw error;
    } finally {
      this.memo.changed(sorId);
    }
  }

  private writeResource(sorId: string, write: ScimResourceWrite): boolean {
    switch (write.kind) {
      case 'create':
        this.statement(SQL.insert).run(...scimResourceValues(write.resource));
        return true;
      case 'update': {
        const [sor, type, id, externalId, name, nameCi, document, version, , modified] = scimResourceValues(write.resource);
        const values = [externalId, name, nameCi, document, version, modified, sor, type, id, write.expectedVersion];
        return this.statement(SQL.update).run(...values).changes === 1;
      }
      case 'delete': {
        const version = write.expectedVersion ?? null;
        const deleted = this.statement(SQL.delete).run(sorId, write.resourceType, write.id, version, version).changes === 1;
        if (deleted && write.resourceType === 'Group') this.statement(SQL.deleteMembers).run(sorId, write.id);
        return deleted;
      }
      case 'unchanged':
        return this.statement(SQL.isAtVersion).get(sorId, write.resourceType, write.id, write.expectedVersion) !== undefined;
    }
  }

  private writeMembers(sorId: string, write: ScimMemberWrite): void {
    if (write.removeAll) this.statement(SQL.deleteMembers).run(sorId, write.groupId);
    const remove = this.statement(SQL.removeMember);
    for (const value of write.remove ?? []) remove.run(sorId, write.groupId, value);
    const add = this.statement(SQL.addMember);
    for (const member of write.add ?? []) add.run(sorId, write.groupId, ...scimMemberValues(member));
  }

  private project(sorId: string, graph: GraphProjection, options: WriteOptions): void {
    for (const ref of [...(graph.delete ?? []), ...(graph.deleteLeaves ?? [])]) this.graph.deleteSubtree(sorId, ref.entity, ref.id);
    for (const { parent, entity, keep } of graph.deleteChildren ?? []) {
      const kept = new Set(keep);
      for (const [from, to] of childIdRanges(parent.id)) {
        const ids = this.statement(SQL.childIds).pluck().all(sorId, entity, from, to, parent.entity, parent.id) as string[];
        for (const id of ids) if (!kept.has(id)) this.graph.deleteSubtree(sorId, entity, id);
      }
    }
    if (graph.replace?.length) this.graph.writeTrees(sorId, graph.replace, options);
    if (graph.upsert?.length) this.graph.writeRows(sorId, graph.upsert, options);
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function dialect(params: unknown[]): SqlDialect {
  return {
    param(value) {
      params.push(value);
      return '?';
    },
    mark: () => params.length,
    reset(mark) {
      params.length = mark;
    },
    fold: (expression) => `scim_fold(${expression})`,
    jsonText: (path) => `json_extract(r.document, ${jsonPath(path)})`,
    elementsExist: (path, condition) => `EXISTS (SELECT 1 FROM json_each(r.document, ${jsonPath(path)}) e WHERE ${condition})`,
    elementText: (key) => `json_extract(e.value, ${jsonPath([key])})`,
    contains(expression, value) {
      return `instr(${expression}, ${this.param(value)}) > 0`;
    },
    startsWith(expression, value) {
      return `substr(${expression}, 1, ${[...value].length}) = ${this.param(value)}`;
    },
    endsWith(expression, value) {
      return `substr(${expression}, -${[...value].length}) = ${this.param(value)}`;
    },
    jsonIs(ref, kind) {
      const type = 'key' in ref ? `json_type(e.value, ${jsonPath([ref.key])})` : `json_type(r.document, ${jsonPath(ref.path)})`;
      return kind === 'boolean' ? `${type} IN ('true', 'false')` : `${type} = '${kind}'`;
    },
    foldText: (text) => ({ text: `scim_fold(${text})` }),
    // BINARY compares UTF-8 bytes, in code point order.
    order(expression, sign, value) {
      return `${expression} ${sign} ${this.param(value)}`;
    },
    // The columns hold the text rendered as meta.created/lastModified.
    compareInstant(column, op, instant, folded) {
      const sign = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
      return `coalesce(scim_instant(${column}) ${sign} ${this.param(instant)}, scim_fold(${column}) ${sign} ${this.param(folded)})`;
    },
    renderedTime: (column) => ({ text: `scim_fold(${column})` }),
  };
}

/** A JSON path literal; keys come from the schema table, and quotes are doubled anyway. */
function jsonPath(keys: readonly string[]): string {
  return `'$${keys.map((key) => `."${key.replace(/'/g, "''").replace(/"/g, '')}"`).join('')}'`;
}

/**
 * A userName or displayName taken (the unique name index; the primary key for an id, which is never reused). A
 * foreign key refusing the rows (their SoR was deleted meanwhile) is no conflict: it is thrown as it is.
 */
function isNameTaken(error: unknown): boolean {
  return error instanceof Database.SqliteError && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}
