/**
 * Issue 15 item 6: after kill -9 of the devnet (or of the web host that embeds it) the chaincode
 * child used to keep running with ppid 1. It now watches a pipe from its parent and exits when
 * the parent dies. Linux process table (/proc) only, which is where the suite runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assetChaincodeDir } from './fixture';
import { tempDataDir } from './helpers';

const devnetIndex = fileURLToPath(new URL('../../../ledger/devnet/src/index.ts', import.meta.url));
let devnet: ChildProcess | undefined;
const strays: number[] = [];

afterAll(() => {
  if (devnet?.pid && devnet.exitCode === null) devnet.kill('SIGKILL');
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
});

function alive(pid: number): boolean {
  // A zombie (state Z) has exited; only its parent has not reaped it yet.
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(process.platform === 'linux')('the chaincode child of a killed devnet', () => {
  it('exits when its devnet is killed with SIGKILL', async () => {
    const program = `
      const { startDevnet } = await import(${JSON.stringify(devnetIndex)});
      const d = await startDevnet({ dataDir: ${JSON.stringify(tempDataDir('orphan'))}, port: 0,
        chaincodes: [{ name: 'asset', packageDir: ${JSON.stringify(assetChaincodeDir)} }] });
      console.log('READY ' + d.endpoint);
      setInterval(() => {}, 1000);`;
    devnet = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const devnetPid = devnet.pid ?? 0;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: devnet!.stdout! }).on('line', (l) => {
        if (l.startsWith('READY')) resolve();
      });
      devnet!.once('exit', (code) => reject(new Error(`the devnet exited (${code}) before it was ready`)));
    });
    const chaincode = childrenOf(devnetPid).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('fabric-shim'),
    );
    expect(chaincode).toHaveLength(1);
    const chaincodePid = chaincode[0] ?? 0;
    strays.push(chaincodePid);
    expect(alive(chaincodePid)).toBe(true);

    process.kill(devnetPid, 'SIGKILL');
    await until('the devnet to die', () => devnet?.exitCode !== null || devnet.signalCode !== null);
    await until('the orphaned chaincode to exit', () => !alive(chaincodePid));
    expect(alive(chaincodePid)).toBe(false);
  });
});
