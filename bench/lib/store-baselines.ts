import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { NodeTree, WriteOptions } from '../../src/graph/store.js';
import { flattenTrees, indexRowsOf } from '../../src/graph/tree.js';

/** The trees of nodes from..to-1, built outside the timed part as for the store. */
export type Batches = (from: number, to: number) => NodeTree[];

/** Seconds spent in `insert` over the whole graph, one call per batch. */
function timeBatches(size: number, batch: number, batchOf: Batches, insert: (trees: NodeTree[]) => void): number {
  let seconds = 0;
  for (let from = 0; from < size; from += batch) {
    const trees = batchOf(from, Math.min(size, from + batch));
    const start = performance.now();
    insert(trees);
    seconds += (performance.now() - start) / 1000;
  }
  return seconds;
}

/**
 * Baseline (a), the one the acceptance aim names: the node rows appended to a bare table (no key, no index) with
 * one prepared statement, one transaction per batch, WAL and synchronous=NORMAL. It is the cost of getting the
 * rows into a file at all, nothing more: no index row is written and no B-tree is searched.
 */
export function bareTableRate(file: string, size: number, batch: number, batchOf: Batches, sorId: string): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE raw_nodes (sor_id TEXT, entity TEXT, id TEXT, parent_entity TEXT, parent_id TEXT,
      attributes TEXT, created_at TEXT, updated_at TEXT, last_event_id TEXT)`);
    const insert = db.prepare('INSERT INTO raw_nodes VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?)');
    const insertBatch = db.transaction((trees: NodeTree[]) => {
      const at = new Date().toISOString();
      for (const tree of trees) insert.run(sorId, tree.entity, tree.id, JSON.stringify(tree.attributes), at, at, 'bench');
    });
    return size / timeBatches(size, batch, batchOf, insertBatch);
  } finally {
    db.close();
  }
}

/**
 * Baseline (b) on SQLite: plain prepared INSERTs (no upsert, no reads) of the same node rows and their index rows
 * into the store's own schema, on a connection the store opened (so its pragmas and migrations are the store's),
 * one transaction per batch. It is what SQLite itself costs for these rows: the node's primary key and the two
 * B-trees of the attribute index, written at random places for random ids.
 */
export function sameSchemaSqliteRate(db: Database.Database, size: number, batch: number, batchOf: Batches, sorId: string, options: WriteOptions): number {
  const insertNode = db.prepare(`INSERT INTO nodes
    (sor_id, entity, id, parent_entity, parent_id, attributes, created_at, updated_at, last_event_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertIndex = db.prepare(`INSERT INTO node_attribute_index (sor_id, entity, attribute, value, value_ci, node_id)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const insertBatch = db.transaction((trees: NodeTree[]) => {
    const at = new Date().toISOString();
    for (const row of flattenTrees(trees)) {
      insertNode.run(sorId, row.entity, row.id, row.parent?.entity ?? null, row.parent?.id ?? null, JSON.stringify(row.attributes), at, at, 'bench');
      for (const index of indexRowsOf(row, options.indexedAttributes)) {
        insertIndex.run(sorId, index.entity, index.attribute, index.value, index.valueCi, index.nodeId);
      }
    }
  });
  return size / timeBatches(size, batch, batchOf, insertBatch);
}

/**
 * Baseline (b) on PostgreSQL: per batch, BEGIN, one multi-row INSERT (unnest) of the node rows, one of their index
 * rows, COMMIT, into a schema migrated like the store's. What PostgreSQL itself costs for these rows.
 */
export async function sameSchemaPostgresRate(
  client: pg.Client,
  size: number,
  batch: number,
  batchOf: Batches,
  sorId: string,
  options: WriteOptions,
): Promise<number> {
  let seconds = 0;
  for (let from = 0; from < size; from += batch) {
    const trees = batchOf(from, Math.min(size, from + batch));
    const start = performance.now();
    const rows = flattenTrees(trees);
    const index = rows.flatMap((row) => indexRowsOf(row, options.indexedAttributes));
    const at = new Date();
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO nodes (sor_id, entity, id, parent_entity, parent_id, attributes, created_at, updated_at, last_event_id)
       SELECT $1, w.entity, w.id, w.parent_entity, w.parent_id, w.attributes::jsonb, $7, $7, 'bench'
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS w (entity, id, parent_entity, parent_id, attributes)`,
      [
        sorId,
        rows.map((row) => row.entity),
        rows.map((row) => row.id),
        rows.map((row) => row.parent?.entity ?? null),
        rows.map((row) => row.parent?.id ?? null),
        rows.map((row) => JSON.stringify(row.attributes)),
        at,
      ],
    );
    await client.query(
      `INSERT INTO node_attribute_index (sor_id, entity, attribute, value, value_ci, node_id)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [
        sorId,
        index.map((row) => row.entity),
        index.map((row) => row.attribute),
        index.map((row) => row.value),
        index.map((row) => row.valueCi),
        index.map((row) => row.nodeId),
      ],
    );
    await client.query('COMMIT');
    seconds += (performance.now() - start) / 1000;
  }
  return size / seconds;
}
