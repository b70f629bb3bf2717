/**
 * Bitstring Status List codec: the one set of encoding rules shared by the verification
 * pipeline, the wallet/issuer simulator and the chaincode tests.
 *
 * Rules (docs/formats/credentials.md):
 * - a list is at least 131,072 bits (16 KiB), so one credential's position does not stand out;
 * - bit index 0 is the most significant bit of byte 0;
 * - the bytes are GZIP-compressed, then base64url without padding, prefixed with the multibase
 *   code 'u'.
 *
 * Decoding is strict and bounded: the encoded text, the compressed bytes and the inflated bytes
 * all have size limits, checked while inflating, so a small hostile list cannot expand into
 * gigabytes (a "zip bomb").
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { Gunzip, gzipSync } from 'fflate';

/** The smallest list we issue or accept, in bits (herd privacy). */
export const MIN_STATUS_LIST_BITS = 131_072;

/** Default limits for decoding a list received from the ledger. */
export const DEFAULT_STATUS_LIST_LIMITS: StatusListLimits = {
  // 16 Mbit is 128 times the minimum list: far beyond any list an issuer needs.
  maxDecodedBytes: 2 * 1024 * 1024,
  maxEncodedLength: 1024 * 1024,
};

export interface StatusListLimits {
  /** Largest inflated list, in bytes. */
  maxDecodedBytes: number;
  /** Longest encoded text accepted, in characters. */
  maxEncodedLength: number;
}

export type StatusListErrorCode =
  | 'STATUS_LIST_BAD_PREFIX'
  | 'STATUS_LIST_BAD_ALPHABET'
  | 'STATUS_LIST_CORRUPT'
  | 'STATUS_LIST_TOO_LARGE'
  | 'STATUS_LIST_TOO_SHORT'
  | 'STATUS_INDEX_OUT_OF_RANGE';

const MESSAGES: Record<StatusListErrorCode, string> = {
  STATUS_LIST_BAD_PREFIX: 'The status list is not in the expected format (it must start with "u"). Sync the ledger again; if it persists, tell IT support.',
  STATUS_LIST_BAD_ALPHABET: 'The status list contains characters it never has. Sync the ledger again; if it persists, tell IT support.',
  STATUS_LIST_CORRUPT: 'The status list is damaged and cannot be read. Sync the ledger again; if it persists, tell IT support.',
  STATUS_LIST_TOO_LARGE: 'The status list is far larger than allowed and was refused for safety. Tell IT support.',
  STATUS_LIST_TOO_SHORT: 'The status list is shorter than the minimum size. Tell IT support; the issuer published a malformed list.',
  STATUS_INDEX_OUT_OF_RANGE: 'The credential points to a position outside its status list. The credential is malformed; ask the holder to contact the issuer.',
};

/** A status list that cannot be used, with a stable code and a sentence for the user. */
export class StatusListError extends Error {
  override readonly name = 'StatusListError';
  constructor(
    readonly code: StatusListErrorCode,
    detail?: string,
  ) {
    super(detail === undefined ? MESSAGES[code] : `${MESSAGES[code]} (${detail})`);
  }
}

/** A new list with every bit cleared; `bits` is rounded up to whole bytes. */
export function createStatusList(bits: number = MIN_STATUS_LIST_BITS): Uint8Array {
  if (!Number.isInteger(bits) || bits < MIN_STATUS_LIST_BITS) {
    throw new StatusListError('STATUS_LIST_TOO_SHORT', `${bits} bits requested, at least ${MIN_STATUS_LIST_BITS} needed`);
  }
  return new Uint8Array(Math.ceil(bits / 8));
}

function checkIndex(list: Uint8Array, index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= list.length * 8) {
    throw new StatusListError('STATUS_INDEX_OUT_OF_RANGE', `index ${index}, list of ${list.length * 8} bits`);
  }
}

/** Whether bit `index` is set (index 0 = most significant bit of byte 0). */
export function getStatusBit(list: Uint8Array, index: number): boolean {
  checkIndex(list, index);
  const byte = list[index >> 3] ?? 0;
  return ((byte >> (7 - (index & 7))) & 1) === 1;
}

/** Sets or clears bit `index` in place. */
export function setStatusBit(list: Uint8Array, index: number, value: boolean): void {
  checkIndex(list, index);
  const mask = 1 << (7 - (index & 7));
  const at = index >> 3;
  const byte = list[at] ?? 0;
  list[at] = value ? byte | mask : byte & ~mask;
}

/** Encodes a list: GZIP, base64url without padding, multibase prefix 'u'. */
export function encodeStatusList(list: Uint8Array): string {
  if (list.length * 8 < MIN_STATUS_LIST_BITS) {
    throw new StatusListError('STATUS_LIST_TOO_SHORT', `${list.length * 8} bits`);
  }
  // mtime 0 keeps the encoding deterministic: the same bits always give the same text.
  return 'u' + base64UrlEncode(gzipSync(list, { mtime: 0 }));
}

/**
 * Decodes an encoded list back to its bytes.
 * @throws StatusListError for a bad prefix or alphabet, a corrupt GZIP stream, a list larger
 * than `limits` allow or shorter than the minimum.
 */
export function decodeStatusList(encoded: string, limits: StatusListLimits = DEFAULT_STATUS_LIST_LIMITS): Uint8Array {
  if (encoded.length > limits.maxEncodedLength) {
    throw new StatusListError('STATUS_LIST_TOO_LARGE', `${encoded.length} characters encoded`);
  }
  if (!encoded.startsWith('u')) throw new StatusListError('STATUS_LIST_BAD_PREFIX');
  const compressed = base64UrlDecode(encoded.slice(1));
  const bytes = boundedGunzip(compressed, limits.maxDecodedBytes);
  if (bytes.length * 8 < MIN_STATUS_LIST_BITS) {
    throw new StatusListError('STATUS_LIST_TOO_SHORT', `${bytes.length * 8} bits`);
  }
  return bytes;
}

// Input is fed in small slices so that the output size is checked long before a hostile
// stream (deflate expands at most ~1032:1) can allocate much beyond the limit.
const GUNZIP_SLICE = 1024;

function boundedGunzip(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  let ended = false;
  const gunzip = new Gunzip((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) tooLarge = true;
    else chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let at = 0; at < compressed.length && !tooLarge; at += GUNZIP_SLICE) {
      const end = Math.min(at + GUNZIP_SLICE, compressed.length);
      gunzip.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (err) {
    throw new StatusListError('STATUS_LIST_CORRUPT', err instanceof Error ? err.message : undefined);
  }
  if (tooLarge) throw new StatusListError('STATUS_LIST_TOO_LARGE', `more than ${maxBytes} bytes once inflated`);
  if (!ended) throw new StatusListError('STATUS_LIST_CORRUPT', 'the compressed stream ends early');
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const REVERSE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** base64url without padding (RFC 4648 §5). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Strict base64url decoding: only the URL-safe alphabet, no padding, no whitespace.
 * @throws StatusListError STATUS_LIST_BAD_ALPHABET or STATUS_LIST_CORRUPT (impossible length).
 */
export function base64UrlDecode(text: string): Uint8Array {
  const bad = text.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) throw new StatusListError('STATUS_LIST_BAD_ALPHABET', `character ${bad + 1}`);
  if (text.length % 4 === 1) throw new StatusListError('STATUS_LIST_CORRUPT', 'impossible base64url length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (REVERSE[code] ?? -1) : -1;
    if (v < 0) throw new StatusListError('STATUS_LIST_BAD_ALPHABET', `character ${i + 1}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** The `statusListCredential` value for a list id: `urn:careledger:statuslist:<listId>`. */
export function statusListUrn(listId: string): string {
  return `${STATUS_LIST_URN_PREFIX}${listId}`;
}

export const STATUS_LIST_URN_PREFIX = 'urn:careledger:statuslist:';

/** The list id from a `statusListCredential` URN, or undefined when it is not one of ours. */
export function listIdFromUrn(urn: string): string | undefined {
  if (!urn.startsWith(STATUS_LIST_URN_PREFIX)) return undefined;
  const id = urn.slice(STATUS_LIST_URN_PREFIX.length);
  return /^[A-Za-z0-9._:-]{1,200}$/.test(id) && !id.includes('#') ? id : undefined;
}
