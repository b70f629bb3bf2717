/**
 * The decoder worker's warm-up frame (src-renderer/lib/qr/warm-up.ts): it must hold a code
 * that both passes the worker warms actually read, or the warm-up would stop at the search
 * and leave detection and decoding cold for the clerk's first real code.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { createZxingDecoder, type ZxingQrDecoder } from '../../../src-renderer/lib/qr/decode';
import { WARM_UP_TEXT, warmUpFrame } from '../../../src-renderer/lib/qr/warm-up';

let zxing: ZxingQrDecoder;

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  zxing = createZxingDecoder({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });
});

describe('decoder warm-up frame', () => {
  it('is a camera-sized frame whose code the half-size and the full pass both read', async () => {
    const frame = warmUpFrame();
    expect([frame.width, frame.height, frame.data.length]).toEqual([1280, 720, 1280 * 720 * 4]);
    expect((await zxing.locate(frame, ['half']))?.text).toBe(WARM_UP_TEXT);
    expect((await zxing.locate(frame, ['full']))?.text).toBe(WARM_UP_TEXT);
  });

  it('places the code in the centre of the frame', async () => {
    const hit = await zxing.locate(warmUpFrame(), ['full']);
    const xs = (hit?.corners ?? []).map((c) => c.x);
    const ys = (hit?.corners ?? []).map((c) => c.y);
    expect(xs.length).toBe(4);
    // 25 modules of 8 px = 200 px, centred in 1280x720 (corners are module centres, so within a module).
    expect(Math.min(...xs)).toBeGreaterThan(540 - 8);
    expect(Math.max(...xs)).toBeLessThan(740 + 8);
    expect(Math.min(...ys)).toBeGreaterThan(260 - 8);
    expect(Math.max(...ys)).toBeLessThan(460 + 8);
  });
});
