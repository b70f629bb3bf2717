/**
 * HTTP Message Signatures (RFC 9421) as the record exchange uses them
 * (docs/formats/record-exchange.md §4): one signature `careledger`, algorithm
 * `ecdsa-p256-sha256`, covering @method, @target-uri, content-digest, careledger-certificate and
 * careledger-request-id, with `created`, `nonce`, `alg` and `keyid` parameters. Web Crypto only:
 * the workstation signs with it and the gatekeeper verifies with it.
 */
import { fromBase64, ownBuffer, sha256, toBase64, toBase64url, utf8 } from './bytes';

/** Web Crypto's key type, named so it resolves in node and DOM builds alike. */
export type WebCryptoKey = Parameters<typeof globalThis.crypto.subtle.sign>[1];

export const SIGNATURE_LABEL = 'careledger';
export const SIGNATURE_ALG = 'ecdsa-p256-sha256';
export const COVERED_COMPONENTS = ['@method', '@target-uri', 'content-digest', 'careledger-certificate', 'careledger-request-id'] as const;
/** How old a signature may be when it arrives, and how far in the future (clock skew). */
export const SIGNATURE_MAX_AGE_SECONDS = 60;
export const SIGNATURE_MAX_FUTURE_SECONDS = 30;
/** How long the gatekeeper remembers a nonce (longer than the validity window). */
export const REPLAY_WINDOW_SECONDS = 120;

export const HEADERS = {
  certificate: 'careledger-certificate',
  requestId: 'careledger-request-id',
  contentDigest: 'content-digest',
  signatureInput: 'signature-input',
  signature: 'signature',
  releaseEntry: 'careledger-release-entry',
  releaseTransaction: 'careledger-release-transaction',
} as const;

export const REQUEST_ID_PATTERN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** RFC 9530 Content-Digest (sha-256) of a body; an absent body is the empty body. */
export async function contentDigest(body: Uint8Array | undefined): Promise<string> {
  return `sha-256=:${toBase64(await sha256(body ?? new Uint8Array()))}:`;
}

/** The keyid of a certificate: base64url of SHA-256 of its DER. */
export async function certificateKeyId(certificateDer: Uint8Array): Promise<string> {
  return toBase64url(await sha256(certificateDer));
}

export interface SignatureParams {
  created: number;
  nonce: string;
  keyid: string;
}

/** The value of the Signature-Input member (what follows `careledger=`). */
export function signatureParamsValue(params: SignatureParams): string {
  const components = COVERED_COMPONENTS.map((c) => `"${c}"`).join(' ');
  return `(${components});created=${params.created};nonce="${params.nonce}";alg="${SIGNATURE_ALG}";keyid="${params.keyid}"`;
}

export interface SignedParts {
  method: string;
  targetUri: string;
  contentDigest: string;
  certificate: string;
  requestId: string;
}

/** The RFC 9421 §2.5 signature base. */
export function signatureBase(parts: SignedParts, paramsValue: string): string {
  return [
    `"@method": ${parts.method.toUpperCase()}`,
    `"@target-uri": ${parts.targetUri}`,
    `"content-digest": ${parts.contentDigest}`,
    `"careledger-certificate": ${parts.certificate}`,
    `"careledger-request-id": ${parts.requestId}`,
    `"@signature-params": ${paramsValue}`,
  ].join('\n');
}

export interface SignRequestInput {
  method: string;
  /** The full URL as the gatekeeper advertises it: its serviceEndpoint origin + path + query. */
  targetUri: string;
  body?: Uint8Array;
  /** The staff member's Fabric certificate (DER). */
  certificateDer: Uint8Array;
  /** Its ECDSA P-256 private key, imported for `{ name: 'ECDSA', namedCurve: 'P-256' }` signing. */
  privateKey: WebCryptoKey;
  /** `urn:uuid:<uuid>`; the viewer logs its own access entry with the same id. */
  requestId: string;
  /** Unix seconds; default now. */
  created?: number;
  /** 16 random bytes base64url; default fresh. */
  nonce?: string;
}

/** The headers to send with a signed request (lower-case names). */
export async function signRequest(input: SignRequestInput): Promise<Record<string, string>> {
  if (!REQUEST_ID_PATTERN.test(input.requestId)) throw new Error("The request id must be 'urn:uuid:<lower-case uuid>'.");
  const digest = await contentDigest(input.body);
  const certificate = `:${toBase64(input.certificateDer)}:`;
  const params: SignatureParams = {
    created: input.created ?? Math.floor(Date.now() / 1000),
    nonce: input.nonce ?? toBase64url(globalThis.crypto.getRandomValues(new Uint8Array(16))),
    keyid: await certificateKeyId(input.certificateDer),
  };
  const paramsValue = signatureParamsValue(params);
  const base = signatureBase({ method: input.method, targetUri: input.targetUri, contentDigest: digest, certificate, requestId: input.requestId }, paramsValue);
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, input.privateKey, ownBuffer(utf8(base))));
  return {
    [HEADERS.certificate]: certificate,
    [HEADERS.requestId]: input.requestId,
    [HEADERS.contentDigest]: digest,
    [HEADERS.signatureInput]: `${SIGNATURE_LABEL}=${paramsValue}`,
    [HEADERS.signature]: `${SIGNATURE_LABEL}=:${toBase64(signature)}:`,
  };
}

export type ParsedSignature =
  | { ok: true; params: SignatureParams; paramsValue: string; signature: Uint8Array; certificateDer: Uint8Array; certificate: string; requestId: string; contentDigest: string }
  | { ok: false; code: 'SIGNATURE_MISSING' | 'SIGNATURE_MALFORMED'; message: string };

const PARAMS_PATTERN = /^\("@method" "@target-uri" "content-digest" "careledger-certificate" "careledger-request-id"\);created=(\d{1,12});nonce="([A-Za-z0-9_-]{22})";alg="ecdsa-p256-sha256";keyid="([A-Za-z0-9_-]{43})"$/;
const BYTE_SEQUENCE = /^:([A-Za-z0-9+/]+={0,2}):$/;

/**
 * Reads the signature headers (lower-case names) without trusting them yet: the caller then
 * checks the time window, the digest, the signature and the certificate.
 */
export function parseSignatureHeaders(headers: Record<string, string | undefined>): ParsedSignature {
  const missing = [HEADERS.signatureInput, HEADERS.signature, HEADERS.certificate, HEADERS.requestId, HEADERS.contentDigest].filter((h) => !headers[h]);
  if (missing.length > 0) return { ok: false, code: 'SIGNATURE_MISSING', message: `The request is not signed: it lacks the ${missing.join(', ')} header${missing.length === 1 ? '' : 's'}. Sign it with the staff member's ledger identity (docs/formats/record-exchange.md §4).` };
  const input = headers[HEADERS.signatureInput]!;
  const prefix = `${SIGNATURE_LABEL}=`;
  if (!input.startsWith(prefix)) return { ok: false, code: 'SIGNATURE_MALFORMED', message: `Signature-Input must hold exactly one signature labelled '${SIGNATURE_LABEL}'.` };
  const paramsValue = input.slice(prefix.length);
  const match = PARAMS_PATTERN.exec(paramsValue);
  if (!match) return { ok: false, code: 'SIGNATURE_MALFORMED', message: 'Signature-Input must cover exactly @method, @target-uri, content-digest, careledger-certificate and careledger-request-id, with created, nonce, alg="ecdsa-p256-sha256" and keyid.' };
  const sigHeader = headers[HEADERS.signature]!;
  const sigMatch = sigHeader.startsWith(prefix) ? BYTE_SEQUENCE.exec(sigHeader.slice(prefix.length)) : null;
  const signature = sigMatch ? fromBase64(sigMatch[1]!) : undefined;
  if (!signature || signature.length !== 64) return { ok: false, code: 'SIGNATURE_MALFORMED', message: 'Signature must be careledger=:<base64 of the 64-byte ECDSA P-256 r‖s signature>:.' };
  const certificate = headers[HEADERS.certificate]!;
  const certMatch = BYTE_SEQUENCE.exec(certificate);
  const certificateDer = certMatch ? fromBase64(certMatch[1]!) : undefined;
  if (!certificateDer || certificateDer.length < 100) return { ok: false, code: 'SIGNATURE_MALFORMED', message: 'CareLedger-Certificate must be :<base64 DER of the signer certificate>:.' };
  const requestId = headers[HEADERS.requestId]!;
  if (!REQUEST_ID_PATTERN.test(requestId)) return { ok: false, code: 'SIGNATURE_MALFORMED', message: "CareLedger-Request-Id must be 'urn:uuid:<lower-case uuid>'." };
  return {
    ok: true,
    params: { created: Number(match[1]), nonce: match[2]!, keyid: match[3]! },
    paramsValue,
    signature,
    certificateDer,
    certificate,
    requestId,
    contentDigest: headers[HEADERS.contentDigest]!,
  };
}

/** Whether `created` (unix seconds) is inside the validity window at `nowSeconds`. */
export function signatureFresh(created: number, nowSeconds: number): boolean {
  return created >= nowSeconds - SIGNATURE_MAX_AGE_SECONDS && created <= nowSeconds + SIGNATURE_MAX_FUTURE_SECONDS;
}

/** Verifies the ECDSA signature over the signature base with the signer's public key (SPKI, from the certificate). */
export async function verifySignatureBase(base: string, signature: Uint8Array, publicKey: WebCryptoKey): Promise<boolean> {
  return globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, ownBuffer(signature), ownBuffer(utf8(base)));
}
