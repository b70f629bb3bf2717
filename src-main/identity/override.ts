/**
 * Accepting a "cannot determine" verdict on purpose: a member of staff states why, and the
 * pipeline returns the accepted report with an audit record to write to the access log. Only
 * checks that could not be made can be overridden, never a check that failed, and each
 * reason covers only the checks it names.
 */
import { DomainError } from '../errors';
import {
  allChecks,
  OVERRIDE_REASON_CODES,
  OVERRIDE_REASON_COVERS,
  type CheckId,
  type OverrideReasonCode,
  type VerificationReport,
} from '../../src-shared/identity/report';

export interface OverrideRequest {
  /** One reason, or several when different kinds of check could not be made. */
  reason: OverrideReasonCode | readonly OverrideReasonCode[];
  /** The signed-in staff identity taking responsibility. */
  staffId: string;
  /** Free text for the audit trail (e.g. who was called at the issuer). */
  note?: string;
  now?: Date;
}

/** What the caller writes to the audit log (and the ledger's Access log) for an override. */
export interface OverrideAuditRecord {
  kind: 'identity-verification-override';
  at: string;
  staffId: string;
  reasons: OverrideReasonCode[];
  note: string | null;
  presentationId: string | null;
  holder: string | null;
  /** Every check that was accepted without being made. */
  overriddenChecks: { checkId: CheckId; credentialIndex: number | null; credentialId: string | null; message: string }[];
}

/**
 * @throws DomainError VALIDATION when the reason or staff id is missing or unknown;
 * CONFLICT when the report is not `cannot-determine`, or a reason does not cover one of the
 * checks that could not be made.
 */
export function overrideCannotDetermine(report: VerificationReport, request: OverrideRequest): { report: VerificationReport; audit: OverrideAuditRecord } {
  const reasons = [...new Set(typeof request.reason === 'string' ? [request.reason] : request.reason)];
  if (reasons.length === 0 || reasons.some((r) => !(OVERRIDE_REASON_CODES as readonly string[]).includes(r))) {
    throw new DomainError('VALIDATION', 'Choose why the check is being overridden from the list of reasons.');
  }
  if (request.staffId.trim() === '') throw new DomainError('VALIDATION', 'An override must be made by a signed-in member of staff.');
  if (report.verdict !== 'cannot-determine' || report.override !== null) {
    throw new DomainError(
      'CONFLICT',
      report.verdict === 'invalid'
        ? 'This wallet code was refused because a check failed; a failed check cannot be overridden.'
        : 'Only a result that could not be fully checked can be overridden.',
    );
  }
  const covered = new Set<CheckId>(reasons.flatMap((r) => OVERRIDE_REASON_COVERS[r]));
  const undetermined = allChecks(report).filter((c) => c.check.result === 'cannot-determine');
  const uncovered = undetermined.filter((c) => !covered.has(c.check.id));
  if (uncovered.length > 0) {
    throw new DomainError('CONFLICT', `The reason given does not cover every check that could not be made (${[...new Set(uncovered.map((c) => c.check.id))].join(', ')}). Choose a reason for each.`, {
      uncovered: uncovered.map((c) => c.check.id),
    });
  }
  const at = (request.now ?? new Date()).toISOString();
  const note = request.note?.trim() || null;
  const audit: OverrideAuditRecord = {
    kind: 'identity-verification-override',
    at,
    staffId: request.staffId,
    reasons,
    note,
    presentationId: report.presentation.id,
    holder: report.presentation.holder,
    overriddenChecks: undetermined.map((c) => ({
      checkId: c.check.id,
      credentialIndex: c.credentialIndex,
      credentialId: c.credentialIndex === null ? null : (report.credentials[c.credentialIndex]?.id ?? null),
      message: c.check.message,
    })),
  };
  const accepted: VerificationReport = {
    ...structuredClone(report),
    summary: `Accepted by ${request.staffId} although not every check could be made (${reasons.join(', ')}).`,
    override: { reasons, note, staffId: request.staffId, at },
  };
  return { report: accepted, audit };
}
