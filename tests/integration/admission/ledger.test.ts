/**
 * The admission desk through the real sync engine to the devnet running the careledger
 * chaincode: an admission made while the ledger is down waits in the outbox, and once the
 * ledger is back the admission event and the patient-signed consent are on the ledger.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetworkBundle, type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';
import { SyncService } from '../../../src-main/sync/sync-service';
import { bundleSigner, freePort, waitFor } from '../sync/support';
import { connectAsName } from '../wallet/support';
import { ADMIT, makeWorld, openCache, outboxRows, patientWallet, present, STAFF, type World } from './support';

let dir: string;
let port: number;
let bundle: NetworkBundle;
let devnet: RunningDevnet | null = null;

function start(): Promise<RunningDevnet> {
  return startDevnet({ dataDir: path.join(dir, 'devnet'), port, logLevel: 'warn' });
}

async function evaluate(fn: string, ...args: string[]): Promise<Record<string, unknown>> {
  const c = connectAsName(bundle, 'hospital-a-clinician');
  try {
    const bytes = await c.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode).evaluateTransaction(fn, ...args);
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } finally {
    c.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-adm-ledger-'));
  port = await freePort();
  devnet = await start();
  bundle = devnet.bundle;
  const gov = connectAsName(bundle, 'governance-admin');
  try {
    const contract = gov.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode);
    await contract.submitTransaction('Governance:initialise', JSON.stringify({ did: 'did:web:governance.careledger.example', name: 'CareLedger Governance' }));
    // Consents name their grantee by DID: the ledger must know Hospital A's.
    await contract.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: DEMO_HOSPITAL_DID, name: 'Hospital A' }));
  } finally {
    gov.close();
  }
  // The ledger goes down before the desk opens.
  await devnet.stop();
  devnet = null;
}, 180_000);

afterAll(async () => {
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('admission desk and the ledger', () => {
  let world: World;
  let sync: SyncService;
  let db: CacheDatabase;

  afterAll(async () => {
    await sync?.close();
    await world?.close();
  });

  it('admits offline (queued), then after the ledger returns the admission and the consent are on it', async () => {
    db = await openCache(dir);
    sync = new SyncService({ settings: settingsFromDevnetBundle(bundle, { mspId: 'HospitalAMSP' }), fixedSigners: [bundleSigner(bundle, 'hospital-a-admissions')] });
    await sync.start(db);
    world = await makeWorld('ledger', { db, dir, ledger: () => sync });

    const wallet = patientWallet(world.issuers, { givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-02' });
    let scan = await world.desk.scan(STAFF, present(wallet)[0] as string, 'camera');
    if (scan.status !== 'verified') throw new Error('expected a verified scan');
    expect(scan.accepted).toBe(true);
    const admission = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A01', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
    expect(admission.ledger).toEqual({ admission: 'queued', consent: 'queued' });
    expect((await sync.state()).queued).toBe(2);

    devnet = await start();
    await waitFor(async () => (await outboxRows(db)).every((r) => r.state === 'committed'), 60_000, 'the queued admission and consent to commit');
    expect((await world.desk.getAdmission(admission.admissionId)).ledger).toEqual({ admission: 'committed', consent: 'committed' });

    const encounter = await evaluate('Admissions:getEncounter', admission.encounterId);
    expect(encounter).toMatchObject({ encounterId: admission.encounterId, mspId: 'HospitalAMSP', status: 'admitted', wardCode: 'W-101' });
    // Pseudonymous: nothing about the person, not even the wallet DID, only this hospital's pseudonym.
    expect(encounter['patientPseudonym']).toMatch(/^hp1:/);
    expect(JSON.stringify(encounter)).not.toMatch(new RegExp(`Oliveira|Maria|1984|${wallet.patient.did}`));
    const consent = await evaluate('Consent:getConsent', admission.consent.consentId as string);
    expect(consent).toMatchObject({ patientDid: wallet.patient.did, granteeDid: DEMO_HOSPITAL_DID, status: 'active', purposes: expect.arrayContaining(['TREAT', 'HPAYMT']) });

    // Discharge goes out online, behind the admit event of the same encounter.
    await world.desk.discharge(STAFF, { admissionId: admission.admissionId });
    await waitFor(async () => (await outboxRows(db)).every((r) => r.state === 'committed'), 30_000, 'the discharge to commit');
    expect(await evaluate('Admissions:getEncounter', admission.encounterId)).toMatchObject({ status: 'discharged' });

    scan = await world.desk.scan(STAFF, present(wallet)[0] as string, 'camera');
    expect(scan.status === 'verified' && scan.matches[0]?.strength).toBe('same-wallet');
  });
});
