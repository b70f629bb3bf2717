/**
 * Locum credentialing (issue 13): what crosses IPC between the credentialing screen and the
 * service in src-main/credentialing. Every check is named as the chaincode names it, so the
 * outcome recorded on the ledger holds every check the officer saw.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';
import { CheckResult, Verdict, VerificationReport } from '../identity/report';

/** The chaincode's verification check names (ledger/chaincode Credentialing VERIFICATION_CHECKS). */
export const LOCUM_CHECK_NAMES = [
  'signature',
  'issuer-trust',
  'validity-period',
  'revocation',
  'suspension',
  'holder-binding',
  'audience',
  'freshness',
  'replay',
  'schema',
  'jurisdiction',
  'sanctions',
  'npi-sanctions',
  'specialty-coverage',
] as const;
export const LocumCheckName = z.enum(LOCUM_CHECK_NAMES);
export type LocumCheckName = z.infer<typeof LocumCheckName>;

/** The checks a disaster (72-hour) verification rests on; the chaincode requires each passed. */
export const DISASTER_CHECKS: readonly LocumCheckName[] = ['signature', 'holder-binding', 'issuer-trust', 'validity-period', 'revocation', 'sanctions'];
export const DISASTER_MAX_HOURS = 72;

export const LOCUM_CHECK_LABELS: Record<LocumCheckName, string> = {
  signature: 'Signatures',
  'issuer-trust': 'Issuer trusted for each credential type',
  'validity-period': 'Validity periods',
  revocation: 'Not revoked',
  suspension: 'Not suspended',
  'holder-binding': 'Credentials belong to the doctor presenting them',
  audience: 'Presented to this hospital',
  freshness: 'Fresh presentation',
  replay: 'Not used before',
  schema: 'Credential contents',
  jurisdiction: 'Licence jurisdiction accepted here',
  sanctions: 'Sanctions list: doctor and licence',
  'npi-sanctions': 'Sanctions list: NPI',
  'specialty-coverage': 'Specialty covers the privileges',
};

const Details = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const LocumCheck = z.object({
  name: LocumCheckName,
  label: z.string(),
  result: CheckResult,
  /** What was found and, when it did not pass, what the officer should do. */
  message: z.string(),
  details: Details.optional(),
});
export type LocumCheck = z.infer<typeof LocumCheck>;

export const DoctorSummary = z.object({
  did: z.string(),
  name: z.string(),
  licenseNumber: z.string(),
  jurisdiction: z.string(),
  profession: z.string().nullable(),
  npi: z.string().nullable(),
  /** Specialties from verified specialty and board certification credentials. */
  specialties: z.array(z.object({ code: z.string(), display: z.string() })),
  board: z.string().nullable(),
});
export type DoctorSummary = z.infer<typeof DoctorSummary>;

export const CredentialLine = z.object({
  type: z.string().nullable(),
  label: z.string(),
  issuer: z.string().nullable(),
  verified: z.boolean(),
  validUntil: z.string().nullable(),
  /** The first check that did not pass, in words; null when it passed every check. */
  problem: z.string().nullable(),
  /** Each status list consulted and how old it was (ISO times). */
  statusLists: z.array(z.object({ purpose: z.string(), listUpdatedAt: z.string().nullable(), listFetchedAt: z.string().nullable() })),
});
export type CredentialLine = z.infer<typeof CredentialLine>;

export const SanctionEntry = z.object({
  sanctionId: z.string(),
  matchedBy: z.enum(['did', 'licence', 'npi']),
  reason: z.string(),
  source: z.string().nullable(),
  from: z.string(),
  until: z.string().nullable(),
  lifted: z.boolean(),
  active: z.boolean(),
});
export type SanctionEntry = z.infer<typeof SanctionEntry>;

/** Another hospital's verification or privileges for this doctor, as the ledger has them. */
export const ElsewhereAttestation = z.object({
  mspId: z.string(),
  verifiedAt: z.string().nullable(),
  outcome: z.enum(['verified', 'refused']).nullable(),
  kind: z.enum(['full', 'disaster']).nullable(),
  scope: z.array(z.string()),
  privilegesFrom: z.string().nullable(),
  privilegesUntil: z.string().nullable(),
  privilegeStatus: z.enum(['active', 'suspended', 'expired']).nullable(),
  suspensionReason: z.string().nullable(),
  /** "Verified by HospitalBMSP on 2 Dec 2026 for general anaesthesia, privileges until 31 Dec 2026." */
  sentence: z.string(),
  /** A refusal or suspension elsewhere: the officer should look before granting. */
  conflict: z.boolean(),
});
export type ElsewhereAttestation = z.infer<typeof ElsewhereAttestation>;

export const LedgerState = z.enum(['pending', 'committed', 'failed', 'local']);
export type LedgerState = z.infer<typeof LedgerState>;

export const LocumVerification = z.object({
  verificationId: z.string(),
  checkedAt: z.string(),
  verdict: Verdict,
  summary: z.string(),
  /** Whether the reduced disaster check set holds (only usable while a disaster is declared). */
  disasterVerdict: Verdict,
  /** The reduced set: identity and licence checks, sanctions, jurisdiction (what a disaster grant records). */
  disasterChecks: z.array(LocumCheck),
  doctor: DoctorSummary.nullable(),
  credentials: z.array(CredentialLine),
  checks: z.array(LocumCheck),
  sanctionsList: z.object({ asOf: z.string().nullable(), source: z.string(), stale: z.boolean() }),
  sanctions: z.array(SanctionEntry),
  elsewhere: z.array(ElsewhereAttestation),
  /** Privilege codes the verified specialties cover. */
  coveredPrivileges: z.array(z.string()),
  /** Set once the outcome is recorded (queued for the ledger). */
  recorded: z
    .object({ outcome: z.enum(['verified', 'refused']), kind: z.enum(['full', 'disaster']), ledger: LedgerState, txId: z.string().nullable(), officerName: z.string(), at: z.string() })
    .nullable(),
  /** The identity pipeline's full report (every check per credential). */
  report: VerificationReport,
});
export type LocumVerification = z.infer<typeof LocumVerification>;

export const LocumScanResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('collecting'), received: z.array(z.number().int()), total: z.number().int(), repeated: z.boolean() }),
  z.object({ status: z.literal('verified'), verification: LocumVerification }),
]);
export type LocumScanResult = z.infer<typeof LocumScanResult>;

const IsoTime = z.iso.datetime({ offset: true });
const PrivilegeCode = z.string().regex(/^[a-z0-9][a-z0-9._:-]{0,63}$/, 'Choose privileges from the list.');

export const GrantRequest = z
  .object({
    verificationId: z.string().min(1).max(100),
    scope: z.array(PrivilegeCode).min(1, 'Choose at least one privilege.').max(30),
    from: IsoTime,
    until: IsoTime,
    kind: z.enum(['standard', 'disaster']).default('standard'),
  })
  .strict()
  .refine((r) => r.until > r.from, { message: 'The end of the privileges must be after their start.', path: ['until'] })
  .refine((r) => r.kind !== 'disaster' || Date.parse(r.until) - Date.parse(r.from) <= DISASTER_MAX_HOURS * 3_600_000, {
    message: `Disaster privileges last at most ${DISASTER_MAX_HOURS} hours.`,
    path: ['until'],
  })
  .refine((r) => new Set(r.scope).size === r.scope.length, { message: 'A privilege is chosen twice.', path: ['scope'] });
export type GrantRequest = z.input<typeof GrantRequest>;

export const ExpiryWarning = z.enum(['none', '90', '30', '7', 'expired']);
export type ExpiryWarning = z.infer<typeof ExpiryWarning>;

export const ExpiringItem = z.object({
  what: z.enum(['licence', 'board-certification', 'privileges']),
  label: z.string(),
  at: z.string(),
  daysLeft: z.number().int(),
  warning: ExpiryWarning,
});
export type ExpiringItem = z.infer<typeof ExpiringItem>;

export const PrivilegeLine = z.object({
  privilegeId: z.string(),
  verificationId: z.string(),
  doctorDid: z.string(),
  doctorName: z.string(),
  licenseNumber: z.string(),
  kind: z.enum(['standard', 'disaster']),
  scope: z.array(z.string()),
  from: z.string(),
  until: z.string(),
  status: z.enum(['active', 'suspended', 'expired']),
  suspensionReason: z.string().nullable(),
  /** 'pending' until the grant (and any later change) is committed on the ledger. */
  ledger: LedgerState,
  ledgerProblem: z.string().nullable(),
  /** Licence, board certification and privilege period, soonest first. */
  expiring: z.array(ExpiringItem),
  /** The soonest of `expiring`. */
  next: ExpiringItem,
});
export type PrivilegeLine = z.infer<typeof PrivilegeLine>;

export const LocumAlert = z.object({
  alertId: z.number().int(),
  at: z.string(),
  doctorDid: z.string(),
  doctorName: z.string(),
  privilegeId: z.string(),
  kind: z.enum(['sanction', 'revocation', 'suspension']),
  message: z.string(),
  state: z.enum(['open', 'acknowledged', 'privileges-suspended']),
});
export type LocumAlert = z.infer<typeof LocumAlert>;

export const CredentialingSettings = z
  .object({
    /** Licence jurisdictions this hospital accepts (ISO country or region codes, e.g. GB, US-CA). */
    jurisdictions: z.array(z.string().trim().min(1).max(20)).min(1, 'Accept at least one jurisdiction.').max(50),
    /** Suspend privileges at once when a sanction, revocation or suspension arrives; default false (alert and ask). */
    autoSuspend: z.boolean(),
    /** A sanctions list older than this cannot vouch for a doctor (cannot determine). */
    sanctionsMaxAgeHours: z.number().int().min(1).max(24 * 30),
  })
  .strict();
export type CredentialingSettings = z.infer<typeof CredentialingSettings>;

export const DisasterDeclaration = z.object({ declaredAt: z.string(), declaredBy: z.string(), note: z.string() });
export type DisasterDeclaration = z.infer<typeof DisasterDeclaration>;

export const CredentialingOptions = z.object({
  hospitalDid: z.string(),
  mspId: z.string().nullable(),
  privileges: z.array(z.object({ code: z.string(), label: z.string(), specialties: z.array(z.string()) })),
  settings: CredentialingSettings,
  disaster: DisasterDeclaration.nullable(),
});
export type CredentialingOptions = z.infer<typeof CredentialingOptions>;

export const PrivilegeChangeRequest = z
  .object({
    privilegeId: z.string().min(1).max(100),
    reason: z.string().trim().max(300).optional(),
  })
  .strict();

export const SuspendReasonCode = z.enum(['sanction', 'licence-revoked', 'licence-suspended', 'pending-investigation', 'conduct-concern', 'other']);
export type SuspendReasonCode = z.infer<typeof SuspendReasonCode>;
export const SUSPEND_REASON_LABELS: Record<SuspendReasonCode, string> = {
  sanction: 'On a sanctions list',
  'licence-revoked': 'Licence revoked by the board',
  'licence-suspended': 'Licence suspended by the board',
  'pending-investigation': 'Pending an investigation',
  'conduct-concern': 'Concern about conduct',
  other: 'Other reason',
};

export const ReportDocument = z.object({
  fileName: z.string(),
  mimeType: z.literal('application/pdf'),
  pdfBase64: z.string(),
});
export type ReportDocument = z.infer<typeof ReportDocument>;
