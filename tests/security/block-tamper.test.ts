/**
 * Tampered and damaged block files (issue 15 items 5 and 9). The devnet used to cut the last
 * block when its tail was truncated, start one block short with no warning and throw the newer
 * snapshot away. Now: a block that was acknowledged is never dropped silently: the start is
 * refused with a sentence naming `npm run devnet -- repair`; a flipped byte is refused as
 * STORAGE_CORRUPT; `repair` cuts explicitly, keeps the bytes aside, logs it, and the devnet then
 * serves. Only a torn write beyond what was acknowledged is cut at start, with a warning.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet, verifyBlockFile } from '../../ledger/devnet/src/index';
import { assetChaincode } from '../integration/devnet/fixture';
import { connectAs, tempDataDir, utf8 } from '../integration/devnet/helpers';

const dataDir = tempDataDir('block-tamper');
const ledgerDir = path.join(dataDir, 'ledger');
const blockFile = path.join(ledgerDir, 'blockfile_000000');
const cli = fileURLToPath(new URL('../../ledger/devnet/src/cli.ts', import.meta.url));
const logs: string[] = [];
const start = (): Promise<RunningDevnet> =>
  startDevnet({
    dataDir,
    port: 0,
    blockTimeoutMs: 20,
    chaincodes: [assetChaincode()],
    logLevel: 'warn',
    log: (l) => logs.push(l),
  });
let running: RunningDevnet | undefined;

afterAll(async () => {
  await running?.stop();
});

async function runCli(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, ...args, '--data-dir', dataDir],
      { timeout: 60_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/** Creates assets, one block each; returns the block number of each. */
async function createAssets(devnet: RunningDevnet, ids: string[]): Promise<bigint[]> {
  const c = connectAs(devnet.bundle, 'hospital-a-admissions');
  try {
    const contract = c.gateway.getNetwork(devnet.bundle.channel).getContract('asset');
    const blocks: bigint[] = [];
    for (const id of ids) {
      const commit = await contract.submitAsync('CreateAsset', { arguments: [id, `owner-of-${id}`, '1'] });
      blocks.push((await commit.getStatus()).blockNumber);
    }
    return blocks;
  } finally {
    c.close();
  }
}

async function readAsset(devnet: RunningDevnet, id: string): Promise<string> {
  const c = connectAs(devnet.bundle, 'hospital-a-admissions');
  try {
    return utf8(
      await c.gateway.getNetwork(devnet.bundle.channel).getContract('asset').evaluateTransaction('ReadAsset', id),
    );
  } finally {
    c.close();
  }
}

describe('a damaged block file', () => {
  it('refuses to start when the tail of an acknowledged block was cut, and repair is the explicit way out', async () => {
    running = await start();
    const blocks = await createAssets(running, ['tamper-1', 'tamper-2', 'tamper-3']);
    await running.stop(); // a clean stop also writes the snapshot at this height
    running = undefined;
    const height = verifyBlockFile(ledgerDir).blocks;
    expect(height).toBe(Number(blocks[2]) + 1);

    truncateSync(blockFile, statSync(blockFile).size - 100);
    const truncatedSize = statSync(blockFile).size;
    await expect(start()).rejects.toMatchObject({
      code: 'BLOCKS_LOST',
      message: expect.stringMatching(
        new RegExp(
          `ends at block ${height - 2}, but blocks up to ${height - 1} were committed and acknowledged.*devnet -- repair`,
        ),
      ) as string,
    });
    // Refusing cut nothing, and the snapshot is still there.
    expect(statSync(blockFile).size).toBe(truncatedSize);
    expect(existsSync(path.join(ledgerDir, 'state.snapshot.json'))).toBe(true);

    const repaired = await runCli('repair');
    expect(repaired.code).toBe(0);
    expect(repaired.output).toMatch(
      new RegExp(`blocks ${height - 1}\\.\\.${height - 1} had been acknowledged and are lost`),
    );
    expect(repaired.output).toMatch(/repair\.log/);
    expect(readFileSync(path.join(ledgerDir, 'repair.log'), 'utf8')).toMatch(/"lostAcknowledgedBlocks":1/);

    running = await start();
    expect(JSON.parse(await readAsset(running, 'tamper-2'))).toMatchObject({ owner: 'owner-of-tamper-2' });
    await expect(readAsset(running, 'tamper-3')).rejects.toThrow(/does not exist/);
    const [next] = await createAssets(running, ['tamper-3-again']);
    expect(next).toBe(BigInt(height - 1));
    await running.stop();
    running = undefined;
    expect(verifyBlockFile(ledgerDir)).toEqual({ ok: true, blocks: height });
  });

  it('refuses a flipped byte in a block as STORAGE_CORRUPT; repair cuts from that block and the devnet serves', async () => {
    const bytes = readFileSync(blockFile);
    const at = bytes.indexOf(Buffer.from('owner-of-tamper-2'));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'O'.charCodeAt(0);
    writeFileSync(blockFile, bytes);
    const bad = verifyBlockFile(ledgerDir).firstBad?.number ?? -1;
    expect(bad).toBeGreaterThan(0);
    await expect(start()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
      message: expect.stringMatching(
        new RegExp(`Block ${bad} .*fails its hash-chain check.*devnet -- repair`),
      ) as string,
    });
    expect((await runCli('verify')).output).toMatch(new RegExp(`BAD: block ${bad}: data_hash`));

    const repaired = await runCli('repair');
    expect(repaired.code).toBe(0);
    expect(repaired.output).toMatch(/kept in .*blockfile_000000\.cut-/);
    running = await start();
    expect(JSON.parse(await readAsset(running, 'tamper-1'))).toMatchObject({ owner: 'owner-of-tamper-1' });
    await expect(readAsset(running, 'tamper-2')).rejects.toThrow(/does not exist/);
    await createAssets(running, ['after-flip']);
    await running.stop();
    running = undefined;
    expect(verifyBlockFile(ledgerDir).ok).toBe(true);
  });

  it('cuts a torn write beyond the acknowledged blocks with a logged warning, and serves', async () => {
    const intact = verifyBlockFile(ledgerDir);
    appendFileSync(blockFile, Buffer.from([0xc8, 0x01, 0x0a, 0x02])); // a record promising 200 bytes, then 2
    logs.length = 0;
    running = await start();
    expect(logs.join('\n')).toMatch(
      /WARN .*cut 4 bytes after block \d+: a write interrupted by a crash, never acknowledged/,
    );
    expect(JSON.parse(await readAsset(running, 'after-flip'))).toMatchObject({ owner: 'owner-of-after-flip' });
    await running.stop();
    running = undefined;
    expect(verifyBlockFile(ledgerDir)).toEqual(intact);
  });

  it('refuses a repair while a devnet runs on the data dir', async () => {
    running = await start();
    const refused = await runCli('repair');
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/Another devnet \(process \d+\) is using/);
    await running.stop();
    running = undefined;
  });
});
