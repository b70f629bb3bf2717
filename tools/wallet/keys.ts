/**
 * Keys, DIDs and JWS signing for the wallet and issuer simulator, on node:crypto alone.
 * Private keys are kept as JWKs in the wallet folder: this is a simulator for demos and
 * tests, not a wallet anyone should keep real keys in.
 */
import crypto from 'node:crypto';

export type SigningAlg = 'EdDSA' | 'ES256';

export interface KeyRecord {
  alg: SigningAlg;
  /** Verification method id used as the JWS `kid`: '<did>#<fragment>'. */
  kid: string;
  publicKeyJwk: crypto.JsonWebKey;
  privateKeyJwk: crypto.JsonWebKey;
}

export interface Identifier {
  did: string;
  key: KeyRecord;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes: Uint8Array): string {
  const digits: number[] = [0];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) * 256;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '';
  for (const byte of bytes) {
    if (byte !== 0) break;
    out += '1';
  }
  for (let i = digits.length - 1; i >= 0; i--) out += BASE58[digits[i] as number] as string;
  return out;
}

function generate(alg: SigningAlg): { publicKeyJwk: crypto.JsonWebKey; privateKeyJwk: crypto.JsonWebKey } {
  const pair = alg === 'EdDSA' ? crypto.generateKeyPairSync('ed25519') : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyJwk = pair.publicKey.export({ format: 'jwk' });
  const privateKeyJwk = pair.privateKey.export({ format: 'jwk' });
  return { publicKeyJwk, privateKeyJwk };
}

/** A did:key (Ed25519 only: multicodec 0xed01, multibase base58btc 'z'). */
export function newDidKey(): Identifier {
  const { publicKeyJwk, privateKeyJwk } = generate('EdDSA');
  const raw = Buffer.from(publicKeyJwk.x as string, 'base64url');
  const multibase = 'z' + base58btc(Uint8Array.from([0xed, 0x01, ...raw]));
  const did = `did:key:${multibase}`;
  return { did, key: { alg: 'EdDSA', kid: `${did}#${multibase}`, publicKeyJwk, privateKeyJwk } };
}

/**
 * A did:jwk. The JWK members are written in lexicographic order with `use: 'sig'` so that
 * resolvers list the key under authentication and assertionMethod (Veramo's resolver does
 * that only for signing keys).
 */
export function newDidJwk(alg: SigningAlg): Identifier {
  const { publicKeyJwk, privateKeyJwk } = generate(alg);
  const pub: Record<string, string> =
    alg === 'ES256'
      ? { crv: 'P-256', kty: 'EC', use: 'sig', x: publicKeyJwk.x as string, y: publicKeyJwk.y as string }
      : { crv: 'Ed25519', kty: 'OKP', use: 'sig', x: publicKeyJwk.x as string };
  const did = `did:jwk:${Buffer.from(JSON.stringify(pub)).toString('base64url')}`;
  return { did, key: { alg, kid: `${did}#0`, publicKeyJwk: pub, privateKeyJwk } };
}

/** A did:web identifier for an institution and its DID document (JsonWebKey2020). */
export function newDidWeb(domain: string, alg: SigningAlg): Identifier {
  const { publicKeyJwk, privateKeyJwk } = generate(alg);
  const did = `did:web:${domain.replace(/:/g, '%3A')}`;
  return { did, key: { alg, kid: `${did}#key-1`, publicKeyJwk, privateKeyJwk } };
}

export function didWebDocument(id: Identifier): Record<string, unknown> {
  const { kid, publicKeyJwk } = id.key;
  const jwk: Record<string, unknown> = { kty: publicKeyJwk.kty, crv: publicKeyJwk.crv, x: publicKeyJwk.x };
  if (publicKeyJwk.y !== undefined) jwk['y'] = publicKeyJwk.y;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: id.did,
    verificationMethod: [{ id: kid, type: 'JsonWebKey2020', controller: id.did, publicKeyJwk: jwk }],
    authentication: [kid],
    assertionMethod: [kid],
  };
}

/** Signs a JWT (compact JWS) with header { alg, typ: 'JWT', kid } in that member order. */
export function signJwt(payload: Record<string, unknown>, key: KeyRecord): string {
  const header = { alg: key.alg, typ: 'JWT', kid: key.kid };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const privateKey = crypto.createPrivateKey({ key: key.privateKeyJwk, format: 'jwk' });
  // JWS ES256 signatures are r||s (IEEE P1363), not DER.
  const sig =
    key.alg === 'EdDSA'
      ? crypto.sign(null, Buffer.from(input), privateKey)
      : crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** Verifies a compact JWS against a public JWK (used by tests and the CLI's `show`). */
export function verifyJwt(jwt: string, publicKeyJwk: crypto.JsonWebKey): boolean {
  const [h, p, s] = jwt.split('.');
  if (h === undefined || p === undefined || s === undefined) return false;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
  const key = crypto.createPublicKey({ key: publicKeyJwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  if (header.alg === 'EdDSA') return crypto.verify(null, data, key, sig);
  if (header.alg === 'ES256') return crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  return false;
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const p = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function decodeJwtHeader(jwt: string): Record<string, unknown> {
  const h = jwt.split('.')[0] ?? '';
  return JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Public key of a DID we created (did:key Ed25519, did:jwk) without a resolver. */
export function publicJwkFromDid(did: string): crypto.JsonWebKey | undefined {
  if (did.startsWith('did:jwk:')) {
    return JSON.parse(Buffer.from(did.slice(8).split('#')[0] as string, 'base64url').toString('utf8')) as crypto.JsonWebKey;
  }
  if (did.startsWith('did:key:z6Mk')) {
    const mb = did.slice(8).split('#')[0] as string;
    const bytes = base58decode(mb.slice(1));
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(2)).toString('base64url') };
  }
  return undefined;
}

function base58decode(text: string): Uint8Array {
  const bytes: number[] = [0];
  for (const ch of text) {
    let carry = BASE58.indexOf(ch);
    if (carry < 0) throw new Error(`not base58: ${ch}`);
    for (let i = 0; i < bytes.length; i++) {
      carry += (bytes[i] as number) * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const ch of text) {
    if (ch !== '1') break;
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}
