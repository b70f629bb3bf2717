/**
 * `npm start`: the workstation on the embedded default.
 *
 * 1. Where Electron's binary is missing (npm install could not download it), say so in one
 *    sentence, point to `npm run start:web`, exit non-zero.
 * 2. Without a configured gateway (CARELEDGER_GATEWAY_CONFIG), start the embedded devnet when
 *    it is available (ledger/devnet/src/index.ts `startDevnet`); otherwise the app runs with
 *    the ledger shown as "not configured".
 * 3. Build, then launch Electron on the built app.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/** Starts the embedded devnet when no gateway is configured; returns the env the app needs. */
async function startEmbeddedLedger(): Promise<{ env: Record<string, string>; stop(): Promise<void> } | null> {
  if (process.env.CARELEDGER_GATEWAY_CONFIG) return null;
  const devnetEntry = path.join(root, 'ledger/devnet/src/index.ts');
  if (!existsSync(devnetEntry)) {
    process.stderr.write('No ledger gateway configured and the embedded devnet is not available: the ledger will show as not configured.\n');
    return null;
  }
  const devnet = (await import(pathToFileURL(devnetEntry).href)) as {
    startDevnet(options: { dataDir: string; log?: (line: string) => void; logLevel?: string }): Promise<{ endpoint: string; bundlePath: string; stop(): Promise<void> }>;
  };
  const running = await devnet.startDevnet({ dataDir: devnetDir, logLevel: 'warn', log: (line) => process.stderr.write(`[devnet] ${line}\n`) });
  process.stderr.write(`Embedded devnet running at ${running.endpoint}; demo staff PIN is 1234.\n`);
  return {
    env: { CARELEDGER_DEMO: '1', CARELEDGER_DEVNET_DIR: devnetDir, CARELEDGER_DEVNET_BUNDLE: running.bundlePath },
    stop: () => running.stop(),
  };
}

async function main(): Promise<void> {
  const binary = electronBinary();
  if (!binary) {
    process.stderr.write("Electron's binary is not installed on this machine, so the desktop app cannot open here: run `npm run start:web` to use CareLedger in a browser instead.\n");
    process.exit(1);
  }
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const ledger = await startEmbeddedLedger();
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env: { ...process.env, ...(ledger?.env ?? {}) } });
  child.on('exit', (code) => {
    void (ledger?.stop() ?? Promise.resolve()).finally(() => process.exit(code ?? 0));
  });
}

await main();
