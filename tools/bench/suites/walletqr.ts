/**
 * Wallet QR figures: bundle size and QR version (EdDSA and ES256 admission bundles), QR
 * decode time for a 1280x720 camera frame and success rate on the distorted image set, per
 * decoder (zxing-wasm with its wasm loaded from node_modules, as the app loads its bundled
 * copy; jsQR). The decoder choice in docs/formats/wallet-qr.md rests on these numbers.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { encodeWalletQr } from '../../../src-shared/walletqr';
import { createZxingDecoder, type QrDecoder } from '../../../src-renderer/lib/qr/decode';
import { createJsqrDecoder } from '../../../src-renderer/lib/qr/jsqr';
import { makeScanVariants, type ScanVariant } from '../../wallet/distort';
import { makeAdmissionBundle } from '../../wallet/fixtures';
import { qrVersionOf } from '../../wallet/qr-image';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const suite: BenchSuite = async (ctx) => {
  const rows: BenchRow[] = [];
  const codes: string[] = [];
  // Three codes (two EdDSA, one ES256) keep the suite well under two minutes on two cores.
  for (const alg of ['EdDSA', 'ES256'] as const) {
    for (let i = 0; i < (alg === 'EdDSA' ? 2 : 1); i++) {
      const bundle = makeAdmissionBundle(alg);
      const [code, ...rest] = encodeWalletQr(bundle.presentation);
      if (!code || rest.length > 0) throw new Error(`${alg} admission bundle did not fit one code`);
      codes.push(code);
      if (i === 0) {
        rows.push({ name: `admission bundle ${alg}: presentation JWT`, value: bundle.presentation.length, unit: 'bytes' });
        rows.push({ name: `admission bundle ${alg}: wallet QR text`, value: code.length, unit: 'chars', note: `CLW1 base45, ${Math.floor(((code.length - 5) * 2) / 3)} bytes deflated` });
        rows.push({ name: `admission bundle ${alg}: QR version at M`, value: qrVersionOf(code), unit: 'version', note: 'target <= 30' });
      }
    }
  }

  const require = createRequire(import.meta.url);
  const wasm = await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  const decoders: QrDecoder[] = [createZxingDecoder({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) }), createJsqrDecoder()];

  ctx.log('rendering the distorted image set');
  const variants: { code: string; variant: ScanVariant }[] = [];
  codes.forEach((code, i) => {
    for (const variant of makeScanVariants(code, i + 1)) variants.push({ code, variant });
  });

  // The floor: zxing-wasm with its quickest options on the code cropped out of the clean frame
  // (the search over the rest of the frame and every fallback pass left out).
  const clean = variants[0] as { code: string; variant: ScanVariant };
  const crop = cropCentre(clean.variant.frame, 640, 640);
  const quickest: ReaderOptions = { formats: ['QRCode'], tryHarder: false, tryRotate: false, tryInvert: false, tryDownscale: false, maxNumberOfSymbols: 1 };
  const readCrop = async (): Promise<string | undefined> => (await readBarcodes({ data: crop.data, width: crop.width, height: crop.height, colorSpace: 'srgb' }, quickest)).find((r) => r.isValid)?.text;
  if ((await readCrop()) !== clean.code) throw new Error('the floor crop does not hold the code');

  for (const decoder of decoders) {
    await decoder.decode(clean.variant.frame); // warm-up (wasm compile, JIT)
    const times: number[] = [];
    const floorTimes: number[] = [];
    // jsQR is slow; fewer timed runs keep the suite near two minutes on a loaded machine.
    for (let i = 0; i < (decoder.engine === 'jsqr' ? 5 : 30); i++) {
      let t0 = performance.now();
      const text = await decoder.decode(clean.variant.frame);
      times.push(performance.now() - t0);
      if (text !== clean.code) throw new Error(`${decoder.engine} misread the clean frame`);
      t0 = performance.now();
      await readCrop();
      floorTimes.push(performance.now() - t0);
    }
    const floorName = 'zxing-wasm on the cropped code alone';
    rows.push({ name: `${decoder.engine}: decode 1280x720 frame p50`, value: percentile(times, 50), unit: 'ms', floor: { name: floorName, value: percentile(floorTimes, 50) } });
    rows.push({
      name: `${decoder.engine}: decode 1280x720 frame p95`,
      value: percentile(times, 95),
      unit: 'ms',
      floor: { name: floorName, value: percentile(floorTimes, 95) },
      ...(decoder.engine === 'zxing-wasm' ? { target: 30 } : {}),
    });

    const byFamily = new Map<string, { ok: number; n: number }>();
    const byName = new Map<string, { ok: number; n: number }>();
    const failTimes: number[] = [];
    let ok = 0;
    for (const { code, variant } of variants) {
      const t0 = performance.now();
      const text = await decoder.decode(variant.frame).catch(() => null);
      const hit = text === code;
      if (!hit) failTimes.push(performance.now() - t0);
      ok += hit ? 1 : 0;
      for (const [map, key] of [
        [byFamily, variant.family],
        [byName, variant.name],
      ] as const) {
        const e = map.get(key) ?? { ok: 0, n: 0 };
        e.ok += hit ? 1 : 0;
        e.n += 1;
        map.set(key, e);
      }
    }
    rows.push({
      name: `${decoder.engine}: success, all distortions`,
      value: (100 * ok) / variants.length,
      unit: '%',
      better: 'higher',
      note: `${ok}/${variants.length} frames`,
      ...(decoder.engine === 'zxing-wasm' ? { target: 95 } : {}),
    });
    for (const [family, e] of byFamily) rows.push({ name: `${decoder.engine}: success, ${family}`, value: (100 * e.ok) / e.n, unit: '%', better: 'higher', note: `${e.ok}/${e.n}` });
    for (const [name, e] of byName) ctx.log(`${decoder.engine} ${name}: ${e.ok}/${e.n}`);
    if (failTimes.length > 0) rows.push({ name: `${decoder.engine}: time on a frame it cannot read p50`, value: percentile(failTimes, 50), unit: 'ms' });
  }
  return rows;
};

/** The centre `w` x `h` of a frame (where the distorted set places the code). */
function cropCentre(frame: ScanVariant['frame'], w: number, h: number): ScanVariant['frame'] {
  const x0 = (frame.width - w) >> 1;
  const y0 = (frame.height - h) >> 1;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) data.set(frame.data.subarray(((y + y0) * frame.width + x0) * 4, ((y + y0) * frame.width + x0 + w) * 4), y * w * 4);
  return { data, width: w, height: h };
}

export default suite;
