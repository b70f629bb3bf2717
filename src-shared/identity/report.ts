/**
 * The verification report the pipeline (src-main/identity) returns and the UI renders: a
 * verdict, and every check with its result and a sentence a clerk understands.
 *
 * Plain TypeScript, JSON-serialisable (crosses IPC as is): no node:*, no DOM.
 */
import { z } from 'zod';
import { CREDENTIAL_TYPES, type CredentialType } from './credential-subjects';

/** The overall answer. `cannot-determine` is never treated as valid without an audited override. */
export const Verdict = z.enum(['valid', 'invalid', 'cannot-determine']);
/** The overall answer. `cannot-determine` is never treated as valid without an audited override. */
export type Verdict = z.infer<typeof Verdict>;

export const CheckResult = z.enum(['pass', 'fail', 'cannot-determine', 'not-applicable']);
export type CheckResult = z.infer<typeof CheckResult>;

/**
 * Stable check ids (logs, tests, UI icons). `presentation.*` and `workstation.*` checks appear
 * once per report, `credential.*` once per credential, `consent.grantee` once per consent.
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
export const CheckId = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof CheckId>;

export const VerificationCheck = z.object({
  id: CheckId,
  result: CheckResult,
  /** What was found and, when it is not a pass, what the clerk should do. */
  message: z.string(),
  /** A pass the clerk should still notice (e.g. the clock jumped forward). Never changes the verdict. */
  warning: z.boolean().optional(),
  /** Machine-readable facts behind the result (times as ISO strings, ids). */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type VerificationCheck = z.infer<typeof VerificationCheck>;

const CredentialTypeName = z.enum(CREDENTIAL_TYPES as [CredentialType, ...CredentialType[]]);

export const CredentialReport = z.object({
  /** Position in the presentation's `verifiableCredential` array. */
  index: z.number().int().nonnegative(),
  /** One of ours, or null when the credential is of a type we do not accept. */
  type: CredentialTypeName.nullable(),
  /** The credential's `jti`, when readable. */
  id: z.string().nullable(),
  issuer: z.string().nullable(),
  subject: z.string().nullable(),
  /** ISO times from nbf / exp (or validFrom / validUntil, the stricter). */
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
  /** The subject as presented; typed only through the claim helpers (src-shared/identity/claims). */
  credentialSubject: z.record(z.string(), z.unknown()).nullable(),
  /** True only when every check of this credential passed (or was not applicable). */
  verified: z.boolean(),
  checks: z.array(VerificationCheck),
});
export type CredentialReport = z.infer<typeof CredentialReport>;

export const PresentationSummary = z.object({
  id: z.string().nullable(),
  holder: z.string().nullable(),
  audience: z.string().nullable(),
  nonce: z.string().nullable(),
  issuedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type PresentationSummary = z.infer<typeof PresentationSummary>;

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
export const OverrideReasonCode = z.enum(OVERRIDE_REASON_CODES);
export type OverrideReasonCode = z.infer<typeof OverrideReasonCode>;

export const OVERRIDE_REASON_COVERS: Record<OverrideReasonCode, readonly CheckId[]> = {
  'status-list-unavailable-emergency': ['credential.revocation', 'credential.suspension'],
  'issuer-confirmed-status-by-phone': ['credential.revocation', 'credential.suspension'],
  'trust-registry-unavailable-emergency': ['credential.issuer-trust'],
  'issuer-key-unavailable-emergency': ['credential.signature'],
  'clock-confirmed-correct': ['workstation.clock'],
};

export const OverrideRecord = z.object({
  reasons: z.array(OverrideReasonCode),
  note: z.string().nullable(),
  staffId: z.string(),
  at: z.string(),
});
export type OverrideRecord = z.infer<typeof OverrideRecord>;

/** The report as it crosses IPC; the channel owner can use this schema as the response. */
export const VerificationReport = z.object({
  verdict: Verdict,
  /** When the checks ran, by the workstation clock (ISO). */
  checkedAt: z.string(),
  /** One sentence summing up the verdict for the desk. */
  summary: z.string(),
  presentation: PresentationSummary,
  /** Presentation-level and workstation checks. */
  checks: z.array(VerificationCheck),
  credentials: z.array(CredentialReport),
  /** Set when a `cannot-determine` verdict was accepted by a member of staff. */
  override: OverrideRecord.nullable(),
});
export type VerificationReport = z.infer<typeof VerificationReport>;

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
