/**
 * What the desk knows must survive every step: an allergy answer from registration through
 * admission, transfer, merge and reconcile to the wristband; beds taken anywhere in the
 * hospital (this desk or another desk, by the ledger's admission events) are never offered
 * or given; an admitted patient is recognised at the match, and refusals say what happened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src-shared/admission/schemas';
import { bedOccupancyApplier } from '../../../src-main/admission/occupancy';
import { listWaiting } from '../../../src-main/sync/waiting';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { DomainError } from '../../../src-main/errors';
import { ADMIT, makeWorld, outboxRows, patientWallet, present, STAFF, type World } from './support';

let world: World;
beforeEach(async () => {
  world = await makeWorld('carry');
});
afterEach(async () => {
  await world.close();
});

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

async function scanWallet(codes: string[]): Promise<Extract<ScanResult, { status: 'verified' }>> {
  let last: ScanResult | undefined;
  for (const c of codes) last = await world.desk.scan(STAFF, c, 'scanner');
  if (last?.status !== 'verified') throw new Error('expected a verified scan');
  return last;
}

function pdfText(base64: string): string {
  return Buffer.from(base64, 'base64').toString('latin1');
}

/** An Admissions.EventRecorded event as the inbox hands it to the applier: ids in the payload, the encounter its resolve step read. */
async function ledgerEvent(db: CacheDatabase, encounter: { encounterId: string; status: 'admitted' | 'discharged'; wardCode: string; bed?: string; mspId?: string }): Promise<void> {
  await db.write((w) =>
    bedOccupancyApplier.apply(
      w,
      {
        name: 'Admissions.EventRecorded',
        payload: { encounterId: encounter.encounterId, sequence: 1, mspId: encounter.mspId ?? 'HospitalAMSP', sha256: '0'.repeat(64) },
        detail: { mspId: 'HospitalAMSP', ...encounter },
        blockNumber: 7,
        txId: `tx-${encounter.encounterId}-${encounter.status}`,
      },
      { mspId: 'HospitalAMSP', now: new Date().toISOString() },
    ),
  );
}

const MANUAL = { givenName: 'Rosa', familyName: 'Klein', birthDate: '1971-07-07', gender: 'female', confirmNotDuplicate: false } as const;

describe('the allergy answer survives every step and reaches the wristband', () => {
  it('registered "yes" without a wallet, admitted with the form left at unknown: still "yes" on the record, the wristband and the PDF', async () => {
    const p = await world.desk.registerManual(STAFF, { ...MANUAL, allergies: 'yes' });
    expect(p.allergies).toBe('yes');
    // The exact reproduction: the admission form sent its untouched default, "unknown".
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A01', allergies: 'unknown', patient: { patientId: p.patientId } });
    expect(stay.patient.allergies).toBe('yes');
    const pdf = await world.desk.wristband(STAFF, { admissionId: stay.admissionId, format: 'wristband', print: false });
    expect(pdfText(pdf.pdfBase64)).toContain('ALLERGIES: YES');
    expect(pdfText(pdf.pdfBase64)).not.toContain('NOT ASKED');
    expect((await world.desk.listAdmissions({ includeDischarged: false, limit: 10 }))[0]?.allergies).toBe('yes');
    // Transfer and a later stay keep it too.
    const moved = await world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-103', bed: 'C01' });
    expect(moved.patient.allergies).toBe('yes');
    await world.desk.discharge(STAFF, { admissionId: stay.admissionId });
    const again = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A02', patient: { patientId: p.patientId } });
    expect(again.patient.allergies).toBe('yes');
  });

  it('an emergency patient registered with allergies keeps them through admission and reconciliation with the wallet', async () => {
    const unknown = await world.desk.registerUnidentified(STAFF, { gender: 'male', estimatedAgeYears: 60, allergies: 'yes' });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, wardCode: 'W-105', bed: 'I02', allergies: 'unknown', patient: { patientId: unknown.patientId } });
    expect(stay.patient.allergies).toBe('yes');
    const wallet = patientWallet(world.issuers, { givenName: 'Piet', familyName: 'Smit', birthDate: '1966-06-06', gender: 'male' });
    const reconciled = await world.desk.reconcile(STAFF, { patientId: unknown.patientId, scanId: (await scanWallet(present(wallet))).scanId });
    expect(reconciled.allergies).toBe('yes');
    expect(pdfText((await world.desk.wristband(STAFF, { admissionId: stay.admissionId, format: 'label', print: false })).pdfBase64)).toContain('ALLERGIES: YES');
  });

  it('a clerk\'s explicit new answer is kept, and changing a known answer leaves an audit row', async () => {
    const p = await world.desk.registerManual(STAFF, { ...MANUAL, allergies: 'unknown' });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A03', allergies: 'no', patient: { patientId: p.patientId } });
    expect(stay.patient.allergies).toBe('no');
    await world.desk.discharge(STAFF, { admissionId: stay.admissionId });
    const next = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A03', allergies: 'yes', patient: { patientId: p.patientId } });
    expect(next.patient.allergies).toBe('yes');
    const trail = await world.db.read((r) => r.all<{ detail: string }>(sql`SELECT detail FROM desk_audit WHERE action = 'allergies-changed'`));
    expect(trail.map((t) => JSON.parse(t.detail) as unknown)).toEqual([{ before: 'no', after: 'yes' }]);
  });

  it('a merge keeps what either record knows: "none known" over unknown, and the birth date, age and id the survivor lacks', async () => {
    const emergency = await world.desk.registerUnidentified(STAFF, { gender: 'female', estimatedAgeYears: 50, allergies: 'unknown' });
    const manual = await world.desk.registerManual(STAFF, { ...MANUAL, allergies: 'no' });
    const survivor = await world.desk.merge(STAFF, { survivorId: emergency.patientId, mergedId: manual.patientId, reason: 'Same woman, name known now' });
    expect(survivor).toMatchObject({ allergies: 'no', birthDate: MANUAL.birthDate, estimatedAgeYears: 50 });
  });
});

describe('beds: the whole hospital\'s occupancy', () => {
  it('offers neither this desk\'s occupied beds (queued or not) nor beds another desk took by the ledger; discharge frees them', async () => {
    const p = await world.desk.registerManual(STAFF, { ...MANUAL, allergies: 'no' });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A01', patient: { patientId: p.patientId } });
    await ledgerEvent(world.db, { encounterId: 'enc-other-desk', status: 'admitted', wardCode: 'W-101', bed: 'A05' });
    // Another hospital's admission event names the same codes: not our bed.
    await ledgerEvent(world.db, { encounterId: 'enc-hospital-b', status: 'admitted', wardCode: 'W-101', bed: 'A06', mspId: 'HospitalBMSP' });
    // This desk's own encounter as the ledger echoes it: counted once.
    await ledgerEvent(world.db, { encounterId: stay.encounterId, status: 'admitted', wardCode: 'W-101', bed: 'A01' });
    expect((await world.desk.deskOptions()).occupiedBeds).toEqual([
      { wardCode: 'W-101', bed: 'A01' },
      { wardCode: 'W-101', bed: 'A05' },
    ]);

    const q = await world.desk.registerManual(STAFF, { givenName: 'Ivo', familyName: 'Horn', birthDate: '1980-08-08', gender: 'male', allergies: 'no', confirmNotDuplicate: false });
    const taken = await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A05', patient: { patientId: q.patientId } }));
    expect([taken.code, taken.message, taken.details?.['refusal']]).toEqual(['CONFLICT', 'Bed A05 on Acute Medical Unit was taken a moment ago: choose another bed.', 'bed-taken']);
    const moveTaken = await rejection(world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-101', bed: 'A05' }));
    expect(moveTaken.message).toBe('Bed A05 on Acute Medical Unit was taken a moment ago: choose another bed.');
    const ownBed = await rejection(world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-101', bed: 'A01' }));
    expect(ownBed.message).toBe('The patient is already in Acute Medical Unit A01. Choose the bed they move to.');

    await ledgerEvent(world.db, { encounterId: 'enc-other-desk', status: 'discharged', wardCode: 'W-101', bed: 'A05' });
    await world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-101', bed: 'A05' });
    expect((await world.desk.deskOptions()).occupiedBeds).toEqual([{ wardCode: 'W-101', bed: 'A05' }]);
    await world.desk.discharge(STAFF, { admissionId: stay.admissionId });
    expect((await world.desk.deskOptions()).occupiedBeds).toEqual([]);
  });

  it('puts the bed on the ledger\'s admission and transfer events (codes only, no name)', async () => {
    const p = await world.desk.registerManual(STAFF, { ...MANUAL, allergies: 'no' });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A07', patient: { patientId: p.patientId } });
    await world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-102', bed: 'S03' });
    // The event travels in the transient map (arguments are in every organisation's blocks).
    const events = (await outboxRows(world.db)).map((r) => JSON.parse(Buffer.from((JSON.parse(r.payload) as { transient?: Record<string, string> }).transient?.['event'] ?? '', 'base64').toString('utf8') || '{}') as Record<string, unknown>);
    expect(events.map((e) => [e['eventType'], e['wardCode'], e['bed']])).toEqual([
      ['admit', 'W-101', 'A07'],
      ['transfer', 'W-102', 'S03'],
    ]);
    expect(JSON.stringify(events)).not.toContain('Klein');
  });
});

describe('an admitted patient is recognised at once', () => {
  it('the match says where the patient is, and a second admission is refused with the stay named', async () => {
    const wallet = patientWallet(world.issuers, { givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02' });
    const first = await scanWallet(present(wallet));
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A01', scanId: first.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
    const second = await scanWallet(present(wallet));
    expect(second.matches[0]).toMatchObject({ strength: 'same-wallet', currentStay: { admissionId: stay.admissionId, wardName: 'Acute Medical Unit', bed: 'A01' } });
    const again = await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A02', scanId: second.scanId, patient: { patientId: stay.patient.patientId } }));
    expect([again.code, again.message]).toEqual(['CONFLICT', 'OLIVEIRA, Maria is already admitted to Acute Medical Unit A01: transfer or discharge that stay.']);
    expect(again.details).toMatchObject({ refusal: 'already-admitted', admissionId: stay.admissionId });
    expect((await world.desk.searchPatients({ mrn: stay.patient.mrn, limit: 1 }))[0]?.currentStay?.bed).toBe('A01');
  });
});

describe('the offline Sync screen lists what is waiting', () => {
  it('each waiting write: what it is in words, when, how far sending got; never a patient name', async () => {
    const p = await world.desk.registerManual(STAFF, { ...MANUAL, allergies: 'no' });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A04', patient: { patientId: p.patientId } });
    await world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-103', bed: 'C03' });
    await world.desk.discharge(STAFF, { admissionId: stay.admissionId });
    const waiting = await world.db.read((r) => listWaiting(r));
    expect(waiting.map((w) => [w.description, w.operation, w.state])).toEqual([
      ['Admission to ward W-101, bed A04', 'admission.admit', 'queued'],
      ['Transfer to ward W-103, bed C03', 'admission.transfer', 'queued'],
      ['Discharge', 'admission.discharge', 'queued'],
    ]);
    expect(waiting.every((w) => !Number.isNaN(Date.parse(w.createdAt)))).toBe(true);
    expect(JSON.stringify(waiting)).not.toMatch(/Rosa|Klein/);
  });
});
