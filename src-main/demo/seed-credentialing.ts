/**
 * Demo data for locum credentialing (issue 13): three locum doctors with wallets made by the
 * wallet simulator (licence, specialty and board certification from the medical board):
 * - Dr Amal Haddad: clean, and already verified by Hospital B (for general anaesthesia);
 * - Dr Jonas Berg: the board has suspended his licence (its suspension list, published);
 * - Dr Rita Vance: on the sanctions list by her NPI (an entry of the generated LEIE sample).
 * Safe on every start: what exists is reused; ledger writes that are already there are skipped.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { NetworkBundle } from '../../ledger/devnet/src/index';
import { presentWallet, runWalletCli } from '../../tools/wallet/commands';
import { connectAs, registerOnLedger } from '../../tools/wallet/register';
import { listCredentials, loadWallet, walletDir } from '../../tools/wallet/store';
import { DEMO_HOSPITAL_DID } from '../admission/demo-config';

export type LocumStory = 'clean-verified-at-b' | 'licence-suspended' | 'sanctioned';

export interface DemoLocumSpec {
  slug: string;
  name: string;
  npi: string;
  licenseNumber: string;
  story: LocumStory;
  expect: string;
}

export const DEMO_LOCUMS: readonly DemoLocumSpec[] = [
  { slug: 'amal-haddad', name: 'Dr Amal Haddad', npi: '1902345671', licenseNumber: 'GMC-7012345', story: 'clean-verified-at-b', expect: 'verified (anaesthetics); Hospital B verified her for general anaesthesia' },
  { slug: 'jonas-berg', name: 'Dr Jonas Berg', npi: '1730456782', licenseNumber: 'GMC-7023456', story: 'licence-suspended', expect: 'refused: the board has suspended his licence' },
  { slug: 'rita-vance', name: 'Dr Rita Vance', npi: '1457300126', licenseNumber: 'GMC-7034567', story: 'sanctioned', expect: 'refused: on the sanctions list (LEIE sample, by NPI)' },
];

export const DEMO_SANCTION_ID = 'LEIE-DEMO-0001';

export interface SeededLocum extends DemoLocumSpec {
  did: string;
  pngFiles: string[];
}

async function wallet(home: string, args: string[]): Promise<void> {
  const errors: string[] = [];
  const code = await runWalletCli([...args, '--home', home], { out: () => undefined, err: (line) => errors.push(line) });
  if (code !== 0) throw new Error(`The demo wallet step "${args.join(' ')}" failed: ${errors.join(' ')}`);
}

function alreadyThere(err: unknown): boolean {
  const e = err as { message?: string; details?: { message?: string }[] };
  return [e.message ?? '', ...(e.details ?? []).map((d) => d.message ?? '')].join(' ').includes('ALREADY_EXISTS');
}

async function submitOnce(bundle: NetworkBundle, identityName: string, transaction: string, arg: string): Promise<void> {
  const who = bundle.identities.find((i) => i.name === identityName);
  if (!who) throw new Error(`The devnet has no identity "${identityName}"; start it with its default config.`);
  const { gateway, client } = connectAs(bundle, who, { endorse: 30_000, submit: 30_000, commitStatus: 60_000 });
  try {
    await gateway.getNetwork(bundle.channel).getContract(bundle.chaincode).submitTransaction(transaction, arg);
  } catch (err) {
    if (!alreadyThere(err)) throw err;
  } finally {
    gateway.close();
    client.close();
  }
}

/**
 * Makes the locums' wallets (once), publishes the board's lists with the suspension, records
 * the sanction and Hospital B's verification, and writes a fresh QR code per locum to
 * `<home>/qr/<slug>.png` for Hospital A.
 */
export async function seedCredentialingDemo(options: { home: string; bundle: NetworkBundle; bundleFile: string; log?: (line: string) => void }): Promise<SeededLocum[]> {
  const { home, bundle } = options;
  const log = options.log ?? ((): void => undefined);
  for (const l of DEMO_LOCUMS) {
    const dir = walletDir(home, l.slug);
    try {
      await loadWallet(dir);
      continue;
    } catch {
      // not made yet
    }
    await wallet(home, [
      'new-doctor', '--name', l.name, '--slug', l.slug, '--license-number', l.licenseNumber, '--jurisdiction', 'GB', '--npi', l.npi,
      '--specialty-code', '394577000', '--specialty-display', 'Anaesthetics', '--board', 'Royal College of Anaesthetists',
    ]);
    if (l.story === 'licence-suspended') await wallet(home, ['suspend', 'licence', '--wallet', l.slug]);
    log(`demo locum ${l.name}: wallet made (${l.story})`);
  }
  // The suspension reaches the ledger with the board's lists (idempotent).
  await registerOnLedger(home, options.bundleFile, log);
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const sanctioned = DEMO_LOCUMS.find((l) => l.story === 'sanctioned');
  if (sanctioned) {
    await submitOnce(bundle, 'governance-admin', 'Sanctions:addSanction', JSON.stringify({ sanctionId: DEMO_SANCTION_ID, npi: sanctioned.npi, reason: '1128a1 Program-related conviction', source: 'OIG LEIE (generated demo sample)', from }));
  }
  const out: SeededLocum[] = [];
  for (const l of DEMO_LOCUMS) {
    const dir = walletDir(home, l.slug);
    const w = await loadWallet(dir);
    if (l.story === 'clean-verified-at-b') {
      const licence = (await listCredentials(dir)).find((c) => c.type === 'MedicalLicenseCredential');
      const hash = createHash('sha256').update(licence?.jwt ?? l.slug).digest('hex');
      const checks = ['signature', 'issuer-trust', 'validity-period', 'revocation', 'suspension', 'holder-binding', 'audience', 'freshness', 'replay', 'schema', 'jurisdiction', 'sanctions', 'npi-sanctions', 'specialty-coverage'].map((check) => ({ check, result: 'pass' }));
      const verificationId = `demo-hospital-b-${l.slug}`;
      await submitOnce(bundle, 'hospital-b-credentialing', 'Credentialing:recordVerification', JSON.stringify({ verificationId, kind: 'full', doctorDid: w.did, credentialHashes: [hash], checks, outcome: 'verified' }));
      await submitOnce(bundle, 'hospital-b-credentialing', 'Credentialing:grantPrivileges', JSON.stringify({ privilegeId: `${verificationId}-privileges`, kind: 'standard', verificationId, scope: ['general-anaesthesia'], from, until: new Date(Date.now() + 30 * 86_400_000).toISOString() }));
    }
    const presented = await presentWallet(dir, w, { audience: DEMO_HOSPITAL_DID, out: path.join(home, 'qr', `${l.slug}.png`) });
    out.push({ ...l, did: w.did, pngFiles: presented.pngFiles });
    log(`demo locum ${l.name} (credentialing screen): ${presented.pngFiles.join(', ')}: ${l.expect}`);
  }
  return out;
}
