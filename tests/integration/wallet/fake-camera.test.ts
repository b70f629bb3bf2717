/**
 * The wallet's Y4M video as Chromium's fake camera, read the way the scan screen reads it:
 * getUserMedia -> <video> -> canvas -> zxing-wasm, with the .wasm served by our own test
 * server and every other request refused (no CDN). The decoded text must be the wallet's code
 * and decode to the exact presentation.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWalletQr, encodeWalletQr } from '../../../src-shared/walletqr';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';
import { writeY4m } from '../../../tools/wallet/qr-image';

const require = createRequire(import.meta.url);
// The scan loop runs in the page (browser code, so it lives in the page, not in this Node file).
const PAGE = `<!doctype html><meta charset="utf-8"><video id="v" autoplay muted playsinline></video>
<script src="/zxing-reader.js"></script>
<script>
  ZXingWASM.prepareZXingModule({ overrides: { locateFile: () => '/zxing_reader.wasm' } });
  async function scanOnce() {
    const video = document.getElementById('v');
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    await video.play();
    const canvas = document.createElement('canvas');
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      if (video.videoWidth === 0) continue;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0);
      const results = await ZXingWASM.readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), { formats: ['QRCode'], tryHarder: true });
      const hit = results.find((r) => r.isValid);
      if (hit) return hit.text;
    }
    return null;
  }
</script>`;

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;
const bundle = makeAdmissionBundle('EdDSA');
const code = encodeWalletQr(bundle.presentation)[0] as string;
const foreignRequests: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'careledger-fakecam-'));
  const video = path.join(dir, 'wallet.y4m');
  await writeY4m([code], video, { secondsPerCode: 2 });
  const files: Record<string, { type: string; body: Buffer }> = {
    '/': { type: 'text/html', body: Buffer.from(PAGE) },
    '/zxing-reader.js': { type: 'text/javascript', body: await readFile(path.join(path.dirname(require.resolve('zxing-wasm/reader/zxing_reader.wasm')), '..', 'iife', 'reader', 'index.js')) },
    '/zxing_reader.wasm': { type: 'application/wasm', body: await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm')) },
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the wallet video as a fake camera', () => {
  it('is read by zxing-wasm in Chromium, with the wasm from our origin only', async () => {
    const page = await browser.newPage();
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    await page.goto(origin + '/');
    const text = await page.evaluate<string | null>('scanOnce()');
    expect(foreignRequests).toEqual([]);
    expect(text).toBe(code);
    expect(decodeWalletQr(text as string).presentation).toBe(bundle.presentation);
  });
});
