/**
 * The clinician's chart and the privacy office (issue 11): request and response shapes of the
 * `records.*` and `privacy.*` channels. Plain TypeScript and zod: no node, no DOM.
 *
 * A chart entry is one FHIR R4 resource as a hospital's record gatekeeper released it, with
 * where it came from, when it was fetched, what allowed it (a consent, this hospital's own
 * admission, or break-the-glass) and the state of its ledger anchor.
 */
import { z } from 'zod';
import { BREAK_GLASS_REASONS, PURPOSES_OF_USE, RECORD_CATEGORIES } from './vocab';

export const RecordCategory = z.enum(RECORD_CATEGORIES);
export type RecordCategory = z.infer<typeof RecordCategory>;
export const PurposeOfUse = z.enum(PURPOSES_OF_USE);
export type PurposeOfUse = z.infer<typeof PurposeOfUse>;

/** The tabs of the chart, in the order a clinician reads them. `demographics` and `imaging` have no tab of their own. */
export const CHART_TABS = [
  'conditions',
  'observations',
  'medications',
  'allergies',
  'immunizations',
  'procedures',
  'encounters',
  'documents',
] as const satisfies readonly RecordCategory[];

/**
 * Break-the-glass reason codes (the Access contract's). A free-text note goes with the code; only
 * its hash reaches the access entry (the note itself is kept on the ledger where it can be purged).
 */
export const BreakGlassReason = z.enum(BREAK_GLASS_REASONS);
export type BreakGlassReason = z.infer<typeof BreakGlassReason>;
export const BREAK_GLASS_REASON_WORDS: Record<BreakGlassReason, string> = {
  'emergency-unconscious': 'Emergency: the patient is unconscious',
  'emergency-life-threatening': 'Emergency: life-threatening condition',
  'emergency-incapacitated': 'Emergency: the patient cannot consent',
  'emergency-other': 'Emergency: other (explain in the note)',
  'legal-obligation': 'Legal obligation (explain in the note)',
};

/**
 * The ledger anchor of one record version:
 * - `verified`: the salted hash on the ledger matches this content;
 * - `older-version`: it matches, but the hospital holds a newer version;
 * - `mismatch`: the content does not match what the ledger anchored (altered or damaged);
 * - `unchecked`: not checked yet (offline when it arrived, or the ledger has no anchor yet).
 */
export const AnchorState = z.enum(['verified', 'older-version', 'mismatch', 'unchecked']);
export type AnchorState = z.infer<typeof AnchorState>;

/** What allowed a record into this chart. */
export const ReleaseBasis = z.enum(['consent', 'own-admission', 'break-glass']);
export type ReleaseBasis = z.infer<typeof ReleaseBasis>;

export const ChartEntry = z.object({
  /** `<hospital MSP>/<resourceType>/<id>`: unique in the cache. */
  key: z.string(),
  category: RecordCategory,
  resourceType: z.string(),
  /** One line for the list: what it is ("Type 2 diabetes mellitus", "Weight 82 kg"). */
  title: z.string(),
  /** A second line: status, dose, severity, value with unit… */
  detail: z.string(),
  /** When it happened (onset, effective, recorded), ISO; null when the record has no date. */
  occurredAt: z.string().nullable(),
  sourceMspId: z.string(),
  sourceName: z.string(),
  fetchedAt: z.string(),
  basis: ReleaseBasis,
  consentId: z.string().nullable(),
  anchor: AnchorState,
  /** For `mismatch` and `older-version`: what it means and what to do. */
  anchorNote: z.string().nullable(),
  /** Allergies: 'high' first. */
  severity: z.string().nullable(),
  /** Observations: LOINC code, numeric value and UCUM unit, for the trend plots. */
  code: z.string().nullable(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
  /** Documents: whether a PDF is attached (opened with `records.document`). */
  hasDocument: z.boolean(),
});
export type ChartEntry = z.infer<typeof ChartEntry>;

/** One series of a trend plot: one LOINC code (blood pressure: two, systolic and diastolic). */
export const TrendSeries = z.object({
  code: z.string(),
  label: z.string(),
  unit: z.string(),
  /** Shaded band: the usual adult reference range, when known. */
  low: z.number().nullable(),
  high: z.number().nullable(),
  points: z.array(z.object({ at: z.string(), value: z.number(), sourceName: z.string() })),
});
export type TrendSeries = z.infer<typeof TrendSeries>;

/** A category the clinician may not see, and why, in words. Never hidden silently. */
export const WithheldCategory = z.object({
  category: RecordCategory,
  reason: z.string(),
});

/** A hospital asked for records: reached, not reached (with the sentence), or answered from the cache. */
export const SourceStatus = z.object({
  mspId: z.string(),
  name: z.string(),
  state: z.enum(['fresh', 'cached', 'unreachable', 'none']),
  message: z.string(),
  fetchedAt: z.string().nullable(),
  /** Resources skipped because they were invalid or too large, with a note each. */
  skipped: z.array(z.string()),
});

export const ChartBanner = z.object({
  basis: z.enum(['consent', 'own-admission', 'break-glass', 'none']),
  /** "Consent from the patient, signed 3 Dec, for treatment, covers …; until 3 Mar". */
  text: z.string(),
  consentId: z.string().nullable(),
  until: z.string().nullable(),
});

export const BreakGlassState = z.object({
  sessionId: z.string(),
  reasonCode: BreakGlassReason,
  openedAt: z.string(),
  expiresAt: z.string(),
});
export type BreakGlassState = z.infer<typeof BreakGlassState>;

export const Chart = z.object({
  patientId: z.string(),
  patientName: z.string(),
  mrn: z.string(),
  birthDate: z.string().nullable(),
  /** The view's access entry id (every view has one). */
  accessEntryId: z.string(),
  openedAt: z.string(),
  purpose: PurposeOfUse,
  banners: z.array(ChartBanner),
  breakGlass: BreakGlassState.nullable(),
  withheld: z.array(WithheldCategory),
  /** Categories released, in tab order. */
  released: z.array(RecordCategory),
  offline: z.boolean(),
  /** Offline: how old the cached records are (the oldest fetch), ISO. */
  cachedAsOf: z.string().nullable(),
  sources: z.array(SourceStatus),
  summary: z.object({
    problems: z.array(ChartEntry),
    allergies: z.array(ChartEntry),
    medications: z.array(ChartEntry),
    vitals: z.array(ChartEntry),
  }),
  entries: z.array(ChartEntry),
  trends: z.array(TrendSeries),
});
export type Chart = z.infer<typeof Chart>;

const Id = z.string().trim().min(1).max(100);

export const OpenChartRequest = z
  .object({
    patientId: Id,
    purpose: PurposeOfUse.default('TREAT'),
    /** Ask the hospitals' gatekeepers again (false: the cache only). */
    refresh: z.boolean().default(true),
  })
  .strict();

export const ViewCategoryRequest = z
  .object({ patientId: Id, category: RecordCategory, purpose: PurposeOfUse.default('TREAT') })
  .strict();
export const CategoryView = z.object({
  accessEntryId: z.string(),
  category: RecordCategory,
  entries: z.array(ChartEntry),
  withheld: z.string().nullable(),
});
export type CategoryView = z.infer<typeof CategoryView>;

export const BreakGlassRequest = z
  .object({
    patientId: Id,
    reasonCode: BreakGlassReason,
    note: z.string().trim().min(10, 'Write what the emergency is, in a sentence (at least 10 characters).').max(2000),
  })
  .strict();

/** Whether an open chart may stay open: asked on every sync and every few seconds. */
export const ChartStillOpen = z.object({
  open: z.boolean(),
  /** When closed: why, in a sentence ("Maria Oliveira withdrew her consent…"). */
  reason: z.string().nullable(),
  breakGlass: BreakGlassState.nullable(),
});
export type ChartStillOpen = z.infer<typeof ChartStillOpen>;

export const WardPatient = z.object({
  patientId: z.string(),
  patientName: z.string(),
  mrn: z.string(),
  wardName: z.string(),
  bed: z.string(),
  admittedAt: z.string().nullable(),
  hasConsent: z.boolean(),
});
export type WardPatient = z.infer<typeof WardPatient>;

export const WardListRequest = z.object({ query: z.string().trim().max(100).default('') }).strict();

export const ChartDocument = z.object({
  fileName: z.string(),
  contentType: z.literal('application/pdf'),
  base64: z.string(),
  accessEntryId: z.string(),
  /** The document's text, page by page, for the in-app viewer (the CSP allows no PDF plug-in). */
  pages: z.array(z.array(z.string())),
});
export type ChartDocument = z.infer<typeof ChartDocument>;
export const DocumentRequest = z.object({ patientId: Id, key: z.string().min(1).max(300) }).strict();

// ---- Privacy office

/** An access entry as the privacy office sees it (from the ledger, or still on this workstation). */
export const AccessEntryView = z.object({
  entryId: z.string(),
  patientDid: z.string(),
  /** The patient's name when this workstation knows them, else null. */
  patientName: z.string().nullable(),
  hospitalMspId: z.string(),
  staffId: z.string(),
  role: z.string(),
  purpose: z.string(),
  categories: z.array(z.string()),
  decision: z.enum(['allowed', 'refused']),
  consentId: z.string().nullable(),
  breakGlassReason: z.string().nullable(),
  accessedAt: z.string(),
  consentCheck: z.string().nullable(),
  review: z
    .object({ outcome: z.enum(['justified', 'unjustified']), reviewedAt: z.string(), reviewer: z.string() })
    .nullable(),
  /** 'ledger' or 'this workstation (not on the ledger yet)'. */
  where: z.enum(['ledger', 'local']),
  /** Break-glass: how long the chart stayed open, minutes (known on this workstation only). */
  minutesOpen: z.number().nullable(),
  /**
   * Access report: the hospitals whose record gatekeepers released records for this view (their
   * release entries share its request id and are shown as part of this one access).
   */
  releasedBy: z.array(z.string()),
});
export type AccessEntryView = z.infer<typeof AccessEntryView>;

export const ReviewRequest = z
  .object({
    entryId: Id,
    outcome: z.enum(['justified', 'unjustified']),
    note: z.string().trim().min(3, 'Write the reason for your decision in a few words.').max(2000),
  })
  .strict();

export const AccessReportRequest = z
  .object({ patientId: Id.optional(), patientDid: z.string().trim().startsWith('did:').max(2000).optional() })
  .strict();
export const AccessReport = z.object({
  patientDid: z.string(),
  patientName: z.string().nullable(),
  entries: z.array(AccessEntryView),
  /** Could every hospital's entries be read from the ledger? If not, why. */
  complete: z.boolean(),
  note: z.string().nullable(),
  generatedAt: z.string(),
});
export type AccessReport = z.infer<typeof AccessReport>;

export const ConsentView = z.object({
  consentId: z.string(),
  granteeMspId: z.string(),
  purposes: z.array(z.string()),
  categories: z.array(z.string()),
  from: z.string(),
  until: z.string(),
  status: z.enum(['active', 'revoked', 'expired']),
  revokedAt: z.string().nullable(),
  recordedAt: z.string(),
});
export type ConsentView = z.infer<typeof ConsentView>;

export const PrivacySettings = z.object({ breakGlassMinutes: z.number().int().min(5).max(720) });

export const StillOpenRequest = z
  .object({
    patientId: Id,
    consentIds: z.array(z.string().max(200)).max(20),
    breakGlassSessionId: z.string().max(100).nullable(),
  })
  .strict();
export const PatientRequest = z.object({ patientId: Id }).strict();
export const AccessReportPdf = z.object({
  fileName: z.string(),
  contentType: z.literal('application/pdf'),
  base64: z.string(),
});
