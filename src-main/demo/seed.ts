/**
 * Seeds a running devnet for a demo, so a person giving one can admit a patient from a wallet
 * QR code: the ledger initialised, the hospitals registered with their DIDs (consents name
 * Hospital A by DID), the wallet simulator's issuers trusted with their status lists
 * published, the issuers' did:web documents in the workstation's offline cache, and three
 * demo patients with fresh presentation QR codes for Hospital A.
 *
 * Safe on every start: what exists is reused (issuers, wallets, consents, organisations);
 * trust entries and status lists are written again, which only bumps their versions. The
 * wallet side goes through the wallet simulator's own functions (tools/wallet), so a demo
 * wallet behaves exactly like one made with `npm run wallet`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NetworkBundle } from '../../ledger/devnet/src/index';
import { presentWallet } from '../../tools/wallet/commands';
import { runWalletCli } from '../../tools/wallet/commands';
import { asAdmin, registerOrganisation } from '../../ledger/admin/src/index';
import { registerOnLedger, type RegisterOutcome } from '../../tools/wallet/register';
import { initIssuers, listCredentials, loadIssuers, loadWallet, walletDir } from '../../tools/wallet/store';
import { DEMO_HOSPITAL_DID } from '../admission/demo-config';
import { seedClaimsDemo } from './seed-claims';
import { seedCredentialingDemo } from './seed-credentialing';
import { FileDidWebCache } from '../identity/mirrors';

/** What a demo patient shows at the desk. */
export type DemoStory = 'valid' | 'no-consent' | 'coverage-revoked';

export interface DemoPatientSpec {
  slug: string;
  name: string;
  birthDate: string;
  gender: 'female' | 'male' | 'other' | 'unknown';
  story: DemoStory;
  /** What the desk shows for this patient, in the words printed at start. */
  expect: string;
}

export const DEMO_PATIENTS: readonly DemoPatientSpec[] = [
  { slug: 'maria-oliveira', name: 'Maria Oliveira', birthDate: '1984-03-02', gender: 'female', story: 'valid', expect: 'verified, consent granted, insured' },
  { slug: 'tomasz-nowak', name: 'Tomasz Nowak', birthDate: '1971-11-19', gender: 'male', story: 'no-consent', expect: 'verified, no consent to view records' },
  { slug: 'grace-mensah', name: 'Grace Mensah', birthDate: '1993-07-08', gender: 'female', story: 'coverage-revoked', expect: 'identity verified · insurance card refused (revoked by the insurer): admissible without coverage' },
];

/** Hospitals on the default devnet and the DIDs consents name them by. */
const HOSPITAL_DIDS: Readonly<Record<string, string>> = {
  HospitalAMSP: DEMO_HOSPITAL_DID,
  HospitalBMSP: 'did:web:hospital-b.careledger.example',
};

export interface SeedDemoOptions {
  /** The devnet bundle file (`<devnet data dir>/bundle.json`), written by the running devnet. */
  bundleFile: string;
  /** The wallet simulator's home (issuers, wallets, QR codes): `.data/wallet` by default. */
  walletHome: string;
  /** The workstation's offline did:web folder (`<data dir>/did-web`, see src-main/admission). */
  didWebCacheDir: string;
  log?: (line: string) => void;
}

export interface SeededPatient extends DemoPatientSpec {
  did: string;
  pngFiles: string[];
  /** The exact command that writes a fresh QR code over `pngFiles` (presentations live 5 minutes). */
  presentCommand: string;
}

export interface DemoSeed {
  qrDir: string;
  patients: SeededPatient[];
  ledger: RegisterOutcome;
  hospitals: { mspId: string; did: string; outcome: 'registered' | 'already registered' }[];
  didDocuments: string[];
}

/** A demo step that went wrong, with what to do about it. */
export class DemoSeedError extends Error {
  readonly code = 'DEMO_SEED_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoSeedError';
  }
}

async function wallet(home: string, args: string[]): Promise<void> {
  const errors: string[] = [];
  const code = await runWalletCli([...args, '--home', home], { out: () => undefined, err: (l) => errors.push(l) });
  if (code !== 0) throw new DemoSeedError(`The demo wallet step "${args.join(' ')}" failed: ${errors.join(' ')}`);
}

async function ensureIssuers(home: string): Promise<void> {
  try {
    await loadIssuers(home);
  } catch {
    await initIssuers(home);
  }
}

/** Creates the patient's wallet and credentials once; applies its story (consent, revocation). */
async function ensurePatient(home: string, p: DemoPatientSpec): Promise<string> {
  const dir = walletDir(home, p.slug);
  let created = false;
  try {
    await loadWallet(dir);
  } catch {
    await wallet(home, ['new-patient', '--name', p.name, '--birth-date', p.birthDate, '--gender', p.gender, '--slug', p.slug]);
    created = true;
  }
  const held = await listCredentials(dir);
  if (p.story !== 'no-consent' && !held.some((c) => c.type === 'ConsentGrantCredential')) {
    await wallet(home, ['consent', '--wallet', p.slug, '--purpose', 'TREAT,ETREAT,HPAYMT', '--categories', 'demographics,encounters,conditions,medications,allergies,observations']);
  }
  // Setting a revocation bit again changes nothing, so a half-finished earlier run is completed.
  if (p.story === 'coverage-revoked') await wallet(home, ['revoke', 'coverage', '--wallet', p.slug]);
  return created ? 'created' : 'reused';
}

/** Registers each hospital org with its DID, as governance; an org already there is left as is. */
async function registerHospitals(bundle: NetworkBundle): Promise<DemoSeed['hospitals']> {
  const governance = bundle.identities.find((i) => i.role === 'governance-admin');
  if (!governance) throw new DemoSeedError('The devnet has no governance-admin identity, so the hospitals cannot be registered. Start the devnet with its default config.');
  const out: DemoSeed['hospitals'] = [];
  await asAdmin(
    bundle,
    governance,
    async (contract) => {
      for (const org of bundle.orgs.filter((o) => o.kind === 'hospital')) {
        const did = HOSPITAL_DIDS[org.mspId];
        if (!did) continue;
        out.push({ mspId: org.mspId, did, outcome: await registerOrganisation(contract, { mspId: org.mspId, kind: 'hospital', did, name: org.displayName ?? org.mspId }) });
      }
    },
    { endorse: 30_000, submit: 30_000, commitStatus: 60_000 },
  );
  return out;
}

/** Puts every issuer's did:web document where the workstation's offline cache reads it. */
async function installDidDocuments(home: string, cacheDir: string): Promise<string[]> {
  const documents = JSON.parse(await readFile(path.join(home, 'did-web', 'did-documents.json'), 'utf8')) as Record<string, Parameters<FileDidWebCache['put']>[1]>;
  const cache = new FileDidWebCache(cacheDir);
  for (const [did, document] of Object.entries(documents)) await cache.put(did, document);
  return Object.keys(documents);
}

/** How to write a path in a command the person giving the demo types: relative when shorter. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function presentCommand(walletHome: string, slug: string): string {
  return `npm run wallet -- present --home ${shown(walletHome)} --wallet ${slug} --out ${shown(path.join(walletHome, 'qr', `${slug}.png`))}`;
}

/**
 * Seeds the running devnet behind `bundleFile` and the wallet home for a demo, and writes a
 * fresh QR code per demo patient to `<walletHome>/qr/<slug>.png`. Idempotent.
 * @throws DemoSeedError when a wallet step fails; ledger errors as the gateway raises them.
 */
export async function seedDemo(options: SeedDemoOptions): Promise<DemoSeed> {
  const log = options.log ?? ((): void => undefined);
  const home = path.resolve(options.walletHome);
  let bundle: NetworkBundle;
  try {
    bundle = JSON.parse(await readFile(options.bundleFile, 'utf8')) as NetworkBundle;
  } catch (err) {
    throw new DemoSeedError(`The devnet's bundle ${options.bundleFile} cannot be read; start the devnet first.`, { cause: err });
  }
  await ensureIssuers(home);
  // Patients first: a revoked coverage must be in the status lists published below.
  for (const p of DEMO_PATIENTS) log(`demo patient ${p.name}: ${await ensurePatient(home, p)}`);
  const ledger = await registerOnLedger(home, options.bundleFile, log);
  const skipped = ledger.statusLists.filter((x) => x.outcome === 'skipped');
  for (const l of skipped) log(`status list ${l.listId} not published: ${l.reason ?? ''}`);
  if (skipped.length > 0) {
    // A devnet data dir made before its config gave the insurer an issuer identity.
    log(`Revocations in these lists will show as "cannot determine". Delete the devnet folder (${path.dirname(options.bundleFile)}) and start again to recreate it with the current organisations.`);
  }
  const hospitals = await registerHospitals(bundle);
  await seedCredentialingDemo({ home, bundle, bundleFile: options.bundleFile, log });
  await seedClaimsDemo({ bundle, log });
  const didDocuments = await installDidDocuments(home, options.didWebCacheDir);
  const qrDir = path.join(home, 'qr');
  const patients: SeededPatient[] = [];
  for (const p of DEMO_PATIENTS) {
    const dir = walletDir(home, p.slug);
    const w = await loadWallet(dir);
    const presented = await presentWallet(dir, w, { audience: DEMO_HOSPITAL_DID, out: path.join(qrDir, `${p.slug}.png`) });
    patients.push({ ...p, did: w.did, pngFiles: presented.pngFiles, presentCommand: presentCommand(home, p.slug) });
  }
  return { qrDir, patients, ledger, hospitals, didDocuments };
}

/** The "Demo:" block printed at start, after the ready line. */
export function demoBanner(seed: DemoSeed, staff: Readonly<Record<string, string>>, pin: string): string {
  const lines = [
    'Demo:',
    `  Sign in as ${Object.entries(staff)
      .map(([role, name]) => `${name} (${role})`)
      .join(', ')}; PIN ${pin} for each. Admissions: ${staff['admissions'] ?? 'the admissions clerk'}.`,
    `  Wallet QR codes for ${DEMO_HOSPITAL_DID} (open or drop the PNG on the admission desk, valid 5 minutes), in ${shown(seed.qrDir)}:`,
    ...seed.patients.map((p) => `    ${shown(p.pngFiles[0] ?? p.slug).padEnd(40)} ${p.name}: ${p.expect}`),
    `  A fresh code: ${presentCommand(path.dirname(seed.qrDir), '<patient>')}  (patient: ${seed.patients.map((p) => p.slug).join(', ')})`,
  ];
  return lines.join('\n');
}
