import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { rejectsWith } from './support/assert';
import { fhirClaim, initialisedLedger } from './support/fixtures';

const CLERK = 'HospitalAMSP/claims';
const ADJUDICATOR = 'InsurerMSP/adjudicator';
const SALT = randomBytes(32).toString('hex');

interface Claim {
  status: string;
  outcome?: string;
  approvedAmount?: number;
  reasonCodes: string[];
  responseSha256?: string;
  submissionCount: number;
}

/** The insurer's FHIR ClaimResponse: item 1 approved in full, item 2 denied with CARC 96. */
function claimResponse(claimId: string, benefits: [number, number] = [100, 0], reasons: [string?, string?] = [undefined, '96']): Record<string, unknown> {
  return {
    resourceType: 'ClaimResponse',
    status: 'active',
    type: { coding: [{ code: 'institutional' }] },
    use: 'claim',
    patient: { identifier: { value: 'did:key:z6MkpatientExample' } },
    created: '2026-11-21',
    insurer: { identifier: { value: 'InsurerMSP' } },
    request: { identifier: { value: claimId } },
    outcome: 'partial',
    item: benefits.map((benefit, i) => ({
      itemSequence: i + 1,
      adjudication: [
        { category: { coding: [{ code: 'submitted' }] }, amount: { value: i === 0 ? 100 : 50, currency: 'EUR' } },
        { category: { coding: [{ code: 'benefit' }] }, amount: { value: benefit, currency: 'EUR' }, ...(reasons[i] ? { reason: { coding: [{ code: reasons[i] }] } } : {}) },
      ],
    })),
  };
}

async function submitted() {
  const { ledger, cc } = await initialisedLedger();
  await ledger.invoke(cc.Claims!, 'submitClaim', [JSON.stringify({ claimId: 'CLM-1', insurerMspId: 'InsurerMSP' })], {
    as: CLERK,
    transient: { claim: JSON.stringify(fhirClaim({ codes: ['99223', '71046'], amounts: [100, 50] })), fingerprintSalt: SALT },
  });
  const adjudicate = (decision: object, response?: object) =>
    ledger.invoke<Claim>(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify(decision)], { as: ADJUDICATOR, ...(response ? { transient: { claimResponse: JSON.stringify(response) } } : {}) });
  return { ledger, cc, adjudicate };
}

describe('Claims: the insurer\'s ClaimResponse travels privately beside the claim', () => {
  it('keeps the per-item ClaimResponse in the pair collection; public state holds totals, reason codes and its hash only', async () => {
    const { ledger, cc, adjudicate } = await submitted();
    const { value, event } = await adjudicate({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['96'] }, claimResponse('CLM-1'));
    assert.deepEqual([value.status, value.outcome, value.approvedAmount, value.reasonCodes], ['adjudicated', 'partial', 10000, ['96']]);
    assert.match(value.responseSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(event?.payload).includes('itemSequence'), 'the event carries no per-item detail');
    const publicText = [...ledger.state.values()].map((v) => v.toString('utf8')).join('\n');
    assert.ok(!publicText.includes('ClaimResponse'), 'public state must not hold the ClaimResponse');
    // Both parties read it back from the collection, with the same hash.
    for (const as of [CLERK, 'InsurerMSP/claims']) {
      const read = await ledger.invoke<{ claimResponse: { item: unknown[] }; responseSha256: string; submission: number }>(cc.Claims!, 'getClaimResponse', ['CLM-1'], { as });
      assert.equal(read.value.claimResponse.item.length, 2);
      assert.equal(read.value.responseSha256, value.responseSha256);
      assert.equal(read.value.submission, 1);
    }
  });

  it('refuses a ClaimResponse that disagrees with the decision or answers another claim', async () => {
    const { adjudicate } = await submitted();
    await rejectsWith(adjudicate({ outcome: 'partial', approvedAmount: 12000, reasonCodes: ['96'] }, claimResponse('CLM-1')), 'INVALID_ARGUMENT', 'approve 10000 in total but the decision approves 12000');
    await rejectsWith(adjudicate({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['45'] }, claimResponse('CLM-1')), 'INVALID_ARGUMENT', 'reason codes 96');
    await rejectsWith(adjudicate({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['96'] }, claimResponse('CLM-2')), 'INVALID_ARGUMENT', 'must name claim CLM-1');
    await rejectsWith(adjudicate({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['96'] }, { resourceType: 'Claim' }), 'INVALID_ARGUMENT', "resourceType 'ClaimResponse'");
  });

  it('never shows a pair\'s claim detail or response to another hospital or another insurer', async () => {
    const { ledger, cc, adjudicate } = await submitted();
    await ledger.invoke(cc.Governance!, 'registerOrganisation', [JSON.stringify({ mspId: 'OtherInsurerMSP', kind: 'insurer', did: 'did:web:other-insurer.example', name: 'Other Insurer' })], { as: 'GovernanceMSP/governance-admin' });
    await adjudicate({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['96'] }, claimResponse('CLM-1'));
    for (const as of ['OtherInsurerMSP/adjudicator', 'OtherInsurerMSP/claims', 'HospitalBMSP/claims']) {
      await rejectsWith(ledger.invoke(cc.Claims!, 'getClaimDetail', ['CLM-1'], { as }), 'FORBIDDEN', 'between HospitalAMSP and InsurerMSP');
      await rejectsWith(ledger.invoke(cc.Claims!, 'getClaimResponse', ['CLM-1'], { as }), 'FORBIDDEN', 'between HospitalAMSP and InsurerMSP');
    }
    await rejectsWith(ledger.invoke(cc.Claims!, 'adjudicateClaim', ['CLM-1', JSON.stringify({ outcome: 'denied', approvedAmount: 0, reasonCodes: ['96'] })], { as: 'OtherInsurerMSP/adjudicator' }), 'FORBIDDEN', 'addressed to InsurerMSP');
  });

  it('a resubmission clears the response hash; the next adjudication keeps its own response; a purge removes them all', async () => {
    const { ledger, cc, adjudicate } = await submitted();
    await adjudicate({ outcome: 'partial', approvedAmount: 10000, reasonCodes: ['96'] }, claimResponse('CLM-1'));
    const resubmitted = await ledger.invoke<Claim>(cc.Claims!, 'resubmitClaim', ['CLM-1'], { as: CLERK, transient: { claim: JSON.stringify(fhirClaim({ codes: ['99223', '71046'], amounts: [100, 40] })) } });
    assert.equal(resubmitted.value.responseSha256, undefined);
    await rejectsWith(ledger.invoke(cc.Claims!, 'getClaimResponse', ['CLM-1'], { as: CLERK }), 'NOT_FOUND', 'current submission');
    const approved = await adjudicate({ outcome: 'approved', approvedAmount: 14000, reasonCodes: [] }, { ...claimResponse('CLM-1', [100, 40], [undefined, undefined]), outcome: 'complete' });
    const read = await ledger.invoke<{ submission: number }>(cc.Claims!, 'getClaimResponse', ['CLM-1'], { as: CLERK });
    assert.equal(read.value.submission, 2);
    assert.equal(approved.value.submissionCount, 2);
    await ledger.invoke(cc.Claims!, 'payClaim', ['CLM-1', JSON.stringify({ paidAmount: 14000, paymentRef: 'PAY-7' })], { as: 'InsurerMSP/claims' });
    await ledger.invoke(cc.Claims!, 'purgeClaimDetail', ['CLM-1'], { as: CLERK });
    const collection = ledger.privateState.get('claims-HospitalAMSP-InsurerMSP');
    assert.ok(![...(collection?.keys() ?? [])].some((k) => k.includes('claim-response')), 'every response of the claim is purged');
    await rejectsWith(ledger.invoke(cc.Claims!, 'getClaimResponse', ['CLM-1'], { as: CLERK }), 'PRIVATE_DATA_MISSING', 'purged');
  });
});
