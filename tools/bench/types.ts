/**
 * One measured figure. `suite` defaults to the suite's file name.
 *
 * On these shared machines an absolute time swings 2-3x between runs, so a row that has a
 * floor (the same work done by the cheapest known means, or a competitor) measures it IN THE
 * SAME RUN and carries it: the table then prints the ratio, which is what survives the swing.
 * See tools/bench/NOTES.md for the conventions.
 */
export interface BenchRow {
  suite?: string;
  name: string;
  value: number;
  /** e.g. 'ms', 'tx/s', 'MiB', 'bytes', '%'. */
  unit: string;
  note?: string;
  /**
   * Which way is better. Default: 'higher' for rates (a unit ending in '/s'), 'lower' for
   * everything else (times, sizes, memory).
   */
  better?: 'higher' | 'lower';
  /** The floor or competitor, measured in the same run, in the same unit as `value`. */
  floor?: BenchFloor;
  /** The figure the issue asks for, in the row's unit (reached when `value` is on its better side). */
  target?: number;
}

export interface BenchFloor {
  /** What was measured, e.g. 'node:crypto verify of the same 4 signatures' or 'idle event loop'. */
  name: string;
  value: number;
}

export interface BenchContext {
  /** A scratch folder for this suite under bench-results/work/. */
  workDir: string;
  log(message: string): void;
}

export type BenchSuite = (ctx: BenchContext) => Promise<BenchRow[]>;

/** The JSON written to bench-results/bench.json (and read back by `--compare`). */
export interface BenchReport {
  at: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string; loadAverage?: number[] };
  rows: BenchRow[];
  failures: { suite: string; error: string }[];
}

/** p-th percentile (0..100) of a list of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Which way a row improves (explicit, or from its unit). */
export function betterOf(row: Pick<BenchRow, 'better' | 'unit'>): 'higher' | 'lower' {
  return row.better ?? (row.unit.endsWith('/s') ? 'higher' : 'lower');
}

/**
 * How far the row is from its floor, as a factor >= 1 meaning "this many times worse than the
 * floor" whichever way the unit points (2 = twice the floor's time, or half the floor's rate).
 * Undefined without a usable floor.
 */
export function ratioToFloor(row: BenchRow): number | undefined {
  const f = row.floor;
  if (!f || !Number.isFinite(f.value) || !Number.isFinite(row.value) || f.value <= 0 || row.value <= 0) return undefined;
  return betterOf(row) === 'higher' ? f.value / row.value : row.value / f.value;
}

/** Whether the row meets its target (undefined without one). */
export function meetsTarget(row: BenchRow): boolean | undefined {
  if (row.target === undefined || !Number.isFinite(row.value)) return undefined;
  return betterOf(row) === 'higher' ? row.value >= row.target : row.value <= row.target;
}
