/**
 * The renderer's QR module as the app ships it, in Chromium: src-renderer/lib/qr built by
 * Vite (so zxing's .wasm becomes a bundled asset), served with the renderer's CSP and every
 * request to another origin refused. The wallet's Y4M video is Chromium's fake camera; the
 * scan path (getUserMedia -> grabVideoFrame -> decodeFrame) and the image-file path
 * (decodeImageFile on the wallet's PNG) must both give the wallet's exact code.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIME_TYPES, RENDERER_SECURITY_HEADERS } from '../../../src-main/security/csp';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE, fakeCameraArgs } from '../../../tools/chromium';
import { decodeWalletQr, encodeWalletQr } from '../../../src-shared/walletqr';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';
import { qrPngBuffer, writeY4m } from '../../../tools/wallet/qr-image';

const qrModule = fileURLToPath(new URL('../../../src-renderer/lib/qr/index.ts', import.meta.url));

// Browser code lives in the page; this file runs in Node.
const PAGE = `<!doctype html><meta charset="utf-8"><video id="v" autoplay muted playsinline></video>
<script type="module" src="./entry.ts"></script>`;
const ENTRY = `import * as qr from ${JSON.stringify(qrModule)};
async function scanCamera() {
  const video = document.getElementById('v');
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  await video.play();
  const canvas = document.createElement('canvas');
  for (let attempt = 0; attempt < 25; attempt++) {
    await new Promise((r) => setTimeout(r, 200));
    const frame = qr.grabVideoFrame(video, canvas);
    if (!frame) continue;
    const text = await qr.decodeFrame(frame);
    if (text) return text;
  }
  return null;
}
async function scanFile(url) {
  return qr.decodeImageFile(await (await fetch(url)).blob());
}
Object.assign(window, { scanCamera, scanFile, zxingWasmUrl: qr.ZXING_WASM_URL });
`;

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;
const bundle = makeAdmissionBundle('ES256');
const code = encodeWalletQr(bundle.presentation)[0] as string;
const foreignRequests: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'careledger-fakecam-'));
  const src = path.join(dir, 'src');
  const dist = path.join(dir, 'dist');
  await mkdir(src, { recursive: true });
  await writeFile(path.join(src, 'index.html'), PAGE);
  await writeFile(path.join(src, 'entry.ts'), ENTRY);
  await build({ configFile: false, root: src, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  await writeFile(path.join(dist, 'wallet.png'), await qrPngBuffer(code));
  const video = path.join(dir, 'wallet.y4m');
  await writeY4m([code], video, { secondsPerCode: 2 });

  server = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0] === '/' ? '/index.html' : (req.url ?? '').split('?')[0] ?? '';
    const file = path.join(dist, path.normalize(name));
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { ...RENDERER_SECURITY_HEADERS, 'content-type': MIME_TYPES[path.extname(file)] ?? 'image/png' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM_EXECUTABLE,
    args: [...CHROMIUM_ARGS, ...fakeCameraArgs(video, { acceptPrompt: true })],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the renderer QR module in Chromium, wasm from our own origin', () => {
  it('reads the wallet video from the fake camera and the wallet PNG as an image file', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    await page.goto(origin + '/');
    await page.waitForFunction('typeof window.scanCamera === "function"');
    expect(await page.evaluate<string>('window.zxingWasmUrl')).toMatch(/^\/assets\/zxing_reader-[\w-]+\.wasm$/);

    const fromCamera = await page.evaluate<string | null>('scanCamera()');
    const fromFile = await page.evaluate<string | null>('scanFile("/wallet.png")');
    expect(foreignRequests).toEqual([]);
    expect(errors).toEqual([]);
    expect(fromCamera).toBe(code);
    expect(fromFile).toBe(code);
    expect(decodeWalletQr(fromCamera as string).presentation).toBe(bundle.presentation);
  });
});
