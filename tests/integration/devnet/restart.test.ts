/**
 * Durability: a stopped devnet restarts exactly where it stopped (state, history, private
 * data, commit statuses, event replay), a torn last write is cut off, a tampered block file is
 * detected by `npm run devnet -- verify` and refused at start, and --reset starts over.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet, verifyBlockFile } from '../../../ledger/devnet/src/index';
import { assetChaincode } from './fixture';
import { connectAs, tempDataDir, utf8 } from './helpers';

const dataDir = tempDataDir('restart');
const start = (reset = false): Promise<RunningDevnet> =>
  startDevnet({ dataDir, port: 0, blockTimeoutMs: 20, reset, chaincodes: [assetChaincode()] });
const cli = fileURLToPath(new URL('../../../ledger/devnet/src/cli.ts', import.meta.url));
const blockFile = path.join(dataDir, 'ledger', 'blockfile_000000');
let running: RunningDevnet | undefined;

afterAll(async () => {
  await running?.stop();
});

async function verifyCli(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, 'verify', '--data-dir', dataDir],
      { timeout: 60_000 },
    );
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('restart', () => {
  const before: { commitBytes?: Uint8Array; block?: bigint } = {};

  it('keeps state, history, private data, commit statuses and events across a restart', async () => {
    running = await start();
    let c = connectAs(running.bundle, 'hospital-b-claims');
    let contract = c.gateway.getNetwork(running.bundle.channel).getContract('asset');
    await contract.submitTransaction('CreateAsset', 'durable-1', 'ward-restart-owner', '1');
    const commit = await contract.submitAsync('UpdateAsset', { arguments: ['durable-1', 'ward-9', '2'] });
    const status = await commit.getStatus();
    before.commitBytes = commit.getBytes();
    before.block = status.blockNumber;
    const hospitalA = connectAs(running.bundle, 'hospital-a-claims');
    await hospitalA.gateway
      .getNetwork(running.bundle.channel)
      .getContract('asset')
      .submit('PutPrivateAsset', {
        arguments: ['HospitalAInsurerCollection', 'pd-restart'],
        transientData: { value: 'kept over restart' },
      });
    hospitalA.close();
    c.close();
    await running.stop();

    running = await start();
    c = connectAs(running.bundle, 'hospital-b-claims');
    const network = c.gateway.getNetwork(running.bundle.channel);
    contract = network.getContract('asset');
    expect(JSON.parse(utf8(await contract.evaluateTransaction('ReadAsset', 'durable-1')))).toMatchObject({
      owner: 'ward-9',
      value: 2,
    });
    const history = JSON.parse(utf8(await contract.evaluateTransaction('GetAssetHistory', 'durable-1'))) as unknown[];
    expect(history).toHaveLength(2);
    const insurer = connectAs(running.bundle, 'insurer-claims');
    expect(
      utf8(
        await insurer.gateway
          .getNetwork(running.bundle.channel)
          .getContract('asset')
          .evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'pd-restart'),
      ),
    ).toBe('kept over restart');
    insurer.close();

    // The commit status of a transaction from before the restart.
    const oldStatus = await c.gateway.newCommit(before.commitBytes ?? new Uint8Array(0)).getStatus();
    expect(oldStatus).toMatchObject({ code: StatusCode.VALID, blockNumber: before.block });

    // Event replay from a block committed before the restart.
    const events = await network.getChaincodeEvents('asset', { startBlock: 1n });
    try {
      for await (const event of events) {
        expect(event.eventName).toBe('AssetCreated');
        expect(event.blockNumber).toBe(1n);
        break;
      }
    } finally {
      events.close();
    }
    // New blocks continue the chain.
    const next = await contract.submitAsync('CreateAsset', { arguments: ['durable-2', 'x', '1'] });
    expect((await next.getStatus()).blockNumber).toBeGreaterThan(before.block ?? 0n);
    c.close();
    await running.stop();
    running = undefined;
  });

  it('cuts off a torn last write and starts', async () => {
    const intact = verifyBlockFile(path.join(dataDir, 'ledger'));
    expect(intact.ok).toBe(true);
    appendFileSync(blockFile, Buffer.from([0xc8, 0x01, 0x0a, 0x02])); // a record header promising 200 bytes, then 2
    expect(verifyBlockFile(path.join(dataDir, 'ledger')).ok).toBe(false);
    running = await start();
    await running.stop();
    running = undefined;
    expect(verifyBlockFile(path.join(dataDir, 'ledger'))).toEqual(intact);
  });

  it('detects a tampered block: verify names the first bad block and the devnet refuses to start', async () => {
    expect(await verifyCli()).toMatchObject({ code: 0 });
    const bytes = readFileSync(blockFile);
    const at = bytes.indexOf(Buffer.from('ward-restart-owner'));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'W'.charCodeAt(0);
    writeFileSync(blockFile, bytes);
    const report = verifyBlockFile(path.join(dataDir, 'ledger'));
    expect(report.ok).toBe(false);
    expect(report.firstBad?.number).toBe(1);
    expect(report.firstBad?.reason).toMatch(/data_hash/);
    const fromCli = await verifyCli();
    expect(fromCli.code).toBe(1);
    expect(fromCli.output).toMatch(/BAD: block 1: data_hash/);
    await expect(start()).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
  });

  it('--reset starts a new ledger', async () => {
    running = await start(true);
    const c = connectAs(running.bundle, 'hospital-b-claims');
    const contract = c.gateway.getNetwork(running.bundle.channel).getContract('asset');
    await expect(contract.evaluateTransaction('ReadAsset', 'durable-1')).rejects.toThrow(/does not exist/);
    const status = await (await contract.submitAsync('CreateAsset', { arguments: ['fresh', 'x', '1'] })).getStatus();
    expect(status.blockNumber).toBe(1n);
    c.close();
  });

  it('refuses a second devnet on a data dir in use', async () => {
    await expect(start()).rejects.toMatchObject({ code: 'DATA_DIR_IN_USE' });
    await expect(start(true)).rejects.toMatchObject({ code: 'DATA_DIR_IN_USE' });
  });
});
