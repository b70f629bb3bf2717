import { describe, expect, it } from 'vitest';
import { base58btc, currentPseudonymKey, hospitalPseudonym, newPseudonymousDid, parsePseudonymKeys } from '../../../src-main/admission/pseudonym';

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

describe('hospital-scoped patient pseudonyms', () => {
  const did = newPseudonymousDid();
  const keyA = { version: 1, secret: Buffer.alloc(32, 1) };
  const keyB = { version: 1, secret: Buffer.alloc(32, 2) };

  it('are stable for one key, differ between hospitals and versions, and never contain the DID', () => {
    const a = hospitalPseudonym(keyA, did);
    expect(hospitalPseudonym(keyA, did)).toBe(a);
    expect(hospitalPseudonym(keyB, did)).not.toBe(a);
    expect(hospitalPseudonym({ ...keyA, version: 2 }, did)).toMatch(/^hp2:/);
    expect(hospitalPseudonym(keyA, newPseudonymousDid())).not.toBe(a);
    // The chaincode's pattern (ledger/chaincode validate.ts patientPseudonym).
    expect(a).toMatch(/^hp[1-9][0-9]{0,5}:[A-Za-z0-9_-]{43}$/);
    expect(a).not.toContain(did.slice(8, 20));
  });

  it('reads the administrator key list, newest version first in use, and says what is wrong with a bad one', () => {
    const keys = parsePseudonymKeys(` 2:${'ab'.repeat(32)}, 1:${'cd'.repeat(32)} `);
    expect(keys.map((k) => k.version)).toEqual([1, 2]);
    expect(currentPseudonymKey(keys).version).toBe(2);
    expect(() => parsePseudonymKeys('1:abc')).toThrow(/<version>:<64 hex digits>/);
    expect(() => parsePseudonymKeys(`1:${'ab'.repeat(32)},1:${'cd'.repeat(32)}`)).toThrow(/version twice/);
    expect(() => parsePseudonymKeys(' ')).toThrow(/empty/);
  });
});
