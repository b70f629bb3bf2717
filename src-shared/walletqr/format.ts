/**
 * Wallet QR format, version 1 (documented in docs/formats/wallet-qr.md).
 *
 *   single code:      CLW1:<base45>
 *   one of n codes:   CLW1M:<i>/<n>:<SET>:<base45 of the i-th slice>
 *
 * The base45 text carries raw-DEFLATE (with the frozen dictionary of dictionary.ts) of a
 * binary frame holding every JWT segment as raw bytes; the presentation's payload refers to
 * its embedded credentials instead of repeating them. Decoding rebuilds the exact JWT strings,
 * so the holder's and the issuers' signatures verify unchanged.
 */
import { deflateSync, Inflate } from 'fflate';
import { base45Decode, base45Encode } from './base45';
import { base64urlDecodeCanonical, base64urlEncode, ByteWriter, crc32 } from './bytes';
import { WALLET_QR_DICTIONARY_V1 } from './dictionary';
import { WalletQrError } from './errors';

export const WALLET_QR_VERSION = 1;
export const WALLET_QR_PREFIX = 'CLW1:';
export const WALLET_QR_PART_PREFIX = 'CLW1M:';

/** Frame kind byte: a presentation bundle. Other values are reserved for later kinds. */
const KIND_PRESENTATION = 0x01;
const PIECE_LITERAL = 0x00;
const PIECE_CREDENTIAL = 0x01;

/**
 * Limits the decoder enforces. The defaults are far above a real bundle and far below what
 * could hurt the workstation.
 */
export interface WalletQrLimits {
  /** Characters in one scanned code; 4296 is the most any QR code (version 40-L) holds. */
  maxCodeChars: number;
  /** Parts in a multi-part sequence. */
  maxParts: number;
  /** Bytes after inflating: the hard cap against deflate bombs. */
  maxInflatedBytes: number;
  /** Credentials inside one presentation. */
  maxCredentials: number;
}

export const DEFAULT_WALLET_QR_LIMITS: Readonly<WalletQrLimits> = Object.freeze({
  maxCodeChars: 4296,
  maxParts: 16,
  maxInflatedBytes: 64 * 1024,
  maxCredentials: 16,
});

/**
 * Alphanumeric characters of a version 30 QR code at error correction M (1994), the target
 * size of one wallet code: large enough for the admission bundle, small enough for a phone
 * screen and a desk webcam.
 */
export const V30_M_ALPHANUMERIC_CHARS = 1994;

/** A decoded wallet code: the presentation JWT and the credential JWTs inside it, exact. */
export interface DecodedWalletPresentation {
  presentation: string;
  credentials: string[];
}

export interface EncodeOptions {
  /** Largest code text; more data is split into parts. Default: one version 30-M code. */
  maxCodeChars?: number;
}

/**
 * Encodes a VP-JWT (whose `vp.verifiableCredential` holds VC-JWT strings) as one or more
 * wallet QR texts, all in the QR alphanumeric alphabet.
 * @throws WalletQrError CANNOT_ENCODE when the input is not a compact-JWT presentation.
 */
export function encodeWalletQr(presentationJwt: string, options: EncodeOptions = {}): string[] {
  const maxChars = options.maxCodeChars ?? V30_M_ALPHANUMERIC_CHARS;
  const compressed = deflateSync(buildFrame(presentationJwt), { level: 9, mem: 12, dictionary: WALLET_QR_DICTIONARY_V1 });
  const single = WALLET_QR_PREFIX + base45Encode(compressed);
  if (single.length <= maxChars) return [single];

  const setId = crc32(compressed).toString(16).toUpperCase().padStart(8, '0');
  // Header of the longest part number: "CLW1M:" + "16/16:" + 8 + ":".
  const headerChars = WALLET_QR_PART_PREFIX.length + 6 + setId.length + 1;
  const bytesPerPart = Math.floor((maxChars - headerChars) / 3) * 2;
  if (bytesPerPart < 16) throw new WalletQrError('CANNOT_ENCODE', { reason: 'maxCodeChars too small' });
  const total = Math.ceil(compressed.length / bytesPerPart);
  if (total > DEFAULT_WALLET_QR_LIMITS.maxParts) {
    throw new WalletQrError('CANNOT_ENCODE', { reason: 'too many parts', total });
  }
  const parts: string[] = [];
  for (let i = 0; i < total; i++) {
    const slice = compressed.subarray(i * bytesPerPart, (i + 1) * bytesPerPart);
    parts.push(`${WALLET_QR_PART_PREFIX}${i + 1}/${total}:${setId}:${base45Encode(slice)}`);
  }
  return parts;
}

/** One scanned code, parsed but not yet inflated. */
export type WalletQrCode =
  | { kind: 'single'; data: Uint8Array }
  | { kind: 'part'; index: number; total: number; setId: string; data: Uint8Array; text: string };

/**
 * Reads one scanned text: prefix, version, part header, base45. Scanners acting as keyboards
 * end with Enter, so trailing CR/LF is dropped (never spaces: a space is a base45 character).
 * @throws WalletQrError EMPTY, TOO_LONG, BAD_PREFIX, UNSUPPORTED_VERSION, BAD_PART_HEADER,
 *   WRONG_PART_COUNT, BAD_ALPHABET, TRUNCATED, BAD_ENCODING.
 */
export function parseWalletQrCode(scanned: string, limits: Partial<WalletQrLimits> = {}): WalletQrCode {
  const lim = { ...DEFAULT_WALLET_QR_LIMITS, ...limits };
  const text = scanned.replace(/[\r\n]+$/, '');
  if (text.length === 0) throw new WalletQrError('EMPTY');
  if (text.length > lim.maxCodeChars) throw new WalletQrError('TOO_LONG', { chars: text.length, max: lim.maxCodeChars });

  const head = /^CLW(\d{1,3})(M?):/.exec(text);
  if (!head) throw new WalletQrError('BAD_PREFIX', { start: text.slice(0, 8) });
  if (head[1] !== String(WALLET_QR_VERSION)) throw new WalletQrError('UNSUPPORTED_VERSION', { version: head[1] });
  const body = text.slice(head[0].length);
  if (head[2] !== 'M') {
    const data = base45Decode(body);
    if (data.length === 0) throw new WalletQrError('TRUNCATED', { reason: 'no data' });
    return { kind: 'single', data };
  }

  const part = /^(\d{1,2})\/(\d{1,2}):([0-9A-F]{8}):/.exec(body);
  if (!part) throw new WalletQrError('BAD_PART_HEADER', { start: body.slice(0, 16) });
  const index = Number(part[1]);
  const total = Number(part[2]);
  if (total < 2 || total > lim.maxParts) throw new WalletQrError('WRONG_PART_COUNT', { total, max: lim.maxParts });
  if (index < 1 || index > total) throw new WalletQrError('BAD_PART_HEADER', { index, total });
  const data = base45Decode(body.slice(part[0].length));
  if (data.length === 0) throw new WalletQrError('TRUNCATED', { reason: 'empty part' });
  return { kind: 'part', index, total, setId: part[3] as string, data, text };
}

/**
 * Decodes a single-code wallet QR text. A part of a multi-part sequence is refused with
 * INCOMPLETE: feed parts to a WalletQrCollector instead.
 * @throws WalletQrError for every malformed input (see WalletQrErrorCode).
 */
export function decodeWalletQr(scanned: string, limits: Partial<WalletQrLimits> = {}): DecodedWalletPresentation {
  const code = parseWalletQrCode(scanned, limits);
  if (code.kind === 'part') throw new WalletQrError('INCOMPLETE', { index: code.index, total: code.total });
  return decodeCompressedBundle(code.data, limits);
}

/**
 * Inflates (with the hard output cap) and unframes compressed bundle bytes.
 * @throws WalletQrError TRUNCATED, CORRUPT, INFLATED_TOO_LARGE, BAD_FRAMING, NOT_A_PRESENTATION.
 */
export function decodeCompressedBundle(compressed: Uint8Array, limits: Partial<WalletQrLimits> = {}): DecodedWalletPresentation {
  const lim = { ...DEFAULT_WALLET_QR_LIMITS, ...limits };
  const frame = inflateCapped(compressed, lim.maxInflatedBytes);
  return readFrame(frame, lim.maxCredentials);
}

// ---------------------------------------------------------------------------------------
// Inflate with a hard cap

/** Input is pushed in small slices so that no single push can produce more than ~70 KiB. */
const INFLATE_SLICE = 64;

function inflateCapped(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const stream = new Inflate({ dictionary: WALLET_QR_DICTIONARY_V1 }, (chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) throw new WalletQrError('INFLATED_TOO_LARGE', { maxBytes });
    chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < compressed.length; i += INFLATE_SLICE) {
      const end = Math.min(compressed.length, i + INFLATE_SLICE);
      stream.push(compressed.subarray(i, end), end === compressed.length);
    }
  } catch (err) {
    if (err instanceof WalletQrError) throw err;
    // fflate error code 0 is "unexpected EOF": the data stops before the deflate stream ends.
    const code = (err as { code?: unknown }).code;
    throw new WalletQrError(code === 0 ? 'TRUNCATED' : 'CORRUPT', { reason: String(err) }, { cause: err });
  }
  if (!ended) throw new WalletQrError('TRUNCATED', { reason: 'deflate stream did not end' });
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Binary frame

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

interface RawJwt {
  header: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

function splitJwt(jwt: string, what: string): RawJwt {
  const segs = jwt.split('.');
  if (segs.length !== 3) throw new WalletQrError('CANNOT_ENCODE', { reason: `${what} is not a compact JWS` });
  const raw = segs.map((s) => base64urlDecodeCanonical(s));
  const [header, payload, signature] = raw;
  if (!header || !payload || !signature) {
    throw new WalletQrError('CANNOT_ENCODE', { reason: `${what} has a segment that is not canonical base64url` });
  }
  return { header, payload, signature };
}

function buildFrame(presentationJwt: string): Uint8Array {
  const vp = splitJwt(presentationJwt, 'presentation');
  let payloadText: string;
  let credentials: string[];
  try {
    payloadText = utf8Strict.decode(vp.payload);
    const payload = JSON.parse(payloadText) as { vp?: { verifiableCredential?: unknown } };
    const list = payload.vp?.verifiableCredential;
    const entries: unknown[] = Array.isArray(list) ? (list as unknown[]) : list === undefined ? [] : [list];
    if (!entries.every((e): e is string => typeof e === 'string')) throw new Error('embedded credentials must be JWT strings');
    credentials = [...new Set(entries)];
  } catch (err) {
    if (err instanceof WalletQrError) throw err;
    throw new WalletQrError('CANNOT_ENCODE', { reason: String(err) }, { cause: err });
  }
  if (credentials.length > DEFAULT_WALLET_QR_LIMITS.maxCredentials) {
    throw new WalletQrError('CANNOT_ENCODE', { reason: 'too many credentials' });
  }

  const w = new ByteWriter();
  w.byte(KIND_PRESENTATION);
  w.varint(credentials.length);
  credentials.forEach((c, i) => {
    const raw = splitJwt(c, `credential ${i + 1}`);
    w.segment(raw.header);
    w.segment(raw.payload);
    w.segment(raw.signature);
  });

  // The VP payload as literal pieces and references to credentials, so each credential is
  // carried once. A JWT string needs no JSON escaping, so `"<jwt>"` is found verbatim.
  const pieces: ({ literal: string } | { ref: number })[] = [];
  let rest = payloadText;
  for (;;) {
    let best: { at: number; ref: number } | undefined;
    credentials.forEach((c, ref) => {
      const at = rest.indexOf(`"${c}"`);
      if (at >= 0 && (best === undefined || at < best.at)) best = { at, ref };
    });
    if (best === undefined) break;
    const found: { at: number; ref: number } = best;
    pieces.push({ literal: rest.slice(0, found.at + 1) }, { ref: found.ref });
    rest = rest.slice(found.at + 1 + (credentials[found.ref] as string).length);
  }
  pieces.push({ literal: rest });
  w.segment(vp.header);
  w.varint(pieces.length);
  for (const p of pieces) {
    if ('ref' in p) {
      w.byte(PIECE_CREDENTIAL);
      w.varint(p.ref);
    } else {
      w.byte(PIECE_LITERAL);
      w.segment(utf8.encode(p.literal));
    }
  }
  w.segment(vp.signature);
  return w.finish();
}

class FrameReader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  byte(): number {
    const b = this.buf[this.at];
    if (b === undefined) throw new WalletQrError('BAD_FRAMING', { reason: 'frame ends early', at: this.at });
    this.at++;
    return b;
  }

  varint(max: number): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      // A zero continuation byte is a second spelling of a shorter number: refuse it.
      if (i > 0 && b === 0) throw new WalletQrError('BAD_FRAMING', { reason: 'number not minimally encoded' });
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (v > max) throw new WalletQrError('BAD_FRAMING', { reason: 'number out of range', value: v, max });
        return v;
      }
      mul *= 128;
    }
    throw new WalletQrError('BAD_FRAMING', { reason: 'number too long' });
  }

  segment(): Uint8Array {
    const len = this.varint(this.buf.length - this.at);
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }

  get done(): boolean {
    return this.at === this.buf.length;
  }
}

function readFrame(frame: Uint8Array, maxCredentials: number): DecodedWalletPresentation {
  const r = new FrameReader(frame);
  const kind = r.byte();
  if (kind !== KIND_PRESENTATION) throw new WalletQrError('NOT_A_PRESENTATION', { kind });
  const count = r.varint(maxCredentials);
  const credentials: string[] = [];
  for (let i = 0; i < count; i++) {
    credentials.push(joinJwt(r.segment(), r.segment(), r.segment()));
  }
  const header = r.segment();
  const pieceCount = r.varint(2 * count + 1);
  let payloadText = '';
  for (let i = 0; i < pieceCount; i++) {
    const tag = r.byte();
    if (tag === PIECE_LITERAL) payloadText += decodeUtf8(r.segment());
    else if (tag === PIECE_CREDENTIAL) payloadText += credentials[r.varint(count - 1)] as string;
    else throw new WalletQrError('BAD_FRAMING', { reason: 'unknown piece', tag });
  }
  const signature = r.segment();
  if (!r.done) throw new WalletQrError('BAD_FRAMING', { reason: 'bytes after the presentation' });
  const presentation = joinJwt(header, utf8.encode(payloadText), signature);
  checkIsPresentation(header, payloadText, credentials);
  return { presentation, credentials };
}

function joinJwt(header: Uint8Array, payload: Uint8Array, signature: Uint8Array): string {
  return `${base64urlEncode(header)}.${base64urlEncode(payload)}.${base64urlEncode(signature)}`;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch (err) {
    throw new WalletQrError('BAD_FRAMING', { reason: 'text is not UTF-8' }, { cause: err });
  }
}

/**
 * The frame rebuilt; now make sure it is what the desk expects: a JWS header with an
 * algorithm, a payload with a `vp` claim of type VerifiablePresentation whose credential list
 * is exactly the credentials carried. Signatures are the verifier's job, not ours.
 */
function checkIsPresentation(header: Uint8Array, payloadText: string, credentials: string[]): void {
  const fail = (reason: string): never => {
    throw new WalletQrError('NOT_A_PRESENTATION', { reason });
  };
  const h = parseObject(decodeUtf8(header)) ?? fail('header is not a JSON object');
  if (typeof h['alg'] !== 'string') fail('header has no alg');
  const p = parseObject(payloadText) ?? fail('payload is not a JSON object');
  const vp = p['vp'];
  if (typeof vp !== 'object' || vp === null || Array.isArray(vp)) return fail('payload has no vp claim');
  const vpObj = vp as Record<string, unknown>;
  const types = vpObj['type'];
  const isVp = types === 'VerifiablePresentation' || (Array.isArray(types) && types.includes('VerifiablePresentation'));
  if (!isVp) fail('vp is not of type VerifiablePresentation');
  const list = vpObj['verifiableCredential'];
  const entries: unknown[] = Array.isArray(list) ? (list as unknown[]) : list === undefined ? [] : [list];
  const distinct = new Set(entries);
  if (distinct.size !== credentials.length || !credentials.every((c) => distinct.has(c))) {
    fail('credential list does not match the credentials carried');
  }
  for (const c of credentials) {
    const payload = parseObject(decodeUtf8(base64urlDecodeCanonical(c.split('.')[1] ?? '') ?? new Uint8Array()));
    if (!payload || typeof payload['vc'] !== 'object' || payload['vc'] === null) fail('an embedded credential has no vc claim');
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
