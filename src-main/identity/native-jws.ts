/**
 * JWS signature checks with the platform's crypto (OpenSSL through node:crypto) instead of the
 * pure-JS curves did-jwt uses: the same Ed25519 / P-256 verification at a fraction of the cost
 * (about 0.1 ms per signature here against 2-3 ms; see tools/bench/NOTES.md, lane 7).
 *
 * The key selection follows did-jwt's `verifyJWT` exactly as the pipeline called it before (no
 * proof purpose, the `kid` header ignored): every verification method of the signer's document
 * whose type did-jwt accepts for the algorithm is a candidate, and the signature must verify
 * under one of them. Only keys given as `publicKeyJwk` are handled here; a document with any
 * other key form makes `verifyJws` answer 'fallback' and the caller uses the Veramo path, so
 * an unusual document is still judged the same way as before, only slower.
 *
 * Converted public keys are kept (by their JWK text, so a rotated key is a different entry);
 * DID documents are not kept here: resolution stays with the Veramo agent and its caches.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import type { DIDDocument, VerificationMethod } from 'did-resolver';

/** The algorithms the wallet format allows, with the verification method types did-jwt accepts for each. */
const CANDIDATE_TYPES: Readonly<Record<string, readonly string[]>> = {
  EdDSA: ['ED25519SignatureVerification', 'Ed25519VerificationKey2018', 'Ed25519VerificationKey2020', 'JsonWebKey2020', 'Multikey'],
  ES256: ['JsonWebKey2020', 'Multikey', 'EcdsaSecp256r1VerificationKey2019'],
};

/** did-jwt's error codes, kept so the pipeline's messages and report details do not change. */
export type JwsErrorCode = 'invalid_signature' | 'no_suitable_keys' | 'not_supported' | 'invalid_jwt';

export type JwsOutcome =
  | { verified: true; keyId: string }
  | { verified: false; errorCode: JwsErrorCode }
  /** The document holds a candidate key in a form this module does not read: use the slow path. */
  | { verified: 'fallback' };

const KEY_LIMIT = 2000;
const SEGMENT = /^[A-Za-z0-9_-]*$/;

export class NativeJwsVerifier {
  /** JWK text -> key object; null when the JWK is not an Ed25519 or P-256 public key. */
  private readonly keys = new Map<string, KeyObject | null>();

  /**
   * Checks the signature of a compact JWS against the signer's DID document.
   * Never throws: unreadable input is `invalid_jwt`, an unknown algorithm `not_supported`.
   */
  verifyJws(jws: string, alg: unknown, document: DIDDocument): JwsOutcome {
    const types = typeof alg === 'string' ? CANDIDATE_TYPES[alg] : undefined;
    if (types === undefined) return { verified: false, errorCode: 'not_supported' };
    const dot = jws.lastIndexOf('.');
    const signatureText = dot < 0 ? '' : jws.slice(dot + 1);
    if (dot < 0 || !SEGMENT.test(signatureText)) return { verified: false, errorCode: 'invalid_jwt' };
    const candidates = [...(document.verificationMethod ?? []), ...(((document as { publicKey?: VerificationMethod[] }).publicKey) ?? [])].filter(
      (vm) => typeof vm === 'object' && vm !== null && types.includes(vm.type),
    );
    if (candidates.length === 0) return { verified: false, errorCode: 'no_suitable_keys' };
    if (candidates.some((vm) => !isJwkOnly(vm))) return { verified: 'fallback' };

    const data = Buffer.from(jws.slice(0, dot), 'utf8');
    const signature = Buffer.from(signatureText, 'base64url');
    // Both algorithms have 64-byte signatures (ES256 as r||s, JWS style); anything else cannot match.
    if (signature.length !== 64) return { verified: false, errorCode: 'invalid_signature' };
    for (const vm of candidates) {
      const key = this.keyOf(vm.publicKeyJwk as JsonWebKey);
      if (key === null) continue;
      const ok =
        alg === 'EdDSA'
          ? key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature)
          : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      if (ok) return { verified: true, keyId: vm.id };
    }
    return { verified: false, errorCode: 'invalid_signature' };
  }

  private keyOf(jwk: JsonWebKey): KeyObject | null {
    // Only the public members: a document carrying `d` must not make us hold a private key.
    const publicJwk: JsonWebKey =
      jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : jwk.kty === 'OKP' ? { kty: 'OKP', crv: jwk.crv, x: jwk.x } : { kty: String(jwk.kty) };
    const text = JSON.stringify(publicJwk);
    const hit = this.keys.get(text);
    if (hit !== undefined) return hit;
    let key: KeyObject | null = null;
    if ((publicJwk.kty === 'EC' && publicJwk.crv === 'P-256') || (publicJwk.kty === 'OKP' && publicJwk.crv === 'Ed25519')) {
      try {
        key = createPublicKey({ key: publicJwk, format: 'jwk' });
      } catch {
        key = null; // not a point on the curve, wrong length: this method cannot verify anything
      }
    }
    if (this.keys.size >= KEY_LIMIT) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(text, key);
    return key;
  }
}

function isJwkOnly(vm: VerificationMethod): boolean {
  const v = vm as VerificationMethod & { publicKeyBase64?: unknown };
  const jwk = v.publicKeyJwk as unknown;
  return (
    typeof jwk === 'object' &&
    jwk !== null &&
    v.publicKeyBase58 === undefined &&
    v.publicKeyBase64 === undefined &&
    v.publicKeyHex === undefined &&
    v.publicKeyMultibase === undefined
  );
}
