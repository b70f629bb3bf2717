/**
 * The admission desk's shapes as they cross IPC: scan results, patients and their matches,
 * admissions, consent summaries, insurance eligibility and the wristband document.
 *
 * Patients are personal health information: these shapes travel only between the renderer
 * and main, and are stored only in the encrypted cache. The ledger sees a DID (wallet
 * patients) or a random pseudonymous did:key (manual and emergency registrations).
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';
import { OverrideReasonCode, VerificationReport } from '../identity/report';

const IsoDate = z.iso.date();
const IsoDateTime = z.iso.datetime({ offset: true });
const Name = z.string().trim().min(1, 'Enter a name.').max(200);

/** How the scanned text reached the workstation; only for the audit trail and the figures. */
export const ScanSource = z.enum(['camera', 'scanner', 'image', 'paste']);
export type ScanSource = z.infer<typeof ScanSource>;

export const Gender = z.enum(['female', 'male', 'other', 'unknown']);
export type Gender = z.infer<typeof Gender>;

/** Whether the patient has known allergies, as the wristband shows it. */
export const AllergyFlag = z.enum(['yes', 'no', 'unknown']);
export type AllergyFlag = z.infer<typeof AllergyFlag>;

/**
 * How sure the hospital is of who the patient is:
 * - `wallet-verified`: identity card from the wallet, verified (or accepted by audited override);
 * - `manual-unverified`: typed in by the clerk from what the patient said or a paper document;
 * - `unidentified`: emergency registration under a temporary name, to be reconciled later.
 */
export const IdentityStatus = z.enum(['wallet-verified', 'manual-unverified', 'unidentified']);
export type IdentityStatus = z.infer<typeof IdentityStatus>;

export const Demographics = z
  .object({
    givenName: Name,
    familyName: Name,
    birthDate: IsoDate,
    gender: Gender.default('unknown'),
  })
  .strict();
export type Demographics = z.infer<typeof Demographics>;

export const PatientSummary = z.object({
  patientId: z.string(),
  /** Medical record number: 7 digits, a hyphen and a Luhn check digit (e.g. 1000017-4). */
  mrn: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: z.string().nullable(),
  /** For unidentified patients: the estimated age in years when registered. */
  estimatedAgeYears: z.number().int().nullable(),
  gender: Gender,
  identityStatus: IdentityStatus,
  /** The wallet DID when known (wallet-verified or reconciled). */
  walletDid: z.string().nullable(),
  allergies: AllergyFlag,
  /** Set when this record was merged into another: use that one. */
  mergedInto: z.string().nullable(),
  createdAt: z.string(),
});
export type PatientSummary = z.infer<typeof PatientSummary>;

/** One reason a candidate record resembles the patient, in words for the clerk. */
export const MatchReason = z.object({
  /** e.g. 'wallet-did', 'family-name-exact', 'given-name-nickname', 'birth-date-day-month-swapped'. */
  code: z.string(),
  message: z.string(),
  /** Points this reason added to (or, when negative, removed from) the score. */
  points: z.number(),
});
export type MatchReason = z.infer<typeof MatchReason>;

/** Where a patient is admitted now (this hospital), so the desk offers transfer or discharge instead of a second admission. */
export const CurrentStay = z.object({
  admissionId: z.string(),
  wardCode: z.string(),
  wardName: z.string(),
  bed: z.string(),
  admittedAt: z.string(),
});
export type CurrentStay = z.infer<typeof CurrentStay>;

export const PatientMatch = z.object({
  patient: PatientSummary,
  /** The patient's open stay, when they are admitted already (null or absent: not admitted). */
  currentStay: CurrentStay.nullable().optional(),
  /** 0..100. 100 = same wallet DID. */
  score: z.number(),
  /**
   * - `same-wallet`: the record holds this wallet's DID: it is this patient;
   * - `likely`: probably the same person: pick it unless you are sure it is someone else;
   * - `possible`: resembles the patient: check the birth date and address before choosing.
   */
  strength: z.enum(['same-wallet', 'likely', 'possible']),
  reasons: z.array(MatchReason),
});
export type PatientMatch = z.infer<typeof PatientMatch>;

/** The consent grant in plain words, for the clerk to read back to the patient. */
export const ConsentSummary = z.object({
  status: z.enum(['granted', 'none', 'not-for-this-hospital', 'expired']),
  /** One paragraph: who may see what, for what purpose, until when; or why there is none. */
  text: z.string(),
  consentId: z.string().nullable(),
  grantee: z.string().nullable(),
  granteeName: z.string().nullable(),
  purposes: z.array(z.string()),
  categories: z.array(z.string()),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
});
export type ConsentSummary = z.infer<typeof ConsentSummary>;

/** Insurance eligibility on the admission date. Never blocks an admission. */
export const Eligibility = z.object({
  status: z.enum(['eligible', 'not-eligible', 'unknown']),
  /** A sentence for the clerk: why, and what to do. */
  message: z.string(),
  insurerName: z.string().nullable(),
  insurerDid: z.string().nullable(),
  memberId: z.string().nullable(),
  planName: z.string().nullable(),
  groupNumber: z.string().nullable(),
  coverageStart: z.string().nullable(),
  coverageEnd: z.string().nullable(),
  /** The date eligibility was judged for (YYYY-MM-DD). */
  checkedFor: z.string(),
  /**
   * The verified card's status-list entries (revocation, suspension) and its issuer, kept so
   * billing can look the card up in the status-list mirror later. Absent on admissions made
   * before this was kept, or without a card.
   */
  cardStatus: z
    .object({
      issuer: z.string(),
      entries: z.array(z.object({ purpose: z.enum(['revocation', 'suspension']), listId: z.string(), index: z.number().int().nonnegative() })),
    })
    .optional(),
});
export type Eligibility = z.infer<typeof Eligibility>;

/** The verified identity card's claims, as the desk shows them. */
export const ScannedIdentity = z.object({
  patientDid: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: z.string(),
  gender: Gender,
  nationalId: z.string().nullable(),
  address: z.string().nullable(),
});
export type ScannedIdentity = z.infer<typeof ScannedIdentity>;

/**
 * The answer to one scanned text.
 * - `collecting`: one part of a multi-part code was taken; scan the others (progress given).
 * - `verified`: the whole presentation was checked. `accepted` says whether the desk may act on
 *   it (valid, or cannot-determine after an audited override). When accepted, `identity`,
 *   `matches`, `consent` and `eligibility` are filled; otherwise only the report (which says why).
 */
export const ScanResult = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('collecting'),
    /** Part numbers (1-based) received so far. */
    received: z.array(z.number().int()),
    total: z.number().int(),
    /** True when the text just scanned had been scanned already (a camera sees a code many times). */
    repeated: z.boolean(),
  }),
  z.object({
    status: z.literal('verified'),
    /** Refers to this scan in later calls (override, admit, reconcile). Valid for 30 minutes. */
    scanId: z.string(),
    report: VerificationReport,
    accepted: z.boolean(),
    /** True when the verdict is cannot-determine and no override has been made yet. */
    canOverride: z.boolean(),
    identity: ScannedIdentity.nullable(),
    matches: z.array(PatientMatch),
    consent: ConsentSummary.nullable(),
    eligibility: Eligibility.nullable(),
  }),
]);
export type ScanResult = z.infer<typeof ScanResult>;

export const Ward = z.object({
  /** Opaque code: this is what the ledger sees, never the ward name. */
  code: z.string(),
  name: z.string(),
  beds: z.array(z.string()),
});
export type Ward = z.infer<typeof Ward>;

export const Clinician = z.object({ id: z.string(), name: z.string() });
export type Clinician = z.infer<typeof Clinician>;

/** A bed in use: ward code + bed code (not personal data). */
export const BedRef = z.object({ wardCode: z.string(), bed: z.string() });
export type BedRef = z.infer<typeof BedRef>;

export const DeskOptions = z.object({
  hospitalDid: z.string(),
  wards: z.array(Ward),
  /**
   * Beds occupied now, in the whole hospital: this desk's admissions (queued or on the ledger)
   * and the other desks' as the ledger's admission events report them. Free = ward.beds minus these.
   */
  occupiedBeds: z.array(BedRef).default([]),
  clinicians: z.array(Clinician),
  overrideReasons: z.array(z.object({ code: OverrideReasonCode, label: z.string() })),
});
export type DeskOptions = z.infer<typeof DeskOptions>;

export const AdmissionStatus = z.enum(['admitted', 'discharged']);

export const AdmissionMovement = z.object({
  kind: z.enum(['admit', 'transfer', 'discharge']),
  at: z.string(),
  wardCode: z.string().nullable(),
  bed: z.string().nullable(),
  byStaffId: z.string(),
  note: z.string().nullable(),
});
export type AdmissionMovement = z.infer<typeof AdmissionMovement>;

/** Where the admission's ledger writes are: queued in the outbox, on the ledger, or refused. */
export const LedgerSyncStatus = z.enum(['queued', 'committed', 'failed']);

export const AdmissionRecord = z.object({
  admissionId: z.string(),
  /** The random id the ledger knows this stay by. */
  encounterId: z.string(),
  patient: PatientSummary,
  status: AdmissionStatus,
  wardCode: z.string(),
  wardName: z.string(),
  bed: z.string(),
  attendingClinicianId: z.string(),
  attendingClinicianName: z.string(),
  reason: z.string(),
  admittedAt: z.string(),
  dischargedAt: z.string().nullable(),
  consent: ConsentSummary,
  eligibility: Eligibility,
  /** True when the patient's identity was not verified from a wallet (manual or unidentified). */
  unverifiedIdentity: z.boolean(),
  ledger: z.object({ admission: LedgerSyncStatus, consent: LedgerSyncStatus.nullable() }),
  movements: z.array(AdmissionMovement),
});
export type AdmissionRecord = z.infer<typeof AdmissionRecord>;

export const AdmissionListItem = z.object({
  admissionId: z.string(),
  patientId: z.string(),
  mrn: z.string(),
  patientName: z.string(),
  status: AdmissionStatus,
  wardCode: z.string(),
  wardName: z.string(),
  bed: z.string(),
  admittedAt: z.string(),
  /** The patient's allergy answer, as on the wristband. */
  allergies: AllergyFlag,
  hasConsent: z.boolean(),
  unverifiedIdentity: z.boolean(),
});
export type AdmissionListItem = z.infer<typeof AdmissionListItem>;

const Id = z.string().trim().min(1).max(100);
const Reason = z.string().trim().min(3, 'Write the reason in a few words.').max(500);

// ---- requests ---------------------------------------------------------------------------

export const ScanRequest = z
  .object({
    /** The decoded text of one wallet code (or one part of a multi-part code). */
    text: z.string().max(20_000, 'This is far longer than any wallet code; scan again.'),
    source: ScanSource.default('camera'),
  })
  .strict();

export const OverrideRequest = z
  .object({
    scanId: Id,
    reasons: z.array(OverrideReasonCode).min(1, 'Choose why the checks are being overridden.').max(5),
    /** Typed by the clerk: who was called, what the emergency is. Goes to the audit trail. */
    note: z.string().trim().min(10, 'Type the reason for the override (at least 10 characters).').max(1000),
  })
  .strict();

export const PatientSearchRequest = z
  .object({
    walletDid: z.string().max(4096).optional(),
    givenName: z.string().trim().max(200).optional(),
    familyName: z.string().trim().max(200).optional(),
    birthDate: IsoDate.optional(),
    mrn: z.string().trim().max(20).optional(),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .strict();

export const ManualRegistrationRequest = Demographics.extend({
  allergies: AllergyFlag.default('unknown'),
  /** Set after the clerk saw the duplicate warning and is sure this is a different person. */
  confirmNotDuplicate: z.boolean().default(false),
}).strict();

export const UnidentifiedRegistrationRequest = z
  .object({
    gender: Gender.default('unknown'),
    estimatedAgeYears: z.number().int().min(0).max(120),
    allergies: AllergyFlag.default('unknown'),
  })
  .strict();

export const MergeRequest = z
  .object({
    /** The record that stays. */
    survivorId: Id,
    /** The record created by mistake; it will point to the survivor. */
    mergedId: Id,
    reason: Reason,
  })
  .strict();

export const ReconcileRequest = z
  .object({
    /** The manual or unidentified record. */
    patientId: Id,
    /** A verified (or accepted) wallet scan of the same person. */
    scanId: Id,
  })
  .strict();

export const AdmitRequest = z
  .object({
    /** The accepted wallet scan, or absent for a manual/emergency registration. */
    scanId: Id.optional(),
    /** An existing record (picked from the matches), or 'new' to create one from the scan. */
    patient: z.union([z.object({ patientId: Id }).strict(), z.object({ createFromScan: z.literal(true), confirmNotDuplicate: z.boolean().default(false) }).strict()]),
    wardCode: Id,
    bed: z.string().trim().min(1, 'Choose a bed.').max(20),
    attendingClinicianId: Id,
    reason: Reason,
    /** Default: the time the request arrives (Admit pressed). Send it only when the clerk changed it. */
    admittedAt: IsoDateTime.optional(),
    /**
     * The answer the clerk confirmed on the form. 'unknown' never replaces a known answer on the
     * record (an allergy recorded once is never silently reset); absent = keep the record's.
     */
    allergies: AllergyFlag.optional(),
    /** Record the wallet's consent grant on the ledger (default true when the scan holds one). */
    recordConsent: z.boolean().default(true),
  })
  .strict();

export const TransferRequest = z
  .object({ admissionId: Id, wardCode: Id, bed: z.string().trim().min(1).max(20), at: IsoDateTime.optional(), note: z.string().trim().max(500).optional() })
  .strict();

export const DischargeRequest = z.object({ admissionId: Id, at: IsoDateTime.optional(), note: z.string().trim().max(500).optional() }).strict();

export const WristbandRequest = z
  .object({
    admissionId: Id,
    /** `wristband`: a 25 x 250 mm band; `label`: a 100 x 50 mm sticker for forms and tubes. */
    format: z.enum(['wristband', 'label']).default('wristband'),
    /** Send it to the printer (Electron); the web host has no printer and returns the file only. */
    print: z.boolean().default(false),
  })
  .strict();

export const WristbandDocument = z.object({
  fileName: z.string(),
  mimeType: z.literal('application/pdf'),
  /** The PDF, base64. The web host's renderer offers it as a download. */
  pdfBase64: z.string(),
  /** True when it went to the printer; false when the caller should offer the file. */
  printed: z.boolean(),
});
export type WristbandDocument = z.infer<typeof WristbandDocument>;
