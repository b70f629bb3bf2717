/**
 * Coalesces many small cache writes into one SQLite transaction. While a backlog drains,
 * hundreds of outbox rows change state within a few milliseconds; committing each on its own
 * would spend the drain waiting on fsync. Each caller still gets its own promise, settled
 * only after the transaction holding its change has committed, so "persisted before submit"
 * keeps meaning exactly that. Batches stay small (100) so a status-bar read queued behind
 * one does not wait long.
 */
import type { CacheDatabase, WriteHandle } from '../cache/database';

type Job = { work: (w: WriteHandle) => Promise<void>; resolve: () => void; reject: (err: unknown) => void };

export class BatchWriter {
  #pending: Job[] = [];
  #scheduled = false;

  constructor(
    private readonly db: CacheDatabase,
    private readonly maxBatch = 100,
  ) {}

  /** Runs `work` in the next batch transaction; resolves once that transaction has committed. */
  write(work: (w: WriteHandle) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ work, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate: let every item that finished in this turn of the event loop join the batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.maxBatch);
      try {
        await this.db.write(async (w) => {
          for (const job of batch) await job.work(w);
        });
        for (const job of batch) job.resolve();
      } catch (err) {
        // One bad change must not take the others with it: retry them one by one.
        if (batch.length === 1) batch[0]?.reject(err);
        else {
          for (const job of batch) {
            try {
              await this.db.write((w) => job.work(w));
              job.resolve();
            } catch (e) {
              job.reject(e);
            }
          }
        }
      }
    }
    this.#scheduled = false;
  }
}
