/**
 * Demo set-up for `start:web --demo` and `npm start` on the embedded devnet: a cache protected by
 * a documented demo passphrase (or the OS keychain), and one enrolled staff identity per role,
 * all with the demo PIN.
 *
 * The identities are the devnet's own staff of its first hospital org (Alice Admissions,
 * Dr Carl Clinician, … of HospitalAMSP), read from the devnet's network material in
 * `devnetDir` (created there if the devnet has not run yet, exactly as the devnet would), so the
 * ledger knows them. They are enrolled like anyone else's: with the workstation's setup
 * (recovery) passphrase, and only because they chain to that hospital's CA, which the
 * workstation trusts from the devnet's bundle (or, with no ledger configured, from the same
 * network material: `demoOrganisationCa`). Never use these secrets outside a demo.
 */
import { StaffRole } from '../../src-shared/ipc/contract';
import { OrganisationKind, ROLES_BY_KIND, rolesOf, type HospitalRole } from '../../src-shared/organisations/roles';
import { ensureNetworkMaterial, loadConfig } from '../../ledger/devnet/src/network';
import type { Workstation } from '../services';
import type { OrganisationCa } from '../session/organisation-ca';

export const DEMO_PIN = '1234';
export const DEMO_CACHE_PASSPHRASE = 'careledger-demo-passphrase';
export const DEMO_RECOVERY_PASSPHRASE = 'careledger-demo-recovery';

const FALLBACK_NAMES: Readonly<Record<HospitalRole, string>> = {
  admissions: 'Alice Admissions',
  clinician: 'Dr Carl Clinician',
  claims: 'Clara Claims',
  credentialing: 'Cora Credentialing',
  privacy: 'Priya Privacy',
};

function hospitalStaffNames(): Readonly<Record<HospitalRole, string>> {
  const names: Record<HospitalRole, string> = { ...FALLBACK_NAMES };
  try {
    const hospital = loadConfig().orgs.find((o) => o.kind === 'hospital');
    for (const who of hospital?.identities ?? []) {
      const role = ROLES_BY_KIND.hospital.find((r) => r === who.role);
      if (role !== undefined && names[role] === FALLBACK_NAMES[role]) names[role] = who.displayName ?? who.name;
    }
  } catch {
    // No readable devnet config: the demo CA issues the fallback names.
  }
  return Object.freeze(names);
}

/** The display name of the demo staff member of each role (the devnet config's first hospital). */
export const DEMO_STAFF: Readonly<Record<HospitalRole, string>> = hospitalStaffNames();

interface DemoIdentity {
  role: StaffRole;
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** One demo staff member of an organisation: who to sign in as. */
export interface DemoStaffMember {
  role: StaffRole;
  displayName: string;
}

/**
 * The demo staff of `mspId` in the devnet config (one per role of the organisation's kind, in the
 * kind's role order), for the start-up message and the tests. Empty for an unknown MSP.
 */
export function demoStaffOf(mspId: string): DemoStaffMember[] {
  const org = loadConfig().orgs.find((o) => o.mspId === mspId);
  const kind = OrganisationKind.safeParse(org?.kind);
  if (!org || !kind.success) return [];
  const out: DemoStaffMember[] = [];
  for (const role of rolesOf(kind.data)) {
    const who = org.identities.find((i) => i.role === role);
    if (who) out.push({ role, displayName: who.displayName ?? who.name });
  }
  return out;
}

/** The devnet organisation `mspId`, or the first hospital without one. */
function pickOrg<T extends { mspId: string; kind: string }>(orgs: readonly T[], mspId: string | undefined): T | undefined {
  return mspId === undefined ? orgs.find((o) => o.kind === 'hospital') : orgs.find((o) => o.mspId === mspId);
}

async function devnetStaff(devnetDir: string, mspId: string | undefined): Promise<DemoIdentity[]> {
  const material = await ensureNetworkMaterial(devnetDir, loadConfig());
  const org = pickOrg(material.orgs, mspId);
  if (!org) return [];
  const out: DemoIdentity[] = [];
  for (const id of material.identities) {
    const role = StaffRole.safeParse(id.role);
    if (id.mspId === org.mspId && role.success && !out.some((o) => o.role === role.data)) {
      out.push({ role: role.data, mspId: id.mspId, certificatePem: id.certificatePem, privateKeyPem: id.privateKeyPem });
    }
  }
  return out;
}

/**
 * The MSP definition of the devnet's organisation `mspId` (default: its first hospital) from the
 * network material in `devnetDir`, for a demo workstation without a configured ledger (the
 * devnet's bundle gives the same otherwise).
 */
export async function demoOrganisationCa(devnetDir: string, mspId?: string): Promise<OrganisationCa | null> {
  const material = await ensureNetworkMaterial(devnetDir, loadConfig());
  const org = pickOrg(material.orgs, mspId);
  const kind = OrganisationKind.safeParse(org?.kind);
  if (!org || !kind.success) return null;
  return { mspId: org.mspId, organisationName: org.displayName, rootCertificatesPem: [org.ca.certificatePem], intermediateCertificatesPem: [], crlsPem: [], organisationKind: kind.data };
}

/**
 * Opens (or first sets up) the cache with the demo secrets and enrols the demo staff of the
 * devnet organisation `mspId` (default: its first hospital) that are missing: one per role of the
 * organisation's kind. Returns where the identities came from, for the start-up message.
 * @throws Error when the devnet's network material cannot be read or lacks a role.
 */
export async function prepareDemo(ws: Workstation, options: { devnetDir: string; mspId?: string; log?: (line: string) => void }): Promise<'devnet' | 'already-enrolled'> {
  const state = ws.cache.state();
  if (state.status === 'needs-setup') {
    await ws.cache.setUp({
      passphrase: state.keyProtection === 'passphrase' ? DEMO_CACHE_PASSPHRASE : undefined,
      recoveryPassphrase: DEMO_RECOVERY_PASSPHRASE,
    });
  } else if (state.status === 'locked' && state.keyProtection === 'passphrase') {
    await ws.cache.unlock({ passphrase: DEMO_CACHE_PASSPHRASE, isRecovery: false });
  }
  const enrolled = new Set((await ws.session.listIdentities()).map((i) => i.role));
  const kind = (await demoOrganisationCa(options.devnetDir, options.mspId))?.organisationKind ?? 'hospital';
  const missing = rolesOf(kind).filter((role) => !enrolled.has(role));
  if (missing.length === 0) return 'already-enrolled';
  // No throw-away CA as a fallback: the workstation would rightly refuse its certificates.
  const staff = (await devnetStaff(options.devnetDir, options.mspId)).filter((s) => missing.includes(s.role));
  const stillMissing = missing.filter((role) => !staff.some((s) => s.role === role));
  if (stillMissing.length > 0) {
    throw new Error(`The devnet's network material in ${options.devnetDir} has no demo staff for ${stillMissing.join(', ')}; check ledger/devnet/devnet.config.json.`);
  }
  for (const s of staff) {
    await ws.session.importIdentity({ certificatePem: s.certificatePem, privateKeyPem: s.privateKeyPem, pin: DEMO_PIN, setupPassphrase: DEMO_RECOVERY_PASSPHRASE });
  }
  options.log?.(`${staff.length} demo staff enrolled from the devnet's ${staff[0]?.mspId ?? ''} certificate authority.`);
  return 'devnet';
}
