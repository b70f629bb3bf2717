/**
 * Pixel work done before the decoder sees a frame, in plain TypeScript (no DOM), with buffers
 * kept between frames so a camera loop does not allocate 3.6 MB per tick.
 *
 * - `halfSize`: a 2x2-averaged grey copy (640x360 for a 1280x720 frame). A code that fills a
 *   reasonable part of the frame is read from a quarter of the pixels, and the averaging also
 *   smooths sensor noise; only codes with modules under ~3 px need the full frame.
 * - `sharpened`: an unsharp mask (grey + 4 x (grey - 5x5 box mean)) that restores the module
 *   edges of an out-of-focus code, the distortion no decoder option recovers (measured in
 *   tools/bench/NOTES.md, lane 7).
 *
 * Both return RGBA with the grey level in R, G and B, the layout zxing-wasm reads.
 */
import type { RgbaImage } from './decode';

export class FrameBuffers {
  #half = new Uint8ClampedArray(0);
  #grey = new Uint8Array(0);
  #rowSums = new Uint32Array(0);
  #sharp = new Uint8ClampedArray(0);

  /** A half-size grey copy of `image` (odd last row/column dropped). */
  halfSize(image: RgbaImage): RgbaImage {
    const w = image.width >> 1;
    const h = image.height >> 1;
    if (this.#half.length !== w * h * 4) this.#half = new Uint8ClampedArray(w * h * 4);
    const out = this.#half;
    const src = image.data;
    const stride = image.width * 4;
    for (let y = 0; y < h; y++) {
      let i = 2 * y * stride;
      let o = y * w * 4;
      for (let x = 0; x < w; x++, i += 8, o += 4) {
        const j = i + stride;
        // ITU-R BT.601 luma in integers (77 + 150 + 29 = 256), summed over the 2x2 block.
        const sum =
          77 * ((src[i] as number) + (src[i + 4] as number) + (src[j] as number) + (src[j + 4] as number)) +
          150 * ((src[i + 1] as number) + (src[i + 5] as number) + (src[j + 1] as number) + (src[j + 5] as number)) +
          29 * ((src[i + 2] as number) + (src[i + 6] as number) + (src[j + 2] as number) + (src[j + 6] as number));
        const grey = (sum + 512) >> 10;
        out[o] = grey;
        out[o + 1] = grey;
        out[o + 2] = grey;
        out[o + 3] = 255;
      }
    }
    return { data: out, width: w, height: h };
  }

  /** `image` in grey with its edges sharpened (unsharp mask over a 5x5 box). */
  sharpened(image: RgbaImage, amount = 4): RgbaImage {
    const { width: w, height: h, data: src } = image;
    const n = w * h;
    if (this.#grey.length !== n) {
      this.#grey = new Uint8Array(n);
      this.#rowSums = new Uint32Array(n);
      this.#sharp = new Uint8ClampedArray(n * 4);
    }
    const grey = this.#grey;
    const rows = this.#rowSums;
    const out = this.#sharp;
    for (let p = 0, i = 0; p < n; p++, i += 4) grey[p] = (77 * (src[i] as number) + 150 * (src[i + 1] as number) + 29 * (src[i + 2] as number) + 128) >> 8;
    // Horizontal 5-wide sums (edges clamped), then vertical 5-tall sums of those: the 5x5 box.
    const R = 2;
    for (let y = 0; y < h; y++) {
      const base = y * w;
      let sum = 0;
      for (let k = -R; k <= R; k++) sum += grey[base + Math.min(w - 1, Math.max(0, k))] as number;
      for (let x = 0; x < w; x++) {
        rows[base + x] = sum;
        sum += (grey[base + Math.min(w - 1, x + R + 1)] as number) - (grey[base + Math.max(0, x - R)] as number);
      }
    }
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let k = -R; k <= R; k++) sum += rows[Math.min(h - 1, Math.max(0, k)) * w + x] as number;
      for (let y = 0; y < h; y++) {
        const p = y * w + x;
        const g = grey[p] as number;
        const v = g + (amount * (25 * g - sum)) / 25;
        const o = p * 4;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
        out[o + 3] = 255;
        sum += (rows[Math.min(h - 1, y + R + 1) * w + x] as number) - (rows[Math.max(0, y - R) * w + x] as number);
      }
    }
    return { data: out, width: w, height: h };
  }
}
