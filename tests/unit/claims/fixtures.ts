import type { ClaimContext, ClaimForm } from '../../../src-shared/claims/schemas';

/** Maria's admission in the demo: in 3 Dec, out 6 Dec, covered all year by Northwind. */
export function mariaContext(overrides: Partial<ClaimContext> = {}): ClaimContext {
  return {
    admissionId: 'adm-1',
    patientName: 'Maria Garcia',
    mrn: 'MRN-000001',
    admittedOn: '2026-12-03',
    dischargedOn: '2026-12-06',
    today: '2026-12-07',
    coverage: {
      eligibility: 'eligible',
      eligibilityMessage: 'Covered.',
      insurerName: 'Northwind Health Insurance',
      insurerDid: 'did:web:insurer.careledger.example',
      memberId: 'NWH-2291-774-03',
      planName: 'Family Care Plus',
      start: '2026-01-01',
      end: '2026-12-31',
      revocation: 'active',
      revokedOn: null,
    },
    insurer: { mspId: 'InsurerMSP', name: 'Northwind Health Insurance' },
    currency: 'USD',
    ...overrides,
  };
}

export function mariaForm(overrides: Partial<ClaimForm> = {}): ClaimForm {
  return {
    admissionId: 'adm-1',
    claimType: 'institutional',
    diagnoses: [{ code: 'J18.9' }, { code: 'E11.9' }],
    items: [
      { code: '99223', modifiers: [], revenueCode: '0120', servicedDate: '2026-12-03', units: 1, unitPrice: 412.5 },
      { code: '71046', modifiers: ['26'], revenueCode: '0320', servicedDate: '2026-12-03', units: 1, unitPrice: 96 },
      { code: '99232', modifiers: [], revenueCode: '0120', servicedDate: '2026-12-04', units: 2, unitPrice: 180.25 },
      { code: 'J0696', modifiers: [], revenueCode: '0636', servicedDate: '2026-12-05', units: 4, unitPrice: 12.1 },
    ],
    billTotal: null,
    note: '',
    ...overrides,
  };
}
