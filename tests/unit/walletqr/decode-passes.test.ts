/**
 * The decoder's passes (src-renderer/lib/qr): the cheap half-size pass reads an ordinary code,
 * and the last-resort passes read what the single zxing pass missed on the distorted set
 * (small codes off-centre, codes out of focus), with corners in the frame's own pixels.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { createZxingDecoder, type ZxingQrDecoder } from '../../../src-renderer/lib/qr/decode';
import { FrameBuffers } from '../../../src-renderer/lib/qr/passes';
import { encodeWalletQr } from '../../../src-shared/walletqr';
import { makeScanVariants } from '../../../tools/wallet/distort';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';

let zxing: ZxingQrDecoder;
const code = encodeWalletQr(makeAdmissionBundle('EdDSA').presentation)[0] as string;
const variants = makeScanVariants(code, 3);
const frame = (name: string): (typeof variants)[number]['frame'] => {
  const v = variants.find((x) => x.name === name);
  if (!v) throw new Error(`no variant ${name}`);
  return v.frame;
};

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  zxing = createZxingDecoder({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });
});

describe('QR decode passes', () => {
  it('reads an ordinary code from the half-size frame alone, with corners in full-frame pixels', async () => {
    const full = await zxing.locate(frame('clean'), ['full']);
    const half = await zxing.locate(frame('clean'), ['half']);
    expect(half?.text).toBe(code);
    // Same corners within the 2 px a half-size pixel covers.
    half?.corners.forEach((c, i) => {
      expect(Math.abs(c.x - (full?.corners[i]?.x ?? 0))).toBeLessThan(4);
      expect(Math.abs(c.y - (full?.corners[i]?.y ?? 0))).toBeLessThan(4);
    });
  });

  it('reads a code out of focus only with the sharpened pass, and a small off-centre code with the global binariser', async () => {
    expect(await zxing.locate(frame('blur radius 2'), ['full'])).toBeNull();
    expect((await zxing.locate(frame('blur radius 2'), ['sharpened']))?.text).toBe(code);
    expect(await zxing.decode(frame('blur radius 2'))).toBe(code);
    expect(await zxing.decode(frame('small 2.5 px/module, off-centre'))).toBe(code);
  });

  it('answers null, not a guess, for a frame without a code after every pass', async () => {
    const blank = { data: new Uint8ClampedArray(1280 * 720 * 4).fill(180), width: 1280, height: 720 };
    expect(await zxing.decode(blank)).toBeNull();
  });

  it('keeps its buffers between frames and leaves the camera frame untouched', () => {
    const buffers = new FrameBuffers();
    const source = frame('noise sigma 30');
    const before = source.data.slice();
    const a = buffers.halfSize(source);
    const b = buffers.halfSize(source);
    expect(a.data).toBe(b.data);
    expect([a.width, a.height]).toEqual([640, 360]);
    const s1 = buffers.sharpened(source);
    expect(buffers.sharpened(source).data).toBe(s1.data);
    expect(Buffer.from(source.data.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    // A flat grey frame stays flat: the mask adds edges, it does not shift levels.
    const flat = buffers.sharpened({ data: new Uint8ClampedArray(64 * 48 * 4).fill(120), width: 64, height: 48 });
    expect(new Set(flat.data.filter((_, i) => i % 4 === 0))).toEqual(new Set([120]));
  });
});
