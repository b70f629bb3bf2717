/**
 * The admission desk in main against a real encrypted cache, the real identity pipeline on
 * the sync engine's cache mirrors, and presentations made by the wallet simulator's code:
 * scan text -> verify -> match/create -> admit -> consent -> outbox, and the ways it is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src-shared/admission/schemas';
import { sql } from '../../../src-main/cache/sql';
import { hospitalPseudonym } from '../../../src-main/admission/pseudonym';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { DomainError } from '../../../src-main/errors';
import { FileDidWebCache } from '../../../src-main/identity';
import { encodeWalletQr } from '../../../src-shared/walletqr';
import { makeAdmissionBundle } from '../../../tools/wallet/fixtures';
import { didWebDocument, newDidWeb } from '../../../tools/wallet/keys';
import { ADMIT, makeWorld, outboxRows, patientWallet, present, STAFF, type World } from './support';

/** The admission event a queued write carries in its transient map. */
function queuedEvent(payload: string | undefined): { encounterId?: string; patientPseudonym?: string } {
  const q = JSON.parse(payload ?? '{}') as { transient?: Record<string, string> };
  return JSON.parse(Buffer.from(q.transient?.['event'] ?? '', 'base64').toString('utf8') || '{}') as { encounterId?: string; patientPseudonym?: string };
}

/** This workstation's pseudonym of a DID (it made its own key: no administrator configured one). */
async function pseudonymOf(db: CacheDatabase, did: string): Promise<string> {
  const row = await db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'patient-pseudonym-key'`));
  return hospitalPseudonym({ version: 1, secret: Buffer.from(row?.value ?? '', 'hex') }, did);
}

let world: World;
beforeEach(async () => {
  world = await makeWorld('desk');
});
afterEach(async () => {
  await world.close();
});

const MARIA = { givenName: 'Maria Fernanda', familyName: 'Oliveira-Santos', birthDate: '1984-03-02' };

function verified(r: ScanResult): Extract<ScanResult, { status: 'verified' }> {
  if (r.status !== 'verified') throw new Error(`expected a verified scan, got ${r.status}`);
  return r;
}

async function scanWallet(codes: string[]): Promise<Extract<ScanResult, { status: 'verified' }>> {
  let last: ScanResult | undefined;
  for (const c of codes) last = await world.desk.scan(STAFF, c + '\r\n', 'scanner');
  return verified(last as ScanResult);
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('admission from a wallet presentation', () => {
  it('scan -> verified report with claims -> new patient -> admitted, admission and consent queued with no names', async () => {
    const wallet = patientWallet(world.issuers, MARIA);
    const scan = await scanWallet(present(wallet));
    expect(scan.report.verdict).toBe('valid');
    expect(scan.accepted).toBe(true);
    // Every check comes with a sentence for the clerk.
    for (const c of [...scan.report.checks, ...scan.report.credentials.flatMap((x) => x.checks)]) expect(c.message.length).toBeGreaterThan(10);
    expect(scan.identity).toMatchObject({ patientDid: wallet.patient.did, familyName: 'Oliveira-Santos', birthDate: '1984-03-02' });
    expect(scan.matches).toEqual([]);
    expect(scan.consent?.status).toBe('granted');
    expect(scan.consent?.text).toContain('OLIVEIRA-SANTOS, Maria Fernanda allows Hospital A to see their personal details, visits and stays, medicines and allergies');
    expect(scan.eligibility).toMatchObject({ status: 'eligible', memberId: 'NWH-2291-774-03', planName: 'Family Care Plus' });

    const admission = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A01', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false }, allergies: 'yes' });
    expect(admission).toMatchObject({ status: 'admitted', wardName: 'Acute Medical Unit', bed: 'A01', unverifiedIdentity: false, ledger: { admission: 'queued', consent: 'queued' } });
    expect(admission.patient).toMatchObject({ identityStatus: 'wallet-verified', walletDid: wallet.patient.did, allergies: 'yes' });
    expect(admission.patient.mrn).toMatch(/^\d{7}-\d$/);

    const rows = await outboxRows(world.db);
    expect(rows.map((r) => r.operation)).toEqual(['admission.admit', 'consent.record']);
    type Queued = { transaction: string; args: string[]; transient?: Record<string, string> };
    const transient = (q: Queued, name: string): string => Buffer.from(q.transient?.[name] ?? '', 'base64').toString('utf8');
    const admit = JSON.parse(rows[0]?.payload ?? '{}') as Queued;
    expect(admit).toMatchObject({ transaction: 'Admissions:recordAdmissionEvent', args: [] });
    // The event goes in the transient map (arguments are in every organisation's blocks) and names
    // the patient by this hospital's pseudonym, never the wallet DID the insurer also knows.
    const event = JSON.parse(transient(admit, 'event')) as Record<string, unknown>;
    expect(event).toMatchObject({ encounterId: admission.encounterId, eventType: 'admit', wardCode: 'W-101' });
    expect(event['patientPseudonym']).toMatch(/^hp1:[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(event)).not.toContain(wallet.patient.did);
    const consent = JSON.parse(rows[1]?.payload ?? '{}') as Queued;
    expect(consent).toMatchObject({ transaction: 'Consent:recordConsent', args: [] });
    expect(transient(consent, 'consentJwt')).toBe(wallet.consent);
    // PHI never goes towards the ledger: no name, birth date or ward name in any queued write.
    for (const r of rows) expect(r.payload).not.toMatch(/Oliveira|Maria|1984-03-02|Acute Medical/);

    // Scanning the same person again later finds the record by wallet.
    const again = await scanWallet(present(wallet));
    expect(again.matches[0]).toMatchObject({ strength: 'same-wallet', patient: { patientId: admission.patient.patientId } });
  });

  it('forgets scans at sign-out: a scan cannot be used by the next session', async () => {
    const scan = await scanWallet(present(patientWallet(world.issuers, MARIA)));
    world.desk.forgetScans();
    const err = await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A09', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } }));
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('scan it again') });
  });

  it('admits from the wallet simulator\'s P-256 bundle (did:jwk patient, ES256 issuers) too', async () => {
    const bundle = makeAdmissionBundle('ES256');
    const w2 = await makeWorld('es256', { issuers: bundle.issuers });
    try {
      const scan = verified(await w2.desk.scan(STAFF, encodeWalletQr(bundle.presentation)[0] as string, 'camera'));
      expect(scan.accepted).toBe(true);
      expect(scan.identity?.patientDid).toMatch(/^did:jwk:/);
      const admission = await w2.desk.admit(STAFF, { ...ADMIT, bed: 'A11', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
      const rows = await outboxRows(w2.db);
      expect(queuedEvent(rows[0]?.payload)).toEqual(expect.objectContaining({ encounterId: admission.encounterId, patientPseudonym: await pseudonymOf(w2.db, bundle.patient.did) }));
      expect(rows.map((r) => r.operation)).toEqual(['admission.admit', 'consent.record']);
    } finally {
      await w2.close();
    }
  });

  it('collects a multi-part code with progress, then verifies it', async () => {
    const codes = present(patientWallet(world.issuers, MARIA), ['identity', 'coverage', 'consent'], 800);
    expect(codes.length).toBeGreaterThan(1);
    const first = await world.desk.scan(STAFF, codes[1] as string, 'camera');
    expect(first).toMatchObject({ status: 'collecting', received: [2], total: codes.length, repeated: false });
    expect(await world.desk.scan(STAFF, codes[1] as string, 'camera')).toMatchObject({ status: 'collecting', repeated: true });
    let last: ScanResult = first;
    for (const [i, c] of codes.entries()) if (i !== 1) last = await world.desk.scan(STAFF, c, 'camera');
    expect(verified(last).accepted).toBe(true);
  });

  it('keeps collected parts after a part of another code, and lets a whole single code replace an abandoned set', async () => {
    const a = present(patientWallet(world.issuers, MARIA), ['identity', 'coverage', 'consent'], 500);
    const b = present(patientWallet(world.issuers, MARIA), ['identity', 'coverage', 'consent'], 500);
    expect(a.length).toBeGreaterThan(2);
    await world.desk.scan(STAFF, a[0] as string, 'camera');
    const wrong = await rejection(world.desk.scan(STAFF, b[1] as string, 'camera'));
    expect(wrong.details?.['walletQrCode']).toBe('PART_FROM_OTHER_SET');
    expect(await world.desk.scan(STAFF, a[1] as string, 'camera')).toMatchObject({ status: 'collecting', received: [1, 2] });
    // The next patient shows a single code: it is verified on its own.
    const single = present(patientWallet(world.issuers, { givenName: 'Jonas', familyName: 'Berg', birthDate: '1985-05-05' }))[0] as string;
    expect(verified(await world.desk.scan(STAFF, single, 'camera')).identity?.familyName).toBe('Berg');
    expect(world.desk.clearScan(STAFF)).toEqual({ cleared: false });
  });

  it('refuses the same presentation scanned again as a replay', async () => {
    const codes = present(patientWallet(world.issuers, MARIA));
    expect((await scanWallet(codes)).accepted).toBe(true);
    const replay = await scanWallet(codes);
    expect(replay.accepted).toBe(false);
    expect(replay.report.checks.find((c) => c.id === 'presentation.replay')).toMatchObject({ result: 'fail', message: expect.stringContaining('already used') });
    await expect(world.desk.admit(STAFF, { ...ADMIT, bed: 'A02', scanId: replay.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } })).rejects.toThrow(/refused/);
  });

  it('a revoked insurance card is reported as not eligible and does not block the admission (and still cannot be replayed)', async () => {
    const wallet = patientWallet(world.issuers, MARIA);
    await world.setRevoked('insurer', wallet.coverageIndex);
    const codes = present(wallet);
    const scan = await scanWallet(codes);
    expect(scan.report.verdict).toBe('invalid');
    const coverage = scan.report.credentials.find((c) => c.type === 'InsuranceCoverageCredential');
    expect(coverage?.checks.find((c) => c.id === 'credential.revocation')?.result).toBe('fail');
    expect(scan.accepted).toBe(true);
    expect(scan.eligibility?.status).toBe('not-eligible');
    expect(scan.eligibility?.message).toMatch(/refused/);
    const admission = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A03', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
    expect(admission.eligibility.status).toBe('not-eligible');
    expect((await scanWallet(codes)).accepted).toBe(false);
  });

  it('an identity card from an issuer not in the trust registry is refused with the reason', async () => {
    const rogue = newDidWeb('identity.rogue.example', 'EdDSA');
    // The rogue issuer's document resolves (offline cache), but governance never trusted it.
    await new FileDidWebCache(`${world.dir}/did-web`).put(rogue.did, didWebDocument(rogue) as never);
    const wallet = patientWallet(world.issuers, MARIA, { identityIssuer: rogue });
    const scan = verified(await world.desk.scan(STAFF, present(wallet)[0] as string, 'image'));
    expect(scan.accepted).toBe(false);
    expect(scan.canOverride).toBe(false);
    const trust = scan.report.credentials[0]?.checks.find((c) => c.id === 'credential.issuer-trust');
    expect(trust?.result).toBe('fail');
    expect(trust?.message.length).toBeGreaterThan(20);
    expect(scan.identity).toBeNull();
  });

  it('a stale status list gives "cannot determine"; only a typed, audited override lets the admission go ahead', async () => {
    await world.setStatusFreshness(new Date(Date.now() - 3 * 86_400_000).toISOString());
    const scan = await scanWallet(present(patientWallet(world.issuers, MARIA)));
    expect(scan.report.verdict).toBe('cannot-determine');
    expect(scan.accepted).toBe(false);
    expect(scan.canOverride).toBe(true);
    expect(scan.report.credentials[0]?.checks.find((c) => c.id === 'credential.revocation')?.result).toBe('cannot-determine');
    // A reason that does not cover the undetermined check is refused with a sentence.
    expect((await rejection(world.desk.override(STAFF, { scanId: scan.scanId, reasons: ['clock-confirmed-correct'], note: 'Checked the wall clock' }))).code).toBe('CONFLICT');

    const accepted = await world.desk.override(STAFF, { scanId: scan.scanId, reasons: ['status-list-unavailable-emergency'], note: 'Ledger unreachable since 02:00, patient in pain' });
    expect(verified(accepted)).toMatchObject({ accepted: true, canOverride: false });
    expect(verified(accepted).report.override).toMatchObject({ staffId: STAFF.id, reasons: ['status-list-unavailable-emergency'] });
    const audit = await world.db.read((r) => r.all<{ action: string; detail: string; outbox_seq: number }>(sql`SELECT action, detail, outbox_seq FROM desk_audit`));
    expect(audit[0]?.action).toBe('verification-override');
    expect(audit[0]?.detail).toContain('Ledger unreachable since 02:00');
    const rows = await outboxRows(world.db);
    expect(rows[0]).toMatchObject({ operation: 'admission.override-audit', seq: audit[0]?.outbox_seq });
    expect(rows[0]?.payload).toContain('Access:logAccess');
    expect(rows[0]?.payload).not.toContain('Ledger unreachable');
    const admission = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A04', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } });
    expect(admission.status).toBe('admitted');
  });

  it('bad input of every kind gets a clerk\'s sentence and a stable code', async () => {
    for (const text of ['', 'hello', 'HC1:NCFOXN%TS3DH', 'CLW1:$$$', 'CLW1:' + 'A'.repeat(30)]) {
      const err = await rejection(world.desk.scan(STAFF, text, 'scanner'));
      expect(err.code, text).toBe('VALIDATION');
      expect(err.details?.['walletQrCode'], text).toEqual(expect.any(String));
      expect(err.message, text).toMatch(/\.$/);
    }
    expect((await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A05', scanId: 'scan-nope', patient: { createFromScan: true, confirmNotDuplicate: false } }))).code).toBe('NOT_FOUND');
    expect((await rejection(world.desk.admit(STAFF, { ...ADMIT, wardCode: 'W-999', bed: 'A05', patient: { patientId: 'x' } }))).message).toBe('Choose a ward from the list.');
    expect((await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'Z99', patient: { patientId: 'x' } }))).code).toBe('VALIDATION');
  });
});

describe('patients without a wallet, duplicates, merge and reconcile', () => {
  it('warns of a likely duplicate (nickname, swapped day/month) and refuses to create it unless confirmed', async () => {
    const first = await world.desk.registerManual(STAFF, { givenName: 'William', familyName: 'Turner', birthDate: '1970-06-11', gender: 'male', allergies: 'no', confirmNotDuplicate: false });
    expect(first).toMatchObject({ identityStatus: 'manual-unverified', walletDid: null });
    const matches = await world.desk.searchPatients({ givenName: 'Bill', familyName: 'turner', birthDate: '1970-06-11', limit: 10 });
    expect(matches[0]).toMatchObject({ strength: 'likely', patient: { patientId: first.patientId } });
    const swapped = await world.desk.searchPatients({ givenName: 'William', familyName: 'Turner', birthDate: '1970-11-06', limit: 10 });
    expect(swapped[0]).toMatchObject({ strength: 'likely', patient: { patientId: first.patientId } });

    const dup = await rejection(world.desk.registerManual(STAFF, { givenName: 'Bill', familyName: 'Turner', birthDate: '1970-06-11', gender: 'male', allergies: 'unknown', confirmNotDuplicate: false }));
    expect(dup.code).toBe('CONFLICT');
    expect(dup.message).toContain(first.mrn);
    const confirmed = await world.desk.registerManual(STAFF, { givenName: 'Bill', familyName: 'Turner', birthDate: '1970-06-11', gender: 'male', allergies: 'unknown', confirmNotDuplicate: true });
    expect(confirmed.mrn).not.toBe(first.mrn);

    // Same name, different birth date: a different person, created without any warning.
    const other = await world.desk.registerManual(STAFF, { givenName: 'William', familyName: 'Turner', birthDate: '1992-01-30', gender: 'male', allergies: 'unknown', confirmNotDuplicate: false });
    expect(other.patientId).not.toBe(first.patientId);
  });

  it('a wallet scan of someone with a near-match manual record shows the duplicate warning', async () => {
    await world.desk.registerManual(STAFF, { givenName: 'Maria', familyName: 'Oliveira Santos', birthDate: '1984-02-03', gender: 'female', allergies: 'unknown', confirmNotDuplicate: false });
    const scan = await scanWallet(present(patientWallet(world.issuers, MARIA)));
    expect(scan.matches[0]?.strength).toBe('likely');
    expect(scan.matches[0]?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['birth-date-day-month-swapped']));
    const refused = await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A06', scanId: scan.scanId, patient: { createFromScan: true, confirmNotDuplicate: false } }));
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    // A record that does not resemble the verified identity cannot be picked by mistake.
    const stranger = await world.desk.registerManual(STAFF, { givenName: 'Pedro', familyName: 'Alves', birthDate: '1950-10-10', gender: 'male', allergies: 'unknown', confirmNotDuplicate: false });
    const wrong = await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A06', scanId: scan.scanId, patient: { patientId: stranger.patientId } }));
    expect(wrong.message).toContain('does not match the verified identity card');
    // The clerk picks the existing record: it becomes wallet-verified.
    const admission = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A06', scanId: scan.scanId, patient: { patientId: scan.matches[0]?.patient.patientId as string } });
    expect(admission.patient).toMatchObject({ identityStatus: 'wallet-verified', walletDid: scan.identity?.patientDid });
  });

  it('merges a record created by mistake: admissions move, the merged record points to the survivor, with an audit row', async () => {
    const a = await world.desk.registerManual(STAFF, { givenName: 'Ana', familyName: 'Lima', birthDate: '1960-01-01', gender: 'female', allergies: 'no', confirmNotDuplicate: false });
    const b = await world.desk.registerManual(STAFF, { givenName: 'Ana', familyName: 'Lima', birthDate: '1960-01-01', gender: 'female', allergies: 'yes', confirmNotDuplicate: true });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A07', patient: { patientId: b.patientId } });
    expect(stay.unverifiedIdentity).toBe(true);
    expect(stay.consent.status).toBe('none');
    const survivor = await world.desk.merge(STAFF, { survivorId: a.patientId, mergedId: b.patientId, reason: 'Registered twice at night desk' });
    expect(survivor.allergies).toBe('yes');
    expect((await world.desk.getAdmission(stay.admissionId)).patient.patientId).toBe(a.patientId);
    expect((await world.desk.searchPatients({ mrn: b.mrn, limit: 10 }))[0]?.patient.mergedInto).toBe(a.patientId);
    expect((await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A08', patient: { patientId: b.patientId } }))).message).toContain(`merged into record ${a.mrn}`);
    const trail = await world.db.read((r) => r.all<{ action: string; staff_id: string; detail: string }>(sql`SELECT action, staff_id, detail FROM desk_audit WHERE action = 'patients-merged'`));
    expect(trail).toHaveLength(1);
    expect(trail[0]?.staff_id).toBe(STAFF.id);
    expect(JSON.parse(trail[0]?.detail ?? '{}')).toMatchObject({ reason: 'Registered twice at night desk', merged: { patientId: b.patientId, mrn: b.mrn }, admissionsMoved: [stay.admissionId] });
  });

  it('an unidentified emergency patient is admitted under a temporary name and reconciled with the wallet later', async () => {
    const unknown = await world.desk.registerUnidentified(STAFF, { gender: 'male', estimatedAgeYears: 40, allergies: 'unknown' });
    expect(`${unknown.familyName} ${unknown.givenName}`).toMatch(/^Unknown Male \d{4}$/);
    const stay = await world.desk.admit(STAFF, { ...ADMIT, wardCode: 'W-105', bed: 'I01', patient: { patientId: unknown.patientId } });
    expect(stay).toMatchObject({ unverifiedIdentity: true, eligibility: { status: 'unknown' } });
    const pdf = await world.desk.wristband(STAFF, { admissionId: stay.admissionId, format: 'wristband', print: false });
    expect(Buffer.from(pdf.pdfBase64, 'base64').toString('latin1')).toContain('IDENTITY NOT VERIFIED');
    expect(pdf.printed).toBe(false);

    const wallet = patientWallet(world.issuers, { givenName: 'Jonas', familyName: 'Berg', birthDate: '1985-05-05', gender: 'male' });
    const scan = await scanWallet(present(wallet));
    const reconciled = await world.desk.reconcile(STAFF, { patientId: unknown.patientId, scanId: scan.scanId });
    expect(reconciled).toMatchObject({ givenName: 'Jonas', familyName: 'Berg', identityStatus: 'wallet-verified', walletDid: wallet.patient.did, mrn: unknown.mrn });
    const after = await world.desk.getAdmission(stay.admissionId);
    expect(after.consent.status).toBe('granted');
    const rows = await outboxRows(world.db);
    // The stay keeps the pseudonymous id it was opened with on the ledger; the consent names the wallet.
    const admitted = queuedEvent(rows[0]?.payload);
    expect(admitted.patientPseudonym).toMatch(/^hp1:/);
    expect(admitted.patientPseudonym).not.toBe(await pseudonymOf(world.db, wallet.patient.did));
    expect(rows.at(-1)?.operation).toBe('consent.record');
  });

  it('transfers and discharges, one bed per admitted patient', async () => {
    const p = await world.desk.registerManual(STAFF, { givenName: 'Tom', familyName: 'Reed', birthDate: '1950-02-02', gender: 'male', allergies: 'no', confirmNotDuplicate: false });
    const q = await world.desk.registerManual(STAFF, { givenName: 'Una', familyName: 'Vale', birthDate: '1951-03-03', gender: 'female', allergies: 'no', confirmNotDuplicate: false });
    const stay = await world.desk.admit(STAFF, { ...ADMIT, bed: 'A10', patient: { patientId: p.patientId } });
    expect((await rejection(world.desk.admit(STAFF, { ...ADMIT, bed: 'A10', patient: { patientId: q.patientId } }))).message).toBe('Bed A10 on Acute Medical Unit was taken a moment ago: choose another bed.');
    const moved = await world.desk.transfer(STAFF, { admissionId: stay.admissionId, wardCode: 'W-103', bed: 'C02' });
    expect(moved).toMatchObject({ wardCode: 'W-103', bed: 'C02' });
    const out = await world.desk.discharge(STAFF, { admissionId: stay.admissionId });
    expect(out.status).toBe('discharged');
    expect(out.movements.map((m) => m.kind)).toEqual(['admit', 'transfer', 'discharge']);
    expect((await rejection(world.desk.discharge(STAFF, { admissionId: stay.admissionId }))).code).toBe('CONFLICT');
    const ops = (await outboxRows(world.db)).filter((r) => r.order_key === `encounter:${stay.encounterId}`).map((r) => r.operation);
    expect(ops).toEqual(['admission.admit', 'admission.transfer', 'admission.discharge']);
    expect((await world.desk.listAdmissions({ includeDischarged: false, limit: 10 })).map((a) => a.admissionId)).not.toContain(stay.admissionId);
  });
});
