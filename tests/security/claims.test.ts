/**
 * Claims: who may bill, who may decide, and who may see a claim (issue 12). Each attack through
 * the real dispatcher of a real workstation (SQLCipher cache, enrolled staff): an insurer's staff
 * calling the hospital's billing channels, a hospital clerk deciding or paying its own claim, an
 * insurer claims clerk (not an adjudicator) deciding, a hospital clinician reading claims, and an
 * insurer reading a claim addressed to another insurer or planted from another hospital. The
 * chaincode's own refusals (another insurer, a forged ClaimResponse) are in
 * ledger/chaincode/test/claims-response.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimWorkList } from '../../src-shared/claims/schemas';
import type { Result } from '../../src-shared/ipc/contract';
import type { Caller } from '../../src-main/ipc/dispatcher';
import { sql } from '../../src-main/cache/sql';
import { openWorkstation, PIN, type TestWorkstation } from '../integration/foundation/support';
import { FakeClock } from '../unit/foundation/support';

const caller: Caller = { transport: 'http', trusted: true, origin: 'http://127.0.0.1:5174' };
const INSURER = { mspId: 'InsurerMSP', organisationName: 'Insurer', organisationKind: 'insurer' } as const;

let t: TestWorkstation | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

function refusal(result: Result<unknown>): { code: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, the call was allowed');
  return result.error;
}

async function signIn(tw: TestWorkstation, role: keyof TestWorkstation['staff']): Promise<void> {
  const id = tw.staff[role]?.id;
  if (!id) throw new Error(`no ${role} enrolled`);
  expect(await tw.ws.dispatcher.dispatch('session.signIn', { identityId: id, pin: PIN }, caller)).toMatchObject({ ok: true, value: { status: 'signed-in' } });
}

/** A claim row as the insurer's inbox would have made it, addressed to `insurerMsp`. */
async function plantClaim(tw: TestWorkstation, claimId: string, side: 'hospital' | 'insurer', insurerMsp: string, hospitalMsp = 'HospitalAMSP'): Promise<void> {
  await tw.ws.cache.database().write((w) =>
    w.run(sql`INSERT INTO claim (claim_id, side, patient_name, insurer_msp, insurer_name, hospital_msp, claim_type, status, total_cents, currency, service_from, created_by, created_at, updated_at)
              VALUES (${claimId}, ${side}, 'GARCIA, Maria', ${insurerMsp}, ${insurerMsp}, ${hospitalMsp}, 'institutional', 'submitted', 91740, 'USD', '2026-12-03', 'ledger', '2026-12-07T10:00:00Z', '2026-12-07T10:00:00Z')`),
  );
}

const FORM = { admissionId: 'adm-1', claimType: 'institutional', diagnoses: [{ code: 'J18.9' }], items: [], billTotal: null, note: '' } as const;
const DECISION = { claimId: 'clm-1', items: [{ sequence: 1, decision: 'approve', approvedCents: 0, reasonCodes: [] }] } as const;

describe('claims: billing and deciding belong to different organisations', () => {
  it("an insurer's staff cannot bill: the hospital's claim channels are refused by kind", async () => {
    t = await openWorkstation(['claims', 'adjudicator'], new FakeClock(Date.now()), INSURER);
    for (const role of ['claims', 'adjudicator'] as const) {
      await signIn(t, role);
      expect(refusal(await t.ws.dispatcher.dispatch('claims.saveDraft', { claimId: null, form: FORM }, caller)).code).toBe('ROLE_REFUSED');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.submit', { claimId: 'clm-1' }, caller)).code).toBe('ROLE_REFUSED');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.withdraw', { claimId: 'clm-1', note: 'not ours' }, caller)).code).toBe('ROLE_REFUSED');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.newFromAdmission', { admissionId: 'adm-1' }, caller)).code).toBe('ROLE_REFUSED');
      await t.ws.session.signOut();
    }
  });

  it("a hospital's claims clerk cannot decide, pend or pay a claim, not even its own", async () => {
    t = await openWorkstation(['claims']);
    await signIn(t, 'claims');
    await plantClaim(t, 'clm-1', 'hospital', 'InsurerMSP');
    expect(refusal(await t.ws.dispatcher.dispatch('claims.adjudicate', DECISION, caller)).code).toBe('ROLE_REFUSED');
    expect(refusal(await t.ws.dispatcher.dispatch('claims.pend', { claimId: 'clm-1', reasonCodes: ['16'] }, caller)).code).toBe('ROLE_REFUSED');
    expect(refusal(await t.ws.dispatcher.dispatch('claims.pay', { claimId: 'clm-1', paymentRef: 'PAY-1' }, caller)).code).toBe('ROLE_REFUSED');
    expect(refusal(await t.ws.dispatcher.dispatch('claims.autoRule', { maxTotalCents: 100_000 }, caller)).code).toBe('ROLE_REFUSED');
    // Its own billing still works: the claim is there, submitted.
    expect(await t.ws.dispatcher.dispatch('claims.get', { claimId: 'clm-1' }, caller)).toMatchObject({ ok: true, value: { summary: { status: 'submitted' } } });
  });

  it("an insurer's claims clerk may pend and pay but not adjudicate: that is the adjudicator's", async () => {
    t = await openWorkstation(['claims'], new FakeClock(Date.now()), INSURER);
    await signIn(t, 'claims');
    await plantClaim(t, 'clm-1', 'insurer', 'InsurerMSP');
    const r = refusal(await t.ws.dispatcher.dispatch('claims.adjudicate', DECISION, caller));
    expect(r.code).toBe('ROLE_REFUSED');
    expect(r.message).toMatch(/claims/);
  });

  it('a hospital clinician or admissions clerk cannot read claims at all', async () => {
    t = await openWorkstation(['clinician', 'admissions']);
    await plantClaim(t, 'clm-1', 'hospital', 'InsurerMSP');
    for (const role of ['clinician', 'admissions'] as const) {
      await signIn(t, role);
      expect(refusal(await t.ws.dispatcher.dispatch('claims.workList', { limit: 10 }, caller)).code).toBe('ROLE_REFUSED');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.get', { claimId: 'clm-1' }, caller)).code).toBe('ROLE_REFUSED');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.export', { claimId: 'clm-1', format: 'fhir-json' }, caller)).code).toBe('ROLE_REFUSED');
      await t.ws.session.signOut();
    }
  });

  it("the insurer's workstation shows only claims addressed to this insurer: another pair's claim is not there", async () => {
    t = await openWorkstation(['adjudicator'], new FakeClock(Date.now()), INSURER);
    await signIn(t, 'adjudicator');
    await plantClaim(t, 'clm-ours', 'insurer', 'InsurerMSP');
    // Rows a damaged or tampered cache might hold: addressed to another insurer, or a hospital's own.
    await plantClaim(t, 'clm-other-insurer', 'insurer', 'OtherInsurerMSP');
    await plantClaim(t, 'clm-hospital-side', 'hospital', 'InsurerMSP');
    const list = (await t.ws.dispatcher.dispatch('claims.workList', { limit: 50 }, caller)) as Result<ClaimWorkList>;
    expect(list.ok && list.value.claims.map((c) => c.claimId)).toEqual(['clm-ours']);
    for (const claimId of ['clm-other-insurer', 'clm-hospital-side']) {
      expect(refusal(await t.ws.dispatcher.dispatch('claims.get', { claimId }, caller)).code).toBe('NOT_FOUND');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.export', { claimId, format: 'x12-837' }, caller)).code).toBe('NOT_FOUND');
      expect(refusal(await t.ws.dispatcher.dispatch('claims.adjudicate', { ...DECISION, claimId }, caller)).code).toBe('NOT_FOUND');
    }
  });
});
