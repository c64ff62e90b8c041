import type { Counter, LabelValues } from 'prom-client';
import type { GraphStore } from '../graph/store.js';

/** The label value of push requests to no existing SoR (guessed ids must not add series). */
export const UNKNOWN_SOR = 'unknown';

/**
 * A counter labelled by SoR id whose series of deleted SoRs can be dropped, so that labels hold only SoR ids
 * that exist. prom-client removes a series only by its whole label set, so the label sets are remembered.
 */
export class PerSorCounter<T extends string> {
  private readonly labelSetsBySor = new Map<string, Map<string, LabelValues<T | 'sor'>>>();

  constructor(private readonly counter: Counter<T | 'sor'>) {}

  inc(labels: LabelValues<T | 'sor'> & { sor: string }): void {
    this.counter.inc(labels);
    let labelSets = this.labelSetsBySor.get(labels.sor);
    if (!labelSets) this.labelSetsBySor.set(labels.sor, (labelSets = new Map()));
    labelSets.set(JSON.stringify(labels), labels);
  }

  /** Drops the series of every SoR not in `existing`. */
  keepOnly(existing: ReadonlySet<string>): void {
    for (const [sor, labelSets] of this.labelSetsBySor) {
      if (sor === UNKNOWN_SOR || existing.has(sor)) continue;
      for (const labels of labelSets.values()) this.counter.remove(labels);
      this.labelSetsBySor.delete(sor);
    }
  }
}

/**
 * The ids of the SoRs that exist, read from the store when Prometheus scrapes (so a SoR deleted through another
 * instance counts too); the metrics collected in one scrape share one read.
 */
export function existingSorIds(store: GraphStore): () => Promise<ReadonlySet<string>> {
  let reading: Promise<ReadonlySet<string>> | undefined;
  return () => {
    reading ??= store
      .listSystemsOfRecord()
      .then((sors) => new Set(sors.map((sor) => sor.id)))
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}
