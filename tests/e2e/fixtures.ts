/**
 * Fixtures shared by every spec. A spec asks for:
 * - `workstation`: the shared demo workstation, opened in a fresh page, signed out;
 * - `launchWorkstation(options)`: a workstation of its own (fresh data folder, or a
 *   restart on an existing one), stopped when the test ends;
 * - `organisationWorkstation(org)`: a signed-out page of the insurer's, governance body's,
 *   medical board's or Hospital A's workstation of the organisation demo, all on one shared
 *   demo ledger (see tests/e2e/support/organisations.ts for usage).
 *
 * The `transport` option picks how the renderer reaches the services: `web` (Chromium and
 * the web host) or `electron` (the real app; skipped when Electron's binary is missing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, test as base, type ElectronApplication, type Page } from '@playwright/test';
import { startOrganisationDemo, type DemoOrganisation, type OrganisationDemo } from './support/organisations';
import { repoRoot, startWebHost, type RunningWebHost } from './support/web-host';

export type Transport = 'web' | 'electron';

export const ELECTRON_MISSING = 'Electron binary not installed on this machine';

/**
 * The Electron binary's path (what `require('electron')` returns), or null when the npm
 * package was installed without it. Resolved from the package's own path.txt because
 * requiring `electron` with the binary missing starts a download, which hangs offline.
 */
export function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('electron/package.json'));
    const pathFile = path.join(pkg, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
    const binary = path.join(distDir, readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

export interface Workstation {
  page: Page;
  transport: Transport;
  /** The data folder of this workstation (to restart it on the same data). */
  dataDir: string;
  /** Stops the services (web host or Electron app). Safe to call twice. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  demo: boolean;
  dataDir?: string;
  /** Extra environment for the workstation (e.g. CARELEDGER_GATEWAY_CONFIG, a ledger connection file). */
  env?: Record<string, string>;
}

interface TestFixtures {
  /** Auto fixture: skips every test of the electron project when the binary is missing. */
  requireTransport: void;
  workstation: Workstation;
  launchWorkstation: (options: LaunchOptions) => Promise<Workstation>;
  /** A signed-out page of one organisation's workstation of the organisation demo (web host). */
  organisationWorkstation: (org: DemoOrganisation) => Promise<Workstation>;
}

interface WorkerFixtures {
  transport: Transport;
  /** The organisation demo (one devnet, four workstations), started once per worker when first asked for. */
  organisationDemo: OrganisationDemo;
}

async function openWebHost(page: Page, host: RunningWebHost): Promise<Workstation> {
  await page.goto(host.url);
  return { page, transport: 'web', dataDir: host.dataDir, stop: () => host.stop() };
}

async function launchElectron(options: LaunchOptions): Promise<Workstation> {
  const binary = electronBinary();
  if (binary === null) throw new Error(ELECTRON_MISSING);
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-electron-')));
  // The main process reads its data folder and demo mode from the environment (src-main/app/main.ts).
  const env: Record<string, string> = { ...(process.env as Record<string, string>), CARELEDGER_DATA_DIR: dataDir, ...options.env };
  if (options.demo) Object.assign(env, { CARELEDGER_DEMO: '1', CARELEDGER_DEVNET_DIR: path.join(dataDir, 'devnet') });
  const app: ElectronApplication = await electron.launch({
    executablePath: binary,
    args: [repoRoot],
    cwd: repoRoot,
    env,
  });
  const page = await app.firstWindow();
  await page.setViewportSize({ width: 1366, height: 768 });
  let closed = false;
  return {
    page,
    transport: 'electron',
    dataDir,
    async stop() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  transport: ['web', { option: true, scope: 'worker' }],

  requireTransport: [
    async ({ transport }, use, testInfo) => {
      testInfo.skip(transport === 'electron' && electronBinary() === null, ELECTRON_MISSING);
      await use();
    },
    { auto: true },
  ],

  launchWorkstation: async ({ page, transport }, use) => {
    const started: Workstation[] = [];
    await use(async (options) => {
      const ws =
        transport === 'electron'
          ? await launchElectron(options)
          : await openWebHost(
              page,
              await startWebHost({
                demo: options.demo,
                ...(options.dataDir ? { dataDir: options.dataDir } : {}),
                ...(options.env ? { env: options.env } : {}),
              }),
            );
      started.push(ws);
      return ws;
    });
    for (const ws of started) await ws.stop();
  },

  organisationDemo: [
    // Playwright reads a fixture's dependencies from its destructured first argument: none here.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const demo = await startOrganisationDemo();
      await use(demo);
      await demo.stop();
    },
    { scope: 'worker', timeout: 300_000 },
  ],

  organisationWorkstation: async ({ page, context, organisationDemo }, use) => {
    const opened: Page[] = [];
    await use(async (org) => {
      // The first workstation in the test's own page, any further one in a page of its own.
      const target = opened.length === 0 ? page : await context.newPage();
      opened.push(target);
      await target.goto(organisationDemo.urls[org]);
      // One demo for the whole run: whoever an earlier test left signed in is signed out first.
      await callFromPage(target, 'session.signOut', {});
      await target.reload();
      return { page: target, transport: 'web', dataDir: organisationDemo.dataDirs[org], stop: () => Promise.resolve() };
    });
    for (const p of opened) await callFromPage(p, 'session.signOut', {}).catch(() => undefined);
  },

  workstation: async ({ page, transport }, use) => {
    let ws: Workstation;
    if (transport === 'electron') {
      ws = await launchElectron({ demo: true });
    } else {
      const url = process.env.CARELEDGER_E2E_URL;
      if (!url)
        throw new Error('The shared web host is not running: tests/e2e/global-setup.ts sets CARELEDGER_E2E_URL.');
      await page.goto(url);
      ws = { page, transport, dataDir: '', stop: () => Promise.resolve() };
    }
    // One workstation, one session: whoever the last test left signed in is signed out first.
    await callFromPage(ws.page, 'session.signOut', {});
    await ws.page.reload();
    await use(ws);
    await callFromPage(ws.page, 'session.signOut', {}).catch(() => undefined);
    await ws.stop();
  },
});

export { expect } from '@playwright/test';

/**
 * Calls a contract channel from inside the page, the way any script in the renderer could:
 * through the Electron preload bridge, or through the web host's HTTP API with the page's
 * token. Used to show that refusals happen in the main process, not only in the UI.
 */
export async function callFromPage(
  page: Page,
  channel: string,
  request: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return page.evaluate(
    async ({ channel, request }) => {
      // Runs in the page; the node tsconfig has no DOM types, hence the narrow casts.
      const page = globalThis as unknown as {
        careledger?: Record<string, (r: unknown) => Promise<unknown>>;
        sessionStorage: { getItem(key: string): string | null };
      };
      const viaBridge = page.careledger?.[channel];
      if (viaBridge) return (await viaBridge(request)) as { ok: boolean };
      const token = page.sessionStorage.getItem('careledger.webHostToken') ?? '';
      const response = await fetch(`/api/call/${channel}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      return (await response.json()) as { ok: boolean };
    },
    { channel, request },
  );
}
