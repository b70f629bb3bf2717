/**
 * Identity verification cost: the admission bundle (identity + coverage + consent in one VP,
 * four signatures: three EdDSA, one ES256) verified end to end by the pipeline (signatures,
 * trust, status, schema, replay), beside its floor measured in the same run: the same four
 * signatures of the same bundle verified with node:crypto and nothing else.
 *
 * Pipeline and floor alternate sample by sample, so a busy neighbour slows both alike and the
 * ratio survives the 2-3x swings of these shared machines.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NOW, createWorld } from '../../../tests/unit/identity/support';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const RUNS = 300;
const WARMUP = 20;

interface SignedPart {
  data: Buffer;
  signature: Buffer;
  key: KeyObject;
  alg: string;
}

/** The four compact JWS of a bundle (VP and its three credentials), with the signers' keys. */
function signedParts(vp: string, keyOf: (did: string) => KeyObject): SignedPart[] {
  const payloadOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const headerOf = (jwt: string): { alg: string } => JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg: string };
  const inner = (payloadOf(vp).vp as { verifiableCredential: string[] }).verifiableCredential;
  return [vp, ...inner].map((jwt) => {
    const dot = jwt.lastIndexOf('.');
    return { data: Buffer.from(jwt.slice(0, dot)), signature: Buffer.from(jwt.slice(dot + 1), 'base64url'), key: keyOf(String(payloadOf(jwt).iss)), alg: headerOf(jwt).alg };
  });
}

function verifyRaw(parts: SignedPart[]): boolean {
  return parts.every((p) => (p.alg === 'EdDSA' ? verify(null, p.data, p.key, p.signature) : verify('sha256', p.data, { key: p.key, dsaEncoding: 'ieee-p1363' }, p.signature)));
}

const suite: BenchSuite = async (ctx) => {
  const w = await createWorld();
  const credentials = [await w.identityVc(), await w.coverageVc(), await w.consentVc()];
  ctx.log(`signing ${RUNS + WARMUP} presentations`);
  const vps: string[] = [];
  for (let i = 0; i < RUNS + WARMUP; i++) vps.push(await w.bundle({}, credentials));
  const bytes = Buffer.byteLength(vps[0] ?? '');

  // The floor's keys come from the same DID documents the pipeline resolves (converted once).
  const keys = new Map<string, KeyObject>();
  for (const did of [w.patient.did, w.authority.did, w.insurer.did]) {
    const doc = (await w.verifier.agent.resolveDid({ didUrl: did })).didDocument;
    const jwk = doc?.verificationMethod?.[0]?.publicKeyJwk;
    if (jwk === undefined) throw new Error(`no JWK for ${did}`);
    keys.set(did, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
  }
  const keyOf = (did: string): KeyObject => {
    const k = keys.get(did);
    if (k === undefined) throw new Error(`unknown signer ${did}`);
    return k;
  };

  const samples: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < vps.length; i++) {
    const vp = vps[i] ?? '';
    const parts = signedParts(vp, keyOf);
    let t = performance.now();
    const ok = verifyRaw(parts);
    const rawMs = performance.now() - t;
    if (!ok) throw new Error('floor: a bundle signature did not verify');
    t = performance.now();
    const report = await w.verifier.verifyPresentation(vp, { now: NOW });
    const ms = performance.now() - t;
    if (report.verdict !== 'valid') throw new Error(`bench bundle not valid: ${report.summary}`);
    if (i >= WARMUP) {
      samples.push(ms);
      floor.push(rawMs);
    }
  }
  const floorName = 'the same 4 signatures, node:crypto only';
  const rows: BenchRow[] = [
    {
      name: 'admission bundle verify p50',
      value: percentile(samples, 50),
      unit: 'ms',
      floor: { name: floorName, value: percentile(floor, 50) },
      note: `${RUNS} runs; VP + 3 credentials: signatures, trust, status, schema, replay`,
    },
    { name: 'admission bundle verify p95', value: percentile(samples, 95), unit: 'ms', floor: { name: floorName, value: percentile(floor, 95) }, target: 10 },
    { name: 'admission bundle size', value: bytes, unit: 'bytes', note: 'VP-JWT text' },
  ];
  return rows;
};

export default suite;
