/**
 * Group commit: items submitted while a batch is being committed (or, for the first, in the same turn of the
 * event loop) are committed together in the next batch, and each submitter is answered only once the batch
 * holding its item has committed. A batch that fails is committed again one item at a time, so an item that
 * the database refuses fails alone, and each of the others still gets its own answer. Reads can be batched
 * the same way: each is sent after it was submitted, so it sees what was committed before then.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;

  /**
   * @param commit commits the items in one transaction, in order, and returns one result per item
   * @param maxBatch most items in one transaction
   */
  constructor(
    private readonly commit: (items: readonly T[]) => Promise<R[]> | R[],
    private readonly maxBatch = 256,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every item submitted so far is committed (or has failed). */
  async settled(): Promise<void> {
    while (this.flushing || this.scheduled) await (this.flushing ?? new Promise((resolve) => setImmediate(resolve)));
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate runs after the I/O callbacks of this turn, so requests read in the same turn share a batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flushAll().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flushAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.flush(batch);
    }
  }

  private async flush(batch: GroupCommit<T, R>['queue']): Promise<void> {
    let results: R[];
    try {
      results = await this.commit(batch.map((entry) => entry.item));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const entry of batch) await this.flush([entry]);
      return;
    }
    batch.forEach((entry, i) => entry.resolve(results[i]!));
  }
}
