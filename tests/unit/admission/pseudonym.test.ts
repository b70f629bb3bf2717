import { describe, expect, it } from 'vitest';
import { base58btc, newPseudonymousDid } from '../../../src-main/admission/pseudonym';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58decode(text: string): Uint8Array {
  let n = 0n;
  for (const ch of text) n = n * 58n + BigInt(BASE58.indexOf(ch));
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 255n));
    n >>= 8n;
  }
  return Uint8Array.from(bytes);
}

describe('pseudonymous ledger ids', () => {
  it('are Ed25519 did:keys the ledger accepts as a patient DID, and never repeat', () => {
    const a = newPseudonymousDid();
    const b = newPseudonymousDid();
    expect(a).not.toBe(b);
    // The Admissions contract's patient pattern (ledger/chaincode validate.ts personDid).
    expect(a).toMatch(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/);
    const raw = base58decode(a.slice('did:key:z'.length));
    expect(raw.length).toBe(34);
    expect([raw[0], raw[1]]).toEqual([0xed, 0x01]);
    expect(a.startsWith('did:key:z6Mk')).toBe(true);
  });

  it('base58btc keeps leading zero bytes', () => {
    expect(base58btc(Uint8Array.from([0, 0, 1]))).toBe('112');
  });
});
