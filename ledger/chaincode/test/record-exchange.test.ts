/**
 * The record gatekeeper's side of the ledger (issue 10): the `gatekeeper` role, release entries
 * re-checked for the requesting hospital, break-the-glass flagged at both hospitals, one request
 * id linking the release to the view, consents posted by the gatekeeper for the patient,
 * sensitive categories, several categories in one evaluate, and anchors keyed by source version.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { type Contracts, consentJwt, ed25519DidKey, hospitalPseudonym, initialisedLedger, revocationJwt, signJwt } from './support/fixtures';
import { type MemoryLedger } from './support/memory-ledger';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const GK_B = 'HospitalBMSP/gatekeeper';
const GK_A = 'HospitalAMSP/gatekeeper';
const requester = { mspId: 'HospitalAMSP', id: 'x509::/CN=clinician.hospitalamsp::/CN=ca', role: 'clinician' };

interface Entry {
  entryId: string;
  decision: string;
  requestId?: string;
  staff: { mspId: string; role: string };
  release?: { released: string[]; withheld: string[]; basis: string; consentIds: string[]; requester: { mspId: string } };
  review?: { outcome: string };
  requesterReview?: { outcome: string };
}

function release(patientDid: string, now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entryId: `rel-${randomUUID()}`,
    requestId: `urn:uuid:${randomUUID()}`,
    patientDid,
    purpose: 'TREAT',
    categories: ['conditions', 'medications'],
    released: ['conditions', 'medications'],
    withheld: [],
    decision: 'released',
    basis: 'consent',
    requester,
    accessedAt: now.toISOString(),
    ...overrides,
  };
}

async function logRelease(ledger: MemoryLedger, cc: Contracts, value: Record<string, unknown>, as = GK_B): Promise<{ entryId: string; consentIds: string[] }> {
  return (await ledger.invoke<{ entryId: string; consentIds: string[] }>(cc.Access!, 'logRelease', [], { transient: { release: JSON.stringify(value) }, as })).value;
}

async function grantToA(ledger: MemoryLedger, cc: Contracts, patient: ReturnType<typeof ed25519DidKey>, categories: string[], as = GK_B): Promise<string> {
  const { jwt, jti } = consentJwt(patient, ledger.clock, { categories });
  await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as });
  return jti;
}

describe('Consent: several categories in one evaluate, sensitive categories', () => {
  it('answers every category asked for at once, and a sensitive category only when the consent names it', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = await grantToA(ledger, cc, patient, ['conditions', 'mental-health']);
    const { value } = await ledger.invoke<{ decisions: Record<string, { decision: string; consentId?: string; reason: string }> }>(cc.Consent!, 'checkConsents', [patient.did, 'HospitalAMSP', 'TREAT', JSON.stringify(['conditions', 'mental-health', 'genetics', 'medications']), ''], { as: GK_B });
    assert.deepEqual(
      Object.fromEntries(Object.entries(value.decisions).map(([k, d]) => [k, d.decision])),
      { conditions: 'permit', 'mental-health': 'permit', genetics: 'deny', medications: 'deny' },
    );
    assert.equal(value.decisions.conditions?.consentId, jti);
    // Another hospital, with no consent of its own, gets no-consent for every category.
    const other = await ledger.invoke<{ decisions: Record<string, { decision: string }> }>(cc.Consent!, 'checkConsents', [patient.did, 'HospitalBMSP', 'TREAT', JSON.stringify(['conditions']), ''], { as: GK_B });
    assert.equal(other.value.decisions.conditions?.decision, 'no-consent');
    await rejectsWith(ledger.invoke(cc.Consent!, 'checkConsents', [patient.did, 'HospitalAMSP', 'TREAT', JSON.stringify(['psychotherapy-notes']), ''], { as: GK_B }), 'INVALID_ARGUMENT', 'mental-health');
    await rejectsWith(ledger.invoke(cc.Consent!, 'checkConsents', [patient.did, 'HospitalAMSP', 'TREAT', JSON.stringify(['conditions']), ''], { as: 'InsurerMSP/claims' }), 'FORBIDDEN');
  });
});

describe('Consent recorded by the gatekeeper for the patient', () => {
  it('records and revokes what the patient signed, and still refuses a consent the patient did not sign', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = await grantToA(ledger, cc, patient, ['conditions']);
    const forged = consentJwt(patient, ledger.clock, { categories: ['conditions', 'genetics'] }).jwt.replace(/\.[^.]+$/, `.${signJwt(ed25519DidKey(), { a: 1 }).split('.')[2]}`);
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: forged }, as: GK_B }), 'SIGNATURE_INVALID');
    const { value } = await ledger.invoke<{ status: string }>(cc.Consent!, 'revokeConsent', [], { transient: { revocationJwt: revocationJwt(patient, ledger.clock, jti) }, as: GK_B });
    assert.equal(value.status, 'revoked');
  });
});

describe('Access: release entries of a record gatekeeper', () => {
  it('logs a release the requesting hospital consent covers, citing that consent', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = await grantToA(ledger, cc, patient, ['conditions', 'medications']);
    const value = release(patient.did, ledger.clock, { consentIds: [jti] });
    const receipt = await logRelease(ledger, cc, value);
    assert.deepEqual(receipt.consentIds, [jti]);
    const entry = (await ledger.invoke<Entry>(cc.Access!, 'getAccessEntry', [receipt.entryId], { as: 'HospitalAMSP/privacy' })).value;
    assert.deepEqual([entry.decision, entry.staff.role, entry.release?.basis, entry.release?.requester.mspId], ['allowed', 'gatekeeper', 'consent', 'HospitalAMSP']);
    // A retry of the same entry changes nothing; the same id with other content is refused.
    assert.equal((await ledger.invoke(cc.Access!, 'logRelease', [], { transient: { release: JSON.stringify(value) }, as: GK_B })).event, undefined);
    await rejectsWith(ledger.invoke(cc.Access!, 'logRelease', [], { transient: { release: JSON.stringify({ ...value, purpose: 'HRESCH' }) }, as: GK_B }), 'ALREADY_EXISTS');
  });

  it('refuses to log a release the requesting hospital consent does not cover, so nothing is released', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = await grantToA(ledger, cc, patient, ['conditions']);
    const consentIds = [jti];
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { consentIds })), 'CONSENT_NOT_COVERED', 'medications');
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { consentIds, purpose: 'HRESCH', categories: ['conditions'], released: ['conditions'] })), 'CONSENT_NOT_COVERED', 'purpose-not-covered');
    // A release that cites no consent is not covered, whatever the patient signed.
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { categories: ['conditions'], released: ['conditions'] })), 'CONSENT_NOT_COVERED', 'no consent cited');
    // Another patient's consent cannot be cited.
    await rejectsWith(logRelease(ledger, cc, release(ed25519DidKey().did, ledger.clock, { consentIds, categories: ['conditions'], released: ['conditions'] })), 'CONSENT_NOT_COVERED');
    // A consent to Hospital A does not cover Hospital B's own clinicians asking Hospital A.
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { consentIds, categories: ['conditions'], released: ['conditions'], requester: { ...requester, mspId: 'HospitalBMSP' } }), GK_A), 'CONSENT_NOT_COVERED', 'other-grantee');
    // Sensitive records need the sensitive category named in the consent.
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { consentIds, categories: ['conditions', 'mental-health'], released: ['conditions', 'mental-health'] })), 'CONSENT_NOT_COVERED', 'mental-health');
    // An insurer is never a requester.
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { categories: ['conditions'], released: ['conditions'], requester: { ...requester, mspId: 'InsurerMSP' } })), 'FORBIDDEN', 'not a hospital');
  });

  it('logs refusals and partial releases, and checks that released and withheld split what was asked', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = await grantToA(ledger, cc, patient, ['conditions']);
    await logRelease(ledger, cc, release(patient.did, ledger.clock, { consentIds: [jti], released: ['conditions'], withheld: ['medications'] }));
    const refused = await logRelease(ledger, cc, release(patient.did, ledger.clock, { released: [], withheld: ['conditions', 'medications'], decision: 'refused', basis: 'none', refusalCode: 'NO_CONSENT' }));
    assert.equal((await ledger.invoke<Entry>(cc.Access!, 'getAccessEntry', [refused.entryId], { as: 'HospitalBMSP/privacy' })).value.decision, 'refused');
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { released: ['conditions'], withheld: [] })), 'INVALID_ARGUMENT', 'split');
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { basis: 'none' })), 'INVALID_ARGUMENT', "basis 'none'");
  });

  it('is written only by a gatekeeper identity', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    await grantToA(ledger, cc, patient, ['conditions', 'medications']);
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock), 'HospitalBMSP/clinician'), 'FORBIDDEN', "'gatekeeper'");
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock), 'InsurerMSP/claims'), 'FORBIDDEN');
  });

  it('releases under break-the-glass and flags the entry for review at both hospitals', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const value = release(patient.did, ledger.clock, { purpose: 'ETREAT', basis: 'break-glass', breakGlass: { reasonCode: 'emergency-unconscious', noteSha256: sha('found unconscious') } });
    const { entryId } = await logRelease(ledger, cc, value);
    for (const msp of ['HospitalAMSP', 'HospitalBMSP']) {
      const queue = await ledger.invoke<{ records: Entry[] }>(cc.Access!, 'listAccessAwaitingReview', [msp, '10', ''], { as: `${msp}/privacy` });
      assert.deepEqual(queue.value.records.map((e) => e.entryId), [entryId], msp);
    }
    await ledger.invoke(cc.Access!, 'reviewAccess', [entryId, JSON.stringify({ outcome: 'justified' })], { as: 'HospitalAMSP/privacy' });
    await ledger.invoke(cc.Access!, 'reviewAccess', [entryId, JSON.stringify({ outcome: 'unjustified' })], { as: 'HospitalBMSP/privacy' });
    const entry = (await ledger.invoke<Entry>(cc.Access!, 'getAccessEntry', [entryId], { as: 'HospitalBMSP/privacy' })).value;
    assert.deepEqual([entry.requesterReview?.outcome, entry.review?.outcome], ['justified', 'unjustified']);
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { purpose: 'HRESCH', basis: 'break-glass', breakGlass: { reasonCode: 'emergency-other' } })), 'INVALID_ARGUMENT', 'TREAT or ETREAT');
  });

  it('covers the hospital own clinicians during an open admission, for TREAT and non-sensitive records only', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const event = { encounterId: 'enc-1', patientPseudonym: hospitalPseudonym(), eventType: 'admit', wardCode: 'W1', occurredAt: ledger.clock.toISOString() };
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: JSON.stringify(event) }, as: 'HospitalBMSP/admissions' });
    const own = { ...requester, mspId: 'HospitalBMSP' };
    await logRelease(ledger, cc, release(patient.did, ledger.clock, { basis: 'own-admission', encounterId: 'enc-1', requester: own }));
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { basis: 'own-admission', encounterId: 'enc-1' })), 'CONSENT_NOT_COVERED', 'own clinicians');
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { basis: 'own-admission', encounterId: 'enc-1', requester: own, categories: ['genetics'], released: ['genetics'] })), 'CONSENT_NOT_COVERED', 'Sensitive');
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { basis: 'own-admission', encounterId: 'enc-1', requester: own, purpose: 'HPAYMT' })), 'CONSENT_NOT_COVERED', 'TREAT');
    await ledger.invoke(cc.Admissions!, 'recordAdmissionEvent', [], { transient: { event: JSON.stringify({ encounterId: 'enc-1', eventType: 'discharge', occurredAt: ledger.clock.toISOString() }) }, as: 'HospitalBMSP/admissions' });
    await rejectsWith(logRelease(ledger, cc, release(patient.did, ledger.clock, { basis: 'own-admission', encounterId: 'enc-1', requester: own })), 'CONSENT_NOT_COVERED', 'not an open admission');
  });

  it('links the release and the view by one request id', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = await grantToA(ledger, cc, patient, ['conditions', 'medications']);
    const value = release(patient.did, ledger.clock, { consentIds: [jti] });
    await logRelease(ledger, cc, value);
    const view = { entryId: randomUUID(), requestId: value.requestId, patientDid: patient.did, categories: ['conditions', 'medications'], purpose: 'TREAT', decision: 'allowed', consentId: jti, accessedAt: ledger.clock.toISOString() };
    await ledger.invoke(cc.Access!, 'logAccess', [], { transient: { entry: JSON.stringify(view) }, as: 'HospitalAMSP/clinician' });
    const pair = await ledger.invoke<{ records: Entry[] }>(cc.Access!, 'listAccessForRequest', [value.requestId as string], { as: 'HospitalAMSP/privacy' });
    assert.deepEqual(pair.value.records.map((e) => e.staff.role).sort(), ['clinician', 'gatekeeper']);
    await rejectsWith(ledger.invoke(cc.Access!, 'listAccessForRequest', ['not-a-request-id'], { as: 'HospitalAMSP/privacy' }), 'INVALID_ARGUMENT', 'urn:uuid');
  });
});

describe('Records: anchors keyed by source version, in batches', () => {
  it('anchors a batch once per source version and refuses another hash for an anchored version', async () => {
    const { ledger, cc } = await initialisedLedger();
    const pseudonym = hospitalPseudonym();
    const anchors = [
      { recordId: 'rec-1', patientPseudonym: pseudonym, saltedHash: sha('v1'), category: 'conditions', sourceVersion: '1' },
      { recordId: 'rec-2', patientPseudonym: pseudonym, saltedHash: sha('w1'), category: 'mental-health', sourceVersion: '1' },
    ];
    type Batch = { anchored: unknown[]; unchanged: unknown[]; refused: { recordId: string; code: string }[] };
    const first = await ledger.invoke<Batch>(cc.Records!, 'anchorRecords', [], { transient: { anchors: JSON.stringify(anchors) }, as: GK_B });
    assert.deepEqual([first.value.anchored.length, first.event?.name], [2, 'Records.AnchoredBatch']);
    const again = await ledger.invoke<Batch>(cc.Records!, 'anchorRecords', [], { transient: { anchors: JSON.stringify(anchors) }, as: GK_B });
    assert.deepEqual([again.value.anchored.length, again.value.unchanged.length, again.event], [0, 2, undefined]);
    // rec-1 changed in the store without a new version: refused; rec-2's new version is anchored.
    const next = [
      { ...anchors[0], saltedHash: sha('v1 altered') },
      { ...anchors[1], saltedHash: sha('w2'), sourceVersion: '2' },
    ];
    const third = await ledger.invoke<Batch>(cc.Records!, 'anchorRecords', [], { transient: { anchors: JSON.stringify(next) }, as: GK_B });
    assert.deepEqual(third.value.refused.map((r) => [r.recordId, r.code]), [['rec-1', 'INVALID_STATE']]);
    assert.equal(third.value.anchored.length, 1);
    const verify = (await ledger.invoke<{ match: string }>(cc.Records!, 'verifyRecord', ['rec-1', sha('v1 altered')], { as: 'HospitalAMSP/clinician' })).value;
    assert.equal(verify.match, 'no-match');
    await rejectsWith(ledger.invoke(cc.Records!, 'anchorRecords', [], { transient: { anchors: JSON.stringify(next) }, as: 'HospitalBMSP/claims' }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Records!, 'anchorRecords', [], { transient: { anchors: JSON.stringify([anchors[0], anchors[0]]) }, as: GK_B }), 'INVALID_ARGUMENT', 'once per batch');
  });
});

