import { describe, expect, it } from 'vitest';
import { noConsentSummary, summariseConsent } from '../../../src-main/admission/consent-summary';
import { judgeEligibility } from '../../../src-main/admission/eligibility';
import { workstationDates } from '../../../src-main/settings/date-time-settings';
import type { ConsentGrantClaims, InsuranceCoverageClaims } from '../../../src-shared/identity/claims';
import type { CredentialReport } from '../../../src-shared/identity/report';

const coverage: InsuranceCoverageClaims = {
  id: 'did:key:zP',
  insurerName: 'Northwind Health Insurance',
  insurerDid: 'did:web:insurer.careledger.example',
  memberId: 'NWH-2291-774-03',
  planName: 'Family Care Plus',
  groupNumber: 'GRP-1',
  coverageStart: '2026-01-01',
  coverageEnd: '2026-12-31',
  credentialId: 'urn:uuid:c',
  issuer: 'did:web:insurer.careledger.example',
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2027-06-30T00:00:00.000Z',
};

describe('insurance eligibility', () => {
  it('is eligible inside the coverage period, with insurer, member id and plan', () => {
    const e = judgeEligibility(coverage, null, '2026-11-21');
    expect(e).toMatchObject({ status: 'eligible', insurerName: 'Northwind Health Insurance', memberId: 'NWH-2291-774-03', planName: 'Family Care Plus', checkedFor: '2026-11-21' });
    expect(judgeEligibility(coverage, null, '2026-01-01').status).toBe('eligible');
    expect(judgeEligibility(coverage, null, '2026-12-31').status).toBe('eligible');
  });

  it('is not eligible before the start or after the end, and says which date', () => {
    expect(judgeEligibility(coverage, null, '2025-12-31')).toMatchObject({ status: 'not-eligible', message: expect.stringContaining(`starts on ${workstationDates().date('2026-01-01')}`) });
    expect(judgeEligibility(coverage, null, '2027-01-01')).toMatchObject({ status: 'not-eligible', message: expect.stringContaining(`ended on ${workstationDates().date('2026-12-31')}`) });
  });

  it('is unknown when no card was presented, and tells the clerk to go ahead', () => {
    expect(judgeEligibility(null, null, '2026-11-21')).toMatchObject({ status: 'unknown', memberId: null, message: expect.stringContaining('Admit the patient') });
  });

  it('reports a refused card (revoked) as not eligible with the check\'s sentence', () => {
    const refused: CredentialReport = {
      index: 1,
      type: 'InsuranceCoverageCredential',
      id: 'urn:uuid:c',
      issuer: coverage.issuer,
      subject: 'did:key:zP',
      validFrom: null,
      validUntil: null,
      credentialSubject: { insurerName: 'Northwind Health Insurance' },
      verified: false,
      checks: [{ id: 'credential.revocation', result: 'fail', message: 'The insurance card has been revoked by its issuer.' }],
    };
    const e = judgeEligibility(null, refused, '2026-11-21');
    expect(e).toMatchObject({ status: 'not-eligible', insurerName: 'Northwind Health Insurance' });
    expect(e.message).toContain('revoked');
    const unknown = judgeEligibility(null, { ...refused, checks: [{ id: 'credential.revocation', result: 'cannot-determine', message: 'The revocation list is out of date.' }] }, '2026-11-21');
    expect(unknown.status).toBe('unknown');
  });
});

const consent: ConsentGrantClaims = {
  id: 'did:key:zP',
  grantee: 'did:web:hospital-a.careledger.example',
  granteeName: 'Hospital A',
  purposeOfUse: ['TREAT', 'HPAYMT'],
  categories: ['demographics', 'medications', 'allergies'],
  credentialId: 'urn:uuid:consent-1',
  issuer: 'did:key:zP',
  validFrom: '2026-11-21T09:00:00.000Z',
  validUntil: '2027-11-21T09:00:00.000Z',
};

describe('consent in plain words', () => {
  it('says who may see what, for what purpose, until when', () => {
    const s = summariseConsent(consent, 'Maria Oliveira', 'did:web:hospital-a.careledger.example', new Date('2026-11-21T10:00:00Z'));
    expect(s.status).toBe('granted');
    expect(s.text).toBe(
      `Maria Oliveira allows Hospital A to see their personal details, medicines and allergies, for treatment and billing and payment from ${workstationDates().date('2026-11-21')} until ${workstationDates().date('2027-11-21')}. The patient can withdraw this at any time in their wallet.`,
    );
    expect(s).toMatchObject({ consentId: 'urn:uuid:consent-1', purposes: ['TREAT', 'HPAYMT'] });
  });

  it('marks a consent for another hospital, an expired one, and none at all', () => {
    expect(summariseConsent(consent, 'M', 'did:web:hospital-b.example').status).toBe('not-for-this-hospital');
    expect(summariseConsent(consent, 'M', 'did:web:hospital-a.careledger.example', new Date('2028-01-01T00:00:00Z'))).toMatchObject({ status: 'expired', text: expect.stringContaining(`ended on ${workstationDates().date('2027-11-21')}`) });
    const none = summariseConsent(null, 'M', 'x');
    expect(none).toEqual(noConsentSummary());
    expect(none.text).toMatch(/^No consent was given\. The patient can be admitted/);
  });
});
