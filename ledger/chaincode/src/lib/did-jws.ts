/**
 * Offline resolution of did:key (Ed25519) and did:jwk (Ed25519 or P-256) and JWS
 * verification with node's crypto. The key comes from the DID string itself, so the peer
 * needs no network and every endorser reaches the same answer.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { LedgerError, invalid } from './errors';
import { decodeBase58btc, decodeBase64Url } from './encoding';

export type JwsAlgorithm = 'EdDSA' | 'ES256';

export interface ResolvedDidKey {
  did: string;
  publicKey: KeyObject;
  algorithm: JwsAlgorithm;
  /** The only verification method id the DID document has. */
  verificationMethodId: string;
}

/** Multicodec ed25519-pub (0xed) as an unsigned varint: 0xed 0x01. */
const ED25519_MULTICODEC = [0xed, 0x01];

export function resolvePersonDid(did: string): ResolvedDidKey {
  if (did.startsWith('did:key:')) return resolveDidKey(did);
  if (did.startsWith('did:jwk:')) return resolveDidJwk(did);
  throw invalid(`'${did.slice(0, 60)}' is not a did:key or did:jwk; patients and doctors sign with one of those.`);
}

function resolveDidKey(did: string): ResolvedDidKey {
  const multibase = did.slice('did:key:'.length);
  if (!multibase.startsWith('z')) throw invalid('A did:key must use base58btc multibase (it starts with z).');
  const bytes = decodeBase58btc(multibase.slice(1), 'The did:key identifier');
  if (bytes.length !== 34 || bytes[0] !== ED25519_MULTICODEC[0] || bytes[1] !== ED25519_MULTICODEC[1]) {
    throw invalid('This did:key is not an Ed25519 key (multicodec 0xed01, 32 bytes); only Ed25519 did:key is accepted.');
  }
  const x = bytes.subarray(2).toString('base64url');
  const publicKey = importJwk({ kty: 'OKP', crv: 'Ed25519', x }, 'the did:key');
  return { did, publicKey, algorithm: 'EdDSA', verificationMethodId: `${did}#${multibase}` };
}

function resolveDidJwk(did: string): ResolvedDidKey {
  const encoded = did.slice('did:jwk:'.length);
  let jwk: unknown;
  try {
    jwk = JSON.parse(decodeBase64Url(encoded, 'The did:jwk identifier').toString('utf8'));
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw invalid('The did:jwk identifier is not base64url-encoded JSON.');
  }
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw invalid('The did:jwk identifier does not hold a JWK object.');
  const k = jwk as Record<string, unknown>;
  if ('d' in k) throw invalid('The did:jwk holds a private key; a DID must only contain the public key.');
  let algorithm: JwsAlgorithm;
  let publicJwk: Record<string, string>;
  if (k.kty === 'OKP' && k.crv === 'Ed25519' && typeof k.x === 'string') {
    if (decodeBase64Url(k.x, 'The JWK x').length !== 32) throw invalid('The did:jwk Ed25519 key must be 32 bytes.');
    algorithm = 'EdDSA';
    publicJwk = { kty: 'OKP', crv: 'Ed25519', x: k.x };
  } else if (k.kty === 'EC' && k.crv === 'P-256' && typeof k.x === 'string' && typeof k.y === 'string') {
    if (decodeBase64Url(k.x, 'The JWK x').length !== 32 || decodeBase64Url(k.y, 'The JWK y').length !== 32) throw invalid('The did:jwk P-256 key coordinates must be 32 bytes each.');
    algorithm = 'ES256';
    publicJwk = { kty: 'EC', crv: 'P-256', x: k.x, y: k.y };
  } else {
    throw invalid('The did:jwk key must be an Ed25519 (OKP) or P-256 (EC) public key.');
  }
  if (k.use !== undefined && k.use !== 'sig') throw invalid(`The did:jwk key is for '${String(k.use)}', not for signatures.`);
  if (k.alg !== undefined && k.alg !== algorithm) throw invalid(`The did:jwk declares alg '${String(k.alg)}' but its key is for ${algorithm}.`);
  return { did, publicKey: importJwk(publicJwk, 'the did:jwk'), algorithm, verificationMethodId: `${did}#0` };
}

function importJwk(jwk: Record<string, string>, what: string): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw invalid(`The public key in ${what} is not a valid key (not on its curve).`);
  }
}

export interface VerifiedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signer: ResolvedDidKey;
}

/**
 * Verifies a compact JWS (a JWT) whose signer is the DID in its payload's `iss`: the header's
 * `kid` must be that DID's verification method and `alg` the algorithm of its key.
 * @throws LedgerError SIGNATURE_INVALID when the signature does not verify; INVALID_ARGUMENT when malformed
 */
export function verifyJwtSignedByIssuer(jwt: string, what: string): VerifiedJws {
  if (typeof jwt !== 'string' || jwt.length === 0) throw invalid(`${what} is required (a signed JWT).`);
  if (jwt.length > 32 * 1024) throw invalid(`${what} is larger than 32 KiB.`);
  const parts = jwt.split('.');
  if (parts.length !== 3) throw invalid(`${what} is not a compact JWT (three dot-separated parts).`);
  const [headerText, payloadText, signatureText] = parts as [string, string, string];
  const header = parseJsonPart(headerText, `${what} header`);
  const payload = parseJsonPart(payloadText, `${what} payload`);
  if (header.typ !== undefined && header.typ !== 'JWT') throw invalid(`${what} header typ must be 'JWT'.`);
  if (header.crit !== undefined) throw invalid(`${what} uses critical header extensions, which are not supported.`);
  const iss = payload.iss;
  if (typeof iss !== 'string') throw invalid(`${what} has no issuer (iss).`);
  const signer = resolvePersonDid(iss);
  if (header.alg !== signer.algorithm) {
    throw new LedgerError('SIGNATURE_INVALID', `${what} is signed with alg '${String(header.alg)}' but the key of ${abbreviate(iss)} needs ${signer.algorithm}.`);
  }
  if (typeof header.kid !== 'string' || header.kid !== signer.verificationMethodId) {
    throw new LedgerError('SIGNATURE_INVALID', `${what} names key '${abbreviate(String(header.kid))}', which is not the key of its issuer ${abbreviate(iss)}.`);
  }
  const signature = decodeBase64Url(signatureText, `${what} signature`);
  const signingInput = Buffer.from(`${headerText}.${payloadText}`, 'ascii');
  let ok: boolean;
  if (signer.algorithm === 'EdDSA') {
    ok = signature.length === 64 && verify(null, signingInput, signer.publicKey, signature);
  } else {
    // JWS ES256 signatures are raw r||s (64 bytes), not DER.
    ok = signature.length === 64 && verify('sha256', signingInput, { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  }
  if (!ok) throw new LedgerError('SIGNATURE_INVALID', `${what} is not signed by the key of ${abbreviate(iss)}: it was forged or altered after signing.`);
  return { header, payload, signer };
}

function parseJsonPart(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeBase64Url(text, what).toString('utf8'));
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw invalid(`${what} is not base64url-encoded JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

export function abbreviate(text: string): string {
  return text.length > 48 ? `${text.slice(0, 40)}…${text.slice(-6)}` : text;
}
