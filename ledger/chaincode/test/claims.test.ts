import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { claimsCollectionName } from '../src/contracts/claims';
import { rejectsWith } from './support/assert';
import { type ClaimOptions, type Contracts, fhirClaim, initialisedLedger } from './support/fixtures';
import { type MemoryLedger, TransactionRefused } from './support/memory-ledger';

const CLERK = 'HospitalAMSP/claims';
const INSURER = 'InsurerMSP/claims';
const SALT = randomBytes(32).toString('hex');

interface Claim {
  claimId: string;
  repeatService: boolean;
  status: string;
  outcome?: string;
  totalAmount: number;
  approvedAmount?: number;
  paidAmount?: number;
  reasonCodes: string[];
  fingerprint: string;
  detailSha256: string;
  collection: string;
  version: number;
}

function submit(ledger: MemoryLedger, cc: Contracts, claimId: string, options: ClaimOptions = {}, as = CLERK): Promise<{ value: Claim; event?: { name: string; payload: Record<string, unknown> } }> {
  return ledger.invoke<Claim>(cc.Claims!, 'submitClaim', [JSON.stringify({ claimId, insurerMspId: 'InsurerMSP' })], { as, transient: { claim: JSON.stringify(fhirClaim(options)), fingerprintSalt: SALT } });
}

describe('Claims: submission and privacy', () => {
  it('keeps the FHIR Claim in the hospital-insurer collection and only ids, amounts and hashes in public state', async () => {
    const { ledger, cc } = await initialisedLedger();
    const { value, event } = await submit(ledger, cc, 'CLM-1', { codes: ['99213', '71046'], amounts: [120.5, 80] });
    assert.equal(value.status, 'submitted');
    assert.equal(value.totalAmount, 20050);
    assert.equal(value.collection, 'claims-HospitalAMSP-InsurerMSP');
    assert.equal(event?.name, 'Claims.Submitted');
    const publicText = [...ledger.state.values()].map((v) => v.toString('utf8')).join('\n');
    for (const phi of ['J18.9', '99213', 'did:key:z6MkpatientExample', '2026-11-19']) assert.ok(!publicText.includes(phi), `public state must not contain ${phi}`);
    assert.ok(!JSON.stringify(event?.payload).includes('J18.9'));
    const detail = await ledger.invoke<{ claim: { diagnosis: unknown[] }; detailSha256: string }>(cc.Claims!, 'getClaimDetail', ['CLM-1'], { as: INSURER });
    assert.equal(detail.value.detailSha256, value.detailSha256);
    assert.equal(detail.value.claim.diagnosis.length, 1);
  });

  it('refuses an insurer trying to submit, and a hospital clerk without the claims role', async () => {
    const { ledger, cc } = await initialisedLedger();
    await rejectsWith(submit(ledger, cc, 'CLM-1', {}, INSURER), 'FORBIDDEN', 'registered as an insurer');
    await rejectsWith(submit(ledger, cc, 'CLM-1', {}, 'HospitalAMSP/clinician'), 'FORBIDDEN', "role is 'clinician'");
    await submit(ledger, cc, 'CLM-1');
  });

  it('refuses a claim with no detail, a non-Claim, bad totals or no salt for a new hospital-insurer pair', async () => {
    const { ledger, cc } = await initialisedLedger();
    const args = [JSON.stringify({ claimId: 'CLM-9', insurerMspId: 'InsurerMSP' })];
    await rejectsWith(ledger.invoke(cc.Claims!, 'submitClaim', args, { as: CLERK }), 'PRIVATE_DATA_MISSING', 'transient map');
    await rejectsWith(ledger.invoke(cc.Claims!, 'submitClaim', args, { as: CLERK, transient: { claim: JSON.stringify(fhirClaim()) } }), 'PRIVATE_DATA_MISSING', 'fingerprintSalt');
    await rejectsWith(ledger.invoke(cc.Claims!, 'submitClaim', args, { as: CLERK, transient: { claim: JSON.stringify({ resourceType: 'Patient' }), fingerprintSalt: SALT } }), 'INVALID_ARGUMENT', "resourceType 'Claim'");
    const wrongTotal = { ...fhirClaim(), total: { value: 999, currency: 'EUR' } };
    await rejectsWith(ledger.invoke(cc.Claims!, 'submitClaim', args, { as: CLERK, transient: { claim: JSON.stringify(wrongTotal), fingerprintSalt: SALT } }), 'INVALID_ARGUMENT', 'sum of the item net');
    await rejectsWith(ledger.invoke(cc.Claims!, 'submitClaim', [JSON.stringify({ claimId: 'CLM-9', insurerMspId: 'HospitalBMSP' })], { as: CLERK, transient: { claim: JSON.stringify(fhirClaim()), fingerprintSalt: SALT } }), 'INVALID_ARGUMENT', 'not an insurer');
  });

  it('refuses a duplicate claim (same patient, provider, date, codes) unless a repeat-service modifier is given', async () => {
    const { ledger, cc } = await initialisedLedger();
    const first = await submit(ledger, cc, 'CLM-1', { codes: ['99213', '71046'] });
    // Same services listed in another order, and a different amount: still the same service.
    await rejectsWith(submit(ledger, cc, 'CLM-2', { codes: ['71046', '99213'], amounts: [10, 20] }), 'DUPLICATE_CLAIM', 'CLM-1');
    // Another day or another patient is not a duplicate.
    await submit(ledger, cc, 'CLM-4', { codes: ['99213', '71046'], serviceDate: '2026-11-20' });
    await submit(ledger, cc, 'CLM-5', { codes: ['99213', '71046'], patient: 'did:key:z6MkotherPatient' });
    // After a withdrawal, the same service may be claimed again.
    await ledger.invoke(cc.Claims!, 'withdrawClaim', ['CLM-1', '{}'], { as: CLERK });
    const again = await submit(ledger, cc, 'CLM-6', { codes: ['99213', '71046'] });
    assert.equal(again.value.fingerprint, first.value.fingerprint);
    // A second identical service on the same day, marked as a repeat, is accepted.
    const repeat = await submit(ledger, cc, 'CLM-3', { codes: ['99213', '71046'], repeatModifier: true });
    assert.equal(repeat.value.repeatService, true);
  });

  it('keeps the salt set by the first claim of a pair: a later, different salt does not hide a duplicate', async () => {
    const { ledger, cc } = await initialisedLedger();
    await submit(ledger, cc, 'CLM-1');
    await rejectsWith(
      ledger.invoke(cc.Claims!, 'submitClaim', [JSON.stringify({ claimId: 'CLM-2', insurerMspId: 'InsurerMSP' })], { as: CLERK, transient: { claim: JSON.stringify(fhirClaim()), fingerprintSalt: randomBytes(32).toString('hex') } }),
      'DUPLICATE_CLAIM',
    );
  });
});

describe('Claims: lifecycle and who may move it', () => {
  it('runs submitted -> pended -> resubmitted -> adjudicated (partial) -> paid with an event at each step', async () => {
    const { ledger, cc } = await initialisedLedger();
    await submit(ledger, cc, 'CLM-1', { codes: ['99213', '71046'], amounts: [100, 50] });
    const pended = await ledger.invoke<Claim>(cc.Claims!, 'pendClaim', ['CLM-1', JSON.stringify({ reasonCodes: ['CO-16'] })], { as: INSURER });
    assert.deepEqual([pended.value.status, pended.value.reasonCodes, pended.event?.name], ['pended', ['CO-16'], 'Claims.Pended']);
    const resubmitted = await ledger.invoke<Claim>(cc.Claims!, 'resubmitClaim', ['CLM-1'], { as: CLERK, transient: { claim: JSON.stringify(fhirClaim({ codes: ['99213', '71046'], amounts: [100, 40] })) } });
    assert.deepEqual([resubmitted.value.status, resubmitted.value.totalAmount, resubmitted.event?.name], ['resubmitted', 14000, 'Claims.Resubmitted']);
    const adjudicated = await ledger.invoke<Claim>(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['CO-45'] })], { as: INSURER });
    assert.deepEqual([adjudicated.value.status, adjudicated.value.outcome, adjudicated.value.approvedAmount], ['adjudicated', 'partial', 10000]);
    await rejectsWith(ledger.invoke(cc.Claims!, 'payClaim', ['CLM-1', JSON.stringify({ paidAmount: 14000, paymentRef: 'PAY-1' })], { as: INSURER }), 'INVALID_ARGUMENT', 'approved amount');
    const paid = await ledger.invoke<Claim>(cc.Claims!, 'payClaim', ['CLM-1', JSON.stringify({ paidAmount: 10000, paymentRef: 'PAY-1' })], { as: INSURER });
    assert.deepEqual([paid.value.status, paid.value.paidAmount, paid.value.version, paid.event?.name], ['paid', 10000, 5, 'Claims.Paid']);
    await rejectsWith(ledger.invoke(cc.Claims!, 'withdrawClaim', ['CLM-1', '{}'], { as: CLERK }), 'INVALID_STATE', 'paid');
    // Settled: the detail can now be purged from the collection; the public record keeps its hash.
    await rejectsWith(ledger.invoke(cc.Claims!, 'purgeClaimDetail', ['CLM-1'], { as: 'HospitalBMSP/claims' }), 'FORBIDDEN');
    const purged = await ledger.invoke<Claim & { detailPurgedAt?: string }>(cc.Claims!, 'purgeClaimDetail', ['CLM-1'], { as: CLERK });
    assert.equal(purged.event?.name, 'Claims.DetailPurged');
    assert.equal(purged.value.detailPurgedAt, ledger.clock.toISOString());
    assert.equal(purged.value.detailSha256, paid.value.detailSha256);
    await rejectsWith(ledger.invoke(cc.Claims!, 'getClaimDetail', ['CLM-1'], { as: INSURER }), 'PRIVATE_DATA_MISSING', 'purged');
  });

  it('refuses to purge the detail of a claim still in progress', async () => {
    const { ledger, cc } = await initialisedLedger();
    await submit(ledger, cc, 'CLM-1');
    await rejectsWith(ledger.invoke(cc.Claims!, 'purgeClaimDetail', ['CLM-1'], { as: INSURER }), 'INVALID_STATE', 'paid or withdrawn');
  });

  it('refuses a hospital trying to adjudicate or pay, and another hospital touching the claim', async () => {
    const { ledger, cc } = await initialisedLedger();
    await submit(ledger, cc, 'CLM-1');
    await rejectsWith(ledger.invoke(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'approved', approvedAmount: 12050, reasonCodes: [] })], { as: CLERK }), 'FORBIDDEN', 'registered as a hospital');
    await rejectsWith(ledger.invoke(cc.Claims!, 'payClaim', ['CLM-1', JSON.stringify({ paidAmount: 12050, paymentRef: 'P' })], { as: CLERK }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Claims!, 'withdrawClaim', ['CLM-1', '{}'], { as: 'HospitalBMSP/claims' }), 'FORBIDDEN', 'submitted by HospitalAMSP');
    await rejectsWith(ledger.invoke(cc.Claims!, 'withdrawClaim', ['CLM-1', '{}'], { as: INSURER }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Claims!, 'getClaimDetail', ['CLM-1'], { as: 'HospitalBMSP/claims' }), 'FORBIDDEN');
    await rejectsWith(ledger.invoke(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'approved', approvedAmount: 12050, reasonCodes: [] })], { as: 'InsurerMSP/admissions' }), 'FORBIDDEN', "role 'claims' or 'adjudicator'");
    const approved = await ledger.invoke<Claim>(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'approved', approvedAmount: 12050, reasonCodes: [] })], { as: INSURER });
    assert.equal(approved.value.outcome, 'approved');
  });

  it('checks adjudication amounts against the outcome and refuses paying a denied claim', async () => {
    const { ledger, cc } = await initialisedLedger();
    await submit(ledger, cc, 'CLM-1');
    const adjudicate = (body: object): Promise<unknown> => ledger.invoke(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify(body)], { as: INSURER });
    await rejectsWith(adjudicate({ outcome: 'approved', approvedAmount: 100, reasonCodes: [] }), 'INVALID_ARGUMENT', "use 'partial'");
    await rejectsWith(adjudicate({ outcome: 'denied', approvedAmount: 0, reasonCodes: [] }), 'INVALID_ARGUMENT', 'reason code');
    await rejectsWith(adjudicate({ outcome: 'partial', approvedAmount: 12050, reasonCodes: ['CO-45'] }), 'INVALID_ARGUMENT', 'less than');
    await rejectsWith(adjudicate({ outcome: 'denied', approvedAmount: 0, reasonCodes: ['free text is not a code'] }), 'INVALID_ARGUMENT', 'a code');
    const denied = await ledger.invoke<Claim>(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'denied', approvedAmount: 0, reasonCodes: ['CO-50'] })], { as: INSURER });
    assert.deepEqual(denied.value.reasonCodes, ['CO-50']);
    await rejectsWith(ledger.invoke(cc.Claims!, 'payClaim', ['CLM-1', JSON.stringify({ paidAmount: 1, paymentRef: 'P' })], { as: INSURER }), 'INVALID_STATE', 'denied');
    // A denied claim can be corrected and resubmitted by the hospital.
    const resubmitted = await ledger.invoke<Claim>(cc.Claims!, 'resubmitClaim', ['CLM-1'], { as: CLERK, transient: { claim: JSON.stringify(fhirClaim({ codes: ['99214'] })) } });
    assert.equal(resubmitted.value.status, 'resubmitted');
    await rejectsWith(ledger.invoke(cc.Claims!, 'resubmitClaim', ['CLM-1'], { as: CLERK, transient: { claim: JSON.stringify(fhirClaim()) } }), 'INVALID_STATE');
  });

  it('puts a key-level endorsement policy of both organisations on the claim, so one side alone cannot move it', async () => {
    const { ledger, cc } = await initialisedLedger();
    await submit(ledger, cc, 'CLM-1');
    const claimKey = '\u0000claim\u0000CLM-1\u0000';
    const policy = ledger.validationParameters.get(claimKey);
    assert.ok(policy, 'the claim key has a validation parameter');
    assert.deepEqual(new KeyEndorsementPolicy(policy).listOrgs().sort(), ['HospitalAMSP', 'InsurerMSP']);
    assert.ok(ledger.validationParameters.get(`${claimsCollectionName('HospitalAMSP', 'InsurerMSP')}\u0000${claimKey}`));
    // Endorsed only by the insurer's peer: the update fails validation and nothing changes.
    await assert.rejects(
      ledger.invoke(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'approved', approvedAmount: 12050, reasonCodes: [] })], { as: INSURER, endorsedBy: ['InsurerMSP'] }),
      (error: unknown) => error instanceof TransactionRefused && /needs HospitalAMSP/.test(error.message),
    );
    assert.equal((ledger.stored(claimKey) as { status: string }).status, 'submitted');
    await ledger.invoke(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'approved', approvedAmount: 12050, reasonCodes: [] })], { as: INSURER, endorsedBy: ['InsurerMSP', 'HospitalAMSP'] });
  });

  it('lists a party\'s claims page by page', async () => {
    const { ledger, cc } = await initialisedLedger();
    for (const id of ['CLM-1', 'CLM-2', 'CLM-3']) await submit(ledger, cc, id, { codes: [id === 'CLM-1' ? '1001' : id === 'CLM-2' ? '1002' : '1003'] });
    const insurerView = await ledger.invoke<{ records: Claim[]; bookmark: string }>(cc.Claims!, 'listClaims', ['InsurerMSP', '2', ''], { as: INSURER });
    assert.deepEqual(insurerView.value.records.map((c) => c.claimId), ['CLM-1', 'CLM-2']);
    const rest = await ledger.invoke<{ records: Claim[]; bookmark: string }>(cc.Claims!, 'listClaims', ['InsurerMSP', '2', insurerView.value.bookmark], { as: INSURER });
    assert.deepEqual(rest.value.records.map((c) => c.claimId), ['CLM-3']);
    const hospitalView = await ledger.invoke<{ records: Claim[] }>(cc.Claims!, 'listClaims', ['HospitalAMSP', '10', ''], { as: CLERK });
    assert.equal(hospitalView.value.records.length, 3);
  });
});
