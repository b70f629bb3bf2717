/**
 * `npm run start:web [-- --port N] [--data-dir DIR] [--demo]`: the real services and the built
 * renderer over HTTP on 127.0.0.1. Prints one line when ready:
 *   CareLedger web host ready: http://127.0.0.1:<port>/#token=<token>
 *
 * Defaults: a free port chosen at random (a fixed, well-known port is a target for any web page
 * the user opens; pass `--port N` to ask for one), data dir `.data/web` (relative to the current
 * folder). `--demo` opens the cache with the demo passphrase and enrols one staff identity per
 * role (PIN 1234), taken from the devnet's network material in `--devnet-dir` (default
 * `.data/devnet`); see src-main/demo/demo-staff.ts.
 *
 * `--embedded-ledger` (which `npm run start:web` passes) with `--demo`, when no ledger is
 * configured (neither CARELEDGER_GATEWAY_CONFIG nor CARELEDGER_DEVNET_BUNDLE): starts the devnet
 * in `--devnet-dir` in this process on a free port, seeds it for the demo (src-main/demo/seed.ts:
 * issuers, hospitals, demo patients' QR codes under `--wallet-home`), connects the services to
 * it, and prints a "Demo:" block after the ready line. Typing `d` + Enter (or SIGUSR2) takes the
 * ledger down, `u` + Enter brings it back. The end-to-end harness runs cli.ts without the flag,
 * so its workstations stay without a ledger unless a test gives them one.
 *
 * With the embedded ledger the demo also serves the other organisations' workstations on the same
 * ledger (src-main/web/organisation-hosts.ts): an insurer's (Ivan Claims, Ines Adjudicator), the
 * governance body's (Grace Governor) and the medical board's (Mo Board), each on its own port with
 * its own data folder `<data dir>-<insurer|governance|board>`, each printing
 *   CareLedger workstation ready for <name> (<MSP ID>): <url>
 * `--organisations insurer,governance` picks which (`none` for Hospital A's alone).
 *
 * `--organisation <MSP ID>` runs that one organisation's workstation against a devnet already
 * running (its bundle: CARELEDGER_DEVNET_BUNDLE, else `<devnet dir>/bundle.json`), e.g.
 * `npm run start:web -- --demo --organisation InsurerMSP` beside a running `npm run start:web`;
 * its data folder defaults to `.data/web-<msp id in lower case>`.
 *
 * Ctrl+C (SIGINT) or SIGTERM closes the web host, the cache and the embedded ledger in that order
 * and only then prints `CareLedger web host stopped; ledger closed cleanly.` (exit 0), or the
 * error that stopped a clean close (exit 1).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PIN, DEMO_STAFF, demoOrganisationCa, prepareDemo } from '../demo/demo-staff';
import { startDemoLedger, type DemoLedger } from '../demo/embedded-ledger';
import { demoBanner } from '../demo/seed';
import { createWorkstation } from '../services';
import { startWebHost } from './host';
import { DEMO_ORGANISATION_WORKSTATIONS, organisationReadyLine, organisationsBanner, startOrganisationWorkstation, type OrganisationHost } from './organisation-hosts';
import { keepServingAfterStrayErrors } from './last-resort';

/** 0 = a free port picked by the system at each start. */
export const DEFAULT_WEB_PORT = 0;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_WEB_PORT) },
      'data-dir': { type: 'string', default: '.data/web' },
      'renderer-dir': { type: 'string', default: path.join(repoRoot, 'out/renderer') },
      demo: { type: 'boolean', default: false },
      'devnet-dir': { type: 'string', default: '.data/devnet' },
      'embedded-ledger': { type: 'boolean', default: false },
      'wallet-home': { type: 'string', default: '.data/wallet' },
      organisations: { type: 'string', default: DEMO_ORGANISATION_WORKSTATIONS.map((o) => o.slug).join(',') },
      organisation: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${values.port}"`);
  const rendererDir = path.resolve(values['renderer-dir']);
  try {
    await access(path.join(rendererDir, 'index.html'));
  } catch {
    throw new Error(`No built renderer in ${rendererDir}. Run "npm run build" first (npm run start:web does it for you).`);
  }

  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  if (values.organisation !== undefined) {
    await serveOneOrganisation({
      mspId: values.organisation,
      dataDir: process.argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir=')) ? values['data-dir'] : `.data/web-${values.organisation.toLowerCase()}`,
      devnetDir: values['devnet-dir'],
      rendererDir,
      port,
      demo: values.demo,
      log,
    });
    return;
  }
  const extraOrganisations = pickOrganisations(values.organisations);
  const dataDir = path.resolve(values['data-dir']);
  const configured = Boolean(process.env.CARELEDGER_GATEWAY_CONFIG ?? process.env.CARELEDGER_DEVNET_BUNDLE);
  let ledger: DemoLedger | null = null;
  if (values.demo && values['embedded-ledger'] && !configured) {
    log('Starting the embedded devnet and seeding it for the demo (first start takes a minute)...');
    try {
      ledger = await startDemoLedger({ devnetDir: values['devnet-dir'], walletHome: values['wallet-home'], didWebCacheDir: path.join(dataDir, 'did-web'), log });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'DATA_DIR_IN_USE') throw err;
      throw new Error(
        `${(err as Error).message} (Is "npm start", another "npm run start:web" or "npm run devnet" running on ${values['devnet-dir']}? Stop it, or pass --devnet-dir with another folder.)`,
        { cause: err },
      );
    }
  }
  let workstation;
  try {
    workstation = createWorkstation({
      dataDir,
      keychain: null,
      validateResponses: true,
      ...(ledger ? { ledger: { devnetBundleFile: ledger.bundleFile } } : {}),
      // A demo without any ledger still enrols only the devnet hospital's staff: its CA is the trusted one.
      ...(values.demo && !ledger && !configured ? { organisationCa: () => demoOrganisationCa(path.resolve(values['devnet-dir'])) } : {}),
    });
    await workstation.start();
    if (values.demo) {
      const source = await prepareDemo(workstation, { devnetDir: path.resolve(values['devnet-dir']), log });
      log(`Demo mode (${source}): one staff identity per role is enrolled; the PIN of each is ${DEMO_PIN}.`);
    }
  } catch (err) {
    await ledger?.stop();
    throw err;
  }
  const ws = workstation;
  keepServingAfterStrayErrors(log);
  const host = await startWebHost({ workstation: ws, rendererDir, port });
  process.stdout.write(`CareLedger web host ready: ${host.url}\n`);
  // The other organisations' workstations, on the same embedded ledger (through its bundle).
  const others: OrganisationHost[] = [];
  // Ctrl+C works from here on, even while the other workstations are still starting.
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      log('Still closing the cache and the ledger: wait a few seconds (kill -9 would leave them to recover at the next start).');
      return;
    }
    stopping = true;
    log('Stopping: closing the web host, the cache and the ledger...');
    void (async (): Promise<void> => {
      try {
        // Let a workstation still starting finish, so it is closed too.
        await othersStarted;
        await host.close();
        for (const o of others) await o.close();
        await ws.close();
        await ledger?.stop();
      } catch (err) {
        process.stderr.write(`CareLedger web host stopped with an error while closing: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      const what = ledger ? 'ledger closed cleanly' : 'cache closed cleanly (no embedded ledger was running)';
      process.stdout.write(`CareLedger web host stopped; ${what}.\n`, () => process.exit(0));
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const othersStarted = (async (): Promise<void> => {
    if (ledger && values.demo) {
      for (const o of extraOrganisations) {
        if (stopping) break;
        try {
          const started = await startOrganisationWorkstation({
            mspId: o.mspId,
            bundleFile: ledger.bundleFile,
            devnetDir: values['devnet-dir'],
            dataDir: `${dataDir}-${o.slug}`,
            rendererDir,
            demo: true,
            log,
          });
          others.push(started);
          process.stdout.write(`${organisationReadyLine(started)}\n`);
        } catch (err) {
          log(`The ${o.mspId} workstation could not start: ${err instanceof Error ? err.message : String(err)}. Hospital A's workstation keeps running.`);
        }
      }
    }
  })();
  await othersStarted;
  if (stopping) return;
  if (ledger) {
    process.stdout.write(`${demoBanner(ledger.seed, DEMO_STAFF, DEMO_PIN)}\n`);
    if (others.length > 0) process.stdout.write(`${organisationsBanner(others, DEMO_PIN)}\n`);
    process.stdout.write(`  Pull the cable: type d + Enter to stop the ledger (${ledger.endpoint}), u + Enter to bring it back (or kill -USR2 ${process.pid} to toggle).\n`);
    watchCable(ledger, log);
  }
}

/** The `--organisations` list as demo workstations. @throws Error naming an unknown word. */
function pickOrganisations(list: string): (typeof DEMO_ORGANISATION_WORKSTATIONS)[number][] {
  const words = list
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w.length > 0 && w !== 'none');
  return words.map((w) => {
    const found = DEMO_ORGANISATION_WORKSTATIONS.find((o) => o.slug === w);
    if (!found) throw new Error(`--organisations takes ${DEMO_ORGANISATION_WORKSTATIONS.map((o) => o.slug).join(', ')} or none, not "${w}"`);
    return found;
  });
}

/** `--organisation <MSP ID>`: one organisation's workstation on a devnet that is already running. */
async function serveOneOrganisation(options: {
  mspId: string;
  dataDir: string;
  devnetDir: string;
  rendererDir: string;
  port: number;
  demo: boolean;
  log: (line: string) => void;
}): Promise<void> {
  const bundleFile = path.resolve(process.env.CARELEDGER_DEVNET_BUNDLE ?? path.join(options.devnetDir, 'bundle.json'));
  try {
    await access(bundleFile);
  } catch {
    throw new Error(`No running devnet's bundle at ${bundleFile}. Start the demo first ("npm run start:web" or "npm run devnet"), or pass --devnet-dir with its folder.`);
  }
  keepServingAfterStrayErrors(options.log);
  const o = await startOrganisationWorkstation({ ...options, bundleFile });
  process.stdout.write(`CareLedger web host ready: ${o.url}\n${organisationReadyLine(o)}\n`);
  if (options.demo) process.stdout.write(`${organisationsBanner([o], DEMO_PIN, 'Demo: this workstation, on the running ledger:')}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void o.close().then(
      () => process.stdout.write(`CareLedger web host stopped; cache closed cleanly (the ledger keeps running).\n`, () => process.exit(0)),
      (err: unknown) => {
        process.stderr.write(`CareLedger web host stopped with an error while closing: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Lets the person giving the demo take the ledger down and up from the terminal. */
function watchCable(ledger: DemoLedger, log: (line: string) => void): void {
  const toggle = (want: 'down' | 'up'): void => {
    if (want === 'down' && ledger.isUp()) {
      void ledger.down().then(
        () => log('Ledger stopped: new ledger writes wait in the outbox (status bar). Type u + Enter to reconnect.'),
        (err: unknown) => log(`The ledger did not stop cleanly: ${String(err)}`),
      );
    } else if (want === 'up' && !ledger.isUp()) {
      void ledger.up().then(
        () => log('Ledger running again: watch the outbox drain.'),
        (err: unknown) => log(`The ledger could not start again: ${String(err)}`),
      );
    }
  };
  process.on('SIGUSR2', () => toggle(ledger.isUp() ? 'down' : 'up'));
  if (!process.stdin.isTTY) return;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    const key = text.trim().toLowerCase();
    if (key === 'd') toggle('down');
    else if (key === 'u') toggle('up');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`CareLedger web host could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
