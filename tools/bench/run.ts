/**
 * `npm run bench`: runs every suite in tools/bench/suites, prints one table and writes
 * bench-results/bench.json. Speed and memory targets live here, never in test assertions.
 *
 * A suite is a module whose default export is `(ctx: BenchContext) => Promise<BenchRow[]>`.
 * `npm run bench -- devnet identity` runs only the suites whose file names contain those words.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow, BenchSuite } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const suitesDir = path.join(here, 'suites');
const outDir = path.resolve(here, '../../bench-results');

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const files = (await readdir(suitesDir))
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
  const rows: BenchRow[] = [];
  const failures: { suite: string; error: string }[] = [];
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
  printTable(rows);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, 'bench.json');
  await writeFile(file, JSON.stringify({ at: new Date().toISOString(), machine, rows, failures }, null, 2) + '\n');
  process.stdout.write(`\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}\nwritten: ${path.relative(process.cwd(), file)}\n`);
  if (failures.length > 0) {
    for (const f of failures) process.stderr.write(`\nsuite ${f.suite} failed:\n${f.error}\n`);
    process.exitCode = 1;
  }
}

function printTable(rows: BenchRow[]): void {
  const header = ['suite', 'measure', 'value', 'unit', 'note'];
  const body = rows.map((r) => [r.suite ?? '', r.name, formatValue(r.value), r.unit, r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  process.stdout.write(line(header) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const b of body) process.stdout.write(line(b) + '\n');
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

await main();
