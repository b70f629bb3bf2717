/**
 * What the browser bench suites (renderer, admission-ui) start before they measure: the real
 * web host with the demo staff and the built renderer, and Debian's Chromium launched the way
 * every test launches it (tools/chromium.ts). One helper so both suites time the same setup.
 */
import { spawn } from 'node:child_process';
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../../chromium';
import type { BenchContext } from '../types';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface BenchWebHost {
  /** The address to open (with the per-run token). */
  url: string;
  stop(): Promise<void>;
}

export interface BenchDesk {
  host: BenchWebHost;
  browser: Browser;
  /** Closes the browser, then stops the web host (a plain function: suites destructure it). */
  stop: () => Promise<void>;
}

/** The built renderer the browser suites load: out/renderer, or CARELEDGER_BENCH_RENDERER_DIR (a build elsewhere). */
const rendererDir = process.env.CARELEDGER_BENCH_RENDERER_DIR ?? path.join(repoRoot, 'out/renderer');

/** Starts `src-main/web/cli.ts` on a random port with the demo staff in `dataDir`. */
export async function startWebHost(dataDir: string): Promise<BenchWebHost> {
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
      '--renderer-dir',
      rendererDir,
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

/**
 * Checks the renderer is built, starts a fresh web host under the suite's work folder and
 * launches Chromium (CARELEDGER_BENCH_CHROMIUM overrides the binary).
 */
export async function startBenchDesk(ctx: BenchContext): Promise<BenchDesk> {
  try {
    await access(path.join(rendererDir, 'index.html'));
  } catch {
    throw new Error(`No built renderer in ${rendererDir}: run "npm run build" first.`);
  }
  const dataDir = path.join(ctx.workDir, 'web-host');
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(ctx.workDir, { recursive: true });
  const host = await startWebHost(dataDir);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CARELEDGER_BENCH_CHROMIUM ?? CHROMIUM_EXECUTABLE,
      args: [...CHROMIUM_ARGS],
    });
  } catch (error) {
    // No browser, no measurement: do not leave the host running behind the failed suite.
    await host.stop();
    throw error;
  }
  return {
    host,
    browser,
    stop: async () => {
      await browser.close();
      await host.stop();
    },
  };
}
