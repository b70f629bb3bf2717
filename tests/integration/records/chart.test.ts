/**
 * The chart service in main against a real encrypted cache: what a clinician sees under a
 * consent, under the hospital's own admission, under break-the-glass; that every view (open,
 * tab, document, refusal) leaves its access entry in the same transaction; revocation purges;
 * offline views are held, anchored as one batch and then written one by one.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import { chainHash, type AccessEntryInput } from '../../../src-main/records/access-log';
import { chartRevocationApplier } from '../../../src-main/records/revocation';
import { BreakGlassRequest, CHART_TABS } from '../../../src-shared/records/schemas';
import {
  CARL,
  HOSPITAL_A,
  HOSPITAL_B,
  accessRows,
  addPatient,
  allergy,
  condition,
  makeWard,
  mirrorConsent,
  observation,
  outbox,
  procedure,
  transientOf,
  type Ward,
} from './support';

const MARIA_DID = 'did:key:z6MkmariaOliveira000000000000000000000000000000';
const TOMASZ_DID = 'did:key:z6MktomaszNowak0000000000000000000000000000000000';

let ward: Ward;
beforeEach(async () => {
  ward = await makeWard('svc');
  ward.gatekeepers.records.set(HOSPITAL_B.mspId, [
    condition('c1', 'Type 2 diabetes mellitus', '2019-04-02'),
    observation('o1', '4548-4', 'HbA1c', 7.9, '%', '2026-06-01T09:00:00Z'),
    observation('o2', '4548-4', 'HbA1c', 7.1, '%', '2026-11-01T09:00:00Z'),
    allergy('a1', 'Penicillin', 'severe'),
    allergy('a2', 'Latex', 'mild'),
    procedure('p1', 'Appendectomy'),
  ]);
  ward.gatekeepers.records.set(HOSPITAL_A.mspId, [
    observation('o3', '29463-7', 'Body weight', 82, 'kg', '2026-12-05T09:00:00Z'),
    procedure('p2', 'Coronary angiography'),
  ]);
});
afterEach(async () => {
  await ward.close();
});

async function maria(): Promise<{ patientId: string; consentId: string }> {
  const patientId = await addPatient(ward.db, {
    givenName: 'Maria',
    familyName: 'Oliveira',
    did: MARIA_DID,
    mrn: 'MRN-000101',
    admitted: true,
  });
  const consent = await mirrorConsent(ward.db, {
    patientDid: MARIA_DID,
    categories: ['allergies', 'conditions', 'medications', 'observations'],
  });
  return { patientId, consentId: consent.consentId };
}

function entries(rows: Array<{ entry_json: string }>): AccessEntryInput[] {
  return rows.map((r) => JSON.parse(r.entry_json) as AccessEntryInput);
}

describe('chart under consent', () => {
  it('opens Maria’s chart from both hospitals for the categories she consented to, names the rest as withheld, and logs both decisions', async () => {
    const { patientId, consentId } = await maria();
    const chart = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });

    expect(chart.patientName).toBe('Maria Oliveira');
    expect(chart.banners[0]?.text).toMatch(
      /^Consent from the patient, signed .+, for treatment, covers allergies, diagnoses, medicines, test results and measurements; until /,
    );
    // She is admitted here: this hospital's own records of every kind; Hospital B's only as far as her consent goes.
    expect(chart.released).toEqual([...CHART_TABS]);
    const titles = chart.entries.map((e) => `${e.sourceName}: ${e.title}`);
    expect(titles).toContain('Hospital B: Type 2 diabetes mellitus');
    expect(titles).toContain('Hospital A: Body weight');
    expect(titles).toContain('Hospital A: Coronary angiography');
    expect(titles).not.toContain('Hospital B: Appendectomy');
    expect(chart.withheld.map((w) => w.category)).toEqual(expect.arrayContaining(['immunizations', 'documents']));
    expect(chart.withheld.find((w) => w.category === 'documents')?.reason).toMatch(
      /does not include letters and documents/,
    );
    // Allergies severe first; the HbA1c trend has both points, with its reference band.
    expect(chart.summary.allergies.map((a) => a.title)).toEqual(['Penicillin', 'Latex']);
    const hba1c = chart.trends.find((t) => t.code === '4548-4');
    expect(hba1c?.points.map((p) => p.value)).toEqual([7.9, 7.1]);
    expect([hba1c?.low, hba1c?.high, hba1c?.unit]).toEqual([4, 5.6, '%']);
    // One request id for the gatekeepers' release entries and this view's entries; each gatekeeper decides again itself.
    expect(ward.gatekeepers.requests[0]?.requestId).toMatch(/^urn:uuid:/);

    const logged = entries(await accessRows(ward.db));
    const consentEntry = logged.find((e) => e.consentId === consentId);
    expect(consentEntry?.decision).toBe('allowed');
    expect(consentEntry?.categories.sort()).toEqual(['allergies', 'conditions', 'medications', 'observations']);
    expect(consentEntry?.requestId).toBe(ward.gatekeepers.requests[0]?.requestId);
    expect(logged.find((e) => e.decision === 'refused')?.categories).toEqual(
      expect.arrayContaining(['documents', 'immunizations']),
    );
    expect(logged.every((e) => e.patientDid === MARIA_DID)).toBe(true);
  });

  it('gives Tomasz, with no consent, only this hospital’s records of his admission', async () => {
    const patientId = await addPatient(ward.db, {
      givenName: 'Tomasz',
      familyName: 'Nowak',
      did: TOMASZ_DID,
      mrn: 'MRN-000102',
      admitted: true,
    });
    const chart = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    expect(chart.banners.map((b) => b.basis)).toEqual(['own-admission']);
    expect(chart.banners[0]?.text).toBe("Your hospital's own records during this admission.");
    expect(new Set(chart.entries.map((e) => e.sourceMspId))).toEqual(new Set([HOSPITAL_A.mspId]));
    expect(chart.withheld.length).toBeGreaterThan(0);
    expect(chart.withheld[0]?.reason).toMatch(
      /has not given this hospital consent.*Only this hospital's own records from the current admission are shown\./,
    );
    const logged = entries(await accessRows(ward.db));
    expect(logged.find((e) => e.decision === 'allowed')?.encounterId).toMatch(/^enc-/);
  });

  it('writes an access entry for every view: open, each tab, a document, and a refusal — each in the outbox at once', async () => {
    const { patientId } = await maria();
    const stranger = await addPatient(ward.db, {
      givenName: 'Ana',
      familyName: 'Stranger',
      did: 'did:key:z6MkstrangerAna0000000000000000000000000000000000',
      mrn: 'MRN-000103',
      admitted: false,
    });
    await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    await ward.chart.viewCategory(CARL, { patientId, category: 'observations', purpose: 'TREAT' });
    await ward.chart.viewCategory(CARL, { patientId, category: 'immunizations', purpose: 'TREAT' });
    const refused = await ward.chart.openChart(CARL, { patientId: stranger, purpose: 'TREAT', refresh: true });
    expect(refused.entries).toEqual([]);
    expect(refused.banners[0]?.basis).toBe('none');

    const rows = await accessRows(ward.db);
    const views = new Set(rows.map((r) => `${r.view}`));
    expect(views).toEqual(new Set(['open', 'category:observations', 'category:immunizations']));
    const queued = (await outbox(ward.db)).filter((o) => o.operation === 'access.logged');
    // One ledger write per local entry, carrying exactly that entry.
    expect(queued.length).toBe(rows.length);
    expect(
      queued
        .map((q) => JSON.parse(transientOf(q.payload, 'entry')) as AccessEntryInput)
        .map((e) => e.entryId)
        .sort(),
    ).toEqual(rows.map((r) => r.entry_id).sort());
    expect(rows.every((r) => r.state === 'queued' && r.outbox_seq !== null)).toBe(true);
    const strangerEntries = entries(rows).filter((e) => e.patientDid !== MARIA_DID);
    expect(strangerEntries.map((e) => e.decision)).toEqual(['refused']);
  });

  it('skips invalid and oversized resources with a note and keeps the rest; an unreachable hospital is named and its cached part shown', async () => {
    const { patientId } = await maria();
    ward.gatekeepers.records.set(HOSPITAL_B.mspId, [
      condition('c1', 'Type 2 diabetes mellitus', '2019-04-02'),
      { hello: 'not FHIR' },
      { ...condition('c9', 'Huge', '2020-01-01'), note: [{ text: 'x'.repeat(3 * 1024 * 1024) }] },
    ]);
    const first = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    const b = first.sources.find((s) => s.mspId === HOSPITAL_B.mspId);
    expect(b?.skipped).toEqual([
      expect.stringMatching(/^Resource\/\?: not a FHIR resource/),
      expect.stringMatching(/^Condition\/c9: larger than 2 MB; skipped/),
    ]);
    expect(first.entries.map((e) => e.title)).toContain('Type 2 diabetes mellitus');

    ward.gatekeepers.down.add(HOSPITAL_B.mspId);
    const second = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    expect(second.sources.find((s) => s.mspId === HOSPITAL_B.mspId)).toMatchObject({
      state: 'unreachable',
      message: expect.stringMatching(/did not answer within 10 seconds/),
    });
    expect(second.entries.map((e) => e.title)).toContain('Type 2 diabetes mellitus');
  });
});

describe('break the glass', () => {
  it('is refused without a reason code or a real note', () => {
    expect(BreakGlassRequest.safeParse({ patientId: 'p', note: 'Unconscious after a fall, no wallet' }).success).toBe(
      false,
    );
    const short = BreakGlassRequest.safeParse({ patientId: 'p', reasonCode: 'emergency-unconscious', note: 'urgent' });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toMatch(/Write what the emergency is/);
  });

  it('opens every category for the configured time, logs the reason and the note’s hash (note sent once), and closes at expiry', async () => {
    const patientId = await addPatient(ward.db, {
      givenName: 'Tomasz',
      familyName: 'Nowak',
      did: TOMASZ_DID,
      mrn: 'MRN-000102',
      admitted: false,
    });
    await ward.chart.setBreakGlassMinutes(30);
    const note = 'Unconscious after a road accident; allergy history needed before surgery.';
    const session = await ward.chart.breakTheGlass(CARL, { patientId, reasonCode: 'emergency-unconscious', note });
    expect(Date.parse(session.expiresAt) - Date.parse(session.openedAt)).toBe(30 * 60_000);
    const chart = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    expect(chart.breakGlass?.sessionId).toBe(session.sessionId);
    expect(chart.withheld).toEqual([]);
    expect(chart.entries.map((e) => e.title)).toContain('Appendectomy');
    expect(ward.gatekeepers.requests[0]?.breakGlass).toEqual({
      reasonCode: 'emergency-unconscious',
      noteSha256: createHash('sha256').update(note).digest('hex'),
    });
    await ward.chart.viewCategory(CARL, { patientId, category: 'allergies', purpose: 'TREAT' });

    const queued = (await outbox(ward.db)).filter((o) => o.operation === 'access.logged');
    const withNote = queued.filter((q) => transientOf(q.payload, 'breakGlassNote') !== '');
    expect(withNote.length).toBe(1);
    expect(transientOf(withNote[0]!.payload, 'breakGlassNote')).toBe(note);
    for (const q of queued)
      expect((JSON.parse(transientOf(q.payload, 'entry')) as AccessEntryInput).breakGlass?.reasonCode).toBe(
        'emergency-unconscious',
      );

    ward.now.value = new Date(ward.now.value.getTime() + 31 * 60_000);
    const still = await ward.chart.stillOpen(CARL, {
      patientId,
      consentIds: [],
      breakGlassSessionId: session.sessionId,
    });
    expect(still.open).toBe(false);
    expect(still.reason).toMatch(/Emergency access to Tomasz Nowak's chart has ended/);
    // Its records leave the cache with it.
    expect(
      await ward.db.read((r) =>
        r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_resource WHERE basis = 'break-glass'`),
      ),
    ).toEqual({ n: 0 });
  });
});

describe('revocation and expiry', () => {
  it('purges the consent’s records in the transaction that applies Consent.Revoked, and the open chart closes with why', async () => {
    const { patientId, consentId } = await maria();
    await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    const count = (): Promise<number> =>
      ward.db.read(
        async (r) =>
          (await r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_resource WHERE consent_id = ${consentId}`))
            ?.n ?? 0,
      );
    expect(await count()).toBeGreaterThan(0);

    // The inbox: the mirror update and the chart's purge in one transaction; a failure rolls both back.
    await expect(
      ward.db.write(async (w) => {
        await chartRevocationApplier.apply(
          w,
          { name: 'Consent.Revoked', payload: { consentId }, blockNumber: 9, txId: 't1' },
          { mspId: HOSPITAL_A.mspId, now: ward.now.value.toISOString() },
        );
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await count()).toBeGreaterThan(0);
    await ward.db.write((w) =>
      chartRevocationApplier.apply(
        w,
        { name: 'Consent.Revoked', payload: { consentId }, blockNumber: 9, txId: 't1' },
        { mspId: HOSPITAL_A.mspId, now: ward.now.value.toISOString() },
      ),
    );
    expect(await count()).toBe(0);
    await mirrorConsent(ward.db, {
      consentId,
      patientDid: MARIA_DID,
      categories: ['allergies', 'conditions', 'medications', 'observations'],
      status: 'revoked',
      revocation: { at: ward.now.value.toISOString() },
    });

    const still = await ward.chart.stillOpen(CARL, { patientId, consentIds: [consentId], breakGlassSessionId: null });
    expect(still).toMatchObject({
      open: false,
      reason: expect.stringMatching(/^Maria Oliveira withdrew the consent this chart was opened under/),
    });
  });

  it('treats a consent that ended like a revocation, at its end time', async () => {
    const patientId = await addPatient(ward.db, {
      givenName: 'Maria',
      familyName: 'Oliveira',
      did: MARIA_DID,
      mrn: 'MRN-000101',
      admitted: false,
    });
    const consent = await mirrorConsent(ward.db, {
      patientDid: MARIA_DID,
      categories: ['conditions'],
      until: '2026-12-07T11:00:00.000Z',
    });
    const chart = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    expect(chart.entries.length).toBe(1);
    ward.now.value = new Date('2026-12-07T11:00:00.000Z');
    const still = await ward.chart.stillOpen(CARL, {
      patientId,
      consentIds: [consent.consentId],
      breakGlassSessionId: null,
    });
    expect(still.reason).toMatch(/The consent this chart was opened under ended on/);
    expect(await ward.db.read((r) => r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_resource`))).toEqual({
      n: 0,
    });
  });
});

describe('offline', () => {
  it('shows the cached part, holds each view locally, then anchors the batch and writes every entry in order once the ledger is back', async () => {
    const { patientId } = await maria();
    await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    const before = (await outbox(ward.db)).length;
    ward.online.value = false;
    const offline = await ward.chart.openChart(CARL, { patientId, purpose: 'TREAT', refresh: true });
    expect(offline.offline).toBe(true);
    expect(offline.cachedAsOf).toBe('2026-12-07T10:00:00.000Z');
    expect(offline.entries.map((e) => e.title)).toContain('Type 2 diabetes mellitus');
    await ward.chart.viewCategory(CARL, { patientId, category: 'allergies', purpose: 'TREAT' });
    expect((await outbox(ward.db)).length).toBe(before);
    const held = (await accessRows(ward.db)).filter((r) => r.state === 'held-offline');
    expect(held.length).toBeGreaterThanOrEqual(3);

    ward.online.value = true;
    const batchId = await ward.chart.flushOffline(CARL);
    const rows = (await outbox(ward.db)).slice(before);
    expect(rows[0]?.operation).toBe('access.batchAnchored');
    expect(new Set(rows.map((r) => r.order_key))).toEqual(new Set([`access-batch:${batchId}`]));
    const sent = rows.slice(1).map((r) => JSON.parse(transientOf(r.payload, 'entry')) as AccessEntryInput);
    expect(sent.map((e) => e.entryId)).toEqual(held.map((h) => h.entry_id));
    const batch = JSON.parse(transientOf(rows[0]!.payload, 'batch')) as { batchSha256: string; count: number };
    expect(batch).toMatchObject({ count: held.length, batchSha256: chainHash(sent) });
    expect((await accessRows(ward.db)).every((r) => r.state === 'queued')).toBe(true);
    expect(await ward.chart.flushOffline(CARL)).toBeNull();
  });
});
