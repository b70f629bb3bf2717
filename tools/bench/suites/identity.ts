/**
 * Identity verification cost: the admission bundle (identity + coverage + consent in one VP,
 * four signatures: three EdDSA, one ES256) verified end to end by the pipeline, against the
 * raw cost of the same signature checks with node:crypto on this machine.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NOW, createWorld } from '../../../tests/unit/identity/support';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const RUNS = 300;
const WARMUP = 20;
const RAW_RUNS = 2000;

function rawVerifyMs(kind: 'ed25519' | 'p256'): number[] {
  const { privateKey, publicKey } = kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(600, 7);
  const hash = kind === 'ed25519' ? null : 'sha256';
  const signature = sign(hash, data, privateKey);
  const samples: number[] = [];
  for (let i = 0; i < RAW_RUNS; i++) {
    const t = performance.now();
    if (!verify(hash, data, publicKey, signature)) throw new Error('raw verify failed');
    samples.push(performance.now() - t);
  }
  return samples;
}

const suite: BenchSuite = async (ctx) => {
  const w = await createWorld();
  const credentials = [await w.identityVc(), await w.coverageVc(), await w.consentVc()];
  ctx.log(`signing ${RUNS + WARMUP} presentations`);
  const vps: string[] = [];
  for (let i = 0; i < RUNS + WARMUP; i++) vps.push(await w.bundle({}, credentials));
  const bytes = Buffer.byteLength(vps[0] ?? '');

  const samples: number[] = [];
  for (let i = 0; i < vps.length; i++) {
    const t = performance.now();
    const report = await w.verifier.verifyPresentation(vps[i] ?? '', { now: NOW });
    const ms = performance.now() - t;
    if (report.verdict !== 'valid') throw new Error(`bench bundle not valid: ${report.summary}`);
    if (i >= WARMUP) samples.push(ms);
  }
  const ed = rawVerifyMs('ed25519');
  const p256 = rawVerifyMs('p256');
  const rawBundle = 3 * percentile(ed, 50) + percentile(p256, 50);
  const p50 = percentile(samples, 50);
  const rows: BenchRow[] = [
    { name: 'admission bundle verify p50', value: p50, unit: 'ms', note: `${RUNS} runs; 3 credentials + VP` },
    { name: 'admission bundle verify p95', value: percentile(samples, 95), unit: 'ms' },
    { name: 'admission bundle size', value: bytes, unit: 'bytes', note: 'VP-JWT text' },
    { name: 'raw Ed25519 verify p50', value: percentile(ed, 50), unit: 'ms', note: `node:crypto, ${RAW_RUNS} runs` },
    { name: 'raw P-256 verify p50', value: percentile(p256, 50), unit: 'ms', note: `node:crypto, ${RAW_RUNS} runs` },
    { name: 'raw cost of the bundle signatures', value: rawBundle, unit: 'ms', note: '3 x Ed25519 + 1 x P-256 (node:crypto)' },
    // Most of the gap is did-jwt verifying with pure-JS curves (@noble) rather than OpenSSL.
    { name: 'pipeline overhead factor', value: p50 / rawBundle, unit: 'x', note: 'bundle p50 / raw cost; did-jwt uses pure-JS curves' },
  ];
  return rows;
};

export default suite;
