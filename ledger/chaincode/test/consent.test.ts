import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { HOSPITAL_A_DID, HOSPITAL_B_DID, INSURER_DID, consentJwt, consentPayload, didJwk, ed25519DidKey, initialisedLedger, revocationJwt, signJwt } from './support/fixtures';

const DESK = 'HospitalAMSP/admissions';
type Decision = { decision: string; consentId?: string; reason: string };

describe('Consent: patient-signed grants', () => {
  for (const [label, makeKey] of [
    ['did:key Ed25519 (EdDSA)', () => ed25519DidKey()],
    ['did:jwk P-256 (ES256)', () => didJwk('P-256')],
    ['did:jwk Ed25519 (EdDSA)', () => didJwk('Ed25519')],
  ] as const) {
    it(`records a grant signed with ${label} and stores exactly the signed scope, no names`, async () => {
      const { ledger, cc } = await initialisedLedger();
      const patient = makeKey();
      const { jwt, jti } = consentJwt(patient, ledger.clock, { purposeOfUse: ['TREAT', 'ETREAT'], categories: ['medications', 'allergies'] });
      const { value: receipt, event } = await ledger.invoke<Record<string, unknown>>(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as: DESK });
      const value = (await ledger.invoke<Record<string, unknown>>(cc.Consent!, 'getConsent', [jti], { as: 'HospitalAMSP/clinician' })).value;
      assert.equal(value.consentId, jti);
      assert.equal(value.patientDid, patient.did);
      assert.equal(value.granteeDid, HOSPITAL_A_DID);
      assert.equal(value.granteeMspId, 'HospitalAMSP');
      assert.deepEqual(value.purposes, ['ETREAT', 'TREAT']);
      assert.deepEqual(value.categories, ['allergies', 'medications']);
      assert.equal(event?.name, 'Consent.Granted');
      // The result and the event are in every organisation's block: ids and a hash, nothing about the patient.
      assert.deepEqual(event?.payload, receipt);
      assert.deepEqual(Object.keys(receipt).sort(), ['consentId', 'sha256', 'status']);
      assert.equal(receipt.sha256, createHash('sha256').update(ledger.privateState.get('hospitals')?.get(`\u0000consent\u0000${jti}\u0000`) ?? '').digest('hex'));
      // Only ids, scope, period and hashes are stored: not the display name the patient saw, not the JWT.
      assert.deepEqual(Object.keys(value).sort(), ['categories', 'consentId', 'from', 'granteeDid', 'granteeMspId', 'jwtSha256', 'patientDid', 'purposes', 'recordedAt', 'recordedByMspId', 'status', 'until']);
      const everything = [...ledger.state.values(), ...(ledger.privateState.get('hospitals')?.values() ?? [])].map((v) => v.toString('utf8'));
      assert.ok(!everything.some((v) => v.includes('granteeName') || v.includes(jwt.split('.')[2] ?? '')));
      // Public state holds nothing of it.
      assert.ok(![...ledger.state.keys(), ...[...ledger.state.values()].map((v) => v.toString('utf8'))].some((v) => v.includes(patient.did) || v.includes(jti)));
    });
  }

  it('refuses a forged consent: signed by another key than the patient DID in iss', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const forger = ed25519DidKey();
    // The hospital signs with its own key but claims the patient issued it.
    const forged = signJwt({ ...forger, kid: patient.kid }, consentPayload(patient, ledger.clock));
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: forged }, as: DESK }), 'SIGNATURE_INVALID', 'forged or altered');
    assert.equal(ledger.stored('\u0000consent\u0000'), undefined);
  });

  it('refuses a consent widened by the hospital: payload changed after the patient signed', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = didJwk('P-256');
    const { jwt } = consentJwt(patient, ledger.clock, { categories: ['medications'] });
    const [header, payloadText, signature] = jwt.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8')) as { vc: { credentialSubject: { categories: string[]; purposeOfUse: string[] } } };
    payload.vc.credentialSubject.categories = ['medications', 'conditions', 'imaging'];
    payload.vc.credentialSubject.purposeOfUse = ['TREAT', 'HRESCH'];
    const widened = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: widened }, as: DESK }), 'SIGNATURE_INVALID');
  });

  it('refuses a grant whose kid or alg does not match the patient DID', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const other = ed25519DidKey();
    const wrongKid = signJwt(patient, consentPayload(patient, ledger.clock), { kid: other.kid });
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: wrongKid }, as: DESK }), 'SIGNATURE_INVALID', 'not the key of its issuer');
    const wrongAlg = signJwt(patient, consentPayload(patient, ledger.clock), { alg: 'ES256' });
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: wrongAlg }, as: DESK }), 'SIGNATURE_INVALID', "needs EdDSA");
  });

  it('refuses a grant issued by someone other than its subject, or for an unknown or non-hospital grantee', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const relative = ed25519DidKey();
    const onBehalf = consentPayload(patient, ledger.clock);
    onBehalf.iss = relative.did;
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: signJwt(relative, onBehalf) }, as: DESK }), 'CONSENT_INVALID', 'sub');
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock, { grantee: 'did:web:unknown.example' }).jwt }, as: DESK }), 'CONSENT_INVALID', 'not a hospital registered');
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock, { grantee: INSURER_DID }).jwt }, as: DESK }), 'CONSENT_INVALID', 'not a hospital registered');
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock, { purposeOfUse: ['MARKETING'] }).jwt }, as: DESK }), 'INVALID_ARGUMENT', 'purposeOfUse');
  });

  it('refuses an already expired grant and a did:web signer', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const expired = consentJwt(patient, ledger.clock, { nbf: new Date(ledger.clock.getTime() - 10 * 86_400_000), exp: new Date(ledger.clock.getTime() - 86_400_000) });
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: expired.jwt }, as: DESK }), 'CONSENT_INVALID', 'already expired');
    const webSigned = consentPayload(patient, ledger.clock);
    webSigned.iss = 'did:web:patient.example';
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: signJwt(patient, webSigned) }, as: DESK }), 'INVALID_ARGUMENT', 'not a did:key or did:jwk');
  });

  it('lets hospital desk, clinician and privacy staff record, but not an insurer or a claims clerk', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock).jwt }, as: 'InsurerMSP/admissions' }), 'FORBIDDEN', 'registered as an insurer');
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock).jwt }, as: 'HospitalAMSP/claims' }), 'FORBIDDEN', "role is 'claims'");
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock).jwt }, as: 'HospitalBMSP/clinician' });
  });

  it('returns the stored consent for the same JWT twice (a retried sync) and refuses a different JWT with the same id', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const jti = `urn:uuid:${randomUUID()}`;
    const first = consentJwt(patient, ledger.clock, { jti });
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: first.jwt }, as: DESK });
    const retry = await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: first.jwt }, as: DESK });
    assert.equal(retry.event, undefined);
    await rejectsWith(ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock, { jti, categories: ['imaging'] }).jwt }, as: DESK }), 'ALREADY_EXISTS');
  });
});

describe('Consent: checkConsent', () => {
  it('permits inside scope and period, denies outside, and says no-consent otherwise', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    const start = ledger.clock;
    const { jwt, jti } = consentJwt(patient, start, { purposeOfUse: ['TREAT'], categories: ['medications'], exp: new Date(start.getTime() + 86_400_000) });
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as: DESK });
    const check = async (grantee: string, purpose: string, category: string, time = ''): Promise<Decision> =>
      (await ledger.invoke<Decision>(cc.Consent!, 'checkConsent', [patient.did, grantee, purpose, category, time], { as: 'HospitalAMSP/clinician' })).value;
    assert.deepEqual(await check('HospitalAMSP', 'TREAT', 'medications'), { decision: 'permit', consentId: jti, reason: 'covered' });
    assert.equal((await check(HOSPITAL_A_DID, 'TREAT', 'medications')).decision, 'permit');
    assert.deepEqual(await check('HospitalAMSP', 'HRESCH', 'medications'), { decision: 'deny', consentId: jti, reason: 'purpose-not-covered' });
    assert.deepEqual(await check('HospitalAMSP', 'TREAT', 'imaging'), { decision: 'deny', consentId: jti, reason: 'category-not-covered' });
    assert.equal((await check('HospitalBMSP', 'TREAT', 'medications')).decision, 'no-consent');
    assert.equal((await check(HOSPITAL_B_DID, 'TREAT', 'medications')).decision, 'no-consent');
    // Expired consent: the same question two days later.
    assert.deepEqual(await check('HospitalAMSP', 'TREAT', 'medications', new Date(start.getTime() + 2 * 86_400_000).toISOString()), { decision: 'deny', consentId: jti, reason: 'expired' });
    await rejectsWith(ledger.invoke(cc.Consent!, 'checkConsent', [patient.did, 'HospitalAMSP', 'TREAT', 'x-rays', ''], { as: DESK }), 'INVALID_ARGUMENT', 'category');
  });

  it('denies after a revocation signed by the patient, and refuses one signed by someone else', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = didJwk('P-256');
    const { jwt, jti } = consentJwt(patient, ledger.clock);
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: jwt }, as: DESK });
    const stranger = ed25519DidKey();
    await rejectsWith(ledger.invoke(cc.Consent!, 'revokeConsent', [], { transient: { revocationJwt: revocationJwt(stranger, ledger.clock, jti) }, as: DESK }), 'SIGNATURE_INVALID', 'another patient');
    ledger.advance(60_000);
    const { value, event } = await ledger.invoke<{ status: string }>(cc.Consent!, 'revokeConsent', [], { transient: { revocationJwt: revocationJwt(patient, ledger.clock, jti) }, as: 'HospitalBMSP/privacy' });
    assert.equal(value.status, 'revoked');
    assert.equal(event?.name, 'Consent.Revoked');
    const now = (await ledger.invoke<Decision>(cc.Consent!, 'checkConsent', [patient.did, 'HospitalAMSP', 'TREAT', 'conditions', ''], { as: DESK })).value;
    assert.deepEqual(now, { decision: 'deny', consentId: jti, reason: 'revoked' });
    // Before the revocation the consent did cover the access (audits ask about the past).
    const before = (await ledger.invoke<Decision>(cc.Consent!, 'checkConsent', [patient.did, 'HospitalAMSP', 'TREAT', 'conditions', new Date(ledger.clock.getTime() - 30_000).toISOString()], { as: DESK })).value;
    assert.equal(before.decision, 'permit');
    await rejectsWith(ledger.invoke(cc.Consent!, 'revokeConsent', [], { transient: { revocationJwt: revocationJwt(patient, ledger.clock, jti) }, as: DESK }), 'INVALID_STATE', 'already revoked');
  });

  it('permits when any one of several consents covers the request', async () => {
    const { ledger, cc } = await initialisedLedger();
    const patient = ed25519DidKey();
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: consentJwt(patient, ledger.clock, { categories: ['imaging'] }).jwt }, as: DESK });
    const second = consentJwt(patient, ledger.clock, { categories: ['medications'] });
    await ledger.invoke(cc.Consent!, 'recordConsent', [], { transient: { consentJwt: second.jwt }, as: DESK });
    const { value } = await ledger.invoke<Decision>(cc.Consent!, 'checkConsent', [patient.did, 'HospitalAMSP', 'TREAT', 'medications', ''], { as: DESK });
    assert.deepEqual(value, { decision: 'permit', consentId: second.jti, reason: 'covered' });
    const page = await ledger.invoke<{ records: unknown[] }>(cc.Consent!, 'listConsentsForPatient', [patient.did, '10', ''], { as: DESK });
    assert.equal(page.value.records.length, 2);
  });
});
