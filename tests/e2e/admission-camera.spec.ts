/**
 * The webcam path: Chromium's fake camera plays the wallet simulator's Y4M of a patient's
 * code; the desk opens the camera only when asked, outlines the code it sees, decodes it in
 * the page and hands exactly that text to the desk service (the contract-checked stand-in of
 * pages/admission-stub.ts, which records it).
 *
 * The fake-camera flags are launch flags, so this spec starts its own Chromium with them
 * (same binary and flags as playwright.config.ts, from tools/chromium.ts, plus the camera)
 * instead of a project.
 */
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE, fakeCameraArgs } from '../../tools/chromium';
import { callFromPage, expect, test } from './fixtures';
import { AdmissionDeskPage } from './pages/admission-desk';
import { AdmissionDeskStub } from './pages/admission-stub';
import { WalletSimulator, type WalletCode } from './pages/admission-wallet';
import { SignInPage } from './pages/SignInPage';
import { captureScreen } from './pages/screenshots';
import { DEMO_PIN, DEMO_STAFF } from './support/demo';

let wallet: WalletSimulator;
let code: WalletCode;
let browser: Browser;

test.beforeAll(async ({ transport }) => {
  test.skip(transport !== 'web', 'The fake camera is a Chromium launch flag; the Electron app has its own camera path.');
  test.setTimeout(120_000);
  wallet = await WalletSimulator.create();
  code = await wallet.present(await wallet.newPatient('Joao Pereira', '1990-07-14'), 'joao', { video: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM_EXECUTABLE,
    args: [...CHROMIUM_ARGS, ...fakeCameraArgs(code.y4m ?? '')],
  });
});

test.afterAll(async () => {
  await browser?.close();
  await wallet?.remove();
});

test('camera: the code is outlined, decoded in the page (its decoder worker) and verified', async () => {
  const url = process.env.CARELEDGER_E2E_URL;
  if (!url) throw new Error('The shared web host is not running: tests/e2e/global-setup.ts sets CARELEDGER_E2E_URL.');
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await context.grantPermissions(['camera'], { origin: new URL(url).origin });
  const page = await context.newPage();
  try {
    await page.goto(url);
    await callFromPage(page, 'session.signOut', {});
    await page.reload();
    const stub = new AdmissionDeskStub();
    await stub.install(page);
    await new SignInPage(page).signIn(DEMO_STAFF.admissions, DEMO_PIN);
    const desk = new AdmissionDeskPage(page);
    await desk.expectReady();

    // Nothing touches the camera before the clerk asks.
    expect(await page.evaluate('document.querySelector("video").srcObject === null')).toBe(true);

    // Hold the answer back a moment so the outline over the live preview can be seen and pictured.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(/\/api\/call\/admission\.scan$/, async (route) => {
      await held;
      await route.fallback();
    });

    await desk.useCamera.click();
    await expect(desk.camera).toHaveAttribute('data-state', 'on');
    await expect(desk.codeOutline).toBeVisible({ timeout: 20_000 });
    await captureScreen(page, 'admission-15-camera');
    release();
    await desk.expectVerdict('valid', 'Verified');
    const scans = stub.requests('admission.scan');
    expect(scans[0]).toEqual({ text: code.text, source: 'camera' });
    // The frames were decoded off the page's thread, by the decoder worker (issue 14).
    const decoderWorker = page.workers().find((w) => /qr-worker/.test(w.url()));
    expect(decoderWorker).toBeDefined();
    // Its wasm came from our own origin as application/wasm, the type the browser needs to
    // compile it while it downloads (a wrong type falls back to a slower full download first).
    const wasmUrl = await decoderWorker?.evaluate<string | undefined>('performance.getEntriesByType("resource").map((e) => e.name).find((n) => n.endsWith(".wasm"))');
    expect(new URL(wasmUrl ?? 'about:blank').origin).toBe(new URL(url).origin);
    const wasm = await page.request.get(wasmUrl ?? '');
    expect(wasm.headers()['content-type']).toBe('application/wasm');
    await captureScreen(page, 'admission-16-camera-verified');
  } finally {
    await callFromPage(page, 'session.signOut', {}).catch(() => undefined);
    await context.close();
  }
});
