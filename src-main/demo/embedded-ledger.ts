/**
 * The embedded devnet of a demo, started in this process, seeded (seed.ts), and able to go down
 * and come back on the same port: "pulling the cable" shows the outbox filling and, once the
 * ledger is back, draining. Used by `start:web --demo` and by `npm start` (tools/demo/start.ts).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDevnet, type RunningDevnet } from '../../ledger/devnet/src/index';
import { startDemoGatekeepers, type DemoGatekeepers } from '../../services/record-gatekeeper/src/demo';
import { DemoSeedError, seedDemo, type DemoSeed } from './seed';

/**
 * Written into the devnet folder once it is seeded in the privacy layout (docs/privacy-layout.md).
 * A folder with blocks but without it was made before: its blocks carry wallet DIDs, ward codes
 * and consent scopes for every organisation to read, and no upgrade can take them back.
 */
export const LAYOUT_MARKER = 'careledger-layout.json';
const LAYOUT = { layout: 'hospitals-collection', since: 'issue 16' } as const;

/** @throws DemoSeedError when `dataDir` holds a ledger made before the privacy layout */
function refuseOldLayout(dataDir: string): void {
  if (!existsSync(path.join(dataDir, 'ledger')) || existsSync(path.join(dataDir, LAYOUT_MARKER))) return;
  throw new DemoSeedError(
    `The demo ledger in ${dataDir} was made before patient data moved to the hospitals-only collection: its blocks show wallet DIDs, wards and consents to every organisation, insurers included. Delete that folder and start again (the demo seed recreates everything).`,
  );
}

export interface DemoLedgerOptions {
  devnetDir: string;
  walletHome: string;
  didWebCacheDir: string;
  /** 0 (default) = a free port, kept across down/up so the workstation finds it again. */
  port?: number;
  log?: (line: string) => void;
}

export interface DemoLedger {
  bundleFile: string;
  endpoint: string;
  seed: DemoSeed;
  isUp(): boolean;
  /** Stops the devnet (its data stays): the workstation sees the ledger as offline. */
  down(): Promise<void>;
  /** Starts it again on the same port. */
  up(): Promise<void>;
  /** Final stop, for shutdown; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the devnet in `devnetDir` and seeds it for the demo. Stops it again if seeding fails. */
export async function startDemoLedger(options: DemoLedgerOptions): Promise<DemoLedger> {
  const log = options.log ?? ((): void => undefined);
  const dataDir = path.resolve(options.devnetDir);
  refuseOldLayout(dataDir);
  const devnetLog = (line: string): void => log(`[devnet] ${line}`);
  let running: RunningDevnet | null = await startDevnet({ dataDir, port: options.port ?? 0, logLevel: 'warn', log: devnetLog });
  const endpoint = running.endpoint;
  const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  const bundleFile = running.bundlePath;
  let seed: DemoSeed;
  try {
    seed = await seedDemo({ bundleFile, walletHome: options.walletHome, didWebCacheDir: options.didWebCacheDir, log });
  } catch (err) {
    await running.stop();
    throw err;
  }
  await writeFile(path.join(dataDir, LAYOUT_MARKER), `${JSON.stringify(LAYOUT)}\n`);
  // One record gatekeeper per demo hospital (issue 10), listed in its did:web document; the demo
  // goes on without them if they cannot start (the chart then says no hospital answers).
  let gatekeepers: DemoGatekeepers | undefined;
  try {
    gatekeepers = await startDemoGatekeepers({ bundleFile, didWebCacheDir: options.didWebCacheDir, hospitals: seed.hospitals, patients: seed.patients, log });
  } catch (err) {
    log(`The demo's record gatekeepers did not start: ${(err as Error).message}`);
  }
  // One change at a time: a second toggle waits for the first.
  let pending: Promise<void> = Promise.resolve();
  const serial = (step: () => Promise<void>): Promise<void> => {
    pending = pending.then(step, step);
    return pending;
  };
  return {
    bundleFile,
    endpoint,
    seed,
    isUp: () => running !== null,
    down: () =>
      serial(async () => {
        const r = running;
        running = null;
        await r?.stop();
      }),
    up: () =>
      serial(async () => {
        running ??= await startDevnet({ dataDir, port, logLevel: 'warn', log: devnetLog });
      }),
    stop: () =>
      serial(async () => {
        const r = running;
        running = null;
        const g = gatekeepers;
        gatekeepers = undefined;
        await g?.stop();
        await r?.stop();
      }),
  };
}
