import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { createZxingDecoder, type ZxingQrDecoder } from '../../../src-renderer/lib/qr/decode';
import { createJsqrDecoder } from '../../../src-renderer/lib/qr/jsqr';
import { decodeWalletQr, encodeWalletQr } from '../../../src-shared/walletqr';
import { makeScanVariants } from '../../../tools/wallet/distort';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';
import { qrPngBuffer } from '../../../tools/wallet/qr-image';

let zxing: ZxingQrDecoder;

beforeAll(async () => {
  // The same wasm file the renderer bundles, given as bytes: nothing is fetched.
  const require = createRequire(import.meta.url);
  const wasm = await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  zxing = createZxingDecoder({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });
});

describe.each(['EdDSA', 'ES256'] as const)('QR picture round trip, %s bundle', (alg) => {
  const bundle = makeAdmissionBundle(alg);
  const code = encodeWalletQr(bundle.presentation)[0] as string;

  it('PNG from the wallet -> decoder -> wallet QR decode gives the identical JWTs', async () => {
    const text = await zxing.decodeFile(new Uint8Array(await qrPngBuffer(code)));
    expect(text).toBe(code);
    const decoded = decodeWalletQr(text as string);
    expect(decoded.presentation).toBe(bundle.presentation);
    expect(decoded.credentials).toEqual(bundle.credentials);
  });

  it('reads the code from 1280x720 camera frames, straight, rotated and tilted', async () => {
    const variants = makeScanVariants(code).filter((v) => ['clean', 'rotation 30 deg', 'perspective 15%'].includes(v.name));
    expect(variants).toHaveLength(3);
    for (const v of variants) {
      expect(v.frame.width).toBe(1280);
      expect(await zxing.decode(v.frame), v.name).toBe(code);
    }
    // The outline the desk draws: four corners around the centre of the frame.
    const located = await zxing.locate((variants[0] as (typeof variants)[number]).frame);
    expect(located?.text).toBe(code);
    expect(located?.corners).toHaveLength(4);
    const cx = (located?.corners ?? []).reduce((n, p) => n + p.x, 0) / 4;
    const cy = (located?.corners ?? []).reduce((n, p) => n + p.y, 0) / 4;
    expect(Math.abs(cx - 640)).toBeLessThan(20);
    expect(Math.abs(cy - 360)).toBeLessThan(20);
  });
});

describe('frames without a code', () => {
  const blank = { data: new Uint8ClampedArray(320 * 240 * 4).fill(200), width: 320, height: 240 };

  it('give null, not an error, so the camera loop just tries the next frame', async () => {
    expect(await zxing.decode(blank)).toBeNull();
    expect(await createJsqrDecoder().decode(blank)).toBeNull();
  });
});
