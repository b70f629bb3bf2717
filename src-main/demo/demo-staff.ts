/**
 * Demo set-up for `start:web --demo` and `npm start` on the embedded devnet: a cache protected by
 * a documented demo passphrase (or the OS keychain), and one enrolled staff identity per role,
 * all with the demo PIN.
 *
 * The identities are the devnet's own staff of its first hospital org (Alice Admissions,
 * Dr Carl Clinician, … of HospitalAMSP), read from the devnet's network material in
 * `devnetDir` (created there if the devnet has not run yet, exactly as the devnet would), so the
 * ledger knows them. If the devnet's material cannot be used, a throw-away dev CA issues them.
 * Never use these secrets outside a demo.
 */
import { STAFF_ROLES, StaffRole } from '../../src-shared/ipc/contract';
import { createDevCa, issueIdentity } from '../../ledger/devnet/src/ca';
import { ensureNetworkMaterial, loadConfig } from '../../ledger/devnet/src/network';
import type { Workstation } from '../services';

export const DEMO_PIN = '1234';
export const DEMO_CACHE_PASSPHRASE = 'careledger-demo-passphrase';
export const DEMO_RECOVERY_PASSPHRASE = 'careledger-demo-recovery';

const FALLBACK_NAMES: Readonly<Record<StaffRole, string>> = {
  admissions: 'Alice Admissions',
  clinician: 'Dr Carl Clinician',
  claims: 'Clara Claims',
  credentialing: 'Cora Credentialing',
  privacy: 'Priya Privacy',
};

function hospitalStaffNames(): Readonly<Record<StaffRole, string>> {
  const names: Record<StaffRole, string> = { ...FALLBACK_NAMES };
  try {
    const hospital = loadConfig().orgs.find((o) => o.kind === 'hospital');
    for (const who of hospital?.identities ?? []) {
      const role = StaffRole.safeParse(who.role);
      if (role.success && names[role.data] === FALLBACK_NAMES[role.data]) names[role.data] = who.displayName ?? who.name;
    }
  } catch {
    // No readable devnet config: the demo CA issues the fallback names.
  }
  return Object.freeze(names);
}

/** The display name of the demo staff member of each role (the devnet config's first hospital). */
export const DEMO_STAFF: Readonly<Record<StaffRole, string>> = hospitalStaffNames();

interface DemoIdentity {
  role: StaffRole;
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
}

async function devnetStaff(devnetDir: string): Promise<DemoIdentity[]> {
  const material = await ensureNetworkMaterial(devnetDir, loadConfig());
  const hospital = material.orgs.find((o) => o.kind === 'hospital');
  if (!hospital) return [];
  const out: DemoIdentity[] = [];
  for (const id of material.identities) {
    const role = StaffRole.safeParse(id.role);
    if (id.mspId === hospital.mspId && role.success && !out.some((o) => o.role === role.data)) {
      out.push({ role: role.data, mspId: id.mspId, certificatePem: id.certificatePem, privateKeyPem: id.privateKeyPem });
    }
  }
  return out;
}

async function devCaStaff(roles: readonly StaffRole[]): Promise<DemoIdentity[]> {
  const mspId = 'HospitalAMSP';
  const names = DEMO_STAFF;
  const ca = await createDevCa({ mspId, commonName: 'ca.demo' });
  const out: DemoIdentity[] = [];
  for (const role of roles) {
    const issued = await issueIdentity(ca, { enrollmentId: `demo-${role}`, commonName: names[role], role });
    out.push({ role, mspId, ...issued });
  }
  return out;
}

/**
 * Opens (or first sets up) the cache with the demo secrets and enrols the demo staff that are
 * missing. Returns where the identities came from, for the start-up message.
 */
export async function prepareDemo(ws: Workstation, options: { devnetDir: string; log?: (line: string) => void }): Promise<'devnet' | 'dev-ca' | 'already-enrolled'> {
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
  const missing = STAFF_ROLES.filter((role) => !enrolled.has(role));
  if (missing.length === 0) return 'already-enrolled';
  let source: 'devnet' | 'dev-ca' = 'devnet';
  let staff: DemoIdentity[] = [];
  try {
    staff = (await devnetStaff(options.devnetDir)).filter((s) => missing.includes(s.role));
  } catch (err) {
    options.log?.(`The devnet's staff identities could not be read (${err instanceof Error ? err.message : String(err)}); using a demo CA instead.`);
  }
  const stillMissing = missing.filter((role) => !staff.some((s) => s.role === role));
  if (stillMissing.length > 0) {
    source = 'dev-ca';
    staff.push(...(await devCaStaff(stillMissing)));
  }
  for (const s of staff) {
    await ws.session.importIdentity({ certificatePem: s.certificatePem, privateKeyPem: s.privateKeyPem, mspId: s.mspId, pin: DEMO_PIN });
  }
  return source;
}
