/**
 * Insurance eligibility from the wallet's coverage card, for one admission date. Never
 * blocks an admission: the desk only reports what it found, and why.
 */
import type { Eligibility } from '../../src-shared/admission/schemas';
import type { InsuranceCoverageClaims } from '../../src-shared/identity/claims';
import type { CredentialReport } from '../../src-shared/identity/report';
import { workstationDates } from '../settings/date-time-settings';

/** A calendar date in the workstation's style, for the sentences below. */
function day(date: string): string {
  return workstationDates().date(date);
}

const none = {
  insurerName: null,
  insurerDid: null,
  memberId: null,
  planName: null,
  groupNumber: null,
  coverageStart: null,
  coverageEnd: null,
};

/**
 * @param coverage the verified coverage claims, or null when there are none usable
 * @param coverageReport the coverage credential's own report when the wallet sent one that
 *   did not verify (revoked, untrusted insurer, …), to say why eligibility is unknown
 * @param admissionDate YYYY-MM-DD, in the hospital's calendar
 */
export function judgeEligibility(coverage: InsuranceCoverageClaims | null, coverageReport: CredentialReport | null, admissionDate: string): Eligibility {
  if (!coverage) {
    if (coverageReport) {
      const failed = coverageReport.checks.find((c) => c.result === 'fail');
      const unknown = coverageReport.checks.find((c) => c.result === 'cannot-determine');
      const why = failed ?? unknown;
      const insurer = typeof coverageReport.credentialSubject?.['insurerName'] === 'string' ? (coverageReport.credentialSubject['insurerName']) : null;
      return {
        status: failed ? 'not-eligible' : 'unknown',
        message: failed
          ? `The insurance card was refused (${why?.message ?? 'a check failed'}) Admit the patient and ask billing to confirm insurance.`
          : `The insurance card could not be fully checked (${why?.message ?? 'a check could not be made'}) Admit the patient and ask billing to confirm insurance.`,
        ...none,
        insurerName: insurer,
        checkedFor: admissionDate,
      };
    }
    return {
      status: 'unknown',
      message: 'No insurance card was presented. Admit the patient and ask billing to confirm insurance.',
      ...none,
      checkedFor: admissionDate,
    };
  }
  const details = {
    insurerName: coverage.insurerName,
    insurerDid: coverage.insurerDid,
    memberId: coverage.memberId,
    planName: coverage.planName,
    groupNumber: coverage.groupNumber ?? null,
    coverageStart: coverage.coverageStart,
    coverageEnd: coverage.coverageEnd,
  };
  if (admissionDate < coverage.coverageStart) {
    return { status: 'not-eligible', message: `The coverage starts on ${day(coverage.coverageStart)}, after the admission date ${day(admissionDate)}. Admit the patient and ask billing to confirm insurance.`, ...details, checkedFor: admissionDate };
  }
  if (admissionDate > coverage.coverageEnd) {
    return { status: 'not-eligible', message: `The coverage ended on ${day(coverage.coverageEnd)}, before the admission date ${day(admissionDate)}. Admit the patient and ask billing to confirm insurance.`, ...details, checkedFor: admissionDate };
  }
  // The card's end is an instant: compare the hospital's calendar day, not the UTC one.
  const cardUntil = coverage.validUntil ? workstationDates().calendarDate(coverage.validUntil) : undefined;
  if (cardUntil && cardUntil < admissionDate) {
    return { status: 'unknown', message: `The insurance card itself expired on ${day(cardUntil)}. Ask the patient for a current card, or ask billing to confirm.`, ...details, checkedFor: admissionDate };
  }
  return {
    status: 'eligible',
    message: `Covered on ${day(admissionDate)} by ${coverage.insurerName}, plan ${coverage.planName}, member ${coverage.memberId}.`,
    ...details,
    checkedFor: admissionDate,
  };
}

/**
 * The coverage card's status-list entries as the verification found them (each status check
 * names its list and index), with the card's issuer: kept with the admission so billing can
 * ask the status-list mirror, on the service date, whether the card was revoked since.
 * Undefined when the report names no entry (an old card, or none).
 */
export function cardStatusOf(card: CredentialReport | undefined): Eligibility['cardStatus'] {
  if (!card?.issuer) return undefined;
  const entries: NonNullable<Eligibility['cardStatus']>['entries'] = [];
  for (const c of card.checks) {
    const purpose = c.id === 'credential.revocation' ? 'revocation' : c.id === 'credential.suspension' ? 'suspension' : null;
    const listId = c.details?.['listId'];
    const index = c.details?.['index'];
    if (purpose && typeof listId === 'string' && typeof index === 'number' && Number.isInteger(index) && index >= 0) entries.push({ purpose, listId, index });
  }
  return entries.length > 0 ? { issuer: card.issuer, entries } : undefined;
}
