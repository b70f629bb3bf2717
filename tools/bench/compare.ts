/**
 * `npm run bench -- --compare FILE`: the change of every row against an earlier run's
 * bench.json, so a regression shows in one command.
 *
 * Rows are matched by suite and name. Where both runs measured the row's floor, the change is
 * judged on the ratio to the floor (what survives a busy machine); otherwise on the value.
 * A change beyond `threshold` (default 10 %) in the worse direction is flagged REGRESSION;
 * smaller swings are noise on these shared machines and are only printed.
 */
import { betterOf, ratioToFloor, type BenchReport, type BenchRow } from './types';

export interface RowChange {
  suite: string;
  name: string;
  unit: string;
  before: number | undefined;
  after: number | undefined;
  /** What the verdict was judged on. */
  basis: 'ratio to floor' | 'value' | 'missing';
  /** Relative change of the judged figure, positive = better (e.g. 0.25 = 25 % better). */
  improvement: number | undefined;
  verdict: 'better' | 'worse' | 'same' | 'new' | 'gone';
}

function key(row: BenchRow): string {
  return `${row.suite ?? ''}\u0000${row.name}`;
}

/** Relative improvement from `before` to `after` when lower is better (times, ratios). */
function lowerIsBetter(before: number, after: number): number {
  return (before - after) / before;
}

export function compareReports(before: BenchReport, after: BenchReport, threshold = 0.1): RowChange[] {
  const old = new Map(before.rows.map((r) => [key(r), r]));
  const out: RowChange[] = [];
  for (const row of after.rows) {
    const prev = old.get(key(row));
    old.delete(key(row));
    const base = { suite: row.suite ?? '', name: row.name, unit: row.unit, after: row.value };
    if (!prev || !Number.isFinite(prev.value)) {
      out.push({ ...base, before: undefined, basis: 'missing', improvement: undefined, verdict: 'new' });
      continue;
    }
    const ratioBefore = ratioToFloor(prev);
    const ratioAfter = ratioToFloor(row);
    let improvement: number | undefined;
    let basis: RowChange['basis'];
    if (ratioBefore !== undefined && ratioAfter !== undefined) {
      basis = 'ratio to floor';
      improvement = lowerIsBetter(ratioBefore, ratioAfter);
    } else {
      basis = 'value';
      if (prev.value === 0 || !Number.isFinite(row.value)) improvement = undefined;
      else improvement = betterOf(row) === 'higher' ? (row.value - prev.value) / Math.abs(prev.value) : lowerIsBetter(prev.value, row.value);
    }
    const verdict: RowChange['verdict'] = improvement === undefined ? 'same' : improvement > threshold ? 'better' : improvement < -threshold ? 'worse' : 'same';
    out.push({ ...base, before: prev.value, basis, improvement, verdict });
  }
  for (const prev of old.values()) {
    out.push({ suite: prev.suite ?? '', name: prev.name, unit: prev.unit, before: prev.value, after: undefined, basis: 'missing', improvement: undefined, verdict: 'gone' });
  }
  return out;
}

/** Reads and checks an earlier bench.json. @throws Error with a sentence saying what is wrong with the file. */
export function parseReport(text: string, file: string): BenchReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: pass a bench.json written by an earlier 'npm run bench'.`);
  }
  const rows = (json as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows) || !rows.every((r) => typeof r === 'object' && r !== null && typeof (r as BenchRow).name === 'string' && (typeof (r as BenchRow).value === 'number' || (r as { value: unknown }).value === null))) {
    throw new Error(`${file} has no list of bench rows: pass a bench.json written by an earlier 'npm run bench'.`);
  }
  return json as BenchReport;
}
