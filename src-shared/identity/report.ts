/**
 * The verification report the pipeline (src-main/identity) returns and the UI renders: a
 * verdict, and every check with its result and a sentence a clerk understands.
 *
 * Plain TypeScript, JSON-serialisable (crosses IPC as is): no node:*, no DOM.
 */
import type { CredentialType } from './credential-subjects';

/** The overall answer. `cannot-determine` is never treated as valid without an audited override. */
export type Verdict = 'valid' | 'invalid' | 'cannot-determine';

export type CheckResult = 'pass' | 'fail' | 'cannot-determine' | 'not-applicable';

/**
 * Stable check ids (logs, tests, UI icons). `presentation.*` and `workstation.*` checks appear
 * once per report, `credential.*` and `consent.*` once per credential.
 */
export const CHECK_IDS = [
  'presentation.format',
  'presentation.signature',
  'presentation.freshness',
  'presentation.audience',
  'presentation.replay',
  'workstation.clock',
  'credential.format',
  'credential.signature',
  'credential.holder-binding',
  'credential.issuer-trust',
  'credential.validity-period',
  'credential.revocation',
  'credential.suspension',
  'credential.schema',
  'consent.grantee',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface VerificationCheck {
  id: CheckId;
  result: CheckResult;
  /** What was found and, when it is not a pass, what the clerk should do. */
  message: string;
  /**
   * A pass the clerk should still notice (e.g. the workstation clock jumped forward). Never
   * changes the verdict.
   */
  warning?: boolean;
  /** Machine-readable facts behind the result (times as ISO strings, ids). */
  details?: Record<string, string | number | boolean | null>;
}

export interface CredentialReport {
  /** Position in the presentation's `verifiableCredential` array. */
  index: number;
  /** One of ours, or null when the credential is of a type we do not accept. */
  type: CredentialType | null;
  /** The credential's `jti`, when readable. */
  id: string | null;
  issuer: string | null;
  subject: string | null;
  /** ISO times from nbf / exp (or validFrom / validUntil). */
  validFrom: string | null;
  validUntil: string | null;
  /** The credential subject as presented (only typed through the claim helpers after checks pass). */
  credentialSubject: Record<string, unknown> | null;
  /** True only when every check of this credential passed (or was not applicable). */
  verified: boolean;
  checks: VerificationCheck[];
}

export interface PresentationSummary {
  id: string | null;
  holder: string | null;
  audience: string | null;
  nonce: string | null;
  issuedAt: string | null;
  expiresAt: string | null;
}

export interface OverrideRecord {
  reasons: OverrideReasonCode[];
  note: string | null;
  staffId: string;
  at: string;
}

export interface VerificationReport {
  verdict: Verdict;
  /** When the checks ran, by the workstation clock (ISO). */
  checkedAt: string;
  /** One sentence summing up the verdict for the desk. */
  summary: string;
  presentation: PresentationSummary;
  /** Presentation-level and workstation checks. */
  checks: VerificationCheck[];
  credentials: CredentialReport[];
  /** Set when a `cannot-determine` verdict was accepted by a member of staff. */
  override: OverrideRecord | null;
}

/**
 * Why staff accepted a `cannot-determine` verdict. Each reason covers only the checks it
 * names (see `OVERRIDE_REASON_COVERS`): a stale status list cannot excuse an unknown issuer.
 */
export const OVERRIDE_REASON_CODES = [
  'status-list-unavailable-emergency',
  'issuer-confirmed-status-by-phone',
  'trust-registry-unavailable-emergency',
  'issuer-key-unavailable-emergency',
  'clock-confirmed-correct',
] as const;
export type OverrideReasonCode = (typeof OVERRIDE_REASON_CODES)[number];

export const OVERRIDE_REASON_COVERS: Record<OverrideReasonCode, readonly CheckId[]> = {
  'status-list-unavailable-emergency': ['credential.revocation', 'credential.suspension'],
  'issuer-confirmed-status-by-phone': ['credential.revocation', 'credential.suspension'],
  'trust-registry-unavailable-emergency': ['credential.issuer-trust'],
  'issuer-key-unavailable-emergency': ['credential.signature'],
  'clock-confirmed-correct': ['workstation.clock'],
};

/** The verdict implied by a set of checks: any fail is invalid, else any unknown is cannot-determine. */
export function verdictOf(checks: readonly VerificationCheck[]): Verdict {
  if (checks.some((c) => c.result === 'fail')) return 'invalid';
  if (checks.some((c) => c.result === 'cannot-determine')) return 'cannot-determine';
  return 'valid';
}

/** Every check of a report, presentation-level first, each with its credential index (or null). */
export function allChecks(report: VerificationReport): { credentialIndex: number | null; check: VerificationCheck }[] {
  return [
    ...report.checks.map((check) => ({ credentialIndex: null, check })),
    ...report.credentials.flatMap((c) => c.checks.map((check) => ({ credentialIndex: c.index, check }))),
  ];
}
