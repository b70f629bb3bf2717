/** One measured figure. `suite` defaults to the suite's file name. */
export interface BenchRow {
  suite?: string;
  name: string;
  value: number;
  /** e.g. 'ms', 'tx/s', 'MiB', 'bytes', '%'. */
  unit: string;
  note?: string;
}

export interface BenchContext {
  /** A scratch folder for this suite under bench-results/work/. */
  workDir: string;
  log(message: string): void;
}

export type BenchSuite = (ctx: BenchContext) => Promise<BenchRow[]>;

/** p-th percentile (0..100) of a list of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
