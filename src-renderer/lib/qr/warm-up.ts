/**
 * The frame the decoder worker reads once before the camera's first frame (qr-worker.ts): a
 * 1280x720 camera-sized frame with a small QR code in it. Reading it compiles the pixel loops
 * (passes.ts) in the JS engine and runs the decoder's wasm through detection and decoding, so
 * the first real code is read at warm speed (tools/bench/NOTES.md, first camera scan).
 *
 * The code (version 2, level M) was generated for this file with the `qrcode` package the
 * wallet simulator uses; it holds WARM_UP_TEXT. Rows of 25 modules, as hex, most significant
 * bit on the left.
 */
import type { RgbaImage } from './decode';

export const WARM_UP_TEXT = 'CLW1 decoder warm-up';

const WARM_UP_ROWS = [
  '1fdd67f', '1048941', '174c65d', '1759d5d', '175ab5d', '1055841', '1fd557f', '0013500', '11751f9',
  '1938b1b', '177e230', '0f283be', '06e0cee', '1d99711', '004fe34', '022a80d', '1e699f5', '0018f11',
  '1fd415c', '1045516', '1752df7', '17490eb', '1747f6e', '104eaa6', '1fd5817',
];
const MODULES = 25;

/**
 * A 1280x720 RGBA frame: light grey, the code centred at 8 px per module, dark modules near
 * black. Built row by row from 26 distinct pixel rows (one per module row, one blank), so it
 * costs a few milliseconds of copying, not a per-pixel loop in code the engine has not compiled.
 */
export function warmUpFrame(width = 1280, height = 720, modulePx = 8): RgbaImage {
  const size = MODULES * modulePx;
  const x0 = (width - size) >> 1;
  const y0 = (height - size) >> 1;
  const pixelRow = (bits: number): Uint8ClampedArray => {
    const row = new Uint8ClampedArray(width * 4);
    for (let x = 0; x < width; x++) {
      const mx = Math.floor((x - x0) / modulePx);
      const v = mx >= 0 && mx < MODULES && ((bits >> (MODULES - 1 - mx)) & 1) === 1 ? 32 : 208;
      row.set([v, v, v, 255], x * 4);
    }
    return row;
  };
  const blank = pixelRow(0);
  const codeRows = WARM_UP_ROWS.map((hex) => pixelRow(parseInt(hex, 16)));
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const my = Math.floor((y - y0) / modulePx);
    data.set(my >= 0 && my < MODULES ? (codeRows[my] as Uint8ClampedArray) : blank, y * width * 4);
  }
  return { data, width, height };
}
