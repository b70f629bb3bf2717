/**
 * Bitstring Status List encoding: multibase base64url ('u', no padding) of the GZIP of the
 * bitstring; bit 0 is the most significant bit of the first byte.
 */
import { gunzipSync } from 'node:zlib';
import { LedgerError } from './errors';
import { decodeBase64Url } from './encoding';

export const MIN_STATUS_LIST_BITS = 131_072;
/** 16 Mbit: far above any list we publish, low enough that a zip bomb cannot exhaust a peer. */
export const MAX_STATUS_LIST_BYTES = 2 * 1024 * 1024;
export const MAX_ENCODED_LIST_CHARS = 1024 * 1024;

export function decodeStatusList(encodedList: string): Buffer {
  const fail = (why: string): never => {
    throw new LedgerError('STATUS_LIST_INVALID', `The status list is not a valid encoded list: ${why}`);
  };
  if (typeof encodedList !== 'string' || encodedList.length === 0) fail('it is empty.');
  if (encodedList.length > MAX_ENCODED_LIST_CHARS) fail(`it is longer than ${MAX_ENCODED_LIST_CHARS} characters.`);
  if (!encodedList.startsWith('u')) fail("it must be multibase base64url, starting with 'u'.");
  let compressed: Buffer = Buffer.alloc(0);
  try {
    compressed = decodeBase64Url(encodedList.slice(1), 'The encoded list');
  } catch {
    fail('the text after the u prefix is not base64url without padding.');
  }
  if (compressed[0] !== 0x1f || compressed[1] !== 0x8b) fail('the bytes are not GZIP.');
  let bits: Buffer = Buffer.alloc(0);
  try {
    bits = gunzipSync(compressed, { maxOutputLength: MAX_STATUS_LIST_BYTES });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    fail(tooLarge ? `it expands beyond ${MAX_STATUS_LIST_BYTES} bytes.` : 'the GZIP data is corrupt.');
  }
  if (bits.length * 8 < MIN_STATUS_LIST_BITS) fail(`it has ${bits.length * 8} bits; a list needs at least ${MIN_STATUS_LIST_BITS} for herd privacy.`);
  return bits;
}

export function statusBit(bits: Uint8Array, index: number): boolean {
  const byte = bits[index >> 3];
  if (byte === undefined) throw new LedgerError('INVALID_ARGUMENT', `Index ${index} is beyond the end of the list (${bits.length * 8} entries).`);
  return ((byte >> (7 - (index & 7))) & 1) === 1;
}
