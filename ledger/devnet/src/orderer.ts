/**
 * The block cutter: a single ordering queue that cuts a block when it holds `maxTx`
 * transactions or when `timeoutMs` passed since the first one arrived, and hands blocks to the
 * committer one at a time, in order (no Raft: one process is the whole ordering service).
 */
import type { BlockSummary, Ledger } from './ledger';

export interface OrdererOptions {
  maxTx: number;
  timeoutMs: number;
  onBlock?: (summary: BlockSummary) => void;
  onError?: (err: unknown) => void;
}

export class Orderer {
  readonly #ledger: Ledger;
  readonly #opts: OrdererOptions;
  #queue: Uint8Array[] = [];
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(ledger: Ledger, options: OrdererOptions) {
    this.#ledger = ledger;
    this.#opts = { ...options, maxTx: Math.max(1, options.maxTx), timeoutMs: Math.max(1, options.timeoutMs) };
  }

  /** Accepts a transaction for ordering. @throws Error after close() */
  broadcast(envelope: Uint8Array): void {
    if (this.#closed) throw new Error('The ordering service is stopping; submit again after restart.');
    this.#queue.push(envelope);
    if (this.#queue.length >= this.#opts.maxTx) this.#cut();
    else this.#timer ??= setTimeout(() => this.#cut(), this.#opts.timeoutMs);
  }

  #cut(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#opts.maxTx);
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#cut(), this.#opts.timeoutMs);
    this.#chain = this.#chain.then(async () => {
      try {
        const summary = await this.#ledger.commitBlock(batch);
        this.#opts.onBlock?.(summary);
      } catch (err) {
        this.#opts.onError?.(err);
      }
    });
  }

  /** Cuts what is queued, waits for it to commit, and refuses further transactions. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#queue.length > 0) this.#cut();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }
}
