/**
 * Exponential backoff with jitter for reconnecting to the ledger gateway. Jitter matters: after
 * a ledger outage every workstation of the hospital comes back at once, and without it they
 * would all retry in the same instant.
 */
export interface BackoffOptions {
  /** First delay; default 500 ms. */
  initialMs?: number;
  /** Largest delay; default 30 s. */
  maxMs?: number;
  /** Random source in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#random = options.random ?? Math.random;
  }

  /** How many failures in a row so far. */
  get attempt(): number {
    return this.#attempt;
  }

  /**
   * The wait before the next attempt, and counts this failure. "Equal jitter": half the
   * exponential delay is fixed, the other half random, so a retry never comes immediately
   * but workstations still spread out.
   */
  next(): number {
    const exp = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(exp / 2 + this.#random() * (exp / 2));
  }

  /** A call succeeded: the next failure starts again from the first delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
