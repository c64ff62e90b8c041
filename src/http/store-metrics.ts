import { Gauge, type Registry } from 'prom-client';
import type { GraphStore } from '../graph/store.js';

/** Counting a large graph's nodes is a scan; scrapes within this time reuse the last count. */
const GRAPH_SIZE_TTL_MS = 30_000;

/**
 * Gauges read from the store when Prometheus scrapes: the inbox (shared by all instances, so every instance
 * reports the same) and the graph's size per SoR and entity type.
 */
export function registerStoreMetrics(registry: Registry, store: GraphStore, sorIds: () => Promise<ReadonlySet<string>>): void {
  new Gauge({
    name: 'pushgraph_inbox_depth',
    help: 'Accepted events waiting to be applied to the graph, across all systems of record',
    registers: [registry],
    async collect() {
      this.set((await store.inboxStatistics()).depth);
    },
  });
  new Gauge({
    name: 'pushgraph_inbox_oldest_age_seconds',
    help: 'How long the oldest event waiting in the inbox has waited (0 when the inbox is empty)',
    registers: [registry],
    async collect() {
      const { oldestReceivedAt } = await store.inboxStatistics();
      this.set(oldestReceivedAt === undefined ? 0 : Math.max(0, (Date.now() - Date.parse(oldestReceivedAt)) / 1000));
    },
  });
  let counted: { at: number; sizes: { sor: string; entity: string; count: number }[] } | undefined;
  new Gauge({
    name: 'pushgraph_graph_nodes',
    help: 'Nodes in the graph, by system of record and entity type',
    labelNames: ['sor', 'entity'] as const,
    registers: [registry],
    async collect() {
      if (!counted || Date.now() - counted.at > GRAPH_SIZE_TTL_MS) counted = { at: Date.now(), sizes: await graphSizes(store) };
      // The counts may be older than a deletion; a deleted SoR's series go at once all the same.
      const existing = await sorIds();
      this.reset();
      for (const { sor, entity, count } of counted.sizes) if (existing.has(sor)) this.set({ sor, entity }, count);
    },
  });
  new Gauge({
    name: 'pushgraph_push_tokens_expiring_in_use',
    help: 'Push tokens used in the last 7 days that expire within 7 days, by system of record: rotate them',
    labelNames: ['sor'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { sor, count } of await tokensExpiringInUse(store)) this.set({ sor }, count);
    },
  });
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Active push tokens used in the last week that expire within the next: senders about to break. */
async function tokensExpiringInUse(store: GraphStore): Promise<{ sor: string; count: number }[]> {
  const now = Date.now();
  const sors = await store.listSystemsOfRecord();
  return Promise.all(
    sors.map(async (sor) => ({
      sor: sor.id,
      count: (await store.listPushTokens(sor.id)).filter(
        (t) =>
          !t.revokedAt &&
          t.expiresAt !== undefined &&
          Date.parse(t.expiresAt) > now &&
          Date.parse(t.expiresAt) - now <= WEEK_MS &&
          t.lastUsedAt !== undefined &&
          now - Date.parse(t.lastUsedAt) <= WEEK_MS,
      ).length,
    })),
  );
}

async function graphSizes(store: GraphStore): Promise<{ sor: string; entity: string; count: number }[]> {
  const sors = await store.listSystemsOfRecord();
  const counts = await Promise.all(sors.map(async (sor) => ({ sor: sor.id, counts: await store.countNodes(sor.id) })));
  return counts.flatMap(({ sor, counts }) => Object.entries(counts).map(([entity, count]) => ({ sor, entity, count })));
}
