/**
 * `npm run devnet` as a newcomer runs it: starts, writes the bundle the real client connects
 * with, logs one line per transaction, and stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { assetChaincodeDir } from './fixture';
import { connectAs, tempDataDir, utf8 } from './helpers';

const cli = fileURLToPath(new URL('../../../ledger/devnet/src/cli.ts', import.meta.url));
const defaultConfig = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../ledger/devnet/devnet.config.json', import.meta.url)), 'utf8'),
) as Record<string, unknown>;
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run devnet', () => {
  it('serves the real client from its bundle, logs each transaction, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDataDir('cli');
    const configPath = path.join(dataDir, '..', `${path.basename(dataDir)}.config.json`);
    writeFileSync(
      configPath,
      JSON.stringify({
        ...defaultConfig,
        bundleChaincode: 'asset',
        chaincodes: [{ name: 'asset', packageDir: assetChaincodeDir }],
        blockTimeoutMs: 20,
      }),
    );
    child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--data-dir', dataDir, '--port', '0', '--config', configPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    const waitFor = async (pattern: RegExp): Promise<void> => {
      for (let i = 0; i < 600 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 100));
      expect(output).toMatch(pattern);
    };
    await waitFor(/gateway listening on 127\.0\.0\.1:\d+ \(TLS\)/);

    const bundle = JSON.parse(readFileSync(path.join(dataDir, 'bundle.json'), 'utf8')) as NetworkBundle;
    expect(bundle).toMatchObject({ channel: 'careledger', chaincode: 'asset', hostnameOverride: 'localhost' });
    expect(bundle.orgs.map((o) => o.mspId)).toEqual([
      'GovernanceMSP',
      'HospitalAMSP',
      'HospitalBMSP',
      'InsurerMSP',
      'MedicalBoardMSP',
    ]);
    expect(new Set(bundle.identities.filter((i) => i.mspId === 'HospitalAMSP').map((i) => i.role))).toEqual(
      new Set(['admissions', 'clinician', 'claims', 'credentialing', 'privacy', 'gatekeeper']),
    );
    const connection = connectAs(bundle, 'insurer-adjudicator');
    const contract = connection.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode);
    const commit = await contract.submitAsync('CreateAsset', { arguments: ['cli-1', 'x', '1'] });
    const status = await commit.getStatus();
    expect(utf8(await contract.evaluateTransaction('ReadAsset', 'cli-1'))).toContain('"cli-1"');
    connection.close();
    await waitFor(new RegExp(`tx ${commit.getTransactionId()} asset\\.CreateAsset VALID block ${status.blockNumber}`));

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/INFO {2}stopped/);
    expect(existsSync(path.join(dataDir, 'devnet.lock'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'ledger', 'state.snapshot.json'))).toBe(true);
  });
});
