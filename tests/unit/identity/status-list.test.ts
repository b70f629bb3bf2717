import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  base64UrlEncode,
  createStatusList,
  decodeStatusList,
  encodeStatusList,
  getStatusBit,
  listIdFromUrn,
  MIN_STATUS_LIST_BITS,
  setStatusBit,
  StatusListError,
  statusListUrn,
} from '../../../src-shared/identity/status-list';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StatusListError ? err.code : `not a StatusListError: ${String(err)}`;
  }
  return undefined;
}

describe('Bitstring Status List codec', () => {
  it('numbers bits from the most significant bit of byte 0', () => {
    const list = createStatusList();
    setStatusBit(list, 0, true);
    setStatusBit(list, 7, true);
    setStatusBit(list, 8, true);
    expect(list[0]).toBe(0x81);
    expect(list[1]).toBe(0x80);
    expect(getStatusBit(list, 0)).toBe(true);
    expect(getStatusBit(list, 1)).toBe(false);
    setStatusBit(list, 0, false);
    expect(list[0]).toBe(0x01);
  });

  it('round-trips through GZIP + multibase base64url without padding, deterministically', () => {
    const list = createStatusList();
    for (const i of [3, 1000, 131_071]) setStatusBit(list, i, true);
    const encoded = encodeStatusList(list);
    expect(encoded.startsWith('u')).toBe(true);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(encodeStatusList(list)).toBe(encoded);
    const decoded = decodeStatusList(encoded);
    expect(decoded.length * 8).toBe(MIN_STATUS_LIST_BITS);
    expect([3, 1000, 131_071].every((i) => getStatusBit(decoded, i))).toBe(true);
    expect(getStatusBit(decoded, 4)).toBe(false);
  });

  it('refuses lists shorter than 131,072 bits, on creation, encoding and decoding', () => {
    expect(codeOf(() => createStatusList(1024))).toBe('STATUS_LIST_TOO_SHORT');
    expect(codeOf(() => encodeStatusList(new Uint8Array(16)))).toBe('STATUS_LIST_TOO_SHORT');
    expect(codeOf(() => decodeStatusList('u' + base64UrlEncode(gzipSync(new Uint8Array(16)))))).toBe('STATUS_LIST_TOO_SHORT');
  });

  it('refuses positions outside the list', () => {
    const list = createStatusList();
    expect(codeOf(() => getStatusBit(list, MIN_STATUS_LIST_BITS))).toBe('STATUS_INDEX_OUT_OF_RANGE');
    expect(codeOf(() => setStatusBit(list, -1, true))).toBe('STATUS_INDEX_OUT_OF_RANGE');
    expect(codeOf(() => getStatusBit(list, 1.5))).toBe('STATUS_INDEX_OUT_OF_RANGE');
  });

  it('refuses a missing multibase prefix, padding and characters outside base64url', () => {
    const good = encodeStatusList(createStatusList());
    expect(codeOf(() => decodeStatusList(good.slice(1)))).toBe('STATUS_LIST_BAD_PREFIX');
    expect(codeOf(() => decodeStatusList('z' + good.slice(1)))).toBe('STATUS_LIST_BAD_PREFIX');
    expect(codeOf(() => decodeStatusList(good + '=='))).toBe('STATUS_LIST_BAD_ALPHABET');
    expect(codeOf(() => decodeStatusList('u' + good.slice(1).replace(/-|_/g, '+') + '+'))).toBe('STATUS_LIST_BAD_ALPHABET');
  });

  it('refuses a damaged or truncated GZIP stream', () => {
    const good = encodeStatusList(createStatusList());
    expect(codeOf(() => decodeStatusList(good.slice(0, Math.floor(good.length / 2))))).toBe('STATUS_LIST_CORRUPT');
    expect(codeOf(() => decodeStatusList('u' + base64UrlEncode(new TextEncoder().encode('not gzip at all, really not'))))).toBe('STATUS_LIST_CORRUPT');
  });

  it('stops inflating a zip bomb at the size limit', () => {
    // 8 MiB of zeros compresses to a few KiB; the limit is 1 MiB.
    const bomb = 'u' + base64UrlEncode(gzipSync(new Uint8Array(8 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(20_000);
    expect(codeOf(() => decodeStatusList(bomb, { maxDecodedBytes: 1024 * 1024, maxEncodedLength: 1024 * 1024 }))).toBe('STATUS_LIST_TOO_LARGE');
  });

  it('refuses encoded text longer than the limit before decoding it', () => {
    expect(codeOf(() => decodeStatusList('u' + 'A'.repeat(100), { maxDecodedBytes: 1 << 20, maxEncodedLength: 50 }))).toBe('STATUS_LIST_TOO_LARGE');
  });

  it('maps list ids to and from their URNs, refusing other URNs', () => {
    expect(statusListUrn('gov-rev-1')).toBe('urn:careledger:statuslist:gov-rev-1');
    expect(listIdFromUrn('urn:careledger:statuslist:gov-rev-1')).toBe('gov-rev-1');
    expect(listIdFromUrn('https://issuer.example/status/1')).toBeUndefined();
    expect(listIdFromUrn('urn:careledger:statuslist:')).toBeUndefined();
    expect(listIdFromUrn('urn:careledger:statuslist:a#1')).toBeUndefined();
  });
});
