/**
 * Attacks on the native signature check (src-main/identity/native-jws.ts), through the whole
 * pipeline: signatures OpenSSL must refuse although a lenient verifier might take them, and
 * header tricks that try to make one algorithm's signature pass as another's.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createWorld, NOW, type World } from '../unit/identity/support';

/** The order of the Ed25519 group: S and S + L are the same scalar to a lenient verifier. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

let w: World;
beforeEach(async () => {
  w = await createWorld();
});

const result = (report: Awaited<ReturnType<World['verifier']['verifyPresentation']>>, id: string): string | undefined => report.checks.find((c) => c.id === id)?.result;
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('native signature check under attack', () => {
  it('refuses an Ed25519 signature whose S is not reduced (S + L), the malleable twin of a valid one', async () => {
    const vp = await w.bundle();
    const [h, p, s] = vp.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    // S is the second half, little-endian.
    const S = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`);
    const twin = (S + L).toString(16).padStart(64, '0');
    const forged = Buffer.concat([sig.subarray(0, 32), Buffer.from(twin, 'hex').reverse()]);
    const report = await w.verifier.verifyPresentation(`${h}.${p}.${forged.toString('base64url')}`, { now: NOW });
    expect(result(report, 'presentation.signature')).toBe('fail');
    expect(report.verdict).toBe('invalid');
  });

  it('refuses an EdDSA signature presented under an ES256 header, and the reverse', async () => {
    const vp = await w.bundle();
    const [, p, s] = vp.split('.') as [string, string, string];
    const asEs256 = await w.verifier.verifyPresentation(`${b64({ alg: 'ES256', typ: 'JWT' })}.${p}.${s}`, { now: NOW });
    expect(result(asEs256, 'presentation.signature')).toBe('fail');
    // The insurer signs with P-256: its coverage card's signature claimed as EdDSA.
    const [, cp, cs] = (await w.coverageVc()).split('.') as [string, string, string];
    const asEdDsa = await w.verifier.verifyPresentation(await w.bundle({}, [`${b64({ alg: 'EdDSA', typ: 'JWT' })}.${cp}.${cs}`]), { now: NOW });
    expect(asEdDsa.credentials[0]?.checks.find((c) => c.id === 'credential.signature')?.result).toBe('fail');
  });

  it('refuses a valid signature with a byte appended or cut, and an empty signature', async () => {
    const vp = await w.bundle();
    const [h, p, s] = vp.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    for (const bad of [Buffer.concat([sig, Buffer.from([0])]), sig.subarray(0, 63)]) {
      const report = await w.verifier.verifyPresentation(`${h}.${p}.${bad.toString('base64url')}`, { now: NOW });
      expect(result(report, 'presentation.signature')).toBe('fail');
    }
    // No signature at all is not even a readable presentation.
    const unsigned = await w.verifier.verifyPresentation(`${h}.${p}.`, { now: NOW });
    expect(result(unsigned, 'presentation.format')).toBe('fail');
    expect(unsigned.verdict).toBe('invalid');
  });

  it('still accepts the genuine bundle afterwards (the attacks changed no cached key)', async () => {
    expect((await w.verifier.verifyPresentation(await w.bundle(), { now: NOW })).verdict).toBe('valid');
  });
});
