import { describe, expect, it } from 'vitest';
import { decodeWalletQr, encodeWalletQr, parseWalletQrCode, WalletQrCollector, WalletQrError, type WalletQrErrorCode } from '../../../src-shared/walletqr';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';

function codeOf(fn: () => unknown): WalletQrErrorCode | 'no error' {
  try {
    fn();
  } catch (err) {
    if (err instanceof WalletQrError) return err.code;
    throw err;
  }
  return 'no error';
}

// A small code size forces the admission bundle into several parts.
const bundle = makeAdmissionBundle('ES256');
const parts = encodeWalletQr(bundle.presentation, { maxCodeChars: 500 });
const other = encodeWalletQr(makeAdmissionBundle('ES256').presentation, { maxCodeChars: 500 });

describe('multi-part wallet codes', () => {
  it('splits a bundle that does not fit into numbered parts of the requested size', () => {
    expect(parts.length).toBeGreaterThan(2);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(500);
      expect(p).toMatch(new RegExp(`^CLW1M:${i + 1}/${parts.length}:[0-9A-F]{8}:`));
    });
  });

  it('collects the parts in any order and rebuilds the exact presentation', () => {
    const collector = new WalletQrCollector();
    const order = [...parts].reverse();
    const last = order.pop() as string;
    for (const [n, p] of order.entries()) {
      const progress = collector.add(p);
      expect(progress).toMatchObject({ status: 'collecting', total: parts.length, repeated: false });
      expect(progress.status === 'collecting' && progress.received.length).toBe(n + 1);
    }
    const done = collector.add(last);
    expect(done.status).toBe('complete');
    expect(collector.result().presentation).toBe(bundle.presentation);
    expect(collector.result().credentials).toEqual(bundle.credentials);
  });

  it('reports a re-scan of the same part without counting it twice', () => {
    const collector = new WalletQrCollector();
    collector.add(parts[0] as string);
    const again = collector.add(parts[0] as string);
    expect(again).toEqual({ status: 'collecting', received: [1], total: parts.length, repeated: true });
  });

  it('refuses a part of another code, and keeps the parts already scanned', () => {
    const collector = new WalletQrCollector();
    collector.add(parts[0] as string);
    expect(codeOf(() => collector.add(other[1] as string))).toBe('PART_FROM_OTHER_SET');
    expect(collector.progress()).toMatchObject({ status: 'collecting', received: [1] });
    expect(codeOf(() => collector.add(encodeWalletQr(bundle.presentation)[0] as string))).toBe('PART_FROM_OTHER_SET');
  });

  it('refuses a part that announces a different number of parts', () => {
    const collector = new WalletQrCollector();
    collector.add(parts[0] as string);
    const wrongCount = (parts[1] as string).replace(`2/${parts.length}:`, `2/${parts.length + 1}:`);
    expect(codeOf(() => collector.add(wrongCount))).toBe('WRONG_PART_COUNT');
  });

  it('refuses two different codes that claim the same part number', () => {
    const collector = new WalletQrCollector();
    collector.add(parts[1] as string);
    const forged = (parts[1] as string).slice(0, -3) + '000';
    expect(codeOf(() => collector.add(forged))).toBe('DUPLICATE_PART');
  });

  it('refuses to finish with a damaged part: checksum mismatch', () => {
    const collector = new WalletQrCollector();
    const damaged = (parts[1] as string).slice(0, -3) + '000';
    const all = [parts[0], damaged, ...parts.slice(2)] as string[];
    const last = all.pop() as string;
    for (const p of all) collector.add(p);
    expect(codeOf(() => collector.add(last))).toBe('CHECKSUM_MISMATCH');
  });

  it('refuses impossible part headers and part counts', () => {
    const data = (parts[0] as string).split(':').slice(3).join(':');
    const set = (parts[0] as string).split(':')[2] as string;
    expect(codeOf(() => parseWalletQrCode(`CLW1M:0/3:${set}:${data}`))).toBe('BAD_PART_HEADER');
    expect(codeOf(() => parseWalletQrCode(`CLW1M:4/3:${set}:${data}`))).toBe('BAD_PART_HEADER');
    expect(codeOf(() => parseWalletQrCode(`CLW1M:1/x:${set}:${data}`))).toBe('BAD_PART_HEADER');
    expect(codeOf(() => parseWalletQrCode(`CLW1M:1/1:${set}:${data}`))).toBe('WRONG_PART_COUNT');
    expect(codeOf(() => parseWalletQrCode(`CLW1M:1/40:${set}:${data}`))).toBe('WRONG_PART_COUNT');
  });

  it('tells the desk that a single part is not the whole code', () => {
    expect(codeOf(() => decodeWalletQr(parts[0] as string))).toBe('INCOMPLETE');
    expect(codeOf(() => new WalletQrCollector().result())).toBe('INCOMPLETE');
  });

  it('after completing, accepts re-scans of the same code but never answers another code with the old result', () => {
    const collector = new WalletQrCollector();
    for (const p of parts) collector.add(p);
    expect(collector.add(parts[0] as string).status).toBe('complete');
    expect(codeOf(() => collector.add(other[0] as string))).toBe('PART_FROM_OTHER_SET');
    const single = new WalletQrCollector();
    const one = encodeWalletQr(bundle.presentation)[0] as string;
    single.add(one);
    expect(single.add(`${one}\r\n`).status).toBe('complete');
    expect(codeOf(() => single.add(encodeWalletQr(makeAdmissionBundle('EdDSA').presentation)[0] as string))).toBe('PART_FROM_OTHER_SET');
  });

  it('starts over after reset', () => {
    const collector = new WalletQrCollector();
    collector.add(parts[0] as string);
    collector.reset();
    expect(collector.add(other[0] as string).status).toBe('collecting');
  });
});
