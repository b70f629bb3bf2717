/**
 * What the admission desk does with a report: take typed claims from an accepted one, and
 * accept a "cannot determine" only through an audited override with a reason that covers it.
 */
import { describe, expect, it } from 'vitest';
import {
  AdmissionClaimsError,
  admissionClaims,
  consentClaims,
  coverageClaims,
  identityClaims,
  overrideCannotDetermine,
  type VerificationReport,
} from '../../../src-main/identity';
import { DomainError } from '../../../src-main/errors';
import { NOW, createWorld } from './support';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError || err instanceof AdmissionClaimsError) return err.code;
    throw err;
  }
  return undefined;
}

async function staleStatusReport(): Promise<VerificationReport> {
  const w = await createWorld();
  w.publish('hm-rev-1', w.insurer.did, 'revocation', new Date(NOW.getTime() - 48 * 3600_000));
  return w.verifier.verifyPresentation(await w.bundle(), { now: NOW });
}

describe('admission claims', () => {
  it('gives the typed identity, coverage and consent of a valid report', async () => {
    const w = await createWorld();
    const report = await w.verifier.verifyPresentation(await w.bundle(), { now: NOW });
    const claims = admissionClaims(report);
    expect(claims.patientDid).toBe(w.patient.did);
    expect(claims.identity).toMatchObject({ givenName: 'Ada', familyName: 'Lovelace', birthDate: '1985-12-10', gender: 'female', issuer: w.authority.did });
    expect(claims.coverage).toMatchObject({ memberId: 'HM-778899', insurerDid: w.insurer.did, coverageEnd: '2026-12-31' });
    expect(claims.consent?.purposeOfUse).toEqual(['TREAT', 'HPAYMT']);
    expect(claims.consent?.validUntil).toBe(report.credentials[2]?.validUntil);
  });

  it('gives nulls for coverage and consent when the code carries only the identity card', async () => {
    const w = await createWorld();
    const report = await w.verifier.verifyPresentation(await w.bundle({}, [await w.identityVc()]), { now: NOW });
    expect(coverageClaims(report)).toBeNull();
    expect(consentClaims(report)).toBeNull();
    expect(identityClaims(report)?.familyName).toBe('Lovelace');
  });

  it('refuses claims from a refused or undetermined report', async () => {
    const w = await createWorld();
    const refused = await w.verifier.verifyPresentation(await w.bundle({ aud: 'did:web:other.example' }), { now: NOW });
    expect(errorCode(() => admissionClaims(refused))).toBe('REPORT_NOT_ACCEPTED');
    const undetermined = await staleStatusReport();
    expect(errorCode(() => admissionClaims(undetermined))).toBe('REPORT_NOT_ACCEPTED');
  });

  it('refuses admission claims without an identity card, and with two', async () => {
    const w = await createWorld();
    const onlyCoverage = await w.verifier.verifyPresentation(await w.bundle({}, [await w.coverageVc()]), { now: NOW });
    expect(errorCode(() => admissionClaims(onlyCoverage))).toBe('IDENTITY_MISSING');
    const two = await w.verifier.verifyPresentation(await w.bundle({}, [await w.identityVc(), await w.identityVc()]), { now: NOW });
    expect(errorCode(() => admissionClaims(two))).toBe('DUPLICATE_CREDENTIAL');
  });
});

describe('overriding "cannot determine"', () => {
  it('refuses claims until overridden, then accepts with an audit record naming every unchecked check', async () => {
    const report = await staleStatusReport();
    expect(report.verdict).toBe('cannot-determine');
    expect(errorCode(() => admissionClaims(report))).toBe('REPORT_NOT_ACCEPTED');

    const at = new Date(NOW.getTime() + 60_000);
    const { report: accepted, audit } = overrideCannotDetermine(report, { reason: 'status-list-unavailable-emergency', staffId: 'admissions-07', note: 'Ledger down, patient in labour', now: at });
    expect(accepted.override).toEqual({ reasons: ['status-list-unavailable-emergency'], note: 'Ledger down, patient in labour', staffId: 'admissions-07', at: at.toISOString() });
    expect(accepted.verdict).toBe('cannot-determine');
    expect(audit).toMatchObject({ kind: 'identity-verification-override', staffId: 'admissions-07', presentationId: report.presentation.id, holder: report.presentation.holder });
    expect(audit.overriddenChecks).toEqual([expect.objectContaining({ checkId: 'credential.revocation', credentialIndex: 1, credentialId: report.credentials[1]?.id })]);
    expect(admissionClaims(accepted).coverage?.memberId).toBe('HM-778899');
    // The original report is left as it was.
    expect(report.override).toBeNull();
  });

  it('refuses a reason that does not cover what could not be checked', async () => {
    const report = await staleStatusReport();
    expect(errorCode(() => overrideCannotDetermine(report, { reason: 'trust-registry-unavailable-emergency', staffId: 'admissions-07' }))).toBe('CONFLICT');
  });

  it('never overrides a failed check', async () => {
    const w = await createWorld();
    const refused = await w.verifier.verifyPresentation(await w.bundle({ aud: 'did:web:other.example' }), { now: NOW });
    expect(errorCode(() => overrideCannotDetermine(refused, { reason: 'status-list-unavailable-emergency', staffId: 'admissions-07' }))).toBe('CONFLICT');
  });

  it('requires a staff id and a known reason', async () => {
    const report = await staleStatusReport();
    expect(errorCode(() => overrideCannotDetermine(report, { reason: 'status-list-unavailable-emergency', staffId: '  ' }))).toBe('VALIDATION');
    expect(errorCode(() => overrideCannotDetermine(report, { reason: 'because' as never, staffId: 'admissions-07' }))).toBe('VALIDATION');
    expect(errorCode(() => overrideCannotDetermine(report, { reason: [], staffId: 'admissions-07' }))).toBe('VALIDATION');
  });

  it('accepts several reasons when several kinds of check could not be made', async () => {
    const w = await createWorld();
    w.publish('hm-rev-1', w.insurer.did, 'revocation', new Date(NOW.getTime() - 48 * 3600_000));
    const report = await w.verifier.verifyPresentation(await w.bundle(), { now: NOW, lastTrustedLedgerTime: new Date(NOW.getTime() + 3600_000) });
    expect(errorCode(() => overrideCannotDetermine(report, { reason: 'status-list-unavailable-emergency', staffId: 's1' }))).toBe('CONFLICT');
    const { audit } = overrideCannotDetermine(report, { reason: ['status-list-unavailable-emergency', 'clock-confirmed-correct'], staffId: 's1' });
    expect(audit.overriddenChecks.map((c) => c.checkId).sort()).toEqual(['credential.revocation', 'workstation.clock']);
  });
});
