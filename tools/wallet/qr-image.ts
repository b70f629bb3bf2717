/**
 * Wallet codes as pictures: PNG files for a person to show, raw grey pixels for benchmarks,
 * and a Y4M video that Chromium plays as a fake camera (--use-file-for-fake-video-capture).
 */
import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

/** Error correction M everywhere: the level the format's size target is defined for. */
export const QR_ERROR_CORRECTION = 'M' as const;

export function qrVersionOf(text: string): number {
  return QRCode.create(text, { errorCorrectionLevel: QR_ERROR_CORRECTION }).version;
}

export async function writeQrPng(text: string, file: string, pixelsPerModule = 6): Promise<void> {
  await QRCode.toFile(file, text, { errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 4, scale: pixelsPerModule, type: 'png' });
}

export async function qrPngBuffer(text: string, pixelsPerModule = 6): Promise<Buffer> {
  return QRCode.toBuffer(text, { errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 4, scale: pixelsPerModule, type: 'png' });
}

export interface GreyImage {
  width: number;
  height: number;
  /** One byte a pixel, 0 = black, 255 = white. */
  data: Uint8Array;
}

/** The code as grey pixels with a 4-module quiet zone. */
export function renderQrGrey(text: string, pixelsPerModule: number): GreyImage {
  const qr = QRCode.create(text, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  const n = qr.modules.size;
  const side = (n + 8) * pixelsPerModule;
  const data = new Uint8Array(side * side).fill(255);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(y, x)) continue;
      for (let dy = 0; dy < pixelsPerModule; dy++) {
        const row = ((y + 4) * pixelsPerModule + dy) * side + (x + 4) * pixelsPerModule;
        data.fill(0, row, row + pixelsPerModule);
      }
    }
  }
  return { width: side, height: side, data };
}

export interface VideoOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** How long each code stays on screen. */
  secondsPerCode?: number;
}

/**
 * A Y4M (YUV4MPEG2, 4:2:0) video showing each code in turn, centred on a light grey
 * background, as large as fits. Multi-part codes appear one after the other; Chromium loops
 * the file, so the desk sees every part again and again, as with a phone cycling its parts.
 */
export function renderY4m(codes: string[], options: VideoOptions = {}): Buffer {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const fps = options.fps ?? 5;
  const framesPerCode = Math.max(1, Math.round(fps * (options.secondsPerCode ?? 3)));
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error('Video width and height must be even.');
  const chunks: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  for (const code of codes) {
    const modules = QRCode.create(code, { errorCorrectionLevel: QR_ERROR_CORRECTION }).modules.size + 8;
    const scale = Math.floor(Math.min(width, height) / modules);
    if (scale < 2) throw new Error(`The video is too small for this code: use at least ${modules * 2} pixels a side.`);
    const qr = renderQrGrey(code, scale);
    const luma = Buffer.alloc(width * height, 235);
    const left = Math.floor((width - qr.width) / 2);
    const top = Math.floor((height - qr.height) / 2);
    for (let y = 0; y < qr.height; y++) {
      for (let x = 0; x < qr.width; x++) {
        // Video luma runs 16 (black) to 235 (white).
        luma[(top + y) * width + left + x] = (qr.data[y * qr.width + x] as number) === 0 ? 16 : 235;
      }
    }
    const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), luma, chroma]);
    for (let f = 0; f < framesPerCode; f++) chunks.push(frame);
  }
  return Buffer.concat(chunks);
}

export async function writeY4m(codes: string[], file: string, options: VideoOptions = {}): Promise<void> {
  await writeFile(file, renderY4m(codes, options));
}
