import { describe, expect, it } from 'vitest';
import { DEMO_CODE_SETS } from '../../../src-shared/claims/codes';
import { buildFhirClaim, validateFhir, type BuildClaimInput } from '../../../src-main/claims/fhir-claim';
import { check837, generate837 } from '../../../src-main/claims/x12-837';
import { mariaContext, mariaForm } from './fixtures';

function input(overrides: Partial<BuildClaimInput> = {}): BuildClaimInput {
  return {
    claimId: 'clm-7f3a2c',
    version: 1,
    form: mariaForm(),
    context: mariaContext(),
    patient: { givenName: 'María', familyName: 'García', birthDate: '1984-03-02', gender: 'female' },
    provider: { mspId: 'HospitalAMSP', name: 'Hospital A' },
    created: '2026-12-07T09:30:00.000Z',
    ...overrides,
  };
}

const x12Options = { senderId: 'HospitalAMSP', receiverId: 'InsurerMSP', controlNumber: 17, now: new Date('2026-12-07T09:30:00Z'), frequency: '1' as const };

describe('FHIR R4 Claim from an admission', () => {
  it('carries the member id, coverage, provider, principal diagnosis first, items and a total that adds up', () => {
    const claim = buildFhirClaim(input(), DEMO_CODE_SETS);
    expect(claim.patient).toEqual({ identifier: { system: 'urn:careledger:member-id:InsurerMSP', value: 'NWH-2291-774-03' } });
    const patient = claim.contained?.find((r) => r.resourceType === 'Patient');
    expect(patient).toMatchObject({ id: 'patient', name: [{ family: 'García', given: ['María'] }], identifier: [{ value: 'NWH-2291-774-03' }] });
    expect(claim.contained?.find((r) => r.resourceType === 'Coverage')).toMatchObject({ subscriberId: 'NWH-2291-774-03', beneficiary: { reference: '#patient' }, period: { start: '2026-01-01', end: '2026-12-31' } });
    expect(claim.provider.identifier?.value).toBe('HospitalAMSP');
    expect(claim.type.coding?.[0]?.code).toBe('institutional');
    expect(claim.diagnosis?.map((d) => [d.diagnosisCodeableConcept?.coding?.[0]?.code, d.type?.[0]?.coding?.[0]?.code])).toEqual([
      ['J18.9', 'principal'],
      ['E11.9', 'secondary'],
    ]);
    expect(claim.item?.[1]).toMatchObject({ revenue: { coding: [{ code: '0320' }] }, productOrService: { coding: [{ code: '71046', display: 'Chest X-ray, two views' }] }, modifier: [{ coding: [{ code: '26' }] }] });
    expect(claim.item?.[2]).toMatchObject({ quantity: { value: 2 }, unitPrice: { value: 180.25, currency: 'USD' }, net: { value: 360.5, currency: 'USD' } });
    const sum = (claim.item ?? []).reduce((s, i) => s + Math.round((i.net?.value ?? 0) * 100), 0);
    expect(Math.round((claim.total?.value ?? 0) * 100)).toBe(sum);
    expect(claim.billablePeriod).toEqual({ start: '2026-12-03', end: '2026-12-05' });
  });

  it('passes the FHIR R4 definition (Medplum validateResource), and a broken resource is refused with the element named', async () => {
    const claim = buildFhirClaim(input(), DEMO_CODE_SETS);
    expect(await validateFhir(claim)).toEqual([]);
    const broken = { ...claim, use: undefined as never, total: { value: 'lots' as never, currency: 'USD' } };
    const problems = await validateFhir(broken);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['Claim.use', 'Claim.total.value']));
  });

  it('names the prior version on a correction', () => {
    const claim = buildFhirClaim(input({ version: 2 }), DEMO_CODE_SETS);
    expect(claim.related?.[0]?.reference?.value).toBe('clm-7f3a2c/v1');
  });
});

describe('ASC X12 837 export', () => {
  it('837I parses back with its loops, HL hierarchy, SE count, and totals equal to the FHIR claim', () => {
    const claim = buildFhirClaim(input(), DEMO_CODE_SETS);
    const edi = generate837(claim, x12Options);
    const check = check837(edi);
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ ok: true, transactionType: '837', implementation: '005010X223A2', loops: { '2000A': 1, '2000B': 1, '2300': 1, '2400': 4 } });
    expect(check.hierarchy).toEqual([
      { id: '1', parent: '', level: '20' },
      { id: '2', parent: '1', level: '22' },
    ]);
    expect(check.seCount).toBe(check.segmentsCounted);
    expect(check.claimTotalCents).toBe(Math.round((claim.total?.value ?? 0) * 100));
    expect(check.lineTotalCents).toBe(check.claimTotalCents);
    expect(edi).toContain('NM1*IL*1*GARCIA*MARIA****MI*NWH-2291-774-03~');
    expect(edi).toContain('SV2*0320*HC:71046:26*96*UN*1~');
    expect(edi).toContain('HI*ABK:J189~HI*ABF:E119~');
  });

  it('837P for a professional claim uses SV1 lines and the 005010X222A1 guide', () => {
    const form = mariaForm({ claimType: 'professional', items: mariaForm().items.map((i) => ({ ...i, revenueCode: '' })) });
    const claim = buildFhirClaim(input({ form }), DEMO_CODE_SETS);
    const edi = generate837(claim, { ...x12Options, frequency: '7' });
    const check = check837(edi);
    expect(check).toMatchObject({ ok: true, implementation: '005010X222A1' });
    expect(edi).toMatch(/CLM\*clm-7f3a2c\*917\.4\*\*\*21:B:7/i);
    expect(edi).toContain('SV1*HC:99232*360.5*UN*2***1~');
  });

  it('reports a wrong SE count, a broken hierarchy and totals that do not add up', () => {
    const edi = generate837(buildFhirClaim(input(), DEMO_CODE_SETS), x12Options);
    const tampered = edi.replace('HL*2*1*22', 'HL*2*9*22').replace(/CLM\*([^*]+)\*[^*]+\*/, 'CLM*$1*1000*');
    const check = check837(tampered);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual(['HL 2 names parent 9, which comes nowhere before it.', 'The claim total (CLM02 1000) is not the sum of the lines (917.4).']);
    const miscounted = check837(edi.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 1}*`));
    expect(miscounted.ok).toBe(false);
    expect(miscounted.problems[0]).toMatch(/SE01 \(\d+\) does not match the number of segments/);
    expect(check837('not x12').ok).toBe(false);
  });
});
