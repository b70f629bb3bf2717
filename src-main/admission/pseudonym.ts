/**
 * Pseudonymous ledger ids for patients without a wallet: a did:key of a fresh Ed25519 key
 * whose private half is thrown away at once. The ledger's Admissions contract takes only
 * did:key/did:jwk patients, and this id links nothing to the person: only the encrypted
 * cache knows whose it is.
 */
import { generateKeyPairSync } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = (ALPHABET[Number(n % 58n)] ?? '') + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

/** A new random did:key (Ed25519, multicodec 0xed01) that nobody holds a key for. */
export function newPseudonymousDid(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  return `did:key:z${base58btc(Uint8Array.from([0xed, 0x01, ...raw]))}`;
}
