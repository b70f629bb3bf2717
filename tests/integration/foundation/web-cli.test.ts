/**
 * `npm run start:web -- --demo` stopped with Ctrl+C: the person at the terminal is told the
 * ledger was closed cleanly, and only after it really was (the embedded devnet released its data
 * folder, the process exits 0). Issue 17 item 10: it used to print nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'careledger-web-cli-'));
  await mkdir(path.join(dir, 'renderer'));
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>CareLedger</title>');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('start:web on its embedded ledger', () => {
  it('on Ctrl+C closes the ledger, then says "stopped; ledger closed cleanly" and exits 0', async () => {
    // No configured ledger, so the CLI starts its own devnet as `npm run start:web -- --demo` does.
    const env = { ...process.env };
    delete env.CARELEDGER_GATEWAY_CONFIG;
    delete env.CARELEDGER_DEVNET_BUNDLE;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repoRoot, 'src-main/web/cli.ts'),
        '--embedded-ledger',
        '--demo',
        '--data-dir',
        path.join(dir, 'web'),
        '--devnet-dir',
        path.join(dir, 'devnet'),
        '--wallet-home',
        path.join(dir, 'wallet'),
        '--renderer-dir',
        path.join(dir, 'renderer'),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (/CareLedger web host ready: http:\/\/127\.0\.0\.1:\d+\//.test(stdout)) {
          clearInterval(poll);
          resolve();
        }
      }, 100);
      void exited.then((code) => {
        clearInterval(poll);
        reject(new Error(`The web host exited (${String(code)}) before it was ready:\n${stdout}\n${stderr}`));
      });
    });
    // The devnet holds its data folder while it runs.
    await access(path.join(dir, 'devnet', 'devnet.lock'));

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/CareLedger web host stopped; ledger closed cleanly\.\n$/);
    // Closed for real: the devnet released its data folder.
    await expect(access(path.join(dir, 'devnet', 'devnet.lock'))).rejects.toThrow();
  });
});

describe('the web host process', () => {
  it('logs an error that escapes every request (a stray throw, an unawaited rejection) and keeps running', async () => {
    // What the CLI installs, in a process of its own: both strays, then proof of life.
    const script = [
      "import { keepServingAfterStrayErrors } from './src-main/web/last-resort.ts';",
      'keepServingAfterStrayErrors((line) => process.stderr.write(line + "\\n"));',
      "setTimeout(() => { throw new Error('stray timer'); }, 10);",
      "void Promise.reject(new Error('nobody awaited this'));",
      "setTimeout(() => process.stdout.write('still serving'), 200);",
    ].join('\n');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot });
    expect(stdout).toBe('still serving');
    expect(stderr).toMatch(/unexpected error outside any request \(still serving\): Error: stray timer/);
    expect(stderr).toMatch(/unhandled promise rejection \(still serving\): Error: nobody awaited this/);
  });
});
