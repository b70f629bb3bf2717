/**
 * The one IPC contract between the renderer and the main-process services.
 *
 * Every channel names its request and response schema and who may call it. The preload
 * exposes exactly one function per channel, the Electron main process and the web host
 * both register handlers through the same helper, and both validate requests (and, in
 * development and tests, responses) against these schemas. Nothing else crosses.
 *
 * This file is plain TypeScript: no electron, no node:*, no DOM.
 */
import { z } from 'zod';
import {
  AdmissionListItem,
  AdmissionRecord,
  AdmitRequest,
  DeskOptions,
  DischargeRequest,
  ManualRegistrationRequest,
  MergeRequest,
  OverrideRequest,
  PatientMatch,
  PatientSearchRequest,
  PatientSummary,
  ReconcileRequest,
  ScanRequest,
  ScanResult,
  TransferRequest,
  UnidentifiedRegistrationRequest,
  WristbandDocument,
  WristbandRequest,
} from '../admission/schemas';
import {
  AdjudicateRequest,
  CheckRequest,
  ClaimCheck,
  ClaimContext,
  ClaimDetail,
  ClaimDraftForm,
  ClaimExport,
  ClaimIdRequest,
  ClaimStatus,
  ClaimWorkList,
  ExportRequest,
  PayRequest,
  PendRequest,
  SaveDraftRequest,
  WithdrawRequest,
} from '../claims/schemas';
import { DateTimePreferences } from '../datetime';
import {
  CredentialingOptions,
  CredentialingSettings,
  GrantRequest,
  LocumAlert,
  LocumScanResult,
  LocumVerification,
  PrivilegeLine,
  ReportDocument,
  SuspendReasonCode,
} from '../credentialing/schemas';
import { SanctionsImportRequest, SanctionsImportResult, SanctionsView, SingleSanctionRequest } from '../credentialing/sanctions';
import { OrganisationKind } from '../organisations/roles';
import {
  CacheState,
  DateTimeSettingsState,
  EnrolledStaffIdentity,
  SessionState,
  StaffIdentitySummary,
  StaffRole,
  StartState,
  type Result,
} from './first-screen';
import { OrganisationRegistryView } from '../organisations/schemas';
import {
  AccessEntryView,
  AccessReport,
  AccessReportPdf,
  AccessReportRequest,
  BreakGlassRequest,
  BreakGlassState,
  CategoryView,
  Chart,
  ChartDocument,
  ChartStillOpen,
  ConsentView,
  DocumentRequest,
  OpenChartRequest,
  PatientRequest,
  PrivacySettings,
  ReviewRequest,
  StillOpenRequest,
  ViewCategoryRequest,
  WardListRequest,
  WardPatient,
} from '../records/schemas';

// The first screen's shapes live apart (see first-screen.ts); everyone imports them from here.
export {
  CacheState,
  DateTimeSettingsState,
  EnrolledStaffIdentity,
  ErrorCode,
  IpcError,
  SessionState,
  StaffIdentitySummary,
  StaffRole,
  STAFF_ROLES,
  StartState,
} from './first-screen';
export type { Result } from './first-screen';


/**
 * Who may call a channel.
 * - `anyone`: no sign-in needed (the sign-in screen itself, cache status).
 * - `signed-in`: any unlocked staff session, whatever the role or organisation kind.
 * - a list of roles: only a signed-in session with one of these roles AT A HOSPITAL (the
 *   channels written before other organisations had workstations are all hospital desks).
 * - `{ kinds, roles }`: only a signed-in session whose organisation is of one of `kinds` and
 *   whose role is one of `roles` (e.g. `{ kinds: ['insurer'], roles: ['adjudicator'] }`).
 */
export type ChannelAccess =
  | 'anyone'
  | 'signed-in'
  | readonly StaffRole[]
  | { readonly kinds: readonly OrganisationKind[]; readonly roles: readonly StaffRole[] };


// ---------------------------------------------------------------------------------------
// Shared shapes

/**
 * The result of `PRAGMA cipher_integrity_check`: every page of the cache file checked against
 * its HMAC. A CACHE_CORRUPT error state carries `details.canRebuild: true` once damage is
 * confirmed and the key is at hand, so the error screen can offer the rebuild.
 */
export const CacheIntegrityReport = z.object({
  checkedAt: z.string(),
  ok: z.boolean(),
  /** Pages in the file. */
  pages: z.number().int().nonnegative(),
  /** What failed, e.g. 'HMAC verification failed for page 115' (at most 20). */
  problems: z.array(z.string()),
});
export type CacheIntegrityReport = z.infer<typeof CacheIntegrityReport>;

/** What a rebuild of a damaged cache did, for the user and for IT. */
export const CacheRebuildReport = z.object({
  /** The folder the damaged file was moved to (never deleted), with the outbox export. */
  movedTo: z.string(),
  /** The sealed export of the unsent ledger writes (see src-main/cache/rescue.ts). */
  outboxExportFile: z.string(),
  exported: z.number().int().nonnegative(),
  /** Exported writes put back into the new cache's sync queue. */
  reimported: z.number().int().nonnegative(),
  /** Row numbers of unsent writes that sat on damaged pages and could not be read. */
  unreadableWrites: z.array(z.number().int()),
  /** False when the queue itself did not read, so it cannot be known what was lost. */
  outboxComplete: z.boolean(),
  /** Local tables copied into the new cache (rows), or null when the table did not read. */
  carried: z.array(z.object({ table: z.string(), rows: z.number().int().nullable() })),
});
export type CacheRebuildReport = z.infer<typeof CacheRebuildReport>;

export const SyncState = z.object({
  connection: z.enum(['online', 'offline', 'connecting', 'not-configured']),
  /** Ledger writes waiting in the outbox. */
  queued: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  lastSyncAt: z.string().nullable(),
  /** Why the last attempt failed, in words for the user; null when all is well. */
  problem: z.string().nullable(),
  /**
   * While a large backlog drains (e.g. after an outage): how many writes it started with and
   * how many are left, for a progress bar. Null (or absent) when there is no such backlog.
   */
  backlog: z.object({ total: z.number().int().nonnegative(), remaining: z.number().int().nonnegative() }).nullable().optional(),
});
export type SyncState = z.infer<typeof SyncState>;

/** A ledger write that needs the user: refused by the ledger (failed) or unreadable (quarantined). */
export const SyncProblem = z.object({
  seq: z.number().int().positive(),
  /** What the write was, e.g. 'admission.opened'. */
  operation: z.string(),
  /** The record it belongs to; later writes of the same record wait behind a failed one. */
  orderKey: z.string(),
  state: z.enum(['failed', 'quarantined']),
  /** e.g. CHAINCODE_REFUSED, MVCC_READ_CONFLICT, PERMISSION_DENIED, UNDECODABLE. */
  reasonCode: z.string(),
  /** The reason in words (for a chaincode refusal: the chaincode's own message). */
  reason: z.string(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Later writes of the same record held back until this one is retried or discarded. */
  blockedBehind: z.number().int().nonnegative(),
});
export type SyncProblem = z.infer<typeof SyncProblem>;

/** A ledger write still waiting to be sent, as the offline Sync screen lists it (no patient data). */
export const SyncWaitingWrite = z.object({
  seq: z.number().int().positive(),
  /** What it is in the hospital's words, e.g. 'Admission to ward W-101, bed A01'; never a name. */
  description: z.string(),
  /** The technical name, for IT: e.g. 'admission.admit'. */
  operation: z.string(),
  /** 'queued' (not sent yet) or a step of sending ('endorsed'; 'signed' and 'submitted' only from earlier versions). */
  state: z.string(),
  createdAt: z.string(),
  attempts: z.number().int().nonnegative(),
});
export type SyncWaitingWrite = z.infer<typeof SyncWaitingWrite>;

export const SignInEvent = z.object({
  at: z.string(),
  kind: z.enum(['sign-in', 'sign-out', 'wrong-pin', 'locked-out', 'auto-lock', 'unlock', 'identity-imported', 'role-refused']),
  identityId: z.string().nullable(),
  displayName: z.string().nullable(),
  role: StaffRole.nullable(),
  detail: z.string().nullable(),
});
export type SignInEvent = z.infer<typeof SignInEvent>;

const Empty = z.object({}).strict();
const Pin = z.string().min(4, 'A PIN has at least 4 characters.').max(128);

// ---------------------------------------------------------------------------------------
// The channels

function channel<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  request: Req;
  response: Res;
  access: ChannelAccess;
  /** One line: what the channel does, for the docs and error logs. */
  summary: string;
}): typeof spec {
  return spec;
}

export const contract = {
  'cache.state': channel({
    summary: 'Whether the encrypted cache is set up, locked or open.',
    request: Empty,
    response: CacheState,
    access: 'anyone',
  }),
  'cache.setUp': channel({
    summary: 'First run: create the encrypted cache, protected by a passphrase and a recovery passphrase.',
    request: z
      .object({
        /** Required when the key is protected by a passphrase (no OS keychain). */
        passphrase: z.string().min(12, 'Use at least 12 characters.').max(1024).optional(),
        recoveryPassphrase: z.string().min(12, 'Use at least 12 characters.').max(1024),
      })
      .strict(),
    response: CacheState,
    access: 'anyone',
  }),
  'cache.unlock': channel({
    summary: 'Open the cache with its passphrase (or the recovery passphrase).',
    request: z
      .object({
        passphrase: z.string().min(1).max(1024),
        isRecovery: z.boolean().default(false),
        /**
         * With `isRecovery` under passphrase protection: the new everyday passphrase that replaces
         * the forgotten one. Under OS-keychain protection the key is rewrapped by the keychain.
         */
        newPassphrase: z.string().min(12, 'Use at least 12 characters.').max(1024).optional(),
      })
      .strict(),
    response: CacheState,
    access: 'anyone',
  }),
  'cache.checkIntegrity': channel({
    summary: 'Check every page of the encrypted cache (cipher_integrity_check) now.',
    request: Empty,
    response: CacheIntegrityReport,
    access: 'signed-in',
  }),
  'cache.rebuild': channel({
    // Open to anyone (a damaged cache may not even list its staff), but refused unless damage
    // is confirmed: a healthy cache is never moved aside this way.
    summary: 'Rebuild a damaged cache: export unsent ledger writes, move the damaged file aside, start a fresh cache.',
    request: z.object({ confirmLocalDataLoss: z.literal(true) }).strict(),
    response: CacheRebuildReport,
    access: 'anyone',
  }),
  'cache.importOutbox': channel({
    summary: 'Put the unsent ledger changes of an outbox export (written by a rebuild of this cache) back in the sync queue.',
    request: z
      .object({
        /** The export file's text; it must open with this cache's key (sealed, see src-main/cache/rescue.ts). */
        exportFileText: z.string().min(1).max(800_000, 'This file is too large to be an outbox export picked here; ask IT support to import it.'),
      })
      .strict(),
    response: z.object({ imported: z.number().int().nonnegative(), skipped: z.number().int().nonnegative() }),
    access: 'signed-in',
  }),

  'session.state': channel({
    summary: 'Who is signed in, and whether the workstation is locked.',
    request: Empty,
    response: SessionState,
    access: 'anyone',
  }),
  'session.listIdentities': channel({
    summary: 'Staff identities enrolled on this workstation, for the sign-in screen, with PIN tries left and lockouts.',
    request: Empty,
    response: z.array(EnrolledStaffIdentity),
    access: 'anyone',
  }),
  'session.enrolmentOrganisation': channel({
    summary: 'The organisation whose staff this workstation enrols (from its ledger configuration); null when none is configured.',
    request: Empty,
    response: z.object({ mspId: z.string(), organisationName: z.string(), organisationKind: OrganisationKind }).nullable(),
    access: 'anyone',
  }),
  'session.importIdentity': channel({
    summary:
      "Enrol a staff identity from PEM certificate and key, protected by a new PIN. Needs the workstation's setup passphrase; only certificates of the configured organisation's CAs are accepted (the MSP ID is the configured one: a different `mspId` is refused).",
    request: z
      .object({
        certificatePem: z.string().min(1).max(20_000),
        privateKeyPem: z.string().min(1).max(20_000),
        mspId: z.string().min(1).max(200).optional(),
        pin: Pin,
        setupPassphrase: z.string().max(1_000).optional(),
      })
      .strict(),
    response: StaffIdentitySummary,
    access: 'anyone',
  }),
  'session.signIn': channel({
    summary: 'Unlock a staff identity with its PIN and start a session.',
    request: z.object({ identityId: z.string().min(1).max(200), pin: z.string().min(1).max(128) }).strict(),
    response: SessionState,
    access: 'anyone',
  }),
  'session.unlock': channel({
    summary: 'Resume a locked session with the same PIN.',
    request: z.object({ pin: z.string().min(1).max(128) }).strict(),
    response: SessionState,
    access: 'anyone',
  }),
  'session.lock': channel({
    summary: 'Lock the workstation now, keeping the session.',
    request: Empty,
    response: SessionState,
    access: 'signed-in',
  }),
  'session.signOut': channel({
    summary: 'End the session.',
    request: Empty,
    response: SessionState,
    access: 'anyone',
  }),
  'session.activity': channel({
    summary: 'The user did something: postpone the auto-lock.',
    request: Empty,
    response: SessionState,
    access: 'signed-in',
  }),
  'session.setAutoLock': channel({
    summary: 'Change the inactivity time after which this workstation locks.',
    request: z.object({ minutes: z.number().int().min(1).max(60) }).strict(),
    response: SessionState,
    access: 'signed-in',
  }),

  'settings.dateTime': channel({
    summary: "The workstation's date and time style (language, date order, clock, time zone), also before sign-in.",
    request: Empty,
    response: DateTimeSettingsState,
    access: 'anyone',
  }),
  'workstation.startState': channel({
    summary: 'What the first screen needs in one answer: the cache state and, once it is open, the session, the sign-in staff list (signed out only) and the date and time style.',
    request: Empty,
    response: StartState,
    access: 'anyone',
  }),
  'settings.setDateTime': channel({
    summary: "Change the workstation's date and time style, for everyone who uses it.",
    request: DateTimePreferences,
    response: DateTimeSettingsState,
    access: 'signed-in',
  }),

  'sync.state': channel({
    summary: 'Ledger connection and outbox state for the status bar.',
    request: Empty,
    response: SyncState,
    access: 'signed-in',
  }),
  'sync.problems': channel({
    summary: 'Ledger writes that failed or could not be read, with the reason, for the sync screen.',
    request: z.object({ limit: z.number().int().min(1).max(500).default(200) }).strict(),
    response: z.array(SyncProblem),
    access: 'signed-in',
  }),
  'sync.waiting': channel({
    summary: 'Ledger writes waiting to be sent (what, when), oldest first, for the sync screen.',
    request: z.object({ limit: z.number().int().min(1).max(500).default(200) }).strict(),
    response: z.array(SyncWaitingWrite),
    access: 'signed-in',
  }),
  'sync.retry': channel({
    summary: 'Send a failed ledger write again, as a new transaction.',
    request: z.object({ seq: z.number().int().positive() }).strict(),
    response: SyncState,
    access: 'signed-in',
  }),
  'sync.discard': channel({
    summary: 'Give up on a failed ledger write; later writes of the same record go ahead.',
    request: z.object({ seq: z.number().int().positive() }).strict(),
    response: SyncState,
    access: 'signed-in',
  }),

  // ---- Admission desk (issue 7). Shapes and their doc comments: src-shared/admission/schemas.ts.
  // Errors: VALIDATION (bad input or a wallet code that cannot be read: details.walletQrCode),
  // NOT_FOUND (scan expired, unknown patient or admission), CONFLICT (refused presentation,
  // likely duplicate not confirmed, wrong state), CACHE_LOCKED; each with a clerk's sentence.

  'admission.deskOptions': channel({
    summary: 'Wards with beds, attending clinicians, the hospital DID and override reasons for the admission form.',
    request: Empty,
    response: DeskOptions,
    access: ['admissions', 'clinician'],
  }),
  'admission.scan': channel({
    summary: 'Take one scanned wallet code (or one part of a multi-part code) and verify the presentation once complete.',
    request: ScanRequest,
    response: ScanResult,
    access: ['admissions'],
  }),
  'admission.clearScan': channel({
    summary: 'Forget the parts of a multi-part wallet code scanned so far.',
    request: Empty,
    response: z.object({ cleared: z.boolean() }),
    access: ['admissions'],
  }),
  'admission.override': channel({
    summary: 'Accept a wallet code whose checks could not all be made, with a reason, audited locally and on the ledger.',
    request: OverrideRequest,
    response: ScanResult,
    access: ['admissions'],
  }),
  'admission.admit': channel({
    summary: 'Admit a patient: ward, bed, attending clinician, reason; recorded locally and queued for the ledger with the consent.',
    request: AdmitRequest,
    response: AdmissionRecord,
    access: ['admissions'],
  }),
  'admission.transfer': channel({
    summary: 'Move an admitted patient to another ward or bed.',
    request: TransferRequest,
    response: AdmissionRecord,
    access: ['admissions'],
  }),
  'admission.discharge': channel({
    summary: 'Discharge an admitted patient.',
    request: DischargeRequest,
    response: AdmissionRecord,
    access: ['admissions'],
  }),
  'admission.get': channel({
    summary: 'One admission with its patient, consent, eligibility, movements and ledger state.',
    request: z.object({ admissionId: z.string().min(1).max(100) }).strict(),
    response: AdmissionRecord,
    access: ['admissions', 'clinician'],
  }),
  'admission.list': channel({
    summary: 'Admissions, newest first (current ones only unless `includeDischarged`).',
    request: z.object({ includeDischarged: z.boolean().default(false), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    response: z.array(AdmissionListItem),
    access: ['admissions', 'clinician'],
  }),
  'admission.wristband': channel({
    summary: 'The wristband or label PDF of an admission (name, birth date, MRN and its barcode, admission date, allergies).',
    request: WristbandRequest,
    response: WristbandDocument,
    access: ['admissions'],
  }),
  'patients.search': channel({
    summary: 'Find patients by wallet DID, MRN or demographics (fuzzy), scored with reasons.',
    request: PatientSearchRequest,
    response: z.array(PatientMatch),
    access: ['admissions', 'clinician'],
  }),
  'patients.registerManual': channel({
    summary: 'Register a patient without a wallet (marked unverified); refused as a likely duplicate unless confirmed.',
    request: ManualRegistrationRequest,
    response: PatientSummary,
    access: ['admissions'],
  }),
  'patients.registerUnidentified': channel({
    summary: 'Emergency registration of an unidentified patient under a temporary name, to be reconciled later.',
    request: UnidentifiedRegistrationRequest,
    response: PatientSummary,
    access: ['admissions'],
  }),
  'patients.merge': channel({
    summary: 'Merge a record created by mistake into the right one; the merged record points to the survivor.',
    request: MergeRequest,
    response: PatientSummary,
    access: ['admissions'],
  }),
  'patients.reconcile': channel({
    summary: "Attach a verified wallet to a manual or unidentified patient's record.",
    request: ReconcileRequest,
    response: PatientSummary,
    access: ['admissions'],
  }),

  // ---- Locum credentialing (issue 13). Shapes: src-shared/credentialing/schemas.ts. Errors:
  // VALIDATION (not a wallet code, privileges beyond the specialty, dates), NOT_FOUND (scan
  // expired), CONFLICT (verdict does not allow it, no disaster declared, wrong state), CACHE_LOCKED.

  'credentialing.options': channel({
    summary: "The hospital's privilege list, credentialing policy (jurisdictions, auto-suspend, sanctions list age) and any declared disaster.",
    request: Empty,
    response: CredentialingOptions,
    access: ['credentialing'],
  }),
  'credentialing.saveSettings': channel({
    summary: 'Change the credentialing policy: accepted licence jurisdictions, auto-suspend on alerts, the sanctions list age limit.',
    request: CredentialingSettings,
    response: CredentialingOptions,
    access: ['credentialing'],
  }),
  'credentialing.declareDisaster': channel({
    summary: 'Declare a disaster: 72-hour emergency privileges may be granted on the reduced check set.',
    request: z.object({ note: z.string().trim().min(1, 'Say which disaster, e.g. the major incident number.').max(300) }).strict(),
    response: CredentialingOptions,
    access: ['credentialing'],
  }),
  'credentialing.endDisaster': channel({
    summary: 'End the declared disaster: only full verifications grant privileges again.',
    request: Empty,
    response: CredentialingOptions,
    access: ['credentialing'],
  }),
  'credentialing.scan': channel({
    summary: "Take one scanned doctor's wallet code (or one part) and run every locum check once complete.",
    request: z.object({ text: z.string().max(20_000, 'This is far longer than any wallet code; scan again.'), source: z.enum(['camera', 'scanner', 'image', 'paste']).default('scanner') }).strict(),
    response: LocumScanResult,
    access: ['credentialing'],
  }),
  'credentialing.openPresentation': channel({
    summary: "Verify a doctor's presentation opened from a file (a VP-JWT or a wallet code's text).",
    request: z.object({ fileText: z.string().min(1, 'The file is empty.').max(300_000, 'This file is too large to be a presentation.') }).strict(),
    response: LocumScanResult,
    access: ['credentialing'],
  }),
  'credentialing.clearScan': channel({
    summary: 'Forget the parts of a multi-part wallet code scanned so far.',
    request: Empty,
    response: z.object({ cleared: z.boolean() }),
    access: ['credentialing'],
  }),
  'credentialing.verification': channel({
    summary: 'One verification (recorded, or the current scan) with its ledger state.',
    request: z.object({ verificationId: z.string().min(1).max(100) }).strict(),
    response: LocumVerification,
    access: ['credentialing'],
  }),
  'credentialing.recordRefusal': channel({
    summary: 'Record a refused verification on the ledger (every check, no personal data).',
    request: z.object({ verificationId: z.string().min(1).max(100) }).strict(),
    response: LocumVerification,
    access: ['credentialing'],
  }),
  'credentialing.grant': channel({
    summary: 'Record the verification and grant privileges (standard, or 72-hour disaster privileges); pending until the ledger commits them.',
    request: GrantRequest,
    response: PrivilegeLine,
    access: ['credentialing'],
  }),
  'credentialing.privileges': channel({
    summary: 'The expirables tracker: privileges and the credentials behind them, soonest expiry first.',
    request: z.object({ includeEnded: z.boolean().default(false), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    response: z.array(PrivilegeLine),
    access: ['credentialing'],
  }),
  'credentialing.suspend': channel({
    summary: 'Suspend active privileges, with a reason.',
    request: z.object({ privilegeId: z.string().min(1).max(100), reason: SuspendReasonCode }).strict(),
    response: PrivilegeLine,
    access: ['credentialing'],
  }),
  'credentialing.reinstate': channel({
    summary: 'Reinstate suspended privileges (the ledger refuses while a sanction applies).',
    request: z.object({ privilegeId: z.string().min(1).max(100) }).strict(),
    response: PrivilegeLine,
    access: ['credentialing'],
  }),
  'credentialing.expire': channel({
    summary: 'Mark privileges whose period has ended as expired, on the ledger too.',
    request: z.object({ privilegeId: z.string().min(1).max(100) }).strict(),
    response: PrivilegeLine,
    access: ['credentialing'],
  }),
  'credentialing.alerts': channel({
    summary: 'Sanctions, revocations and suspensions that arrived for doctors with active privileges.',
    request: z.object({ includeClosed: z.boolean().default(false) }).strict(),
    response: z.array(LocumAlert),
    access: ['credentialing'],
  }),
  'credentialing.resolveAlert': channel({
    summary: "The officer's answer to an alert: suspend the privileges, or acknowledge and keep them.",
    request: z.object({ alertId: z.number().int().positive(), action: z.enum(['suspend', 'acknowledge']) }).strict(),
    response: z.array(LocumAlert),
    access: ['credentialing'],
  }),
  // ---- The governance body's sanctions list (issue 13): governance administrators only.
  'sanctions.list': channel({
    summary: "The ledger's sanctions list as this workstation last read it, with its age and writes still waiting.",
    request: z.object({ limit: z.number().int().min(1).max(2000).default(200) }).strict(),
    response: SanctionsView,
    access: { kinds: ['governance'], roles: ['governance-admin'] },
  }),
  'sanctions.import': channel({
    summary: 'Import (part of) an exclusion list in the OIG LEIE CSV format: entries with an NPI or licence go to the ledger in batches.',
    request: SanctionsImportRequest,
    response: SanctionsImportResult,
    access: { kinds: ['governance'], roles: ['governance-admin'] },
  }),
  'sanctions.add': channel({
    summary: 'Add one sanction (by NPI, licence number or DID) to the ledger.',
    request: SingleSanctionRequest,
    response: z.object({ sanctionId: z.string() }),
    access: { kinds: ['governance'], roles: ['governance-admin'] },
  }),
  'sanctions.lift': channel({
    summary: 'Lift a sanction from now on, with a reason.',
    request: z.object({ sanctionId: z.string().min(1).max(128), reason: z.string().trim().min(1, 'Give the reason for lifting it.').max(500) }).strict(),
    response: z.object({ sanctionId: z.string() }),
    access: { kinds: ['governance'], roles: ['governance-admin'] },
  }),
  'credentialing.report': channel({
    summary: 'The verification report PDF: doctor, credentials, every check, sanctions list, ledger transaction id, privileges, officer.',
    request: z.object({ verificationId: z.string().min(1).max(100) }).strict(),
    response: ReportDocument,
    access: ['credentialing'],
  }),

  // ---- Insurance claims (issue 12). Shapes: src-shared/claims/schemas.ts. A hospital's claims
  // staff bill; an insurer's claims staff and adjudicators decide. Errors: VALIDATION (a failed
  // check, details.checks; a FHIR resource that does not validate, details.fhir), CONFLICT (a
  // duplicate, naming the first claim; wrong state), NOT_FOUND, UNAVAILABLE (detail not read yet).

  'claims.workList': channel({
    summary: "The claims work list: a hospital's admissions ready to bill and its claims (needing action first); an insurer's queue.",
    request: z
      .object({ status: z.union([ClaimStatus, z.literal('needs-action')]).optional(), search: z.string().trim().max(100).optional(), limit: z.number().int().min(1).max(10_000).default(500) })
      .strict(),
    response: ClaimWorkList,
    access: { kinds: ['hospital', 'insurer'], roles: ['claims', 'adjudicator'] },
  }),
  'claims.newFromAdmission': channel({
    summary: 'A new claim form pre-filled from an admission (stay, coverage, insurer), with the facts its checklist uses.',
    request: z.object({ admissionId: z.string().trim().min(1).max(100) }).strict(),
    response: z.object({ context: ClaimContext, form: ClaimDraftForm }),
    access: { kinds: ['hospital'], roles: ['claims'] },
  }),
  'claims.context': channel({
    summary: "The facts a claim's checklist uses: admission dates, verified coverage and its revocation, the registered insurer.",
    request: z.object({ admissionId: z.string().trim().min(1).max(100) }).strict(),
    response: ClaimContext,
    access: { kinds: ['hospital'], roles: ['claims'] },
  }),
  'claims.check': channel({
    summary: 'Run every claim check on a form, as the workstation will before sending it.',
    request: CheckRequest,
    response: z.array(ClaimCheck),
    access: { kinds: ['hospital'], roles: ['claims'] },
  }),
  'claims.saveDraft': channel({
    summary: 'Save a claim draft, or the correction of a pended or denied claim; nothing is sent.',
    request: SaveDraftRequest,
    response: ClaimDetail,
    access: { kinds: ['hospital'], roles: ['claims'] },
  }),
  'claims.submit': channel({
    summary: 'Check a claim and queue it for the ledger (first submission, or version n+1 after a correction); refused locally when a check fails or it duplicates a known claim.',
    request: ClaimIdRequest,
    response: ClaimDetail,
    access: { kinds: ['hospital'], roles: ['claims'] },
  }),
  'claims.withdraw': channel({
    summary: 'Withdraw a claim that is not paid, with a reason.',
    request: WithdrawRequest,
    response: ClaimDetail,
    access: { kinds: ['hospital'], roles: ['claims'] },
  }),
  'claims.get': channel({
    summary: 'One claim: lines with the insurer’s decision per line, diagnoses, coverage, timeline, versions and what may be done now.',
    request: ClaimIdRequest,
    response: ClaimDetail,
    access: { kinds: ['hospital', 'insurer'], roles: ['claims', 'adjudicator'] },
  }),
  'claims.export': channel({
    summary: 'A claim as a summary PDF, as FHIR JSON, or as an ASC X12 837I/837P checked by parsing it back.',
    request: ExportRequest,
    response: ClaimExport,
    access: { kinds: ['hospital', 'insurer'], roles: ['claims', 'adjudicator'] },
  }),
  'claims.purge': channel({
    summary: "Purge a paid or withdrawn claim's private detail from the ledger (the public record and its hashes remain).",
    request: ClaimIdRequest,
    response: ClaimDetail,
    access: { kinds: ['hospital', 'insurer'], roles: ['claims'] },
  }),
  'claims.pend': channel({
    summary: 'Insurer: ask the hospital for more information, with reason codes.',
    request: PendRequest,
    response: ClaimDetail,
    access: { kinds: ['insurer'], roles: ['claims', 'adjudicator'] },
  }),
  'claims.adjudicate': channel({
    summary: 'Insurer: decide each line (approve, reduce, deny with CARC codes); the ClaimResponse travels privately to the hospital.',
    request: AdjudicateRequest,
    response: ClaimDetail,
    access: { kinds: ['insurer'], roles: ['adjudicator'] },
  }),
  'claims.pay': channel({
    summary: 'Insurer: record the payment of an approved or partly approved claim, with its reference.',
    request: PayRequest,
    response: ClaimDetail,
    access: { kinds: ['insurer'], roles: ['claims', 'adjudicator'] },
  }),
  'claims.autoRule': channel({
    summary: "Insurer: the auto-adjudication rule (approve in full up to an amount when coverage holds and there is no duplicate); null turns it off. Without `maxTotalCents` it is only read.",
    request: z.object({ maxTotalCents: z.number().int().min(0).max(100_000_000).nullable().optional() }).strict(),
    response: z.object({ maxTotalCents: z.number().int().nullable(), approved: z.array(z.string()) }),
    access: { kinds: ['insurer'], roles: ['adjudicator'] },
  }),

  'audit.signInEvents': channel({
    summary: "This workstation's sign-in, lock and refusal events, newest first (privacy officers).",
    request: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
    response: z.array(SignInEvent),
    access: ['privacy'],
  }),
  // ---- Organisations (lane 1). Shapes: src-shared/organisations/schemas.ts. Errors: CACHE_LOCKED.
  'organisations.registry': channel({
    summary: "The ledger's organisation registry and trusted issuers as this workstation last read them (governance administrators).",
    request: Empty,
    response: OrganisationRegistryView,
    access: { kinds: ['governance'], roles: ['governance-admin'] },
  }),

  // ---- Clinician chart and privacy office (issue 11). Shapes: src-shared/records/schemas.ts.
  // Every records.* call that shows records writes its access entry (src-main/records/chart-service.ts).
  // Errors: NOT_FOUND (unknown patient or document), UNAVAILABLE (ledger unreachable for a privacy
  // read), ROLE_REFUSED (reviewing another hospital's entry), CACHE_LOCKED; each with a sentence.
  'records.wardList': channel({
    summary: 'Open admissions at this hospital, or patients found by name or MRN, for the chart.',
    request: WardListRequest,
    response: z.array(WardPatient),
    access: ['clinician'],
  }),
  'records.open': channel({
    summary: "Open a patient's chart: records from every hospital the consent (or own admission, or break-the-glass) allows, with what is withheld and why; logged.",
    request: OpenChartRequest,
    response: Chart,
    access: ['clinician'],
  }),
  'records.viewCategory': channel({
    summary: 'One tab of an open chart (one record category); logged as its own access.',
    request: ViewCategoryRequest,
    response: CategoryView,
    access: ['clinician'],
  }),
  'records.document': channel({
    summary: "A document's PDF for the in-app viewer; logged as a view of documents.",
    request: DocumentRequest,
    response: ChartDocument,
    access: ['clinician'],
  }),
  'records.breakGlass': channel({
    summary: 'Emergency access to a chart with a reason code and a note, for a limited time; always reviewed.',
    request: BreakGlassRequest,
    response: BreakGlassState,
    access: ['clinician'],
  }),
  'records.endBreakGlass': channel({
    summary: 'End an emergency access early.',
    request: PatientRequest,
    response: z.object({ ended: z.literal(true) }),
    access: ['clinician'],
  }),
  'records.stillOpen': channel({
    summary: 'Whether an open chart may stay open (consent revoked or ended, emergency access over).',
    request: StillOpenRequest,
    response: ChartStillOpen,
    access: ['clinician'],
  }),
  'privacy.patients': channel({
    summary: 'Find a patient in this workstation by name or MRN, for the access report and consents.',
    request: WardListRequest,
    response: z.array(WardPatient),
    access: ['privacy'],
  }),
  'privacy.reviewQueue': channel({
    summary: "This hospital's break-the-glass (and not-covered) accesses awaiting review, from the ledger.",
    request: Empty,
    response: z.array(AccessEntryView),
    access: ['privacy'],
  }),
  'privacy.review': channel({
    summary: 'Record a review of an access: justified or unjustified, with a note (its hash goes to the ledger).',
    request: ReviewRequest,
    response: z.object({ entryId: z.string(), outcome: z.string() }),
    access: ['privacy'],
  }),
  'privacy.accessReport': channel({
    summary: "Every access to a patient's records across all hospitals, from the ledger.",
    request: AccessReportRequest,
    response: AccessReport,
    access: ['privacy'],
  }),
  'privacy.accessReportPdf': channel({
    summary: 'The access report as a PDF the patient can take home.',
    request: AccessReportRequest,
    response: AccessReportPdf,
    access: ['privacy'],
  }),
  'privacy.consents': channel({
    summary: "A patient's consents to this hospital with their scope and history.",
    request: AccessReportRequest,
    response: z.array(ConsentView),
    access: ['privacy'],
  }),
  'privacy.settings': channel({
    summary: 'How long emergency access lasts at this workstation.',
    request: Empty,
    response: PrivacySettings,
    access: ['privacy', 'clinician'],
  }),
  'privacy.setBreakGlassMinutes': channel({
    summary: 'Change how long emergency access lasts (5 to 720 minutes).',
    request: PrivacySettings,
    response: PrivacySettings,
    access: ['privacy'],
  }),
} as const;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[];

export type RequestOf<C extends ChannelName> = z.input<Contract[C]['request']>;
export type ParsedRequestOf<C extends ChannelName> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends ChannelName> = z.output<Contract[C]['response']>;

/** The typed surface the preload (Electron) or the HTTP client (web host) gives the renderer. */
export type CareLedgerApi = {
  [C in ChannelName]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;
} & {
  /** Subscribe to pushed events; returns an unsubscribe function. */
  onEvent(listener: (event: PushEvent) => void): () => void;
};

// ---------------------------------------------------------------------------------------
// Events pushed from main to the renderer

export const PushEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session'), state: SessionState }),
  z.object({ type: z.literal('sync'), state: SyncState }),
  z.object({ type: z.literal('cache'), state: CacheState }),
  /** Someone changed the date and time style: every open window switches to it. */
  z.object({ type: z.literal('dateTime'), state: DateTimeSettingsState }),
]);
export type PushEvent = z.infer<typeof PushEvent>;

/**
 * Whether a session with `role` at an organisation of `kind` may call a channel with `access`
 * (ignores lock state). A plain role list means hospital staff with one of those roles.
 */
export function roleMayCall(access: ChannelAccess, role: StaffRole | null, kind: OrganisationKind | null): boolean {
  if (access === 'anyone') return true;
  if (role === null || kind === null) return false;
  if (access === 'signed-in') return true;
  if (isRoleList(access)) return kind === 'hospital' && access.includes(role);
  return access.kinds.includes(kind) && access.roles.includes(role);
}

function isRoleList(access: ChannelAccess): access is readonly StaffRole[] {
  return Array.isArray(access);
}
