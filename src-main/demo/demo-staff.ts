/**
 * Demo set-up for `start:web --demo` (and the demo launcher): a cache protected by a documented
 * demo passphrase, and one enrolled staff identity per role, all with the demo PIN.
 *
 * The identities come from a development CA made here (ledger/devnet's createDevCa); once the
 * devnet publishes its network bundle, they should be the bundle's staff so the ledger knows
 * them. Never use these secrets outside a demo.
 */
import { STAFF_ROLES, type StaffRole } from '../../src-shared/ipc/contract';
import { createDevCa, issueIdentity } from '../../ledger/devnet/src/ca';
import type { Workstation } from '../services';

export const DEMO_PIN = '1234';
export const DEMO_CACHE_PASSPHRASE = 'careledger-demo-passphrase';
export const DEMO_RECOVERY_PASSPHRASE = 'careledger-demo-recovery';
export const DEMO_MSP_ID = 'HospitalAMSP';

export const DEMO_STAFF: Readonly<Record<StaffRole, string>> = {
  admissions: 'Sam Rivera',
  clinician: 'Dr Maya Okafor',
  claims: 'Jordan Lee',
  credentialing: 'Priya Nair',
  privacy: 'Tom Becker',
};

/** Opens (or first sets up) the cache with the demo passphrase and enrols missing demo staff. */
export async function prepareDemo(ws: Workstation): Promise<void> {
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
  if (missing.length === 0) return;
  const ca = await createDevCa({ mspId: DEMO_MSP_ID, commonName: 'ca.hospital-a.demo' });
  for (const role of missing) {
    const name = DEMO_STAFF[role];
    const issued = await issueIdentity(ca, { enrollmentId: `${role}1`, commonName: name, role });
    await ws.session.importIdentity({ certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, mspId: DEMO_MSP_ID, pin: DEMO_PIN });
  }
}
