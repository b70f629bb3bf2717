/**
 * `npm run bench`: runs every suite in tools/bench/suites, prints one table and writes
 * bench-results/bench.json. Speed and memory targets live here, never in test assertions.
 *
 * A suite is a module whose default export is `(ctx: BenchContext) => Promise<BenchRow[]>`.
 *   npm run bench -- devnet identity          only the suites whose file names contain those words
 *   npm run bench -- --compare OLD.json       run, then print each row's change against OLD.json
 *                                             (the run before is kept as bench-results/bench.previous.json)
 *   npm run bench -- --compare OLD.json --against NEW.json   compare two earlier runs, run nothing
 * Rows with a floor print it and the ratio (tools/bench/NOTES.md).
 */
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compareReports, parseReport, type RowChange } from './compare';
import { betterOf, meetsTarget, ratioToFloor, type BenchReport, type BenchRow, type BenchSuite } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const suitesDir = path.join(here, 'suites');
const outDir = path.resolve(here, '../../bench-results');

interface Args {
  filters: string[];
  compare: string | null;
  against: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { filters: [], compare: null, against: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const flag = /^--(compare|against)(?:=(.*))?$/.exec(a);
    if (flag) {
      const value = flag[2] ?? argv[++i];
      if (!value) throw new Error(`${a} needs a file: npm run bench -- --${flag[1]} bench-results/old.json`);
      args[flag[1] as 'compare' | 'against'] = value;
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}: use suite names, --compare FILE or --against FILE`);
    } else {
      args.filters.push(a);
    }
  }
  if (args.against && !args.compare) throw new Error('--against FILE compares with --compare FILE: give both');
  return args;
}

async function readReport(file: string): Promise<BenchReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`cannot read ${file}: pass the path of a bench.json from an earlier run (each run keeps the one before as bench-results/bench.previous.json).`);
  }
  return parseReport(text, file);
}

async function runSuites(filters: readonly string[]): Promise<BenchReport> {
  const files = (await readdir(suitesDir))
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
  const rows: BenchRow[] = [];
  const failures: { suite: string; error: string }[] = [];
  const loadBefore = os.loadavg()[0] ?? 0;
  for (const file of files) {
    const suiteName = file.replace(/\.ts$/, '');
    process.stderr.write(`bench: ${suiteName} ...\n`);
    try {
      const mod = (await import(pathToFileURL(path.join(suitesDir, file)).href)) as { default: BenchSuite };
      const workDir = path.join(outDir, 'work', suiteName);
      await mkdir(workDir, { recursive: true });
      const suiteRows = await mod.default({ workDir, log: (m) => process.stderr.write(`  ${m}\n`) });
      for (const r of suiteRows) rows.push({ ...r, suite: r.suite ?? suiteName });
    } catch (err) {
      failures.push({ suite: suiteName, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    // 1-minute load average before and after: how quiet the machine was (ratios matter more when it was not).
    loadAverage: [Number(loadBefore.toFixed(2)), Number((os.loadavg()[0] ?? 0).toFixed(2))],
  };
  return { at: new Date().toISOString(), machine, rows, failures };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let report: BenchReport;
  if (args.against) {
    report = await readReport(args.against);
  } else {
    const earlier = args.compare ? await readReport(args.compare) : null; // fail before an hour of benches, not after
    report = await runSuites(args.filters);
    printTable(report.rows);
    await mkdir(outDir, { recursive: true });
    const file = path.join(outDir, 'bench.json');
    // The run before this one stays beside it, so `--compare bench-results/bench.previous.json` always works.
    await rename(file, path.join(outDir, 'bench.previous.json')).catch(() => undefined);
    await writeFile(file, JSON.stringify(report, null, 2) + '\n');
    const m = report.machine;
    process.stdout.write(`\nmachine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, load ${m.loadAverage?.join(' -> ') ?? '?'}\nwritten: ${path.relative(process.cwd(), file)}\n`);
    for (const f of report.failures) process.stderr.write(`\nsuite ${f.suite} failed:\n${f.error}\n`);
    if (report.failures.length > 0) process.exitCode = 1;
    if (!earlier) return;
    printComparison(compareReports(earlier, report), args.compare ?? '', earlier.at);
    return;
  }
  const earlier = await readReport(args.compare ?? '');
  printComparison(compareReports(earlier, report), args.compare ?? '', earlier.at);
}

function table(header: string[], body: string[][], rightAligned: ReadonlySet<number>): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(line(header) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const b of body) process.stdout.write(line(b) + '\n');
}

function printTable(rows: BenchRow[]): void {
  const header = ['suite', 'measure', 'value', 'unit', 'floor (same run)', 'floor', 'ratio', 'target', 'note'];
  const body = rows.map((r) => {
    const ratio = ratioToFloor(r);
    const met = meetsTarget(r);
    return [
      r.suite ?? '',
      r.name,
      formatValue(r.value),
      r.unit,
      r.floor?.name ?? '',
      r.floor ? formatValue(r.floor.value) : '',
      ratio === undefined ? '' : `${ratio.toFixed(ratio >= 10 ? 0 : 2)}x`,
      r.target === undefined ? '' : `${met ? 'met' : 'MISSED'} (${betterOf(r) === 'higher' ? '>=' : '<='} ${formatValue(r.target)})`,
      r.note ?? '',
    ];
  });
  table(header, body, new Set([2, 5, 6]));
}

function printComparison(changes: RowChange[], file: string, at: string): void {
  process.stdout.write(`\nchange against ${file} (${at}); judged on the ratio to the floor where both runs have one:\n`);
  const body = changes.map((c) => [
    c.suite,
    c.name,
    c.before === undefined ? '' : formatValue(c.before),
    c.after === undefined ? '' : formatValue(c.after),
    c.unit,
    c.improvement === undefined ? '' : `${c.improvement >= 0 ? '+' : ''}${(c.improvement * 100).toFixed(0)} %`,
    c.basis === 'missing' ? '' : c.basis,
    c.verdict === 'worse' ? 'REGRESSION' : c.verdict,
  ]);
  table(['suite', 'measure', 'before', 'after', 'unit', 'better by', 'judged on', 'verdict'], body, new Set([2, 3, 5]));
  const worse = changes.filter((c) => c.verdict === 'worse').length;
  process.stdout.write(worse > 0 ? `\n${worse} row(s) regressed by more than 10 %.\n` : '\nno row regressed by more than 10 %.\n');
}

function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
