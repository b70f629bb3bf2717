/**
 * The decoder the scan screens use, and the two ways pixels reach it: a camera frame from a
 * <video> element and an image file picked by the clerk.
 *
 * zxing-wasm was chosen by measurement (docs/formats/wallet-qr.md): several times faster than
 * jsQR on a 1280x720 frame and far more robust to blur, noise, rotation and perspective.
 * Its .wasm is imported with `?url`, so Vite copies it into the app bundle and the renderer
 * loads it from our own origin; it is never fetched from a CDN. The page's CSP must allow
 * WebAssembly compilation (script-src 'wasm-unsafe-eval') and fetching from 'self'.
 */
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { createZxingDecoder, type LocatedCode, type RgbaImage, type ZxingQrDecoder } from './decode';

export const ZXING_WASM_URL: string = zxingWasmUrl;

let decoder: ZxingQrDecoder | undefined;

/** The app-wide decoder (the wasm loads on first use). */
export function scanDecoder(): ZxingQrDecoder {
  decoder ??= createZxingDecoder({ wasmUrl: ZXING_WASM_URL });
  return decoder;
}

/**
 * Grabs the current camera frame. `canvas` is reused between calls so a scan loop does not
 * allocate a new one per frame. Returns null until the video has its first frame.
 */
export function grabVideoFrame(video: HTMLVideoElement, canvas: HTMLCanvasElement | OffscreenCanvas): RgbaImage | null {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (width === 0 || height === 0) return null;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(video, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

/** Decodes the QR code in an image file (PNG, JPEG, …); null when it holds none. */
export async function decodeImageFile(file: Blob): Promise<string | null> {
  return scanDecoder().decodeFile(file);
}

/** Decodes a camera frame; null when no readable code is in it. */
export async function decodeFrame(image: RgbaImage): Promise<string | null> {
  return scanDecoder().decode(image);
}

/** Decodes a camera frame and says where the code is (for the outline); null when none. */
export async function locateInFrame(image: RgbaImage): Promise<LocatedCode | null> {
  return scanDecoder().locate(image);
}
