import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteGraphStore } from '../../src/graph/sqlite/store.js';
import { describeGraphStore } from './store-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'pushgraph-sqlite-test-'));
let pairs = 0;

describeGraphStore('SQLite (file)', {
  open: async () => new SqliteGraphStore(join(directory, 'graph.db')),
  openPair: async () => {
    pairs += 1;
    const file = join(directory, `pair-${pairs}.db`);
    return [new SqliteGraphStore(file), new SqliteGraphStore(file)];
  },
  cleanup: async () => rmSync(directory, { recursive: true, force: true }),
});

describeGraphStore('SQLite (:memory:)', {
  open: async () => new SqliteGraphStore(':memory:'),
});
