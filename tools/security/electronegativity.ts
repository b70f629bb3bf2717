/**
 * `npm run test:security` (after `electron-vite build`): runs @doyensec/electronegativity over
 * the built app in `out/`, offline, without AvailableSecurityFixesGlobalCheck (it needs the
 * network), and FAILS on
 *   - any HIGH or MEDIUM finding that is not in tools/security/electronegativity-allowlist.json
 *     (matched by check id and file, each entry with the reason it was accepted), and
 *   - any built file the scanner could not parse (a file it skips is a file nobody checked).
 * The full report goes to test-results/security/electronegativity.json.
 *
 * The tool is driven through its runner rather than its CLI: the CLI reads options the way an
 * older `commander` did, and with the commander hoisted in this tree it ignores `-i` entirely.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const allowListFile = path.join(root, 'tools/security/electronegativity-allowlist.json');
const reportFile = path.join(root, 'test-results/security/electronegativity.json');

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { value: number; name: string };
  confidence: { name: string };
  manualReview: boolean;
  description: string;
}

interface ScanResult {
  issues: Issue[];
  errors: { file: string; message: string; tolerable: boolean }[];
}

interface AllowEntry {
  check: string;
  file: string;
  reason: string;
}

function loadRunner(): (options: Record<string, unknown>, forCli: boolean) => Promise<ScanResult> {
  const require = createRequire(path.join(root, 'package.json'));
  const runnerPath = require.resolve('@doyensec/electronegativity/dist/runner.js');
  // Offline: the tool fetches translations over HTTP before every run. Answer that request
  // locally with a refusal so it falls back to its bundled en-US strings.
  const gotPath = createRequire(runnerPath).resolve('got');
  const stub = new Module(gotPath);
  stub.exports = () => Promise.reject(new Error('offline: translations are bundled'));
  stub.loaded = true;
  (require.cache as Record<string, unknown>)[gotPath] = stub;
  // Its i18n uses $LANG as a locale name; "C.UTF-8" is not one, and every string goes blank.
  process.env.LANG = 'en-US';
  const mod = require(runnerPath) as { default?: unknown };
  return (mod.default ?? mod) as (options: Record<string, unknown>, forCli: boolean) => Promise<ScanResult>;
}

async function main(): Promise<void> {
  const electronVersion = (JSON.parse(await readFile(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
  const allow = (JSON.parse(await readFile(allowListFile, 'utf8')) as { entries: AllowEntry[] }).entries;
  for (const entry of allow) {
    if (!entry.reason || entry.reason.trim().length < 20) throw new Error(`allow-list entry ${entry.check} ${entry.file} has no real reason`);
  }
  const run = loadRunner();
  const result = await run(
    { input: path.join(root, 'out'), excludeFromScan: ['AvailableSecurityFixesGlobalCheck'], isRelative: true, electronVersionOverride: electronVersion },
    false,
  );

  const used = new Set<AllowEntry>();
  const blocking: Issue[] = [];
  const lines: string[] = [];
  for (const issue of result.issues) {
    const entry = allow.find((a) => a.check === issue.id && a.file === issue.file);
    const serious = issue.severity.value >= 2; // MEDIUM = 2, HIGH = 3
    if (entry) used.add(entry);
    const verdict = !serious ? 'info' : entry ? 'allowed' : 'FAIL';
    if (verdict === 'FAIL') blocking.push(issue);
    lines.push(`${verdict.padEnd(7)} ${issue.severity.name.padEnd(6)} ${issue.id} ${issue.file}:${issue.location.line} ${issue.description}${entry ? `\n        reviewed: ${entry.reason}` : ''}`);
  }
  const unparsed = result.errors.filter((e) => !e.tolerable);
  for (const e of unparsed) lines.push(`FAIL    could not scan ${path.relative(root, e.file)}: ${e.message}`);
  for (const entry of allow.filter((a) => !used.has(a))) lines.push(`note    allow-list entry no longer needed: ${entry.check} ${entry.file}`);

  await mkdir(path.dirname(reportFile), { recursive: true });
  await writeFile(reportFile, JSON.stringify({ electronVersion, issues: result.issues, errors: result.errors }, null, 2) + '\n');
  process.stdout.write(`electronegativity (Electron ${electronVersion}) over out/:\n${lines.map((l) => `  ${l}`).join('\n') || '  no findings'}\n`);
  process.stdout.write(`report: ${path.relative(root, reportFile)}\n`);
  if (blocking.length > 0 || unparsed.length > 0) {
    process.stderr.write(`test:security failed: ${blocking.length} HIGH/MEDIUM finding(s) not in the reviewed allow-list, ${unparsed.length} file(s) not scanned.\n`);
    process.exit(1);
  }
  process.stdout.write('test:security passed: no unreviewed HIGH or MEDIUM findings.\n');
}

await main();
