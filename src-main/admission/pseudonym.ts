/**
 * Pseudonymous ledger ids for patients without a wallet: a did:key of a fresh Ed25519 key
 * whose private half is thrown away at once. The ledger's Admissions contract takes only
 * did:key/did:jwk patients, and this id links nothing to the person: only the encrypted
 * cache knows whose it is.
 */
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';

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

/**
 * Hospital-scoped patient pseudonyms (docs/privacy-layout.md). Admission events and record
 * anchors name the patient by an HMAC-SHA256 of their ledger DID under a secret of this
 * hospital, so another organisation cannot link them to the wallet DID (which the insurer
 * knows: it issued the insurance card to it) or to another hospital's events. The secret is
 * versioned so administrators can rotate it; a stay keeps the pseudonym it was admitted with.
 */
export interface PseudonymKey {
  version: number;
  /** 32 random bytes. */
  secret: Uint8Array;
}

export function hospitalPseudonym(key: PseudonymKey, patientDid: string): string {
  const mac = createHmac('sha256', key.secret).update('careledger/patient-pseudonym\u0000').update(patientDid, 'utf8').digest('base64url');
  return `hp${key.version}:${mac}`;
}

/**
 * The keys an administrator configures, as `version:hex,version:hex` (each secret 64 hex
 * digits). The newest version names new stays; older ones are kept to recognise old pseudonyms.
 * @throws Error with a sentence saying what is wrong
 */
export function parsePseudonymKeys(text: string): PseudonymKey[] {
  const keys = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const match = /^([1-9][0-9]{0,5}):([0-9a-fA-F]{64})$/.exec(part);
      if (!match) throw new Error(`Pseudonym key "${part.slice(0, 8)}…" is not "<version>:<64 hex digits>"; ask the hospital's administrator for the key list.`);
      return { version: Number(match[1]), secret: Buffer.from(match[2] ?? '', 'hex') };
    });
  if (keys.length === 0) throw new Error('The pseudonym key list is empty; give at least one "<version>:<64 hex digits>".');
  if (new Set(keys.map((k) => k.version)).size !== keys.length) throw new Error('The pseudonym key list names a version twice.');
  return keys.sort((a, b) => a.version - b.version);
}

/** The key new stays are filed under: the highest version. */
export function currentPseudonymKey(keys: readonly PseudonymKey[]): PseudonymKey {
  const newest = keys.reduce<PseudonymKey | undefined>((best, k) => (!best || k.version > best.version ? k : best), undefined);
  if (!newest) throw new Error('No pseudonym key is configured.');
  return newest;
}

/** A fresh key for a workstation no administrator configured (development and the demo). */
export function newPseudonymKey(version = 1): PseudonymKey {
  return { version, secret: randomBytes(32) };
}
