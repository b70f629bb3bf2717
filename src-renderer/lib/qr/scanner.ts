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
import { createZxingDecoder, DECODE_PASSES, type DecodePass, type LocatedCode, type RgbaImage, type ZxingQrDecoder } from './decode';
import type { QrWorkerRequest, QrWorkerResponse } from './qr-worker';

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
  // Declared, not inferred: the union's getContext overloads left the type unresolved for the
  // linter's type checker in some file orders.
  const ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = canvas.getContext('2d', { willReadFrequently: true });
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

// ---------------------------------------------------------------------------------------
// The decoder worker (qr-worker.ts): camera frames are decoded off the page's thread.

interface PendingLocate {
  resolve: (result: LocatedCode | null) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null | undefined;
let nextId = 1;
const pending = new Map<number, PendingLocate>();

/** The worker, started on first use; null where workers are unavailable or it failed to start. */
function decoderWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    const w = new Worker(new URL('./qr-worker.ts', import.meta.url), { type: 'module', name: 'qr-decoder' });
    w.addEventListener('message', (event: MessageEvent<QrWorkerResponse>) => {
      const reply = event.data;
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.result);
    });
    // A worker that cannot load (a policy, a missing file): decode in the page from now on.
    w.addEventListener('error', () => {
      worker = null;
      w.terminate();
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.reject(new Error('the QR decoder worker stopped'));
      }
    });
    // An absolute URL: a relative one would resolve against the worker script, not the page.
    const init: QrWorkerRequest = { kind: 'init', wasmUrl: new URL(ZXING_WASM_URL, document.baseURI).href };
    w.postMessage(init);
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Starts the decoder (worker and wasm) ahead of the first scan, so the first code the camera
 * sees is read at once rather than after the wasm compiles.
 */
export function warmScanDecoder(): void {
  if (decoderWorker() === null) scanDecoder();
}

/**
 * Decodes a camera frame and says where the code is (for the outline); null when none.
 * The frame's pixel buffer is handed to the worker (it is unusable here afterwards);
 * `passes` lets a camera loop spread the costly passes over successive frames.
 */
export async function locateInFrame(image: RgbaImage, passes: readonly DecodePass[] = DECODE_PASSES): Promise<LocatedCode | null> {
  const w = decoderWorker();
  if (w === null) return scanDecoder().locate(image, passes);
  const id = nextId++;
  const request: QrWorkerRequest = { kind: 'locate', id, width: image.width, height: image.height, data: image.data, passes };
  try {
    return await new Promise<LocatedCode | null>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.postMessage(request, [image.data.buffer]);
    });
  } catch (err) {
    if (worker === null) return null; // the worker died with this frame; the next one is decoded in the page
    throw err;
  }
}
