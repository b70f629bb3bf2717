import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { type Contracts, consentJwt, ed25519DidKey, hospitalPseudonym, initialisedLedger } from './support/fixtures';
import { type MemoryLedger } from './support/memory-ledger';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
interface Entry {
  entryId: string;
  consentCheck: string;
  consentCheckReason?: string;
  staff: { mspId: string; role: string; id: string };
  review?: { outcome: string };
}

/** Writes return ids and hashes only; the record itself is read back by an evaluation on a hospital's peer. */
async function read<T>(ledger: MemoryLedger, cc: Contracts, contract: string, fn: string, args: string[], as = 'HospitalAMSP/privacy'): Promise<T> {
  return (await ledger.invoke<T>(cc[contract]!, fn, args, { as })).value;
}

describe('Access log', () => {
  it('logs an access covered by a consent as confirmed, with the staff identity from the certificate', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const { jwt, jti } = consentJwt(patient, ledger.clock, { categories: ['medications', 'allergies'] });
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as: 'HospitalAMSP/admissions' });
    const entry = { entryId: randomUUID(), patientDid: patient.did, categories: ['medications'], purpose: 'TREAT', decision: 'allowed', consentId: jti, accessedAt: ledger.clock.toISOString() };
    const { value: receipt, event } = await ledger.invoke<{ entryId: string; sha256: string }>(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify(entry) }, as: 'HospitalAMSP/clinician' });
    const value = await read<Entry>(ledger, cc, 'Access', 'getAccessEntry', [entry.entryId]);
    assert.equal(value.consentCheck, 'confirmed');
    assert.deepEqual([value.staff.mspId, value.staff.role], ['HospitalAMSP', 'clinician']);
    assert.match(value.staff.id, /CN=clinician\.hospitalamsp/);
    assert.equal(event?.name, 'Access.Logged');
    assert.deepEqual(event?.payload, receipt);
    assert.deepEqual(Object.keys(receipt).sort(), ['entryId', 'sha256']);
    // A retried submission of the same entry returns it without a second write.
    const retry = await ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify(entry) }, as: 'HospitalAMSP/clinician' });
    assert.equal(retry.event, undefined);
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...entry, categories: ['imaging'] }) }, as: 'HospitalAMSP/clinician' }), 'ALREADY_EXISTS');
  });

  it('keeps, but flags for review, an allowed access its consent does not cover (another hospital, another category)', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const { jwt, jti } = consentJwt(patient, ledger.clock, { categories: ['medications'] });
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as: 'HospitalAMSP/admissions' });
    const base = { patientDid: patient.did, purpose: 'TREAT', decision: 'allowed', consentId: jti, accessedAt: ledger.clock.toISOString() };
    await ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, entryId: 'e1', categories: ['imaging'] }) }, as: 'HospitalAMSP/clinician' });
    const wrongCategory = await read<Entry>(ledger, cc, 'Access', 'getAccessEntry', ['e1']);
    assert.deepEqual([wrongCategory.consentCheck, wrongCategory.consentCheckReason], ['not-covered', 'category-not-covered']);
    await ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, entryId: 'e2', categories: ['medications'] }) }, as: 'HospitalBMSP/clinician' });
    const otherHospital = await read<Entry>(ledger, cc, 'Access', 'getAccessEntry', ['e2']);
    assert.deepEqual([otherHospital.consentCheck, otherHospital.consentCheckReason], ['not-covered', 'other-grantee']);
    const queue = await ledger.invoke<{ records: Entry[] }>(cc.Access!, 'listAccessAwaitingReview', ['HospitalAMSP', '10', ''], { as: 'HospitalAMSP/privacy' });
    assert.deepEqual(queue.value.records.map((e) => e.entryId), ['e1']);
  });

  it('confirms a view of own records during an open admission of the caller’s hospital, and flags one outside it (other hospital, discharged, sensitive, not TREAT)', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const encounterId = `enc-${randomUUID()}`;
    const admit = JSON.stringify({ encounterId, patientPseudonym: hospitalPseudonym(), eventType: 'admit', occurredAt: ledger.clock.toISOString(), wardCode: 'W3' });
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: admit }, as: 'HospitalAMSP/admissions' });
    ledger.advance(60_000);
    const base = { patientDid: patient.did, purpose: 'TREAT', decision: 'allowed', encounterId, accessedAt: ledger.clock.toISOString() };
    const log = (entryId: string, extra: object, as = 'HospitalAMSP/clinician'): Promise<unknown> => ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, entryId, categories: ['conditions'], ...extra }) }, as });
    await log('own', {});
    await log('other-hospital', {}, 'HospitalBMSP/clinician');
    await log('sensitive', { categories: ['conditions', 'mental-health'] });
    await log('research', { purpose: 'HRESCH' });
    await log('before-admission', { accessedAt: new Date(ledger.clock.getTime() - 3_600_000).toISOString() });
    const check = async (id: string, as = 'HospitalAMSP/privacy'): Promise<[string, string | undefined]> => {
      const e = await read<Entry>(ledger, cc, 'Access', 'getAccessEntry', [id], as);
      return [e.consentCheck, e.consentCheckReason];
    };
    assert.deepEqual(await check('own'), ['own-admission', undefined]);
    assert.deepEqual(await check('other-hospital', 'HospitalBMSP/privacy'), ['not-covered', 'encounter-not-open']);
    assert.deepEqual(await check('sensitive'), ['not-covered', 'own-admission-scope']);
    assert.deepEqual(await check('research'), ['not-covered', 'own-admission-scope']);
    assert.deepEqual(await check('before-admission'), ['not-covered', 'encounter-not-open']);
    const queue = await ledger.invoke<{ records: Entry[] }>(cc.Access!, 'listAccessAwaitingReview', ['HospitalAMSP', '10', ''], { as: 'HospitalAMSP/privacy' });
    assert.deepEqual(queue.value.records.map((e) => e.entryId).sort(), ['before-admission', 'research', 'sensitive']);
    // Without a consent, an encounter or a break-the-glass reason an allowed access is refused.
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, entryId: 'nothing', categories: ['conditions'], encounterId: undefined }) }, as: 'HospitalAMSP/clinician' }), 'INVALID_ARGUMENT', 'encounterId');
  });

  it('requires a consent or a break-the-glass reason code for an allowed access, and reviews break-the-glass', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const base = { entryId: 'btg-1', patientDid: patient.did, categories: ['allergies'], purpose: 'ETREAT', decision: 'allowed', accessedAt: ledger.clock.toISOString() };
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify(base) }, as: 'HospitalAMSP/clinician' }), 'INVALID_ARGUMENT', 'break');
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, breakGlass: { reasonCode: 'patient was found unconscious in the car park' } }) }, as: 'HospitalAMSP/clinician' }), 'INVALID_ARGUMENT', 'breakGlass.reasonCode');
    await ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, breakGlass: { reasonCode: 'emergency-unconscious', noteSha256: sha('note kept in hospital') } }) }, as: 'HospitalAMSP/clinician' });
    const waiting = await read<{ records: Entry[] }>(ledger, cc, 'Access', 'listAccessAwaitingReview', ['HospitalAMSP', '10', '']);
    assert.deepEqual(waiting.records.map((e) => e.entryId), ['btg-1']);
    // A refused access needs no justification and is logged too.
    await ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...base, entryId: 'refused-1', decision: 'refused' }) }, as: 'HospitalAMSP/clinician' });
    await rejectsWith(ledger.invoke(cc.Access!, 'reviewAccess', ['btg-1', JSON.stringify({ outcome: 'justified' })], { as: 'HospitalAMSP/clinician' }), 'FORBIDDEN', "role 'privacy'");
    await rejectsWith(ledger.invoke(cc.Access!, 'reviewAccess', ['btg-1', JSON.stringify({ outcome: 'justified' })], { as: 'HospitalBMSP/privacy' }), 'FORBIDDEN', 'own privacy officers');
    await ledger.invoke(cc.Access!, 'reviewAccess', ['btg-1', JSON.stringify({ outcome: 'justified' })], { as: 'HospitalAMSP/privacy' });
    assert.equal((await read<Entry>(ledger, cc, 'Access', 'getAccessEntry', ['btg-1'])).review?.outcome, 'justified');
    await rejectsWith(ledger.invoke(cc.Access!, 'reviewAccess', ['btg-1', JSON.stringify({ outcome: 'justified' })], { as: 'HospitalAMSP/privacy' }), 'INVALID_STATE', 'not awaiting review');
    const history = await ledger.invoke<{ records: Entry[] }>(cc.Access!, 'listAccessForPatient', [patient.did, '10', ''], { as: 'HospitalAMSP/privacy' });
    assert.deepEqual(history.value.records.map((e) => e.entryId).sort(), ['btg-1', 'refused-1']);
  });

  it('refuses access logging by non-hospital orgs and future-dated accesses', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const entry = { entryId: 'x', patientDid: patient.did, categories: ['allergies'], purpose: 'TREAT', decision: 'refused', accessedAt: ledger.clock.toISOString() };
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify(entry) }, as: 'InsurerMSP/claims' }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify({ ...entry, accessedAt: new Date(ledger.clock.getTime() + 3_600_000).toISOString() }) }, as: 'HospitalAMSP/clinician' }), 'INVALID_ARGUMENT', 'future');
  });

  it('anchors an offline batch once, idempotently', async () => {
    const { ledger, cc } = await initialisedLedger();
    const batch = { batchId: 'b-1', batchSha256: sha('batch'), count: 12, firstAccessAt: '2026-11-21T07:00:00Z', lastAccessAt: '2026-11-21T08:00:00Z' };
    const { event } = await ledger.invoke(cc.Access!, 'anchorOfflineBatch', [], { transient: { batch: JSON.stringify(batch) }, as: 'HospitalAMSP/clinician' });
    assert.equal(event?.name, 'Access.BatchAnchored');
    assert.equal((await ledger.invoke(cc.Access!, 'anchorOfflineBatch', [], { transient: { batch: JSON.stringify(batch) }, as: 'HospitalAMSP/clinician' })).event, undefined);
    await rejectsWith(ledger.invoke(cc.Access!, 'anchorOfflineBatch', [], { transient: { batch: JSON.stringify({ ...batch, batchSha256: sha('other') }) }, as: 'HospitalAMSP/clinician' }), 'ALREADY_EXISTS');
    const stored = await ledger.invoke<{ count: number }>(cc.Access!, 'getOfflineBatch', ['HospitalAMSP', 'b-1'], { as: 'HospitalAMSP/privacy' });
    assert.equal(stored.value.count, 12);
  });
});

describe('Records', () => {
  it('anchors versions of a record for its owning hospital and tells latest, older and tampered hashes apart', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = hospitalPseudonym();
    const v1 = sha('salt|{"resourceType":"Observation","value":1}');
    const v2 = sha('salt|{"resourceType":"Observation","value":2}');
    const first = await ledger.invoke<{ version: number }>(cc.Records!, 'anchorRecord', [], { transient: { anchor: JSON.stringify({ recordId: 'obs-1', patientPseudonym: patient, saltedHash: v1, category: 'observations' }) }, as: 'HospitalAMSP/clinician' });
    assert.equal(first.value.version, 1);
    assert.equal(first.event?.name, 'Records.Anchored');
    await ledger.invoke(cc.Records!, 'anchorRecord', [], { transient: { anchor: JSON.stringify({ recordId: 'obs-1', patientPseudonym: patient, saltedHash: v2 }) }, as: 'HospitalAMSP/clinician' });
    const verify = async (hash: string): Promise<{ match: string; version?: number }> => (await ledger.invoke<{ match: string; version?: number }>(cc.Records!, 'verifyRecord', ['obs-1', hash], { as: 'HospitalBMSP/clinician' })).value;
    assert.deepEqual([(await verify(v2)).match, (await verify(v1)).match, (await verify(sha('tampered'))).match], ['latest', 'older-version', 'no-match']);
    await rejectsWith(ledger.invoke(cc.Records!, 'anchorRecord', [], { transient: { anchor: JSON.stringify({ recordId: 'obs-1', patientPseudonym: patient, saltedHash: sha('x') }) }, as: 'HospitalBMSP/clinician' }), 'FORBIDDEN', 'HospitalAMSP');
    await rejectsWith(ledger.invoke(cc.Records!, 'anchorRecord', [], { transient: { anchor: JSON.stringify({ recordId: 'obs-2', patientPseudonym: patient, saltedHash: 'not-a-hash' }) }, as: 'HospitalAMSP/clinician' }), 'INVALID_ARGUMENT', 'SHA-256');
    await rejectsWith(ledger.invoke(cc.Records!, 'anchorRecord', [], { transient: { anchor: JSON.stringify({ recordId: 'obs-2', patientPseudonym: patient, saltedHash: v1 }) }, as: 'HospitalAMSP/claims' }), 'FORBIDDEN');
    const versions = await ledger.invoke<{ records: Array<{ version: number }> }>(cc.Records!, 'listRecordVersions', ['obs-1', '10', ''], { as: 'HospitalAMSP/privacy' });
    assert.deepEqual(versions.value.records.map((r) => r.version), [1, 2]);
  });
});

describe('Admissions', () => {
  it('records admit, transfer and discharge pseudonymously, in order, for the admitting hospital only', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = hospitalPseudonym();
    const encounterId = randomUUID();
    const event = (eventType: string, extra: object = {}): string => JSON.stringify({ encounterId, patientPseudonym: patient, eventType, occurredAt: ledger.clock.toISOString(), ...extra });
    const admitted = await ledger.invoke<{ encounterId: string; sequence: number; mspId: string; sha256: string }>(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('admit', { wardCode: 'W3' }) }, as: 'HospitalAMSP/admissions' });
    assert.deepEqual(Object.keys(admitted.value).sort(), ['encounterId', 'mspId', 'sequence', 'sha256']);
    assert.equal((await read<{ status: string }>(ledger, cc, 'Admissions', 'getEncounter', [encounterId])).status, 'admitted');
    assert.equal(admitted.event?.name, 'Admissions.EventRecorded');
    assert.deepEqual(admitted.event?.payload, admitted.value);
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('admit') }, as: 'HospitalAMSP/admissions' }), 'ALREADY_EXISTS');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('transfer') }, as: 'HospitalAMSP/admissions' }), 'INVALID_ARGUMENT', 'wardCode');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('transfer', { wardCode: 'Oncology ward 2' }) }, as: 'HospitalAMSP/admissions' }), 'INVALID_ARGUMENT', 'a code');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('discharge') }, as: 'HospitalBMSP/admissions' }), 'FORBIDDEN', 'HospitalAMSP');
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('discharge') }, as: 'HospitalAMSP/clinician' }), 'FORBIDDEN');
    ledger.advance(3_600_000);
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('transfer', { wardCode: 'W7' }) }, as: 'HospitalAMSP/admissions' });
    ledger.advance(3_600_000);
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('discharge') }, as: 'HospitalAMSP/admissions' });
    const discharged = await read<{ status: string; wardCode: string }>(ledger, cc, 'Admissions', 'getEncounter', [encounterId]);
    assert.deepEqual([discharged.status, discharged.wardCode], ['discharged', 'W7']);
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('discharge') }, as: 'HospitalAMSP/admissions' }), 'INVALID_STATE');
    const events = await ledger.invoke<{ records: Array<{ eventType: string; sequence: number }> }>(cc.Admissions!, 'listEncounterEvents', [encounterId, '10', ''], { as: 'HospitalAMSP/clinician' });
    assert.deepEqual(events.value.records.map((e) => `${e.sequence}:${e.eventType}`), ['1:admit', '2:transfer', '3:discharge']);
    const mine = await ledger.invoke<{ records: unknown[] }>(cc.Admissions!, 'listEncountersForPseudonym', [patient, '10', ''], { as: 'HospitalAMSP/clinician' });
    assert.equal(mine.value.records.length, 1);
  });
  it('carries the bed code on the event and the encounter, so every desk of the hospital knows which beds are taken', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = hospitalPseudonym();
    const encounterId = randomUUID();
    const event = (eventType: string, extra: object = {}): string => JSON.stringify({ encounterId, patientPseudonym: patient, eventType, occurredAt: ledger.clock.toISOString(), ...extra });
    type Encounter = { wardCode?: string; bed?: string; status: string };
    const encounter = (): Promise<Encounter> => read<Encounter>(ledger, cc, 'Admissions', 'getEncounter', [encounterId], 'HospitalAMSP/admissions');
    const admitted = await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('admit', { wardCode: 'W-101', bed: 'A01' }) }, as: 'HospitalAMSP/admissions' });
    const events = await read<{ records: Array<{ bed?: string }> }>(ledger, cc, 'Admissions', 'listEncounterEvents', [encounterId, '10', ''], 'HospitalAMSP/admissions');
    assert.deepEqual([(await encounter()).bed, events.records[0]?.bed], ['A01', 'A01']);
    // The bed is the hospital's to read, on its own peer: the chaincode event every organisation receives does not carry it.
    assert.equal(JSON.stringify(admitted.event?.payload).includes('A01'), false);
    await rejectsWith(ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('transfer', { wardCode: 'W-102', bed: 'Bed by the window' }) }, as: 'HospitalAMSP/admissions' }), 'INVALID_ARGUMENT', 'a code');
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('transfer', { wardCode: 'W-102', bed: 'S04' }) }, as: 'HospitalAMSP/admissions' });
    const moved = await encounter();
    assert.deepEqual([moved.wardCode, moved.bed], ['W-102', 'S04']);
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: event('discharge') }, as: 'HospitalAMSP/admissions' });
    const discharged = await encounter();
    assert.deepEqual([discharged.status, discharged.bed], ['discharged', 'S04']);
  });
});
