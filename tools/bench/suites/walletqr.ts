/**
 * Wallet QR figures: bundle size and QR version (EdDSA and ES256 admission bundles), QR
 * decode time for a 1280x720 camera frame and success rate on the distorted image set, per
 * decoder (zxing-wasm with its wasm loaded from node_modules, as the app loads its bundled
 * copy; jsQR). The decoder choice in docs/formats/wallet-qr.md rests on these numbers.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { encodeWalletQr } from '../../../src-shared/walletqr';
import { createJsqrDecoder, createZxingDecoder, type QrDecoder } from '../../../src-renderer/lib/qr/decode';
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

  for (const decoder of decoders) {
    const clean = variants[0] as { code: string; variant: ScanVariant };
    await decoder.decode(clean.variant.frame); // warm-up (wasm compile, JIT)
    const times: number[] = [];
    // jsQR is slow; fewer timed runs keep the suite near two minutes on a loaded machine.
    for (let i = 0; i < (decoder.engine === 'jsqr' ? 5 : 10); i++) {
      const t0 = performance.now();
      const text = await decoder.decode(clean.variant.frame);
      times.push(performance.now() - t0);
      if (text !== clean.code) throw new Error(`${decoder.engine} misread the clean frame`);
    }
    rows.push({ name: `${decoder.engine}: decode 1280x720 frame p50`, value: percentile(times, 50), unit: 'ms' });
    rows.push({ name: `${decoder.engine}: decode 1280x720 frame p95`, value: percentile(times, 95), unit: 'ms' });

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
    rows.push({ name: `${decoder.engine}: success, all distortions`, value: (100 * ok) / variants.length, unit: '%', note: `${ok}/${variants.length} frames` });
    for (const [family, e] of byFamily) rows.push({ name: `${decoder.engine}: success, ${family}`, value: (100 * e.ok) / e.n, unit: '%', note: `${e.ok}/${e.n}` });
    for (const [name, e] of byName) ctx.log(`${decoder.engine} ${name}: ${e.ok}/${e.n}`);
    if (failTimes.length > 0) rows.push({ name: `${decoder.engine}: time on a frame it cannot read p50`, value: percentile(failTimes, 50), unit: 'ms' });
  }
  return rows;
};

export default suite;
