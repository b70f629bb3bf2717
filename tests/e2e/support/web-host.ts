/**
 * Starts the real web host (`src-main/web/cli.ts`, what `npm run start:web` runs after its
 * build) on a random port with its own data folder, and parses the ready line for the URL and
 * the per-run token. Used by the global setup (one shared demo host) and by tests that need a
 * workstation of their own (first-run setup, cache unlock, lockout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const READY = /CareLedger web host ready: (http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+))/;

export interface WebHostOptions {
  /** Enrol the demo staff and open the cache with the demo passphrase. */
  demo: boolean;
  /** Reuse a data folder (to restart a workstation); a fresh temporary one otherwise. */
  dataDir?: string;
  /** The built renderer; `out/renderer` unless CARELEDGER_E2E_RENDERER_DIR says otherwise. */
  rendererDir?: string;
  /** How long to wait for the ready line. */
  timeoutMs?: number;
  /** Extra environment for the host (e.g. CARELEDGER_GATEWAY_CONFIG). */
  env?: Record<string, string>;
}

export interface RunningWebHost {
  /** The address to open, with `#token=...`. */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  /** Output of the host so far, for failure messages. */
  log(): string;
  /** Stops the host; with `removeData`, deletes its data folder too. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

export function rendererDir(): string {
  return process.env.CARELEDGER_E2E_RENDERER_DIR ?? path.join(repoRoot, 'out/renderer');
}

export async function startWebHost(options: WebHostOptions): Promise<RunningWebHost> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-')));
  const args = [
    '--import',
    'tsx',
    path.join(repoRoot, 'src-main/web/cli.ts'),
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--renderer-dir',
    options.rendererDir ?? rendererDir(),
  ];
  // The demo staff come from devnet network material; each workstation gets its own copy so
  // tests never touch the developer's .data/devnet.
  if (options.demo) args.push('--demo', '--devnet-dir', path.join(dataDir, 'devnet'));
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', ...options.env },
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });

  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new Error(`The web host did not print its ready line within ${options.timeoutMs ?? 90_000} ms.\n${output}`),
      );
    }, options.timeoutMs ?? 90_000);
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The web host exited with code ${String(code)} before it was ready.\n${output}`));
    });
  });

  const url = ready[1] ?? '';
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url,
    origin: new URL(url).origin,
    token: ready[3] ?? '',
    dataDir,
    log: () => output,
    async stop(stopOptions) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      if (stopOptions?.removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
