import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDevCa, issueIdentity, type DevCa } from '../../../ledger/devnet/src/ca';
import type { StaffIdentitySummary, StaffRole } from '../../../src-shared/ipc/contract';
import type { OrganisationKind } from '../../../src-shared/organisations/roles';
import { createWorkstation, type Workstation } from '../../../src-main/services';
import type { OrganisationCa } from '../../../src-main/session/organisation-ca';
import { FAST_SCRYPT, FakeClock } from '../../unit/foundation/support';

export const PIN = '4826';
/** The workstation's setup (recovery) passphrase: what IT types to enrol staff. */
export const SETUP_PASSPHRASE = 'test recovery 22';
// No ledger (ledger: {}), whatever the environment says: these tests are about the workstation itself.
const quiet = { internal: () => undefined, refused: () => undefined };

export interface TestWorkstation {
  ws: Workstation;
  clock: FakeClock;
  ca: DevCa;
  dir: string;
  staff: Partial<Record<StaffRole, StaffIdentitySummary>>;
  dispose(): Promise<void>;
}

/** Which organisation the test workstation belongs to (default: Hospital A, configured as a hospital). */
export interface TestOrganisation {
  mspId: string;
  organisationName: string;
  /** As a connection file's `organisationKind` would say; absent = not configured (a hospital). */
  organisationKind?: OrganisationKind;
}

/** A workstation on a fresh data dir, cache open under a passphrase, with the given roles enrolled. */
export async function openWorkstation(
  roles: StaffRole[],
  clock = new FakeClock(Date.now()),
  organisation: TestOrganisation = { mspId: 'HospitalAMSP', organisationName: 'Hospital A' },
): Promise<TestWorkstation> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'careledger-ws-'));
  // The workstation's organisation is configured (as a connection file's "msp" section would): only this CA's staff enrol.
  const ca = await createDevCa({ mspId: organisation.mspId });
  const organisationCa: OrganisationCa = { ...organisation, rootCertificatesPem: [ca.certificatePem], intermediateCertificatesPem: [], crlsPem: [] };
  const ws = createWorkstation({
    dataDir: dir,
    keychain: null,
    clock,
    scrypt: FAST_SCRYPT,
    validateResponses: true,
    log: quiet,
    lockoutBaseMs: 60_000,
    ledger: {},
    organisationCa: () => Promise.resolve(organisationCa),
  });
  await ws.start();
  await ws.cache.setUp({ passphrase: 'test passphrase 1', recoveryPassphrase: SETUP_PASSPHRASE });
  const staff: TestWorkstation['staff'] = {};
  for (const role of roles) {
    const issued = await issueIdentity(ca, { enrollmentId: `${role}1`, commonName: `Test ${role}`, role });
    staff[role] = await ws.session.importIdentity({ ...issued, pin: PIN, setupPassphrase: SETUP_PASSPHRASE });
  }
  return {
    ws,
    clock,
    ca,
    dir,
    staff,
    dispose: async () => {
      await ws.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
