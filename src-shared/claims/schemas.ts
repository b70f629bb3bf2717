/**
 * Claims as they cross IPC: the claim form (one zod schema, used by react-hook-form through
 * zodResolver and by main again), the work list, the claim detail with its timeline, and the
 * insurer's adjudication.
 *
 * A claim names a patient: these shapes travel only between the renderer and main and are
 * stored only in the encrypted cache; the ledger's public state keeps ids, amounts, statuses,
 * reason codes and a salted fingerprint (the FHIR Claim itself goes to the pair's private
 * collection).
 *
 * Money: the form takes amounts as the clerk types them (decimal, at most two places); every
 * stored or computed amount is an integer of cents (`…Cents`), so sums are exact.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';
import { CARC_FORMAT, ICD10CM_FORMAT, MODIFIER_FORMAT, REVENUE_FORMAT, procedureSystemOf } from './codes';

const IsoDate = z.iso.date('Give the date as YYYY-MM-DD.');
const Id = z.string().trim().min(1).max(100);

export const ClaimType = z.enum(['institutional', 'professional']);
export type ClaimType = z.infer<typeof ClaimType>;

/** Money typed by the clerk: positive, at most two decimals. */
export const Money = z
  .number({ error: 'Enter an amount, e.g. 125.50.' })
  .positive('Enter an amount above 0.')
  .max(10_000_000, 'That amount is far above any single service; check it.')
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'Use at most two decimals (cents).');

/** Decimal amount -> integer cents (the amount has at most two decimals). */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export const ClaimDiagnosisForm = z.object({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(ICD10CM_FORMAT, 'Not an ICD-10-CM code: a letter, two characters, then optionally a dot and up to four more (e.g. J18.9).'),
});

export const ClaimLineForm = z.object({
  /** CPT or HCPCS level II code. */
  code: z
    .string()
    .trim()
    .toUpperCase()
    .refine((c) => procedureSystemOf(c) !== null, 'Not a CPT code (5 digits, e.g. 99223) or HCPCS code (a letter and 4 digits, e.g. J1885).'),
  modifiers: z
    .array(z.string().trim().toUpperCase().regex(MODIFIER_FORMAT, 'A modifier is two letters or digits (e.g. 25, LT).'))
    .max(4, 'A service line takes at most 4 modifiers.'),
  /** NUBC revenue code; required on institutional claims, empty on professional ones. */
  revenueCode: z.string().trim().refine((c) => c === '' || REVENUE_FORMAT.test(c), 'A revenue code is 4 digits starting with 0 (e.g. 0120).'),
  servicedDate: IsoDate,
  units: z.number({ error: 'Enter the number of units.' }).int('Units are whole numbers.').min(1, 'At least 1 unit.').max(999, 'At most 999 units on one line.'),
  unitPrice: Money,
});
export type ClaimLineForm = z.infer<typeof ClaimLineForm>;

/** The claim form: what the clerk edits. Everything else (patient, coverage, provider) comes from the admission. */
export const ClaimForm = z.object({
  admissionId: Id,
  claimType: ClaimType,
  /** ICD-10-CM codes, principal diagnosis first. */
  diagnoses: z.array(ClaimDiagnosisForm).min(1, 'Add the principal diagnosis.').max(12, 'At most 12 diagnoses.'),
  items: z.array(ClaimLineForm).min(1, 'Add at least one service line.').max(50, 'At most 50 service lines.'),
  /** The total on the hospital's bill, when the clerk types it: the items must add up to it. */
  billTotal: z.number().nonnegative().nullable(),
  note: z.string().trim().max(500).default(''),
});
export type ClaimForm = z.input<typeof ClaimForm>;
export type ParsedClaimForm = z.output<typeof ClaimForm>;

/**
 * A draft as saved: the same shape, without the code and amount checks, so work in progress
 * (a half-typed code, a price not yet known) is never lost. The checklist says what is missing.
 */
export const ClaimDraftForm = z.object({
  admissionId: Id,
  claimType: ClaimType,
  diagnoses: z.array(z.object({ code: z.string().trim().toUpperCase().max(16) })).max(12, 'At most 12 diagnoses.'),
  items: z
    .array(
      z.object({
        code: z.string().trim().toUpperCase().max(16),
        modifiers: z.array(z.string().trim().toUpperCase().max(4)).max(8),
        revenueCode: z.string().trim().max(8),
        servicedDate: z.string().max(10),
        units: z.number().int().min(0).max(9999),
        unitPrice: z.number().min(0).max(10_000_000),
      }),
    )
    .max(50, 'At most 50 service lines.'),
  billTotal: z.number().nonnegative().nullable(),
  note: z.string().trim().max(500).default(''),
});

/**
 * What the workstation knows about a claim.
 * - `draft`: only on this workstation.
 * - `queued`: waiting in the outbox (offline, or being sent).
 * - `refused`: the ledger refused the last send (the sentence says why); the draft is kept.
 * - the rest are the ledger's statuses.
 */
export const ClaimStatus = z.enum(['draft', 'queued', 'refused', 'submitted', 'pended', 'adjudicated', 'paid', 'withdrawn', 'resubmitted']);
export type ClaimStatus = z.infer<typeof ClaimStatus>;
export const ClaimOutcome = z.enum(['approved', 'partial', 'denied']);
export type ClaimOutcome = z.infer<typeof ClaimOutcome>;

export const ReasonCode = z.object({ code: z.string(), description: z.string() });
export type ReasonCode = z.infer<typeof ReasonCode>;

export const ClaimSummary = z.object({
  claimId: z.string(),
  admissionId: z.string().nullable(),
  patientName: z.string(),
  mrn: z.string().nullable(),
  insurerName: z.string(),
  insurerMspId: z.string(),
  /** The billing hospital (what the insurer's screens name). */
  hospitalMspId: z.string(),
  claimType: ClaimType,
  status: ClaimStatus,
  outcome: ClaimOutcome.nullable(),
  totalCents: z.number().int(),
  approvedCents: z.number().int().nullable(),
  paidCents: z.number().int().nullable(),
  currency: z.string(),
  /** Ledger version of the public record (0 while never sent). */
  version: z.number().int(),
  submissionCount: z.number().int(),
  reasonCodes: z.array(ReasonCode),
  /** First service date, for the list. */
  serviceFrom: z.string(),
  updatedAt: z.string(),
  /** True when the clerk has to act: pended, denied, partial, refused. */
  needsAction: z.boolean(),
  /** The last refusal or conflict, in words, while it stands. */
  problem: z.string().nullable(),
});
export type ClaimSummary = z.infer<typeof ClaimSummary>;

/** An admission that can be billed: discharged, or staying long enough for an interim claim. */
export const BillableAdmission = z.object({
  admissionId: z.string(),
  patientName: z.string(),
  mrn: z.string(),
  status: z.string(),
  admittedAt: z.string(),
  dischargedAt: z.string().nullable(),
  insurerName: z.string().nullable(),
  /** Why it is on the list ('discharged' or 'interim: N days'), or why it cannot be billed yet. */
  note: z.string(),
  billable: z.boolean(),
});
export type BillableAdmission = z.infer<typeof BillableAdmission>;

export const ClaimWorkList = z.object({
  readyToBill: z.array(BillableAdmission),
  claims: z.array(ClaimSummary),
  /** Which organisation this workstation speaks for. */
  side: z.enum(['hospital', 'insurer']),
});
export type ClaimWorkList = z.infer<typeof ClaimWorkList>;

/** Facts the checklist needs beyond the form, from the admission, the coverage and the ledger mirrors. */
export const ClaimContext = z.object({
  admissionId: z.string(),
  patientName: z.string(),
  mrn: z.string(),
  admittedOn: IsoDate,
  /** Null while the patient is still in hospital. */
  dischargedOn: IsoDate.nullable(),
  today: IsoDate,
  coverage: z
    .object({
      /** The admission desk's judgement of the card: eligible, not-eligible, unknown. */
      eligibility: z.enum(['eligible', 'not-eligible', 'unknown']),
      eligibilityMessage: z.string(),
      insurerName: z.string(),
      insurerDid: z.string(),
      memberId: z.string(),
      planName: z.string(),
      start: IsoDate,
      end: IsoDate,
      /** From the status-list mirror: 'unknown' when the card carried no status entry the workstation can read. */
      revocation: z.enum(['active', 'revoked', 'unknown']),
      revokedOn: z.string().nullable(),
      /** Why the revocation state is unknown, or 'suspended' when a suspension bit (not revocation) is set. */
      revocationNote: z.string().nullable().optional(),
    })
    .nullable(),
  /** The insurer as registered on the ledger (governance), or null when it is not. */
  insurer: z.object({ mspId: z.string(), name: z.string() }).nullable(),
  currency: z.string(),
});
export type ClaimContext = z.infer<typeof ClaimContext>;

/** One line of the live checklist. */
export const ClaimCheck = z.object({
  id: z.string(),
  label: z.string(),
  ok: z.boolean(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  /** The form field it concerns (react-hook-form path, e.g. 'items.0.code'), if one. */
  field: z.string().nullable(),
});
export type ClaimCheck = z.infer<typeof ClaimCheck>;

export const TimelineEntry = z.object({
  at: z.string(),
  kind: z.enum(['drafted', 'queued', 'submitted', 'resubmitted', 'pended', 'adjudicated', 'paid', 'withdrawn', 'refused', 'purged', 'auto-rule']),
  /** The sentence shown, e.g. 'Adjudicated: partially approved, 1,200.00 of 1,450.00'. */
  text: z.string(),
  reasonCodes: z.array(ReasonCode),
  version: z.number().int().nullable(),
  by: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const ItemAdjudication = z.object({
  sequence: z.number().int().positive(),
  decision: z.enum(['approve', 'reduce', 'deny']),
  approvedCents: z.number().int().nonnegative(),
  reasonCodes: z.array(z.string().regex(CARC_FORMAT, 'Use CARC codes (e.g. 45, 96).')).max(5),
});
export type ItemAdjudication = z.infer<typeof ItemAdjudication>;

export const ClaimLineView = z.object({
  sequence: z.number().int(),
  code: z.string(),
  description: z.string().nullable(),
  modifiers: z.array(z.string()),
  revenueCode: z.string(),
  servicedDate: z.string(),
  units: z.number().int(),
  unitPriceCents: z.number().int(),
  netCents: z.number().int(),
  /** The insurer's decision on this line, from the last ClaimResponse. */
  adjudication: ItemAdjudication.extend({ reasons: z.array(ReasonCode) }).nullable(),
});
export type ClaimLineView = z.infer<typeof ClaimLineView>;

export const ClaimDetail = z.object({
  summary: ClaimSummary,
  /** The form of the current version (what the clerk would correct); null on the insurer's side. */
  form: ClaimDraftForm.nullable(),
  lines: z.array(ClaimLineView),
  diagnoses: z.array(ReasonCode),
  coverage: z.object({ memberId: z.string(), planName: z.string(), start: z.string(), end: z.string() }).nullable(),
  timeline: z.array(TimelineEntry),
  versions: z.array(z.object({ version: z.number().int(), at: z.string(), totalCents: z.number().int() })),
  /** When the private detail was purged from the ledger, and what remains. */
  purged: z.object({ at: z.string(), remains: z.string() }).nullable(),
  canResubmit: z.boolean(),
  canWithdraw: z.boolean(),
  canPurge: z.boolean(),
  /** Insurer side: what the adjudicator may do now. */
  canPend: z.boolean(),
  canAdjudicate: z.boolean(),
  canPay: z.boolean(),
  /** Insurer side: the coverage checked against the insurer's own status list. */
  insurerCoverageCheck: z.string().nullable(),
});
export type ClaimDetail = z.infer<typeof ClaimDetail>;

// ---- requests ---------------------------------------------------------------------------

export const CheckRequest = z.object({ form: ClaimDraftForm }).strict();
export const ClaimIdRequest = z.object({ claimId: Id }).strict();
export const SaveDraftRequest = z.object({ claimId: Id.nullable(), form: ClaimDraftForm }).strict();
export const SubmitRequest = z.object({ claimId: Id }).strict();
export const WithdrawRequest = z
  .object({ claimId: Id, reasonCode: z.string().regex(CARC_FORMAT, 'Choose a reason code from the list.').optional(), note: z.string().trim().min(3, 'Say in a few words why the claim is withdrawn.').max(500) })
  .strict();
export const PendRequest = z.object({ claimId: Id, reasonCodes: z.array(z.string().regex(CARC_FORMAT)).min(1, 'Choose at least one reason code.').max(10) }).strict();
export const AdjudicateRequest = z.object({ claimId: Id, items: z.array(ItemAdjudication).min(1).max(50) }).strict();
export const PayRequest = z.object({ claimId: Id, paymentRef: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, 'A payment reference is 3-64 letters, digits, dots, dashes or underscores.') }).strict();
export const ExportRequest = z.object({ claimId: Id, format: z.enum(['pdf', 'fhir-json', 'x12-837']) }).strict();
export const ClaimExport = z.object({ fileName: z.string(), mediaType: z.string(), /** base64 for the PDF, text otherwise */ content: z.string(), encoding: z.enum(['base64', 'utf8']) });
export type ClaimExport = z.infer<typeof ClaimExport>;
