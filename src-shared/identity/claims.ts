/**
 * Typed claims for the admission desk, taken from a verification report. Claims come only
 * from a report the desk may act on (verdict `valid`, or `cannot-determine` accepted through
 * an audited override) and only from credentials whose own checks all passed; the subject is
 * parsed again with its schema so the types are earned, not asserted.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import {
  CREDENTIAL_SUBJECT_SCHEMAS,
  type ConsentGrantSubject,
  type CredentialSubjectOf,
  type CredentialType,
  type InsuranceCoverageSubject,
  type PatientIdentitySubject,
} from './credential-subjects';
import type { CredentialReport, VerificationReport } from './report';

interface IssuedBy {
  /** The credential's `jti`. */
  credentialId: string | null;
  issuer: string;
  validFrom: string | null;
  validUntil: string | null;
}

export type PatientIdentityClaims = PatientIdentitySubject & IssuedBy;
export type InsuranceCoverageClaims = InsuranceCoverageSubject & IssuedBy;
/** A consent grant; its period is `validFrom`..`validUntil` (the credential's nbf..exp). */
export type ConsentGrantClaims = ConsentGrantSubject & IssuedBy;

export interface AdmissionClaims {
  /** The patient's DID (the presentation's holder). */
  patientDid: string;
  identity: PatientIdentityClaims;
  coverage: InsuranceCoverageClaims | null;
  consent: ConsentGrantClaims | null;
}

export type AdmissionClaimsErrorCode = 'REPORT_NOT_ACCEPTED' | 'IDENTITY_MISSING' | 'DUPLICATE_CREDENTIAL';

const MESSAGES: Record<AdmissionClaimsErrorCode, string> = {
  REPORT_NOT_ACCEPTED: 'The wallet code was not accepted, so its details cannot be used. Resolve the problems shown in the verification report first.',
  IDENTITY_MISSING: 'The wallet code does not contain a verified identity card. Ask the patient to include their identity card when creating the code.',
  DUPLICATE_CREDENTIAL: 'The wallet code contains two cards of the same kind, so the workstation cannot tell which one to use. Ask the patient to create a code with one of each.',
};

export class AdmissionClaimsError extends Error {
  override readonly name = 'AdmissionClaimsError';
  constructor(readonly code: AdmissionClaimsErrorCode) {
    super(MESSAGES[code]);
  }
}

/** Whether the desk may act on this report: valid, or cannot-determine with an audited override. */
export function isAccepted(report: VerificationReport): boolean {
  return report.verdict === 'valid' || (report.verdict === 'cannot-determine' && report.override !== null);
}

/**
 * The verified claims of every credential of type `type` in an accepted report.
 * @throws AdmissionClaimsError REPORT_NOT_ACCEPTED when the report may not be acted on.
 */
export function claimsOfType<T extends CredentialType>(report: VerificationReport, type: T): (CredentialSubjectOf[T] & IssuedBy)[] {
  if (!isAccepted(report)) throw new AdmissionClaimsError('REPORT_NOT_ACCEPTED');
  return report.credentials.filter((c) => c.type === type && usable(c, report)).map((c) => typed(c, type));
}

function usable(c: CredentialReport, report: VerificationReport): boolean {
  if (c.verified) return true;
  // Under an override, a credential's cannot-determine checks were accepted; fails never are.
  return report.override !== null && c.checks.every((k) => k.result !== 'fail');
}

function typed<T extends CredentialType>(c: CredentialReport, type: T): CredentialSubjectOf[T] & IssuedBy {
  const subject = CREDENTIAL_SUBJECT_SCHEMAS[type].parse(c.credentialSubject) as CredentialSubjectOf[T];
  return { ...subject, credentialId: c.id, issuer: c.issuer ?? '', validFrom: c.validFrom, validUntil: c.validUntil };
}

function atMostOne<T>(items: T[]): T | null {
  if (items.length > 1) throw new AdmissionClaimsError('DUPLICATE_CREDENTIAL');
  return items[0] ?? null;
}

/** The identity card's claims, or null when the presentation has none. */
export function identityClaims(report: VerificationReport): PatientIdentityClaims | null {
  return atMostOne(claimsOfType(report, 'PatientIdentityCredential'));
}

/** The insurance card's claims, or null when the presentation has none. */
export function coverageClaims(report: VerificationReport): InsuranceCoverageClaims | null {
  return atMostOne(claimsOfType(report, 'InsuranceCoverageCredential'));
}

/** The consent grant's claims, or null when the presentation has none. */
export function consentClaims(report: VerificationReport): ConsentGrantClaims | null {
  return atMostOne(claimsOfType(report, 'ConsentGrantCredential'));
}

/**
 * Everything the admission desk needs from one accepted presentation.
 * @throws AdmissionClaimsError REPORT_NOT_ACCEPTED, IDENTITY_MISSING or DUPLICATE_CREDENTIAL.
 */
export function admissionClaims(report: VerificationReport): AdmissionClaims {
  const identity = identityClaims(report);
  if (identity === null) throw new AdmissionClaimsError('IDENTITY_MISSING');
  return {
    patientDid: report.presentation.holder ?? identity.id,
    identity,
    coverage: coverageClaims(report),
    consent: consentClaims(report),
  };
}
