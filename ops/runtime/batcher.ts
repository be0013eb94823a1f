/**
 * Continuous batching: work submitted while a batch runs waits and goes into the next one
 * together. At low load a batch is one item and adds no delay; under load batches grow, and
 * whatever is done once per batch is shared by everything in it. A batch that fails is run
 * again item by item, so only the item at fault fails.
 */
export class Batcher<T> {
  private pending: { item: T; done: (err?: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: T[]) => Promise<void>,
    private readonly maxItems: number,
    private readonly sizeOf: (item: T) => number = () => 1,
  ) {}

  /** Resolves when the batch holding `item` is done; rejects with that batch's error. */
  submit(item: T): Promise<void> {
    return this.submitAll([item])[0] as Promise<void>;
  }

  /** Several items that arrived together: they go into the same batch (up to maxItems), one promise each. */
  submitAll(items: T[]): Promise<void>[] {
    const promises = items.map(
      (item) => new Promise<void>((resolve, reject) => this.pending.push({ item, done: (err) => (err === undefined ? resolve() : reject(err)) })),
    );
    void this.drain();
    return promises;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.take();
        try {
          await this.run(batch.map((b) => b.item));
          for (const b of batch) b.done();
        } catch (err) {
          if (batch.length === 1) batch[0]?.done(err);
          // One bad item must not fail its neighbours: run each alone to find it.
          else for (const b of batch) await this.run([b.item]).then(() => b.done(), (e: unknown) => b.done(e));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private take(): { item: T; done: (err?: unknown) => void }[] {
    let size = 0;
    let count = 0;
    while (count < this.pending.length) {
      const next = this.sizeOf(this.pending[count]?.item as T);
      if (count > 0 && size + next > this.maxItems) break;
      size += next;
      count += 1;
    }
    return this.pending.splice(0, count);
  }
}
