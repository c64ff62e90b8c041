import { openStore } from '../../src/graph/open-store.js';

/** Creates the store a URL names, as the first `pushgraph serve` does; the other commands only open one. */
export async function createStore(databaseUrl: string): Promise<void> {
  const store = openStore(databaseUrl);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}
