/**
 * The native signature check must decide exactly as did-jwt did for the keys it reads, and
 * hand every other key form back to the Veramo path rather than guess.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { DIDDocument, VerificationMethod } from 'did-resolver';
import { describe, expect, it } from 'vitest';
import { NativeJwsVerifier } from '../../../src-main/identity/native-jws';
import { createWorld, NOW } from './support';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

type Jwk = NonNullable<VerificationMethod['publicKeyJwk']>;

function keyPair(kind: 'ed25519' | 'p256' | 'secp256k1'): { privateKey: KeyObject; jwk: Jwk } {
  const { privateKey, publicKey } =
    kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'P-256' : 'secp256k1' });
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) as Jwk };
}

function jws(alg: string, privateKey: KeyObject, payload: unknown = { iss: 'did:web:issuer.example', n: 1 }): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  const signature = alg === 'EdDSA' ? sign(null, Buffer.from(input), privateKey) : sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function doc(...methods: Partial<VerificationMethod>[]): DIDDocument {
  const id = 'did:web:issuer.example';
  return { id, verificationMethod: methods.map((m, i) => ({ id: `${id}#key-${i}`, type: 'JsonWebKey2020', controller: id, ...m })) };
}

describe('native JWS verification', () => {
  const v = new NativeJwsVerifier();

  it('accepts Ed25519 and P-256 signatures by any listed key, and names the key that matched', () => {
    const ed = keyPair('ed25519');
    const p = keyPair('p256');
    const other = keyPair('ed25519');
    const d = doc({ publicKeyJwk: other.jwk }, { publicKeyJwk: ed.jwk }, { publicKeyJwk: p.jwk });
    expect(v.verifyJws(jws('EdDSA', ed.privateKey), 'EdDSA', d)).toEqual({ verified: true, keyId: 'did:web:issuer.example#key-1' });
    expect(v.verifyJws(jws('ES256', p.privateKey), 'ES256', d)).toEqual({ verified: true, keyId: 'did:web:issuer.example#key-2' });
  });

  it('refuses a changed payload, a key not in the document, and a signature cut short', () => {
    const ed = keyPair('ed25519');
    const d = doc({ publicKeyJwk: ed.jwk });
    const good = jws('EdDSA', ed.privateKey);
    const [h, , s] = good.split('.') as [string, string, string];
    expect(v.verifyJws(`${h}.${b64({ iss: 'did:web:issuer.example', n: 2 })}.${s}`, 'EdDSA', d)).toEqual({ verified: false, errorCode: 'invalid_signature' });
    expect(v.verifyJws(jws('EdDSA', keyPair('ed25519').privateKey), 'EdDSA', d)).toEqual({ verified: false, errorCode: 'invalid_signature' });
    expect(v.verifyJws(`${h}.${good.split('.')[1] ?? ''}.${s.slice(0, 40)}`, 'EdDSA', d)).toEqual({ verified: false, errorCode: 'invalid_signature' });
  });

  it('does not let a key of another curve or an encryption key speak for the algorithm in the header', () => {
    const p = keyPair('p256');
    const k1 = keyPair('secp256k1');
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as unknown as Jwk;
    // An ES256 signature checked as EdDSA, against a document that only holds the P-256 key.
    expect(v.verifyJws(jws('ES256', p.privateKey), 'EdDSA', doc({ publicKeyJwk: p.jwk }))).toEqual({ verified: false, errorCode: 'invalid_signature' });
    // secp256k1 signed under an ES256 header, with the k1 key listed.
    expect(v.verifyJws(jws('ES256', k1.privateKey), 'ES256', doc({ publicKeyJwk: k1.jwk }))).toEqual({ verified: false, errorCode: 'invalid_signature' });
    expect(v.verifyJws(jws('EdDSA', keyPair('ed25519').privateKey), 'EdDSA', doc({ publicKeyJwk: x25519 }))).toEqual({ verified: false, errorCode: 'invalid_signature' });
  });

  it('answers not_supported for algorithms outside EdDSA and ES256, none and HS256 included', () => {
    const ed = keyPair('ed25519');
    const d = doc({ publicKeyJwk: ed.jwk });
    for (const alg of ['none', 'HS256', 'ES256K', 'RS256', undefined, 7]) {
      expect(v.verifyJws(jws('EdDSA', ed.privateKey), alg, d)).toEqual({ verified: false, errorCode: 'not_supported' });
    }
  });

  it('answers no_suitable_keys when no method of an accepted type is listed', () => {
    const ed = keyPair('ed25519');
    expect(v.verifyJws(jws('EdDSA', ed.privateKey), 'EdDSA', doc({ type: 'X25519KeyAgreementKey2020', publicKeyJwk: ed.jwk }))).toEqual({
      verified: false,
      errorCode: 'no_suitable_keys',
    });
    expect(v.verifyJws(jws('EdDSA', ed.privateKey), 'EdDSA', { id: 'did:web:issuer.example' })).toEqual({ verified: false, errorCode: 'no_suitable_keys' });
  });

  it('hands documents with base58, multibase or hex keys to the Veramo path instead of guessing', () => {
    const ed = keyPair('ed25519');
    for (const form of [{ publicKeyBase58: 'abc' }, { publicKeyMultibase: 'z6Mk' }, { publicKeyHex: '00' }]) {
      expect(v.verifyJws(jws('EdDSA', ed.privateKey), 'EdDSA', doc({ publicKeyJwk: ed.jwk }, { type: 'Ed25519VerificationKey2018', ...form }))).toEqual({ verified: 'fallback' });
    }
  });

  it('ignores private members a document might carry and keeps a rotated key apart from the old one', () => {
    const ed = keyPair('ed25519');
    const withPrivate = { ...ed.jwk, d: Buffer.alloc(32, 1).toString('base64url') };
    expect(v.verifyJws(jws('EdDSA', ed.privateKey), 'EdDSA', doc({ publicKeyJwk: withPrivate }))).toMatchObject({ verified: true });
    const rotated = keyPair('ed25519');
    expect(v.verifyJws(jws('EdDSA', ed.privateKey), 'EdDSA', doc({ publicKeyJwk: rotated.jwk }))).toEqual({ verified: false, errorCode: 'invalid_signature' });
  });

  it('treats a JWK that is not a point on the curve as a key that verifies nothing', () => {
    const ed = keyPair('ed25519');
    const bogus = { kty: 'EC', crv: 'P-256', x: Buffer.alloc(32, 1).toString('base64url'), y: Buffer.alloc(32, 2).toString('base64url') };
    expect(v.verifyJws(jws('ES256', keyPair('p256').privateKey), 'ES256', doc({ publicKeyJwk: bogus }))).toEqual({ verified: false, errorCode: 'invalid_signature' });
    expect(v.verifyJws('no-dots-here', 'EdDSA', doc({ publicKeyJwk: ed.jwk }))).toEqual({ verified: false, errorCode: 'invalid_jwt' });
  });
});

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = (BASE58[Number(n % 58n)] ?? '') + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

describe('the pipeline with an issuer document the native path does not read', () => {
  it('still verifies through Veramo, and still refuses a forged card', async () => {
    const w = await createWorld();
    const jwk = w.authority.document.verificationMethod?.[0]?.publicKeyJwk as { x: string };
    await w.didWebCache.put(w.authority.did, {
      ...w.authority.document,
      verificationMethod: [{ id: `${w.authority.did}#key-1`, type: 'Ed25519VerificationKey2018', controller: w.authority.did, publicKeyBase58: base58(Buffer.from(jwk.x, 'base64url')) }],
    });
    const valid = await w.verifier.verifyPresentation(await w.bundle(), { now: NOW });
    expect(valid.verdict).toBe('valid');

    const [h, p, s] = (await w.identityVc()).split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { vc: { credentialSubject: Record<string, unknown> } };
    payload.vc.credentialSubject.familyName = 'Someone-Else';
    const forged = `${h}.${b64(payload)}.${s}`;
    const report = await w.verifier.verifyPresentation(await w.bundle({}, [forged, await w.coverageVc()]), { now: NOW });
    const signature = report.credentials[0]?.checks.find((c) => c.id === 'credential.signature');
    expect(signature?.result).toBe('fail');
    expect(signature?.message).toMatch(/forged/);
  });
});
