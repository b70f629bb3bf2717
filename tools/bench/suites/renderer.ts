/**
 * Time to first render of the sign-in screen in Chromium: the real web host (demo staff) and
 * the built renderer, measured from the start of navigation to the sign-in form being on screen
 * with the staff list loaded (index.html, the bundle, the cache and session state, the identity
 * list: everything a person waits for).
 *
 * Needs `npm run build` first (the renderer in out/renderer) and Chromium at /usr/bin/chromium
 * (or CARELEDGER_BENCH_CHROMIUM).
 */
import { spawn } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WARM_RUNS = 15;

async function startWebHost(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'src-main/web/cli.ts'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--demo',
      '--devnet-dir',
      path.join(dataDir, 'devnet'),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host not ready in 90 s:\n${output}`)), 90_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      output += c;
      const match = /CareLedger web host ready: (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web host exited with ${String(code)}:\n${output}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const suite: BenchSuite = async (ctx) => {
  try {
    await access(path.join(repoRoot, 'out/renderer/index.html'));
  } catch {
    throw new Error('No built renderer in out/renderer: run "npm run build" first.');
  }
  const dataDir = path.join(ctx.workDir, 'web-host');
  await rm(dataDir, { recursive: true, force: true });
  const host = await startWebHost(dataDir);
  const browser = await chromium.launch({
    executablePath: process.env.CARELEDGER_BENCH_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  const inPage: number[] = [];
  const wall: number[] = [];
  let cold: { inPage: number; wall: number } | null = null;
  try {
    // One context for all runs, like a workstation's browser: the first navigation is cold
    // (nothing cached), the later ones warm.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    for (let run = 0; run <= WARM_RUNS; run++) {
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(host.url, { waitUntil: 'commit' });
      // Sign-in screen with its staff list: the moment a person can pick their name.
      await page.waitForSelector('[data-testid="sign-in-screen"] input[type="radio"]', {
        state: 'visible',
        timeout: 30_000,
      });
      const sinceNavigation = await page.evaluate(() => performance.now());
      const elapsed = performance.now() - started;
      if (run === 0) cold = { inPage: sinceNavigation, wall: elapsed };
      else {
        inPage.push(sinceNavigation);
        wall.push(elapsed);
      }
      await page.close();
    }
    await context.close();
  } finally {
    await browser.close();
    await host.stop();
  }
  ctx.log(`cold ${cold?.inPage.toFixed(0)} ms; warm runs: ${inPage.map((v) => v.toFixed(0)).join(', ')} ms`);
  const rows: BenchRow[] = [
    {
      name: 'sign-in first render, cold (navigation start -> staff list visible)',
      value: cold?.inPage ?? Number.NaN,
      unit: 'ms',
      note: 'first navigation, empty HTTP cache',
    },
    {
      name: 'sign-in first render p50',
      value: percentile(inPage, 50),
      unit: 'ms',
      note: `${WARM_RUNS} warm navigations, in-page clock`,
    },
    {
      name: 'sign-in first render p95',
      value: percentile(inPage, 95),
      unit: 'ms',
      note: `${WARM_RUNS} warm navigations, in-page clock`,
    },
    {
      name: 'sign-in first render p50, as the test driver sees it',
      value: percentile(wall, 50),
      unit: 'ms',
      note: 'includes Playwright round trips',
    },
  ];
  return rows;
};

export default suite;
