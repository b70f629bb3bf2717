/**
 * Electron main process: a hardened shell around the shared services.
 *
 * - renderer served from app://careledger (never file://), CSP sent as a header;
 * - contextIsolation, sandbox, no node integration, webSecurity on, no webview;
 * - only camera (video) permission, only for our origin; everything else denied;
 * - navigation (of the page and of any frame), redirects and new windows blocked;
 *   shell.openExternal is never called;
 * - IPC only through the dispatcher (src-main/app/ipc.ts), which checks the sender frame;
 * - one instance per user: a second start only brings the running window forward (two
 *   processes on one SQLCipher cache and one outbox would race);
 * - ELECTRON_RENDERER_URL is trusted only in development builds (dev-server.ts);
 * - the packaged binary's fuses (electron-builder.ts): no ELECTRON_RUN_AS_NODE, no
 *   NODE_OPTIONS or --inspect, cookies encrypted, app code only from an integrity-checked ASAR.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, session, type WebContents } from 'electron';
import { isOurOrigin, APP_ORIGIN } from '../ipc/sender';
import { safeStorageKeychain } from '../platform/keychain';
import { createWorkstation, type Workstation } from '../services';
import { trustedDevServerOrigin } from './dev-server';
import { registerIpc } from './ipc';
import { handleAppScheme, registerAppScheme } from './protocol';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');
const preloadFile = path.join(here, '../preload/index.cjs');

// The first instance holds the lock; any later one hands over to it and quits at once.
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) app.quit();

registerAppScheme();
app.enableSandbox();

/** Development builds only (`npm run dev`); every other build always uses app://. */
const devServerOrigin = trustedDevServerOrigin(process.env.ELECTRON_RENDERER_URL, import.meta.env.DEV && !app.isPackaged);
const devServerUrl = devServerOrigin ? process.env.ELECTRON_RENDERER_URL ?? null : null;

let mainWindow: BrowserWindow | null = null;
let workstation: Workstation | null = null;

function hardenContents(contents: WebContents): void {
  // The app is one page; any navigation away from it is an attack or a bug.
  contents.on('will-navigate', (event) => event.preventDefault());
  // Frames too (an injected iframe navigating itself, or the top frame from a frame): the
  // initial load is loadURL, which raises neither event.
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function restrictPermissions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    // Camera only (QR scanning at the admission desk), never microphone, only for our page.
    const cameraOnly = permission === 'media' && mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
    callback(cameraOnly && isOurOrigin(details.requestingUrl, devServerOrigin));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    return permission === 'media' && details.mediaType === 'video' && isOurOrigin(requestingOrigin, devServerOrigin);
  });
  ses.setDevicePermissionHandler(() => false);
}

async function createWindow(): Promise<void> {
  mainWindow = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'CareLedger Workstation',
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click must not open links in new windows (the window-open handler denies them too).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
    // Closing the window locks: a window opened again (macOS dock) asks for the PIN (issue 17 item 9).
    void workstation?.session.lock();
  });
  await mainWindow.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
}

app.on('web-contents-created', (_event, contents) => hardenContents(contents));

app.on('second-instance', () => {
  // Someone started CareLedger again: show the window that is already running.
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
});

app.on('window-all-closed', () => {
  app.quit();
});

app.on('will-quit', () => {
  void workstation?.close();
});

async function start(): Promise<void> {
  await app.whenReady();
  restrictPermissions();
  handleAppScheme(rendererDir);
  const dataDir = process.env.CARELEDGER_DATA_DIR ?? path.join(app.getPath('userData'), 'data');
  // npm start on the embedded devnet: demo staff from the devnet (tools/demo/start.ts sets these).
  const devnetDir = process.env.CARELEDGER_DEVNET_DIR;
  // A demo without any ledger configured still trusts only the devnet hospital's CA for enrolment.
  const demoWithoutLedger = process.env.CARELEDGER_DEMO === '1' && devnetDir && !process.env.CARELEDGER_GATEWAY_CONFIG && !process.env.CARELEDGER_DEVNET_BUNDLE;
  workstation = createWorkstation({
    dataDir,
    keychain: safeStorageKeychain(),
    validateResponses: !app.isPackaged,
    ...(demoWithoutLedger ? { organisationCa: async () => (await import('../demo/demo-staff')).demoOrganisationCa(devnetDir, process.env.CARELEDGER_MSP_ID) } : {}),
  });
  await workstation.start();
  if (process.env.CARELEDGER_DEMO === '1' && devnetDir) {
    const { prepareDemo } = await import('../demo/demo-staff');
    // CARELEDGER_MSP_ID: another devnet organisation's workstation (its own demo staff).
    await prepareDemo(workstation, { devnetDir, ...(process.env.CARELEDGER_MSP_ID ? { mspId: process.env.CARELEDGER_MSP_ID } : {}), log: (line) => console.warn(line) });
  }
  registerIpc(workstation, () => mainWindow, devServerOrigin);
  await createWindow();
}

if (firstInstance) {
  start().catch((err: unknown) => {
    console.error('CareLedger could not start:', err);
    app.exit(1);
  });
}
