/**
 * `npm start`: the workstation on the embedded default.
 *
 * 1. Where Electron's binary is missing (npm install could not download it), say so in one
 *    sentence, point to `npm run start:web`, exit non-zero.
 * 2. Without a configured ledger (CARELEDGER_GATEWAY_CONFIG or CARELEDGER_DEVNET_BUNDLE), start
 *    the embedded devnet in .data/devnet and seed it for the demo (src-main/demo: issuers,
 *    hospitals, demo patients' QR codes in .data/wallet/qr); otherwise the app runs with the
 *    ledger shown as "not configured".
 * 3. Build, then launch Electron on the built app.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PIN, DEMO_STAFF } from '../../src-main/demo/demo-staff';
import { startDemoLedger } from '../../src-main/demo/embedded-ledger';
import { demoBanner, DemoSeedError } from '../../src-main/demo/seed';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

function electronBinary(): string | null {
  // Read electron's own path.txt rather than require('electron'): requiring it starts a
  // download when the binary is missing, which hangs or fails noisily offline.
  const pkg = path.dirname(require.resolve('electron/package.json'));
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
  const binary = path.join(distDir, readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const devnetDir = path.join(root, '.data/devnet');
const walletHome = path.join(root, '.data/wallet');
// Electron keeps its data in the OS profile; the demo's offline did:web documents go to a
// folder of ours that the app is told about (CARELEDGER_DID_WEB_CACHE, src-main/admission).
const didWebCacheDir = path.join(root, '.data/did-web');

/**
 * Starts the embedded devnet when no ledger is configured and seeds it for the demo
 * (src-main/demo/seed.ts); returns the env the app needs and how to stop it.
 */
async function startEmbeddedLedger(): Promise<{ env: Record<string, string>; stop(): Promise<void> } | null> {
  if (process.env.CARELEDGER_GATEWAY_CONFIG || process.env.CARELEDGER_DEVNET_BUNDLE) return null;
  process.stderr.write('Starting the embedded devnet and seeding it for the demo...\n');
  const ledger = await startDemoLedger({ devnetDir, walletHome, didWebCacheDir, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`Embedded devnet running at ${ledger.endpoint}.\n${demoBanner(ledger.seed, DEMO_STAFF, DEMO_PIN)}\n`);
  return {
    env: { CARELEDGER_DEMO: '1', CARELEDGER_DEVNET_DIR: devnetDir, CARELEDGER_DEVNET_BUNDLE: ledger.bundleFile, CARELEDGER_DID_WEB_CACHE: didWebCacheDir },
    stop: () => ledger.stop(),
  };
}

async function main(): Promise<void> {
  const binary = electronBinary();
  if (!binary) {
    process.stderr.write("Electron's binary is not installed on this machine, so the desktop app cannot open here: run `npm run start:web -- --demo` to use CareLedger in a browser instead (the same embedded ledger and demo data).\n");
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  let ledger: Awaited<ReturnType<typeof startEmbeddedLedger>>;
  try {
    ledger = await startEmbeddedLedger();
  } catch (err) {
    // A demo step that cannot go on says what to do (e.g. a devnet folder from an older layout).
    if (err instanceof DemoSeedError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env: { ...process.env, ...(ledger?.env ?? {}) } });
  child.on('exit', (code) => {
    void (ledger?.stop() ?? Promise.resolve()).finally(() => process.exit(code ?? 0));
  });
  // Ctrl+C reaches Electron too (same process group); its exit above stops the devnet.
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.once('SIGINT', forward);
  process.once('SIGTERM', forward);
}

await main();
