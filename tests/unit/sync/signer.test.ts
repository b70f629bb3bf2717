import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lowSDer, signerFromKey } from '../../../src-main/ledger/connection';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function sOf(der: Uint8Array): bigint {
  const b = Buffer.from(der);
  const rLen = b[3] ?? 0;
  const sLen = b[5 + rLen] ?? 0;
  return BigInt(`0x${b.subarray(6 + rLen, 6 + rLen + sLen).toString('hex')}`);
}

describe('native ledger signer', () => {
  it('signs SHA-256 of the message, DER-encoded, always low-S (as Fabric requires)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer = signerFromKey({ identityId: 'x', mspId: 'HospitalAMSP', certificatePem: '' }, privateKey);
    for (let i = 0; i < 40; i++) {
      const message = Buffer.from(`proposal ${i}`);
      const signature = await signer.sign(message);
      expect(verify('sha256', message, publicKey, signature)).toBe(true);
      expect(sOf(signature) <= P256_ORDER / 2n).toBe(true);
    }
  });

  it('folds a high s into the lower half and keeps the signature valid', () => {
    const r = Buffer.alloc(32, 0x11);
    const highS = P256_ORDER - 5n;
    const p1363 = Buffer.concat([r, Buffer.from(highS.toString(16).padStart(64, '0'), 'hex')]);
    expect(sOf(lowSDer(p1363, P256_ORDER))).toBe(5n);
  });
});
