/**
 * Claims end to end on the devnet running the careledger chaincode, with two workstations:
 * Hospital A's claims desk (signed as hospital-a-claims) and the insurer's (insurer-adjudicator),
 * each with its own SQLCipher cache, sync engine and inbox. The clerk bills an admission, the
 * insurer denies one line, the clerk corrects and resubmits, the insurer approves and pays, and
 * the hospital sees it paid; a duplicate is refused locally and by the chaincode (naming the
 * first); a claim made while the ledger is down is submitted exactly once when it returns.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetworkBundle, type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { claimsTimelineApplier, ClaimsService, type ClaimsStaff } from '../../../src-main/claims';
import { settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';
import { organisationRegistryApplier } from '../../../src-main/organisations/registry-mirror';
import { SyncService } from '../../../src-main/sync/sync-service';
import { openCache } from '../admission/support';
import { bundleSigner, freePort, waitFor } from '../sync/support';
import { connectAsName } from '../wallet/support';

const INSURER_DID = 'did:web:insurer.careledger.example';
const CLARA: ClaimsStaff = { id: 'hospital-a-claims', displayName: 'Clara Claims', mspId: 'HospitalAMSP', role: 'claims', kind: 'hospital' };
const INES: ClaimsStaff = { id: 'insurer-adjudicator', displayName: 'Ines Adjudicator', mspId: 'InsurerMSP', role: 'adjudicator', kind: 'insurer' };

let dir: string;
let port: number;
let bundle: NetworkBundle;
let devnet: RunningDevnet | null = null;

interface Desk {
  db: CacheDatabase;
  sync: SyncService;
  claims: ClaimsService;
}
let hospital: Desk;
let insurer: Desk;

async function desk(name: string, mspId: string, signer: string): Promise<Desk> {
  const d = path.join(dir, name);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(d, { recursive: true });
  const db = await openCache(d);
  const sync = new SyncService({ settings: settingsFromDevnetBundle(bundle, { mspId }), fixedSigners: [bundleSigner(bundle, signer)], appliers: [organisationRegistryApplier, claimsTimelineApplier] });
  const claims = new ClaimsService({ db, ledger: sync, currency: 'USD', now: () => new Date('2026-12-07T10:00:00Z') });
  await sync.start(db);
  return { db, sync, claims };
}

/** Maria's discharged admission with her verified Northwind card, as the admission desk leaves it. */
async function admitMaria(db: CacheDatabase, admissionId: string, memberId = 'NWH-2291-774-03'): Promise<void> {
  const eligibility = {
    status: 'eligible', message: 'Covered.', insurerName: 'Northwind Health Insurance', insurerDid: INSURER_DID, memberId, planName: 'Family Care Plus',
    groupNumber: null, coverageStart: '2026-01-01', coverageEnd: '2026-12-31', checkedFor: '2026-12-03',
  };
  await db.write(async (w) => {
    const pid = `p-${admissionId}`;
    await w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, ledger_did, created_at, created_by, updated_at)
                    VALUES (${pid}, ${`MRN-${admissionId}`}, ${Math.floor(Math.random() * 1e9)}, 'Maria', 'Garcia', 'maria', 'garcia', '1984-03-02', 'female', 'wallet-verified', 'did:key:zMaria', '2026-12-03T08:00:00Z', 'test', '2026-12-03T08:00:00Z')`);
    await w.run(sql`INSERT INTO admission (admission_id, encounter_id, patient_id, ledger_did, status, ward_code, bed, attending_id, reason, admitted_at, discharged_at, consent, eligibility, created_by, created_at, updated_at)
                    VALUES (${admissionId}, ${`enc-${admissionId}`}, ${pid}, 'did:key:zMaria', 'discharged', 'W-101', ${admissionId}, 'dr-1', 'Pneumonia', '2026-12-03T08:00:00Z', '2026-12-06T11:00:00Z', '{}', ${JSON.stringify(eligibility)}, 'test', '2026-12-03T08:00:00Z', '2026-12-06T11:00:00Z')`);
  });
}

async function status(d: Desk, claimId: string): Promise<string | undefined> {
  return (await d.db.read((r) => r.get<{ status: string; outcome: string | null }>(sql`SELECT status, outcome FROM claim WHERE claim_id = ${claimId}`)))?.status;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-claims-'));
  port = await freePort();
  devnet = await startDevnet({ dataDir: path.join(dir, 'devnet'), port, logLevel: 'warn' });
  bundle = devnet.bundle;
  const gov = connectAsName(bundle, 'governance-admin');
  try {
    const contract = gov.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode);
    await contract.submitTransaction('Governance:initialise', JSON.stringify({ did: 'did:web:governance.careledger.example', name: 'CareLedger Governance' }));
    await contract.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: DEMO_HOSPITAL_DID, name: 'Hospital A' }));
    await contract.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId: 'InsurerMSP', kind: 'insurer', did: INSURER_DID, name: 'Northwind Health Insurance' }));
  } finally {
    gov.close();
  }
  hospital = await desk('hospital', 'HospitalAMSP', 'hospital-a-claims');
  insurer = await desk('insurer', 'InsurerMSP', 'insurer-adjudicator');
  await admitMaria(hospital.db, 'adm-maria');
  await waitFor(async () => (await hospital.claims.context('adm-maria')).insurer !== null, 60_000, 'the hospital to learn the registered insurer');
}, 180_000);

afterAll(async () => {
  await hospital?.sync.close();
  await insurer?.sync.close();
  await hospital?.db.close();
  await insurer?.db.close();
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('claims between Hospital A and the insurer', () => {
  let claimId = '';

  it('Clara bills Maria; Ines denies one line with a reason; Clara corrects and resubmits; Ines approves and pays; Clara sees it paid', async () => {
    const { form } = await hospital.claims.newClaim('adm-maria');
    form.diagnoses = [{ code: 'J18.9' }, { code: 'E11.9' }];
    form.items.push({ code: '71046', modifiers: [], revenueCode: '0320', servicedDate: '2026-12-03', units: 1, unitPrice: 96 });
    const draft = await hospital.claims.saveDraft(CLARA, { claimId: null, form });
    claimId = draft.summary.claimId;
    expect(draft.summary.status).toBe('draft');
    const queued = await hospital.claims.submit(CLARA, claimId);
    expect(queued.summary.status).toBe('queued');
    await waitFor(async () => (await status(hospital, claimId)) === 'submitted', 60_000, 'the claim on the ledger');

    // The insurer's inbox read the claim detail from the pair's private collection.
    await waitFor(async () => (await status(insurer, claimId)) === 'submitted', 60_000, 'the claim in the insurer queue');
    const queue = await insurer.claims.workList(INES);
    expect(queue.side).toBe('insurer');
    const atInsurer = await insurer.claims.get(INES, claimId);
    expect(atInsurer.summary.patientName).toBe('GARCIA, Maria');
    expect(atInsurer.lines.map((l) => l.code)).toEqual(['99223', '99232', '99238', '71046']);
    expect(atInsurer.insurerCoverageCheck).toMatch(/holds every service date/);

    const decisions = atInsurer.lines.map((l) => ({ sequence: l.sequence, decision: l.code === '71046' ? ('deny' as const) : ('approve' as const), approvedCents: 0, reasonCodes: l.code === '71046' ? ['50'] : [] }));
    await insurer.claims.adjudicate(INES, { claimId, items: decisions });
    await waitFor(async () => (await status(hospital, claimId)) === 'adjudicated', 60_000, 'the decision at the hospital');
    const partial = await hospital.claims.get(CLARA, claimId);
    expect(partial.summary.outcome).toBe('partial');
    expect(partial.summary.needsAction).toBe(true);
    expect(partial.summary.reasonCodes).toEqual([{ code: '50', description: 'Not a service the payer deems medically necessary' }]);
    // The insurer's per-line decision reached the hospital through the private ClaimResponse.
    await waitFor(async () => (await hospital.claims.get(CLARA, claimId)).lines.some((l) => l.adjudication !== null), 30_000, 'the ClaimResponse');
    const withReasons = await hospital.claims.get(CLARA, claimId);
    expect(withReasons.lines.find((l) => l.code === '71046')?.adjudication).toMatchObject({ decision: 'deny', approvedCents: 0, reasonCodes: ['50'] });
    expect(withReasons.canResubmit).toBe(true);

    // Correction: version 2 without the X-ray, resubmitted.
    const corrected = { ...form, items: form.items.filter((i) => i.code !== '71046') };
    const v2 = await hospital.claims.saveDraft(CLARA, { claimId, form: corrected });
    expect(v2.form?.items).toHaveLength(3);
    await hospital.claims.submit(CLARA, claimId);
    await waitFor(async () => (await status(insurer, claimId)) === 'resubmitted', 60_000, 'the resubmission at the insurer');
    const v2AtInsurer = await insurer.claims.get(INES, claimId);
    expect(v2AtInsurer.summary.submissionCount).toBe(2);
    expect(v2AtInsurer.lines).toHaveLength(3);
    await insurer.claims.adjudicate(INES, { claimId, items: v2AtInsurer.lines.map((l) => ({ sequence: l.sequence, decision: 'approve' as const, approvedCents: 0, reasonCodes: [] })) });
    await waitFor(async () => (await insurer.claims.get(INES, claimId)).canPay, 60_000, 'the approval at the insurer');
    await insurer.claims.pay(INES, { claimId, paymentRef: 'NWH-PAY-0001' });
    await waitFor(async () => (await status(hospital, claimId)) === 'paid', 60_000, 'the payment at the hospital');
    const paid = await hospital.claims.get(CLARA, claimId);
    expect(paid.summary).toMatchObject({ status: 'paid', paidCents: paid.summary.totalCents, approvedCents: paid.summary.totalCents });
    expect(paid.timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['submitted', 'adjudicated', 'resubmitted', 'paid']));
    expect(paid.timeline.find((t) => t.kind === 'paid')?.text).toMatch(/payment reference NWH-PAY-0001/);
  });

  it('refuses a resubmission of a paid claim with a sentence', async () => {
    const { form } = await hospital.claims.newClaim('adm-maria');
    await expect(hospital.claims.saveDraft(CLARA, { claimId, form: { ...form, diagnoses: [{ code: 'J18.9' }] } })).rejects.toThrow(/is paid; a paid claim cannot be corrected or resubmitted/);
    await expect(hospital.claims.submit(CLARA, claimId)).rejects.toThrow(/paid/);
  });

  it('refuses a duplicate before it leaves when this workstation knows the first, naming it', async () => {
    const first = await hospital.claims.get(CLARA, claimId);
    const again = await hospital.claims.saveDraft(CLARA, { claimId: null, form: first.form! });
    await expect(hospital.claims.submit(CLARA, again.summary.claimId)).rejects.toThrow(new RegExp(`duplicates claim ${claimId}`));
    expect(await status(hospital, again.summary.claimId)).toBe('draft');
  });

  it('the chaincode refuses a duplicate from a workstation that does not know the first, naming it; the draft is kept', async () => {
    const other = await desk('hospital-2', 'HospitalAMSP', 'hospital-a-claims');
    try {
      await admitMaria(other.db, 'adm-maria-2');
      await waitFor(async () => (await other.claims.context('adm-maria-2')).insurer !== null, 60_000, 'the second desk to learn the insurer');
      const form = (await hospital.claims.get(CLARA, claimId)).form!;
      const draft = await other.claims.saveDraft(CLARA, { claimId: null, form: { ...form, admissionId: 'adm-maria-2' } });
      await other.claims.submit(CLARA, draft.summary.claimId);
      await waitFor(async () => (await status(other, draft.summary.claimId)) === 'refused', 60_000, 'the chaincode refusal');
      const refused = await other.claims.get(CLARA, draft.summary.claimId);
      expect(refused.summary.problem).toMatch(new RegExp(`duplicates claim ${claimId}`));
      expect(refused.form?.items).toHaveLength(3);
      expect(refused.canResubmit).toBe(true);
    } finally {
      await other.sync.close();
      await other.db.close();
    }
  });

  it('the insurer workstation never shows a claim addressed to another insurer or made by another hospital', async () => {
    const stranger: ClaimsStaff = { ...INES, mspId: 'OtherInsurerMSP' };
    await expect(insurer.claims.get(stranger, claimId)).rejects.toThrow(/not on this workstation/);
    await expect(hospital.claims.get({ ...CLARA, mspId: 'HospitalBMSP' }, claimId)).rejects.toThrow(/not on this workstation/);
    const b = connectAsName(bundle, 'hospital-b-claims');
    try {
      await expect(b.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode).evaluateTransaction('Claims:getClaimDetail', claimId)).rejects.toThrow();
    } finally {
      b.close();
    }
  });

  it('a claim made while the ledger is down waits in the outbox and is submitted exactly once when it returns', async () => {
    await admitMaria(hospital.db, 'adm-offline', 'NWH-5555-000-01');
    await devnet?.stop();
    devnet = null;
    const { form } = await hospital.claims.newClaim('adm-offline');
    form.diagnoses = [{ code: 'N39.0' }];
    const draft = await hospital.claims.saveDraft(CLARA, { claimId: null, form });
    await hospital.claims.submit(CLARA, draft.summary.claimId);
    expect(await status(hospital, draft.summary.claimId)).toBe('queued');
    devnet = await startDevnet({ dataDir: path.join(dir, 'devnet'), port, logLevel: 'warn' });
    await waitFor(async () => (await status(hospital, draft.summary.claimId)) === 'submitted', 90_000, 'the offline claim on the ledger');
    const rows = await hospital.db.read((r) => r.all<{ state: string }>(sql`SELECT state FROM outbox WHERE order_key = ${`claim:${draft.summary.claimId}`}`));
    expect(rows.map((r) => r.state)).toEqual(['committed']);
    const c = connectAsName(bundle, 'hospital-a-claims');
    try {
      const record = JSON.parse(Buffer.from(await c.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode).evaluateTransaction('Claims:getClaim', draft.summary.claimId)).toString('utf8')) as { version: number; submissionCount: number };
      expect(record).toMatchObject({ version: 1, submissionCount: 1 });
    } finally {
      c.close();
    }
  });
});
