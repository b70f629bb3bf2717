/**
 * jsQR: pure JavaScript, no wasm; the engine the measurements compare zxing-wasm against
 * (tools/bench/suites/walletqr.ts). Kept apart from decode.ts so that the app and its decoder
 * worker do not carry it (see decode.ts).
 */
import jsQR from 'jsqr';
import type { QrDecoder, RgbaImage } from './decode';

/** Tries the image as is, then inverted (dark-mode wallets). */
export function createJsqrDecoder(): QrDecoder {
  return {
    engine: 'jsqr',
    decode(image: RgbaImage): Promise<string | null> {
      const hit = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
      return Promise.resolve(hit && hit.data.length > 0 ? hit.data : null);
    },
  };
}
