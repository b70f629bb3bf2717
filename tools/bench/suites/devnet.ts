/**
 * Devnet throughput through the real gateway client: committed tx/s with 1, 10 and 50
 * concurrent submitters, submit-to-commit latency, evaluations/s, and block file growth.
 * Runs the asset test chaincode through the real shim runtime, with the devnet's default
 * block settings from ledger/devnet/devnet.config.json.
 */
import { createPrivateKey } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { type Contract, connect, hash, signers } from '@hyperledger/fabric-gateway';
import { startDevnet } from '../../../ledger/devnet/src/index';
import { type BenchRow, type BenchSuite, percentile } from '../types';

const assetChaincodeDir = fileURLToPath(new URL('../../../ledger/devnet/fixtures/asset-chaincode', import.meta.url));
const SECONDS_PER_LEVEL = 8;
const EVALUATE_SECONDS = 5;

const suite: BenchSuite = async (ctx) => {
  const devnet = await startDevnet({
    dataDir: path.join(ctx.workDir, 'devnet'),
    reset: true,
    port: 0,
    chaincodes: [{ name: 'asset', packageDir: assetChaincodeDir }],
  });
  const who = devnet.bundle.identities.find((i) => i.name === 'hospital-a-claims');
  if (!who || !devnet.bundle.tlsCaCertificatePem)
    throw new Error('the bundle has no hospital-a-claims identity or TLS CA');
  const client = new grpc.Client(
    devnet.bundle.endpoint,
    grpc.credentials.createSsl(Buffer.from(devnet.bundle.tlsCaCertificatePem)),
    { 'grpc.ssl_target_name_override': devnet.bundle.hostnameOverride ?? 'localhost' },
  );
  const gateway = connect({
    client,
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(who.privateKeyPem)),
    hash: hash.sha256,
  });
  const contract = gateway.getNetwork(devnet.bundle.channel).getContract('asset');
  const blockFile = path.join(ctx.workDir, 'devnet', 'ledger', 'blockfile_000000');
  const rows: BenchRow[] = [];
  try {
    await contract.submitTransaction('CreateAsset', 'warmup', 'bench', '1');
    const sizeBefore = statSync(blockFile).size;
    let committedTotal = 0;
    for (const submitters of [1, 10, 50]) {
      const result = await submitLoad(contract, submitters, SECONDS_PER_LEVEL * 1000, `s${submitters}`);
      committedTotal += result.committed;
      ctx.log(
        `${submitters} submitters: ${result.committed} committed, ${result.failed} failed in ${SECONDS_PER_LEVEL}s`,
      );
      rows.push({
        name: `committed tx/s, ${submitters} submitter${submitters > 1 ? 's' : ''}`,
        value: result.committed / SECONDS_PER_LEVEL,
        unit: 'tx/s',
        note: `${result.committed} tx in ${SECONDS_PER_LEVEL}s${result.failed ? `, ${result.failed} failed` : ''}`,
      });
      rows.push({
        name: `submit-to-commit p50, ${submitters} submitter${submitters > 1 ? 's' : ''}`,
        value: percentile(result.latencies, 50),
        unit: 'ms',
      });
      rows.push({
        name: `submit-to-commit p95, ${submitters} submitter${submitters > 1 ? 's' : ''}`,
        value: percentile(result.latencies, 95),
        unit: 'ms',
      });
    }
    const growth = statSync(blockFile).size - sizeBefore;
    rows.push({
      name: 'block file growth per 10k tx',
      value: ((growth / committedTotal) * 10_000) / 2 ** 20,
      unit: 'MiB',
      note: `extrapolated from ${committedTotal} CreateAsset tx (${Math.round(growth / committedTotal)} bytes/tx, one endorsement each)`,
    });
    const evaluations = await evaluateLoad(contract, 10, EVALUATE_SECONDS * 1000);
    rows.push({
      name: 'evaluations/s, 10 concurrent',
      value: evaluations / EVALUATE_SECONDS,
      unit: 'eval/s',
      note: `${evaluations} ReadAsset in ${EVALUATE_SECONDS}s`,
    });
  } finally {
    gateway.close();
    client.close();
    await devnet.stop();
  }
  return rows;
};

async function submitLoad(
  contract: Contract,
  submitters: number,
  durationMs: number,
  prefix: string,
): Promise<{ committed: number; failed: number; latencies: number[] }> {
  const end = Date.now() + durationMs;
  const latencies: number[] = [];
  let committed = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: submitters }, async (_, worker) => {
      for (let i = 0; Date.now() < end; i++) {
        const started = performance.now();
        try {
          await contract.submitTransaction('CreateAsset', `${prefix}-${worker}-${i}`, 'bench', String(i));
          latencies.push(performance.now() - started);
          committed++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { committed, failed, latencies };
}

async function evaluateLoad(contract: Contract, concurrency: number, durationMs: number): Promise<number> {
  const end = Date.now() + durationMs;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await contract.evaluateTransaction('ReadAsset', 'warmup');
        count++;
      }
    }),
  );
  return count;
}

export default suite;
