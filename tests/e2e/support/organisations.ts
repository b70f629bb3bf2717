/**
 * The demo's organisation workstations for end-to-end tests: ONE process running what
 * `npm run start:web` runs (src-main/web/cli.ts --demo --embedded-ledger): an embedded devnet
 * seeded for the demo, Hospital A's workstation and the insurer's, governance body's and medical
 * board's workstations, all on that same ledger, each with its own data folder and its demo staff
 * enrolled (PIN 1234). Everything lives in one temporary folder, deleted at the end.
 *
 * Usage in a spec (through tests/e2e/fixtures.ts):
 *
 *   import { expect, test } from './fixtures';
 *   import { SignInPage } from './pages/SignInPage';
 *   import { DEMO_PIN, ORGANISATION_STAFF } from './support/organisations';
 *
 *   test('Ines adjudicates', async ({ organisationWorkstation }) => {
 *     const { page } = await organisationWorkstation('insurer'); // signed out, 1366x768
 *     await new SignInPage(page).signIn(ORGANISATION_STAFF.insurer.adjudicator, DEMO_PIN);
 *     // ...
 *   });
 *
 * - `organisationWorkstation(org)`: org is 'insurer' | 'governance' | 'board' | 'hospital'.
 *   'hospital' is Hospital A's workstation OF THIS DEMO (on the same ledger as the others: use
 *   it when a hospital and an insurer must see the same claim); the shared `workstation`
 *   fixture is a different Hospital A workstation without a ledger.
 * - The demo starts the first time a test of a worker asks for it (about a minute: devnet, seed,
 *   four workstations) and stops when the worker ends; later tests reuse it. One worker runs the
 *   suite, so every spec shares the one demo: sign out at the end (the fixture does), and do not
 *   depend on ledger state another spec may have added (claims, sanctions…): make your own.
 * - `organisationDemo` (worker fixture) gives the URLs and data folders, e.g. for `callFromPage`
 *   or to read a workstation's data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rendererDir, repoRoot } from './web-host';

export { DEMO_PIN } from '../../../src-main/demo/demo-staff';

/** The organisations of the demo, by the word the fixture takes. */
export const DEMO_ORGANISATIONS = {
  hospital: 'HospitalAMSP',
  insurer: 'InsurerMSP',
  governance: 'GovernanceMSP',
  board: 'MedicalBoardMSP',
} as const;
export type DemoOrganisation = keyof typeof DEMO_ORGANISATIONS;

/** Who signs in at each organisation's workstation (ledger/devnet/devnet.config.json). */
export const ORGANISATION_STAFF = {
  insurer: { claims: 'Ivan Claims', adjudicator: 'Ines Adjudicator' },
  governance: { 'governance-admin': 'Grace Governor' },
  board: { 'board-officer': 'Mo Board' },
} as const;

export interface OrganisationDemo {
  /** The address (with its token) of each organisation's workstation. */
  urls: Record<DemoOrganisation, string>;
  /** Each workstation's data folder. */
  dataDirs: Record<DemoOrganisation, string>;
  /** The embedded devnet's bundle (to connect as any devnet identity, e.g. for set-up). */
  bundleFile: string;
  /** The wallet simulator's home of the demo (its QR codes are for Hospital A). */
  walletHome: string;
  /** Output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const HOSPITAL_READY = /CareLedger web host ready: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/;
const ORG_READY = /CareLedger workstation ready for .+ \((\w+)\): (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/g;
/** The last line the demo prints once every workstation is up. */
const BANNER_DONE = /Pull the cable:/;

export async function startOrganisationDemo(options: { timeoutMs?: number } = {}): Promise<OrganisationDemo> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-orgs-'));
  const webDir = path.join(root, 'web');
  const devnetDir = path.join(root, 'devnet');
  const walletHome = path.join(root, 'wallet');
  const args = ['--import', 'tsx', path.join(repoRoot, 'src-main/web/cli.ts'), '--port', '0', '--data-dir', webDir, '--renderer-dir', rendererDir()];
  args.push('--demo', '--embedded-ledger', '--devnet-dir', devnetDir, '--wallet-home', walletHome, '--organisations', 'insurer,governance,board');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  // The embedded ledger only starts when no other ledger is configured.
  delete env.CARELEDGER_GATEWAY_CONFIG;
  delete env.CARELEDGER_DEVNET_BUNDLE;
  delete env.CARELEDGER_MSP_ID;
  const child: ChildProcess = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(root, { recursive: true, force: true });
  };
  const timeoutMs = options.timeoutMs ?? 240_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The organisation demo was not ready within ${timeoutMs} ms.\n${output}`)), timeoutMs);
      child.stdout?.on('data', (chunk: string) => {
        output += chunk;
        if (BANNER_DONE.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The organisation demo exited with code ${String(code)} before it was ready.\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const hospital = HOSPITAL_READY.exec(output)?.[1];
  const byMsp = new Map([...output.matchAll(ORG_READY)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const urls = {} as Record<DemoOrganisation, string>;
  for (const [org, mspId] of Object.entries(DEMO_ORGANISATIONS) as [DemoOrganisation, string][]) {
    const url = org === 'hospital' ? hospital : byMsp.get(mspId);
    if (!url) {
      await stop();
      throw new Error(`The organisation demo did not start ${mspId}'s workstation.\n${output}`);
    }
    urls[org] = url;
  }
  const slugDir = (org: DemoOrganisation): string => (org === 'hospital' ? webDir : `${webDir}-${org}`);
  return {
    urls,
    dataDirs: { hospital: slugDir('hospital'), insurer: slugDir('insurer'), governance: slugDir('governance'), board: slugDir('board') },
    bundleFile: path.join(devnetDir, 'bundle.json'),
    walletHome,
    log: () => output,
    stop,
  };
}
