import { describe, expect, it } from 'vitest';
import { DEMO_CODE_SETS, codeSetsFrom, searchCodes } from '../../../src-shared/claims/codes';
import { checkClaim, claimPasses, claimTotalCents } from '../../../src-shared/claims/rules';
import { ClaimForm } from '../../../src-shared/claims/schemas';
import { mariaContext, mariaForm } from './fixtures';

const failed = (form = mariaForm(), context = mariaContext()) => checkClaim(form, context, DEMO_CODE_SETS).filter((c) => !c.ok);

describe('claim checklist', () => {
  it('passes a correct institutional claim and shows each code with its description', () => {
    const checks = checkClaim(mariaForm(), mariaContext(), DEMO_CODE_SETS);
    expect(claimPasses(checks)).toBe(true);
    expect(checks.find((c) => c.id === 'diagnosis.0')?.message).toBe('Pneumonia, organism not specified');
    expect(checks.find((c) => c.id === 'item.0.code')?.message).toMatch(/Initial hospital care/);
    expect(claimTotalCents(mariaForm())).toBe(41250 + 9600 + 36050 + 4840);
  });

  it('refuses malformed ICD-10-CM, CPT/HCPCS, modifier and revenue codes, each on its field', () => {
    const form = mariaForm({
      diagnoses: [{ code: 'U07.1' }, { code: 'J18.9' }, { code: 'J18.9' }],
      items: [
        { code: '9922', modifiers: ['2'], revenueCode: '120', servicedDate: '2026-12-03', units: 1, unitPrice: 10 },
        { code: 'Z1234', modifiers: ['ZZ'], revenueCode: '', servicedDate: '2026-12-03', units: 0, unitPrice: 10.005 },
      ],
    });
    const byField = Object.fromEntries(failed(form).map((c) => [c.field ?? c.id, c.message]));
    expect(byField['diagnoses.0.code']).toMatch(/not an ICD-10-CM code/);
    expect(byField['diagnoses.2.code']).toMatch(/listed twice/);
    expect(byField['items.0.code']).toMatch(/not a CPT code .* or HCPCS code/);
    expect(byField['items.0.modifiers']).toMatch(/not a modifier/);
    expect(byField['items.0.revenueCode']).toMatch(/4 digits starting with 0/);
    expect(byField['items.1.code']).toMatch(/not a CPT code/);
    expect(byField['items.1.revenueCode']).toMatch(/needs a revenue code/);
    expect(byField['items.1.units']).toMatch(/1 to 999/);
    expect(byField['items.1.unitPrice']).toMatch(/two decimals/);
  });

  it('refuses a well-formed code the loaded code set does not have, and accepts it once a set with it is loaded', () => {
    const form = mariaForm({ diagnoses: [{ code: 'C34.90' }] });
    expect(failed(form).map((c) => c.message)).toContainEqual(expect.stringMatching(/C34.90 is not in the ICD-10-CM code set loaded/));
    const licensed = codeSetsFrom({ ...Object.fromEntries(Object.entries(DEMO_CODE_SETS).map(([k, m]) => [k, [...m].map(([code, description]) => ({ code, description }))])), icd10cm: [{ code: 'C34.90', description: 'Lung cancer, unspecified' }] } as never);
    expect(claimPasses(checkClaim(form, mariaContext(), licensed))).toBe(true);
  });

  it('refuses professional lines with revenue codes', () => {
    expect(failed(mariaForm({ claimType: 'professional' })).map((c) => c.field)).toContain('items.0.revenueCode');
  });

  it('refuses service dates outside the admission and outside the coverage', () => {
    const form = mariaForm();
    form.items[0] = { ...form.items[0]!, servicedDate: '2026-12-02' };
    expect(failed(form).find((c) => c.field === 'items.0.servicedDate')?.message).toMatch(/outside the admission \(2026-12-03 to 2026-12-06\)/);
    const context = mariaContext();
    context.coverage = { ...context.coverage!, end: '2026-12-04' };
    const late = failed(mariaForm(), context).filter((c) => c.field?.endsWith('servicedDate'));
    expect(late.map((c) => c.field)).toEqual(['items.3.servicedDate']);
    expect(late[0]?.message).toMatch(/outside the coverage period .*\(CARC 27\)/);
  });

  it('refuses a revoked coverage, an unverified card, a missing card and an unregistered insurer', () => {
    const revoked = mariaContext();
    revoked.coverage = { ...revoked.coverage!, revocation: 'revoked', revokedOn: '2026-12-04' };
    expect(failed(mariaForm(), revoked).find((c) => c.id === 'coverage')?.message).toMatch(/Northwind.*member .* is revoked on the insurer's status list \(list changed on 2026-12-04\), so it cannot be billed for the service dates/);
    const unverified = mariaContext();
    unverified.coverage = { ...unverified.coverage!, eligibility: 'unknown', eligibilityMessage: 'The card could not be checked.' };
    expect(failed(mariaForm(), unverified).find((c) => c.id === 'coverage')?.message).toMatch(/not verified at admission: The card could not be checked/);
    expect(failed(mariaForm(), mariaContext({ coverage: null })).find((c) => c.id === 'coverage')?.message).toMatch(/no verified insurance card/);
    expect(failed(mariaForm(), mariaContext({ insurer: null })).find((c) => c.id === 'insurer')?.message).toMatch(/not registered as an insurer on the ledger/);
  });

  it('says by how much the lines and the bill total differ', () => {
    const total = claimTotalCents(mariaForm()) / 100;
    expect(failed(mariaForm({ billTotal: total }))).toEqual([]);
    expect(failed(mariaForm({ billTotal: total + 10 })).find((c) => c.id === 'totals')?.message).toBe('The lines add up to 917.40 but the bill total is 927.40 (10.00 apart). Correct a line or the bill total.');
  });

  it('form schema: upper-cases codes and gives a sentence for bad ones', () => {
    const parsed = ClaimForm.safeParse(mariaForm({ diagnoses: [{ code: 'j18.9' }] }));
    expect(parsed.success && parsed.data.diagnoses[0]?.code).toBe('J18.9');
    const bad = ClaimForm.safeParse(mariaForm({ diagnoses: [] }));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('Add the principal diagnosis.');
  });

  it('code search finds by code prefix and by words of the description', () => {
    expect(searchCodes(DEMO_CODE_SETS, ['icd10cm'], 'J18').map((e) => e.code)).toEqual(['J18.9']);
    expect(searchCodes(DEMO_CODE_SETS, ['cpt', 'hcpcs'], 'chest x-ray').map((e) => e.code)).toEqual(['71046']);
    expect(searchCodes(DEMO_CODE_SETS, ['icd10cm'], 'kidney failure')[0]?.code).toBe('N17.9');
  });
});
