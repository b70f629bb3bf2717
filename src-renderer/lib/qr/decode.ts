/**
 * QR decoding for the scan screens: a camera frame or an image file, as RGBA pixels, in;
 * the code's text out. Two engines sit behind one interface so the choice stays measurable
 * (tools/bench/suites/walletqr.ts; figures and the decision in docs/formats/wallet-qr.md).
 * jsQR, the engine not chosen, lives in jsqr.ts: imported here it would ride along in the
 * decoder worker's script and the app bundle (a CommonJS package is not tree-shaken), which
 * the first scan in a new page waits to load and parse.
 *
 * zxing-wasm must never fetch its .wasm from a CDN (its default): the caller passes either
 * the URL of the copy bundled with the app (same origin, see zxing-asset.ts) or the bytes.
 *
 * Renderer code: imports npm packages only; no node, no electron. The image type is
 * structural so that DOM ImageData, a canvas read-back and test pixels all fit.
 */
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { FrameBuffers } from './passes';

/** RGBA pixels, row by row (what CanvasRenderingContext2D.getImageData returns). */
export interface RgbaImage {
  readonly data: Uint8ClampedArray<ArrayBuffer>;
  readonly width: number;
  readonly height: number;
}

export interface QrDecoder {
  readonly engine: 'zxing-wasm' | 'jsqr';
  /** The text of the first QR code found, or null when there is none (or it is unreadable). */
  decode(image: RgbaImage): Promise<string | null>;
}

export type ZxingWasmSource =
  /** URL of the .wasm served from our own origin (the app's bundled asset). */
  | { wasmUrl: string }
  /** The .wasm bytes (Node: tests and benchmarks). */
  | { wasmBinary: ArrayBuffer };

const ZXING_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 1,
};

/**
 * The passes over one frame, cheapest first; decoding stops at the first that reads a code.
 * Measured on the distorted set (tools/bench/suites/walletqr.ts, notes in tools/bench/NOTES.md):
 * - `half`: the 2x2-averaged grey frame, quick options: most codes at a desk, a quarter of the pixels;
 * - `full`: the whole frame, every zxing option (small codes, 2-2.5 px per module);
 * - `global`: the whole frame with the global-histogram binariser (small codes off-centre,
 *   which the local binariser misses);
 * - `sharpened`: the whole frame after an unsharp mask (codes out of focus).
 */
export type DecodePass = 'half' | 'full' | 'global' | 'sharpened';
export const DECODE_PASSES: readonly DecodePass[] = ['half', 'full', 'global', 'sharpened'];

const PASS_OPTIONS: Record<DecodePass, ReaderOptions> = {
  half: { formats: ['QRCode'], tryHarder: false, tryRotate: false, tryInvert: true, tryDownscale: false, maxNumberOfSymbols: 1 },
  full: ZXING_OPTIONS,
  global: { ...ZXING_OPTIONS, binarizer: 'GlobalHistogram' },
  sharpened: { ...ZXING_OPTIONS, tryDownscale: false },
};

/** A decoded code with its corners in image pixels (for an outline over the camera preview). */
export interface LocatedCode {
  text: string;
  /** Top-left, top-right, bottom-right, bottom-left. */
  corners: { x: number; y: number }[];
}

/** zxing-wasm also reads encoded image files (PNG, JPEG, GIF, BMP) itself. */
export interface ZxingQrDecoder extends QrDecoder {
  readonly engine: 'zxing-wasm';
  /** Like decode, with where the code is in the frame; `passes` limits the work (a camera loop). */
  locate(image: RgbaImage, passes?: readonly DecodePass[]): Promise<LocatedCode | null>;
  /** The text of the first QR code in an image file's bytes, or null. */
  decodeFile(file: Uint8Array | Blob): Promise<string | null>;
}

let zxingSource: string | undefined;

/**
 * zxing-wasm (ZXing-C++ compiled to WebAssembly).
 * @throws Error when the wasm cannot be loaded (first decode), never reaches for a CDN.
 */
export function createZxingDecoder(source: ZxingWasmSource): ZxingQrDecoder {
  const key = 'wasmUrl' in source ? `url:${source.wasmUrl}` : 'binary';
  if (zxingSource !== key) {
    // The library keeps one module; overrides decide where its wasm comes from. locateFile
    // is always ours so that no code path can fall back to the library's CDN default.
    const overrides =
      'wasmUrl' in source
        ? { locateFile: (): string => source.wasmUrl }
        : { wasmBinary: source.wasmBinary, locateFile: (): string => 'about:blank#zxing-wasm-binary-given' };
    prepareZXingModule({ overrides, fireImmediately: false });
    zxingSource = key;
  }
  const buffers = new FrameBuffers();
  const locate = async (image: RgbaImage, passes: readonly DecodePass[] = DECODE_PASSES): Promise<LocatedCode | null> => {
    for (const pass of passes) {
      const input = pass === 'half' ? buffers.halfSize(image) : pass === 'sharpened' ? buffers.sharpened(image) : image;
      const results = await readBarcodes({ data: input.data, width: input.width, height: input.height, colorSpace: 'srgb' }, PASS_OPTIONS[pass]);
      const hit = results.find((r) => r.isValid && r.text.length > 0);
      if (!hit) continue;
      const scale = pass === 'half' ? 2 : 1;
      const { topLeft, topRight, bottomRight, bottomLeft } = hit.position;
      return { text: hit.text, corners: [topLeft, topRight, bottomRight, bottomLeft].map(({ x, y }) => ({ x: x * scale, y: y * scale })) };
    }
    return null;
  };
  return {
    engine: 'zxing-wasm',
    async decode(image: RgbaImage): Promise<string | null> {
      return (await locate(image))?.text ?? null;
    },
    locate,
    async decodeFile(file: Uint8Array | Blob): Promise<string | null> {
      return firstText(await readBarcodes(file, ZXING_OPTIONS));
    },
  };
}

function firstText(results: { isValid: boolean; text: string }[]): string | null {
  const hit = results.find((r) => r.isValid && r.text.length > 0);
  return hit ? hit.text : null;
}
