/**
 * The claims desk, for both organisations that touch a claim:
 * - at a hospital (`claims`): the work list (admissions ready to bill, drafts, claims by status,
 *   denials first), a claim pre-filled from an admission, the checklist, submit / correct and
 *   resubmit / withdraw through the outbox, the timeline from ledger events, exports, purge;
 * - at an insurer (`claims`, `adjudicator`): the queue of claims addressed to it (detail read from
 *   the pair's private collection), coverage check, pend, adjudicate per item with CARC codes (the
 *   FHIR ClaimResponse travels privately beside the claim), pay, and an auto-adjudication rule.
 *
 * Every change is a local write plus its outbox row in one cache transaction (SyncService.transact),
 * so nothing is lost offline and nothing is sent twice. The ledger's answer comes back twice: as the
 * write's settlement (committed, or refused with the chaincode's sentence) and as the contract's
 * event, which the claims applier (claims-applier.ts) turns into the timeline.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Claim, ClaimResponse, Coverage, Patient } from 'fhir/r4';
import { patientDisplayName } from '../../src-shared/admission/names';
import { DEMO_CODE_SETS, describeCode, describeProcedure, type CodeSets } from '../../src-shared/claims/codes';
import { checkClaim, claimPasses, claimTotalCents, formatCents, lineNetCents, servicePeriod } from '../../src-shared/claims/rules';
import {
  ClaimDraftForm,
  type BillableAdmission,
  type ClaimCheck,
  type ClaimContext,
  type ClaimDetail,
  type ClaimExport,
  type ClaimForm,
  type ClaimLineView,
  type ClaimStatus,
  type ClaimSummary,
  type ClaimWorkList,
  type ParsedClaimForm,
  type ItemAdjudication,
  type ReasonCode,
  type TimelineEntry,
} from '../../src-shared/claims/schemas';
import type { Eligibility } from '../../src-shared/admission/schemas';
import type { CacheDatabase, ReadHandle, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import type { LedgerWrite } from '../ledger/outbox';
import type { Settlement } from '../ledger/outbox-worker';
import { cardRevocation, cardStatusOfCoverage, type CardRevocation } from './coverage-status';
import { buildFhirClaim, memberIdSystem, validateFhir, MSP_SYSTEM, type ClaimPatient } from './fhir-claim';
import { evaluateOnOwnPeer, type LedgerAccess } from './ledger-read';
import { summaryPdf, type SummaryLine } from './summary-pdf';
import { check837, generate837 } from './x12-837';

export interface ClaimsStaff {
  id: string;
  displayName: string;
  mspId: string;
  role: string;
  /** The staff member's organisation kind ('hospital', 'insurer', …). */
  kind: string;
}

/** What the service needs of the sync engine. */
export interface ClaimsLedger extends LedgerAccess {
  transact<T>(work: (w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>) => Promise<T>): Promise<T>;
  onSettled(operation: string, handler: (w: WriteHandle, s: Settlement) => Promise<void>): void;
}

export interface ClaimsServiceOptions {
  db: CacheDatabase;
  ledger: ClaimsLedger;
  now?: () => Date;
  codeSets?: CodeSets;
  currency?: string;
  /** Days in hospital after which a stay may be billed on an interim claim. */
  interimAfterDays?: number;
}

/** Operation names of the outbox rows this service queues (also their settlement handlers). */
export const CLAIM_OPERATIONS = {
  submit: 'claim.submit',
  resubmit: 'claim.resubmit',
  withdraw: 'claim.withdraw',
  pend: 'claim.pend',
  adjudicate: 'claim.adjudicate',
  pay: 'claim.pay',
  purge: 'claim.purge',
} as const;

interface ClaimRow {
  claim_id: string;
  side: 'hospital' | 'insurer';
  admission_id: string | null;
  patient_id: string | null;
  patient_name: string;
  mrn: string | null;
  insurer_msp: string;
  insurer_name: string;
  hospital_msp: string;
  claim_type: 'institutional' | 'professional';
  status: ClaimStatus;
  outcome: 'approved' | 'partial' | 'denied' | null;
  ledger_version: number;
  submission_count: number;
  current_version: number;
  total_cents: number;
  approved_cents: number | null;
  paid_cents: number | null;
  payment_ref: string | null;
  currency: string;
  reason_codes: string;
  service_from: string;
  problem: string | null;
  purged_at: string | null;
  record: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  claim_id: string;
  version: number;
  form: string | null;
  fhir: string | null;
  total_cents: number;
  outbox_seq: number | null;
  sent_at: string | null;
  created_by: string;
  created_at: string;
}

interface AdmissionFacts {
  admission_id: string;
  patient_id: string;
  status: string;
  admitted_at: string;
  discharged_at: string | null;
  eligibility: string;
  mrn: string;
  given_name: string;
  family_name: string;
  birth_date: string | null;
  gender: ClaimPatient['gender'];
}

/** Demo fee schedule for the pre-filled lines (a hospital's charge master replaces it). */
const DEMO_FEES: Record<string, number> = { '99223': 412.5, '99232': 180.25, '99238': 150, '71046': 96, '85025': 32.4, '80053': 48.1 };

const day = (iso: string): string => iso.slice(0, 10);
function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Unsalted local fingerprint: the same inputs as the chaincode's (member, provider, dates, codes). */
export function localFingerprint(claim: Claim): { fingerprint: string; repeatService: boolean } {
  const patient = `${claim.patient.identifier?.system ?? ''}|${claim.patient.identifier?.value ?? ''}`;
  const provider = `${claim.provider.identifier?.system ?? ''}|${claim.provider.identifier?.value ?? ''}`;
  const dates = new Set<string>();
  const codes = new Set<string>();
  let repeatService = false;
  for (const item of claim.item ?? []) {
    if (item.servicedDate) dates.add(item.servicedDate);
    for (const c of item.productOrService.coding ?? []) codes.add(`${c.system ?? ''}|${c.code ?? ''}`);
    if ((item.modifier ?? []).some((m) => (m.coding ?? []).some((mc) => mc.code === '76' || mc.code === '77'))) repeatService = true;
  }
  const text = JSON.stringify({ codes: [...codes].sort(), patient, provider, serviceDates: [...dates].sort() });
  return { fingerprint: createHash('sha256').update(text).digest('hex'), repeatService };
}


export class ClaimsService {
  readonly #o: ClaimsServiceOptions;
  readonly #db: CacheDatabase;
  readonly #sets: CodeSets;

  constructor(options: ClaimsServiceOptions) {
    this.#o = options;
    this.#db = options.db;
    this.#sets = options.codeSets ?? DEMO_CODE_SETS;
    this.#registerSettlements();
  }

  get codeSets(): CodeSets {
    return this.#sets;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #currency(): string {
    return this.#o.currency ?? 'USD';
  }

  // ---- reading ------------------------------------------------------------------------

  /** The work list: for a hospital, admissions ready to bill and our claims; for an insurer, claims addressed to it. */
  async workList(staff: ClaimsStaff, filter: { status?: ClaimStatus | 'needs-action'; search?: string; limit?: number } = {}, readMissing = true): Promise<ClaimWorkList> {
    const side = staff.kind === 'insurer' ? 'insurer' : 'hospital';
    const limit = filter.limit ?? 500;
    const search = filter.search?.trim().toLowerCase() ?? '';
    const like = `%${search}%`;
    // Only the conditions asked for go in the query (a "? IS NULL OR …" per filter makes SQLite
    // test every one on each of 10,000 rows).
    // What needs this side's action: the clerk's pended, denied, partly approved and refused claims;
    // the insurer's claims waiting for a decision.
    // `action_rank` (migration 11) is 0 for these, per side, and indexed with the organisation and
    // updated_at in the list's order, so a page is read off the index without sorting every claim.
    const party = side === 'insurer' ? sql`insurer_msp = ${staff.mspId}` : sql`hospital_msp = ${staff.mspId}`;
    const byStatus = filter.status === undefined ? sql`` : filter.status === 'needs-action' ? sql`AND action_rank = 0` : sql`AND status = ${filter.status}`;
    const bySearch = search === '' ? sql`` : sql`AND (lower(patient_name) LIKE ${like} OR lower(claim_id) LIKE ${like} OR lower(coalesce(mrn, '')) LIKE ${like})`;
    const rows = await this.#db.read((r) =>
      r.all<ClaimRow>(sql`
        SELECT * FROM claim WHERE side = ${side} AND ${party} ${byStatus} ${bySearch}
        ORDER BY action_rank, updated_at DESC
        LIMIT ${limit}`),
    );
    // Claims this workstation learnt from the ledger without their detail (sent from another of this
    // organisation's workstations, or read while nobody was signed in): read a few on the own peer now.
    const unnamed = rows.filter((row) => row.patient_name.startsWith('Claim ') && row.submission_count > 0 && row.purged_at === null).slice(0, 10);
    if (readMissing && unnamed.length > 0) {
      let fetched = 0;
      for (const row of unnamed) if (await this.#fetchDetail(row)) fetched++;
      if (fetched > 0) return this.workList(staff, filter, false);
    }
    const claims = rows.map((row) => this.#summary(row));
    const readyToBill = side === 'hospital' ? await this.#readyToBill() : [];
    return { side, claims, readyToBill };
  }

  async #readyToBill(): Promise<BillableAdmission[]> {
    const today = day(this.#now().toISOString());
    const interim = this.#o.interimAfterDays ?? 7;
    const rows = await this.#db.read((r) =>
      r.all<AdmissionFacts>(sql`
        SELECT a.admission_id, a.patient_id, a.status, a.admitted_at, a.discharged_at, a.eligibility, p.mrn, p.given_name, p.family_name, p.birth_date, p.gender
        FROM admission a JOIN patient p ON p.patient_id = a.patient_id
        WHERE NOT EXISTS (SELECT 1 FROM claim c WHERE c.admission_id = a.admission_id AND c.status <> 'withdrawn')
        ORDER BY coalesce(a.discharged_at, a.admitted_at) DESC LIMIT 200`),
    );
    const out: BillableAdmission[] = [];
    for (const a of rows) {
      const eligibility = JSON.parse(a.eligibility) as Eligibility;
      const stayDays = daysBetween(day(a.admitted_at), today);
      const discharged = a.status === 'discharged';
      if (!discharged && stayDays < interim) continue;
      const billable = eligibility.insurerName !== null;
      out.push({
        admissionId: a.admission_id,
        patientName: patientDisplayName({ givenName: a.given_name, familyName: a.family_name }),
        mrn: a.mrn,
        status: a.status,
        admittedAt: a.admitted_at,
        dischargedAt: a.discharged_at,
        insurerName: eligibility.insurerName,
        note: !billable ? 'No insurance card on the admission: ask the desk to scan it, or bill the patient.' : discharged ? 'Discharged: ready for the final claim.' : `Still admitted after ${stayDays} days: an interim claim may be sent.`,
        billable,
      });
    }
    return out;
  }

  #summary(row: ClaimRow): ClaimSummary {
    const codes = JSON.parse(row.reason_codes) as string[];
    const needsAction = row.status === 'pended' || row.status === 'refused' || (row.status === 'adjudicated' && (row.outcome === 'denied' || row.outcome === 'partial'));
    return {
      claimId: row.claim_id,
      admissionId: row.admission_id,
      patientName: row.patient_name,
      mrn: row.mrn,
      insurerName: row.insurer_name,
      insurerMspId: row.insurer_msp,
      hospitalMspId: row.hospital_msp,
      claimType: row.claim_type,
      status: row.status,
      outcome: row.outcome,
      totalCents: row.total_cents,
      approvedCents: row.approved_cents,
      paidCents: row.paid_cents,
      currency: row.currency,
      version: row.ledger_version,
      submissionCount: row.submission_count,
      reasonCodes: codes.map((c) => this.reason(c)),
      serviceFrom: row.service_from,
      updatedAt: row.updated_at,
      needsAction: row.side === 'hospital' ? needsAction : row.status === 'submitted' || row.status === 'resubmitted',
      problem: row.problem,
    };
  }

  /** A reason code with its description (CARC, then RARC; 'CO-45' style group prefixes are read too). */
  reason(code: string): ReasonCode {
    const bare = code.replace(/^(CO|PR|OA|PI|CR)-/, '');
    const description = describeCode(this.#sets, 'carc', bare) ?? describeCode(this.#sets, 'rarc', bare);
    return { code, description: description ?? 'Code not in the bundled list: see the insurer’s remittance advice.' };
  }

  async #admission(r: ReadHandle, admissionId: string): Promise<AdmissionFacts> {
    const a = await r.get<AdmissionFacts>(sql`
      SELECT a.admission_id, a.patient_id, a.status, a.admitted_at, a.discharged_at, a.eligibility, p.mrn, p.given_name, p.family_name, p.birth_date, p.gender
      FROM admission a JOIN patient p ON p.patient_id = a.patient_id WHERE a.admission_id = ${admissionId}`);
    if (!a) throw new DomainError('NOT_FOUND', 'That admission is not on this workstation. Refresh the work list.');
    return a;
  }

  /** The facts the checklist needs, from the admission, its insurance card and the ledger mirrors. */
  async context(admissionId: string): Promise<ClaimContext> {
    return this.#db.read(async (r) => this.#contextOf(r, await this.#admission(r, admissionId)));
  }

  async #contextOf(r: ReadHandle, a: AdmissionFacts): Promise<ClaimContext> {
    const e = JSON.parse(a.eligibility) as Eligibility;
    const hasCard = Boolean(e.insurerName && e.insurerDid && e.memberId && e.planName && e.coverageStart && e.coverageEnd);
    // Revocation since the desk verified the card: its kept status entry, in the status-list mirror.
    const card = hasCard ? await cardRevocation(r, e.cardStatus, this.#now()) : null;
    const coverage =
      card && e.insurerName && e.insurerDid && e.memberId && e.planName && e.coverageStart && e.coverageEnd
        ? {
            eligibility: e.status,
            eligibilityMessage: e.message,
            insurerName: e.insurerName,
            insurerDid: e.insurerDid,
            memberId: e.memberId,
            planName: e.planName,
            start: e.coverageStart,
            end: e.coverageEnd,
            revocation: card.revocation,
            revokedOn: card.revokedOn,
            revocationNote: card.note,
          }
        : null;
    let insurer: { mspId: string; name: string } | null = null;
    if (coverage) {
      const org = await r.get<{ msp_id: string; name: string }>(sql`SELECT msp_id, name FROM mirror_organisation WHERE did = ${coverage.insurerDid} AND kind = 'insurer'`);
      if (org) insurer = { mspId: org.msp_id, name: org.name };
    }
    return {
      admissionId: a.admission_id,
      patientName: patientDisplayName({ givenName: a.given_name, familyName: a.family_name }),
      mrn: a.mrn,
      admittedOn: day(a.admitted_at),
      dischargedOn: a.discharged_at ? day(a.discharged_at) : null,
      today: day(this.#now().toISOString()),
      coverage,
      insurer,
      currency: this.#currency(),
    };
  }

  /** A new claim's form, pre-filled from the admission (stay days, discharge), with its context. */
  async newClaim(admissionId: string): Promise<{ context: ClaimContext; form: ParsedClaimForm }> {
    const context = await this.context(admissionId);
    const last = context.dischargedOn ?? context.today;
    const days = Math.max(0, daysBetween(context.admittedOn, last));
    const items: ClaimForm['items'] = [{ code: '99223', modifiers: [], revenueCode: '0120', servicedDate: context.admittedOn, units: 1, unitPrice: DEMO_FEES['99223'] ?? 1 }];
    if (days > 1) items.push({ code: '99232', modifiers: [], revenueCode: '0120', servicedDate: addDays(context.admittedOn, 1), units: days - 1, unitPrice: DEMO_FEES['99232'] ?? 1 });
    if (context.dischargedOn && days > 0) items.push({ code: '99238', modifiers: [], revenueCode: '0120', servicedDate: context.dischargedOn, units: 1, unitPrice: DEMO_FEES['99238'] ?? 1 });
    return { context, form: { admissionId, claimType: 'institutional', diagnoses: [{ code: '' }], items, billTotal: null, note: '' } };
  }

  /** The checklist for a form, as main sees it (the renderer runs the same rules while typing). */
  async check(form: ClaimForm): Promise<ClaimCheck[]> {
    const context = await this.context(form.admissionId);
    return checkClaim(form, context, this.#sets);
  }

  // ---- hospital: drafts, submit, resubmit, withdraw -----------------------------------

  /** Saves a draft (new, or the unsent version of a claim); never sends anything. */
  async saveDraft(staff: ClaimsStaff, request: { claimId: string | null; form: ClaimForm }): Promise<ClaimDetail> {
    this.#hospitalOnly(staff);
    const form = ClaimDraftForm.parse(request.form);
    const now = this.#now().toISOString();
    const claimId = await this.#db.write(async (w) => {
      const a = await this.#admission(w, form.admissionId);
      const context = await this.#contextOf(w, a);
      const total = claimTotalCents(form);
      const from = servicePeriod(form)?.start ?? context.admittedOn;
      if (request.claimId === null) {
        const id = `clm-${randomUUID().slice(0, 8)}`;
        await w.run(sql`
          INSERT INTO claim (claim_id, side, admission_id, patient_id, patient_name, mrn, insurer_msp, insurer_name, hospital_msp, claim_type, status, total_cents, currency, service_from, created_by, created_at, updated_at)
          VALUES (${id}, 'hospital', ${a.admission_id}, ${a.patient_id}, ${context.patientName}, ${a.mrn}, ${context.insurer?.mspId ?? ''}, ${context.insurer?.name ?? context.coverage?.insurerName ?? 'No insurer'},
                  ${staff.mspId}, ${form.claimType}, 'draft', ${total}, ${this.#currency()}, ${from}, ${staff.id}, ${now}, ${now})`);
        await w.run(sql`INSERT INTO claim_version (claim_id, version, form, total_cents, created_by, created_at) VALUES (${id}, 1, ${JSON.stringify(form)}, ${total}, ${staff.id}, ${now})`);
        await this.#timeline(w, id, now, 'drafted', `Draft started by ${staff.displayName}.`, [], 1, staff.displayName);
        return id;
      }
      const row = await this.#claimRow(w, request.claimId);
      if (row.admission_id !== form.admissionId) throw new DomainError('VALIDATION', 'This form belongs to another admission; open the claim again.');
      const version = await this.#editableVersion(w, row, staff, now);
      await w.run(sql`UPDATE claim_version SET form = ${JSON.stringify(form)}, total_cents = ${total} WHERE claim_id = ${row.claim_id} AND version = ${version}`);
      await w.run(sql`UPDATE claim SET claim_type = ${form.claimType}, updated_at = ${now},
                        total_cents = CASE WHEN submission_count = 0 THEN ${total} ELSE total_cents END,
                        service_from = CASE WHEN submission_count = 0 THEN ${from} ELSE service_from END
                      WHERE claim_id = ${row.claim_id}`);
      return row.claim_id;
    });
    return this.get(staff, claimId);
  }

  /** The version the clerk may edit now: the unsent draft, or a new correction after a pend/denial. */
  async #editableVersion(w: WriteHandle, row: ClaimRow, staff: ClaimsStaff, now: string): Promise<number> {
    const latest = await w.get<VersionRow>(sql`SELECT * FROM claim_version WHERE claim_id = ${row.claim_id} ORDER BY version DESC LIMIT 1`);
    if (latest && latest.outbox_seq === null) return latest.version;
    if (!this.#resubmittable(row)) {
      throw new DomainError('CONFLICT', row.status === 'paid' ? `Claim ${row.claim_id} is paid; a paid claim cannot be corrected or resubmitted. Start a new claim only for services not yet billed.` : `Claim ${row.claim_id} is ${this.#statusWords(row)}; it can be corrected once the insurer pends, denies or partly approves it.`);
    }
    const next = (latest?.version ?? 0) + 1;
    await w.run(sql`INSERT INTO claim_version (claim_id, version, form, total_cents, created_by, created_at)
                    SELECT claim_id, ${next}, form, total_cents, ${staff.id}, ${now} FROM claim_version WHERE claim_id = ${row.claim_id} AND version = ${next - 1}`);
    await w.run(sql`UPDATE claim SET current_version = ${next} WHERE claim_id = ${row.claim_id}`);
    await this.#timeline(w, row.claim_id, now, 'drafted', `Correction (version ${next}) started by ${staff.displayName}.`, [], next, staff.displayName);
    return next;
  }

  #resubmittable(row: ClaimRow): boolean {
    return row.status === 'pended' || (row.status === 'adjudicated' && (row.outcome === 'denied' || row.outcome === 'partial'));
  }

  /**
   * Checks the latest version and queues it for the ledger: the first submission, or version n+1
   * of a pended/denied/partial claim. Refused before it leaves when a check fails, the FHIR
   * resource does not validate, or this workstation already knows a live claim with the same
   * fingerprint (the sentence names it).
   * @throws DomainError VALIDATION (details.checks / details.fhir), CONFLICT (duplicate, wrong state), NOT_FOUND
   */
  async submit(staff: ClaimsStaff, claimId: string): Promise<ClaimDetail> {
    this.#hospitalOnly(staff);
    const prepared = await this.#db.read(async (r) => {
      const row = await this.#claimRow(r, claimId);
      const version = await r.get<VersionRow>(sql`SELECT * FROM claim_version WHERE claim_id = ${claimId} ORDER BY version DESC LIMIT 1`);
      if (!version?.form) throw new DomainError('NOT_FOUND', 'This claim has no form to send.');
      if (version.outbox_seq !== null) throw new DomainError('CONFLICT', row.status === 'paid' ? `Claim ${claimId} is paid; it cannot be resubmitted.` : `Version ${version.version} of claim ${claimId} was already sent; correct the claim to send a new version.`);
      if (row.submission_count > 0 && !this.#resubmittable(row)) {
        throw new DomainError('CONFLICT', row.status === 'paid' ? `Claim ${claimId} is paid; a paid claim cannot be resubmitted.` : `Claim ${claimId} is ${this.#statusWords(row)}; only a pended, denied or partly approved claim can be resubmitted.`);
      }
      const a = await this.#admission(r, row.admission_id ?? '');
      return { row, version, a, context: await this.#contextOf(r, a) };
    });
    const form = JSON.parse(prepared.version.form ?? '{}') as ClaimForm;
    const checks = checkClaim(form, prepared.context, this.#sets);
    if (!claimPasses(checks)) {
      const failed = checks.filter((c) => !c.ok && c.severity === 'error');
      throw new DomainError('VALIDATION', `The claim is not ready to send: ${failed.length} check${failed.length === 1 ? '' : 's'} failed. First: ${failed[0]?.label}: ${failed[0]?.message}`, { checks: failed });
    }
    const insurer = prepared.context.insurer;
    if (!insurer) throw new DomainError('VALIDATION', 'The insurer is not registered on the ledger.');
    const nowDate = this.#now();
    const now = nowDate.toISOString();
    const fhir = buildFhirClaim(
      {
        claimId,
        version: prepared.version.version,
        form,
        context: prepared.context,
        patient: { givenName: prepared.a.given_name, familyName: prepared.a.family_name, birthDate: prepared.a.birth_date, gender: prepared.a.gender },
        provider: { mspId: staff.mspId, name: staff.mspId },
        created: now,
        cardStatus: (JSON.parse(prepared.a.eligibility) as Eligibility).cardStatus,
      },
      this.#sets,
    );
    const problems = await validateFhir(fhir);
    if (problems.length > 0) {
      throw new DomainError('VALIDATION', `The FHIR Claim built from this form does not meet the FHIR R4 definition: ${problems[0]?.message}. The draft is kept; tell IT support.`, { fhir: problems });
    }
    const { fingerprint, repeatService } = localFingerprint(fhir);
    const first = prepared.row.submission_count === 0;
    await this.#o.ledger.transact(async (w, queue) => {
      if (!repeatService) {
        const dup = await w.get<{ claim_id: string; patient_name: string; service_from: string; status: string }>(sql`
          SELECT c.claim_id, c.patient_name, c.service_from, c.status FROM claim_fingerprint f JOIN claim c ON c.claim_id = f.claim_id
          WHERE f.fingerprint = ${fingerprint} AND f.claim_id <> ${claimId} AND c.status NOT IN ('withdrawn', 'draft') LIMIT 1`);
        if (dup) {
          throw new DomainError('CONFLICT', `This claim duplicates claim ${dup.claim_id} (${dup.patient_name}, services from ${dup.service_from}, ${dup.status}): same member, provider, service dates and codes. It was not sent. If the service really was repeated, add modifier 76 or 77 to the repeated line.`, { duplicateOf: dup.claim_id });
        }
      }
      const write: LedgerWrite = first
        ? {
            operation: CLAIM_OPERATIONS.submit,
            orderKey: `claim:${claimId}`,
            transaction: 'Claims:submitClaim',
            args: [JSON.stringify({ claimId, insurerMspId: insurer.mspId })],
            transient: { claim: JSON.stringify(fhir), fingerprintSalt: randomBytes(32).toString('hex') },
            endorsingOrganizations: [staff.mspId, insurer.mspId],
            // The chaincode re-checks duplicates and existence: sending again after a conflict means the same.
            retryOnConflict: true,
          }
        : {
            operation: CLAIM_OPERATIONS.resubmit,
            orderKey: `claim:${claimId}`,
            transaction: 'Claims:resubmitClaim',
            args: [claimId],
            transient: { claim: JSON.stringify(fhir) },
            endorsingOrganizations: [staff.mspId, insurer.mspId],
            // The clerk corrected against the insurer's last decision: a conflict is shown, not retried.
            retryOnConflict: false,
          };
      const seq = await queue(write);
      await w.run(sql`UPDATE claim_version SET fhir = ${JSON.stringify(fhir)}, outbox_seq = ${seq}, sent_at = ${now}, total_cents = ${Math.round((fhir.total?.value ?? 0) * 100)} WHERE claim_id = ${claimId} AND version = ${prepared.version.version}`);
      await w.run(sql`DELETE FROM claim_fingerprint WHERE claim_id = ${claimId}`);
      await w.run(sql`INSERT INTO claim_fingerprint (fingerprint, claim_id) VALUES (${fingerprint}, ${claimId})`);
      await w.run(sql`UPDATE claim SET status = 'queued', problem = NULL, insurer_msp = ${insurer.mspId}, insurer_name = ${insurer.name}, total_cents = ${Math.round((fhir.total?.value ?? 0) * 100)},
                        service_from = ${fhir.billablePeriod?.start ?? prepared.row.service_from}, claim_type = ${form.claimType}, updated_at = ${now} WHERE claim_id = ${claimId}`);
      await this.#timeline(w, claimId, now, 'queued', first ? `Queued for the ledger by ${staff.displayName} (version ${prepared.version.version}); it goes out as soon as the ledger is reachable.` : `Corrected version ${prepared.version.version} queued for the ledger by ${staff.displayName}.`, [], prepared.version.version, staff.displayName);
    });
    return this.get(staff, claimId);
  }

  /** Withdraws a claim not yet paid, with a reason (the note stays on this workstation). */
  async withdraw(staff: ClaimsStaff, request: { claimId: string; reasonCode?: string | undefined; note: string }): Promise<ClaimDetail> {
    this.#hospitalOnly(staff);
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const row = await this.#claimRow(w, request.claimId);
      if (row.status === 'draft' || (row.status === 'refused' && row.submission_count === 0)) {
        await w.run(sql`UPDATE claim SET status = 'withdrawn', updated_at = ${now} WHERE claim_id = ${row.claim_id}`);
        await w.run(sql`DELETE FROM claim_fingerprint WHERE claim_id = ${row.claim_id}`);
        await this.#timeline(w, row.claim_id, now, 'withdrawn', `Draft withdrawn by ${staff.displayName}: ${request.note}`, [], null, staff.displayName);
        return;
      }
      if (!['submitted', 'pended', 'resubmitted'].includes(row.status) && !(row.status === 'adjudicated' && row.outcome !== 'approved')) {
        throw new DomainError('CONFLICT', `Claim ${row.claim_id} is ${this.#statusWords(row)}; it can no longer be withdrawn.`);
      }
      await queue({
        operation: CLAIM_OPERATIONS.withdraw,
        orderKey: `claim:${row.claim_id}`,
        transaction: 'Claims:withdrawClaim',
        args: [row.claim_id, JSON.stringify(request.reasonCode ? { reasonCode: request.reasonCode } : {})],
        endorsingOrganizations: [row.hospital_msp, row.insurer_msp],
        // Decided from the claim's state: if the insurer moved it meanwhile (MVCC), ask the clerk again.
        retryOnConflict: false,
      });
      await this.#timeline(w, row.claim_id, now, 'queued', `Withdrawal queued by ${staff.displayName}: ${request.note}`, request.reasonCode ? [this.reason(request.reasonCode)] : [], null, staff.displayName);
      await w.run(sql`UPDATE claim SET updated_at = ${now} WHERE claim_id = ${row.claim_id}`);
    });
    return this.get(staff, request.claimId);
  }

  /** Purges the private detail after payment (or withdrawal); the public record and its hashes remain. */
  async purge(staff: ClaimsStaff, claimId: string): Promise<ClaimDetail> {
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const row = await this.#claimRow(w, claimId);
      this.#partyOf(staff, row);
      if (row.status !== 'paid' && row.status !== 'withdrawn') throw new DomainError('CONFLICT', `Claim ${claimId} is ${this.#statusWords(row)}; its detail can be purged once it is paid or withdrawn.`);
      if (row.purged_at) throw new DomainError('CONFLICT', `The detail of claim ${claimId} was already purged.`);
      await queue({ operation: CLAIM_OPERATIONS.purge, orderKey: `claim:${claimId}`, transaction: 'Claims:purgeClaimDetail', args: [claimId], endorsingOrganizations: [row.hospital_msp, row.insurer_msp], retryOnConflict: true });
      await this.#timeline(w, claimId, now, 'queued', `Purge of the claim detail queued by ${staff.displayName}.`, [], null, staff.displayName);
    });
    return this.get(staff, claimId);
  }

  // ---- insurer: pend, adjudicate, pay, auto rule --------------------------------------

  async pend(staff: ClaimsStaff, request: { claimId: string; reasonCodes: string[] }): Promise<ClaimDetail> {
    this.#insurerOnly(staff);
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const row = await this.#claimRow(w, request.claimId);
      this.#partyOf(staff, row);
      if (row.status !== 'submitted' && row.status !== 'resubmitted') throw new DomainError('CONFLICT', `Claim ${row.claim_id} is ${this.#statusWords(row)}; only a submitted or resubmitted claim can be pended.`);
      await queue({
        operation: CLAIM_OPERATIONS.pend,
        orderKey: `claim:${row.claim_id}`,
        transaction: 'Claims:pendClaim',
        args: [row.claim_id, JSON.stringify({ reasonCodes: request.reasonCodes })],
        endorsingOrganizations: [row.hospital_msp, row.insurer_msp],
        retryOnConflict: false,
      });
      await this.#timeline(w, row.claim_id, now, 'queued', `Pend queued by ${staff.displayName}.`, request.reasonCodes.map((c) => this.reason(c)), null, staff.displayName);
    });
    return this.get(staff, request.claimId);
  }

  /**
   * Decides a claim line by line. The outcome follows from the lines: all approved in full =
   * approved, nothing approved = denied, otherwise partial. The FHIR ClaimResponse with the
   * per-item adjudication goes in the transient map (private collection); the public record gets
   * the totals and the reason codes only.
   */
  async adjudicate(staff: ClaimsStaff, request: { claimId: string; items: ItemAdjudication[] }, by: 'person' | 'auto-rule' = 'person'): Promise<ClaimDetail> {
    this.#insurerOnly(staff);
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const row = await this.#claimRow(w, request.claimId);
      this.#partyOf(staff, row);
      if (!['submitted', 'resubmitted', 'pended'].includes(row.status)) throw new DomainError('CONFLICT', `Claim ${row.claim_id} is ${this.#statusWords(row)}; it cannot be adjudicated now.`);
      const fhir = await this.#currentFhir(w, row.claim_id);
      if (!fhir) throw new DomainError('UNAVAILABLE', `The detail of claim ${row.claim_id} has not been read from the ledger yet; wait for the ledger, then open the claim again.`);
      const lines = fhir.item ?? [];
      const decisions = new Map(request.items.map((i) => [i.sequence, i]));
      let approved = 0;
      const reasons = new Set<string>();
      const responseItems: NonNullable<ClaimResponse['item']> = [];
      for (const line of lines) {
        const net = Math.round((line.net?.value ?? 0) * 100);
        const d = decisions.get(line.sequence);
        if (!d) throw new DomainError('VALIDATION', `Decide line ${line.sequence} too (approve, reduce or deny).`);
        const amount = d.decision === 'approve' ? net : d.decision === 'deny' ? 0 : d.approvedCents;
        if (d.decision === 'reduce' && (amount <= 0 || amount >= net)) throw new DomainError('VALIDATION', `Line ${line.sequence}: a reduced amount is more than 0 and less than the ${formatCents(net)} claimed.`);
        if (d.decision !== 'approve' && d.reasonCodes.length === 0) throw new DomainError('VALIDATION', `Line ${line.sequence}: give a reason code (CARC) for ${d.decision === 'deny' ? 'the denial' : 'the reduction'}.`);
        approved += amount;
        d.reasonCodes.forEach((c) => reasons.add(c));
        responseItems.push({
          itemSequence: line.sequence,
          adjudication: [
            { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] }, amount: { value: net / 100, currency: row.currency } },
            ...d.reasonCodes.map((c, i) => ({
              category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: i === 0 ? 'benefit' : 'deductible' }] },
              ...(i === 0 ? { amount: { value: amount / 100, currency: row.currency } } : {}),
              reason: { coding: [{ system: 'https://x12.org/codes/claim-adjustment-reason-codes', code: c }] },
            })),
            ...(d.reasonCodes.length === 0 ? [{ category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'benefit' }] }, amount: { value: amount / 100, currency: row.currency } }] : []),
          ],
        });
      }
      const total = lines.reduce((s, l) => s + Math.round((l.net?.value ?? 0) * 100), 0);
      const outcome = approved === total ? 'approved' : approved === 0 ? 'denied' : 'partial';
      const response: ClaimResponse = {
        resourceType: 'ClaimResponse',
        status: 'active',
        type: fhir.type,
        use: 'claim',
        patient: fhir.patient,
        created: now,
        insurer: { identifier: { system: MSP_SYSTEM, value: row.insurer_msp } },
        request: { identifier: { value: row.claim_id } },
        outcome: outcome === 'approved' ? 'complete' : 'partial',
        disposition: outcome === 'approved' ? 'Approved in full.' : outcome === 'denied' ? 'Denied.' : 'Partly approved.',
        item: responseItems,
        total: [
          { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] }, amount: { value: total / 100, currency: row.currency } },
          { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'benefit' }] }, amount: { value: approved / 100, currency: row.currency } },
        ],
      };
      await queue({
        operation: CLAIM_OPERATIONS.adjudicate,
        orderKey: `claim:${row.claim_id}`,
        transaction: 'Claims:adjudicateClaim',
        args: [row.claim_id, JSON.stringify({ outcome, approvedAmount: approved, reasonCodes: [...reasons].sort() })],
        transient: { claimResponse: JSON.stringify(response) },
        endorsingOrganizations: [row.hospital_msp, row.insurer_msp],
        // The adjudicator decided on this version: if the hospital withdrew or resubmitted meanwhile (MVCC), it is shown.
        retryOnConflict: false,
      });
      await w.run(sql`INSERT INTO claim_response (claim_id, submission, response, received_at) VALUES (${row.claim_id}, ${row.submission_count}, ${JSON.stringify(response)}, ${now})
                      ON CONFLICT (claim_id, submission) DO UPDATE SET response = excluded.response, received_at = excluded.received_at`);
      await this.#timeline(w, row.claim_id, now, by === 'auto-rule' ? 'auto-rule' : 'queued', `${by === 'auto-rule' ? 'Auto-rule: ' : ''}decision queued by ${staff.displayName}: ${outcome}, ${formatCents(approved)} of ${formatCents(total)}.`, [...reasons].map((c) => this.reason(c)), null, staff.displayName);
    });
    return this.get(staff, request.claimId);
  }

  async pay(staff: ClaimsStaff, request: { claimId: string; paymentRef: string }): Promise<ClaimDetail> {
    this.#insurerOnly(staff);
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const row = await this.#claimRow(w, request.claimId);
      this.#partyOf(staff, row);
      if (row.status !== 'adjudicated' || row.outcome === 'denied' || row.approved_cents === null) throw new DomainError('CONFLICT', `Claim ${row.claim_id} is ${this.#statusWords(row)}; only an approved or partly approved claim can be paid.`);
      await queue({
        operation: CLAIM_OPERATIONS.pay,
        orderKey: `claim:${row.claim_id}`,
        transaction: 'Claims:payClaim',
        args: [row.claim_id, JSON.stringify({ paidAmount: row.approved_cents, paymentRef: request.paymentRef })],
        endorsingOrganizations: [row.hospital_msp, row.insurer_msp],
        retryOnConflict: false,
      });
      await this.#timeline(w, row.claim_id, now, 'queued', `Payment of ${formatCents(row.approved_cents)} ${row.currency} queued by ${staff.displayName}, reference ${request.paymentRef}.`, [], null, staff.displayName);
    });
    return this.get(staff, request.claimId);
  }

  /** The insurer's auto-adjudication rule: approve in full up to an amount (0 or null turns it off). */
  async setAutoRule(staff: ClaimsStaff, maxTotalCents: number | null): Promise<{ maxTotalCents: number | null }> {
    this.#insurerOnly(staff);
    const now = this.#now().toISOString();
    await this.#db.write(async (w) => {
      await w.run(sql`DELETE FROM claim_rule`);
      if (maxTotalCents) await w.run(sql`INSERT INTO claim_rule (rule_id, max_total_cents, enabled, created_by, created_at) VALUES ('approve-under', ${maxTotalCents}, 1, ${staff.id}, ${now})`);
    });
    return { maxTotalCents: maxTotalCents || null };
  }

  async autoRule(): Promise<{ maxTotalCents: number | null }> {
    const row = await this.#db.read((r) => r.get<{ max_total_cents: number }>(sql`SELECT max_total_cents FROM claim_rule WHERE enabled = 1 LIMIT 1`));
    return { maxTotalCents: row?.max_total_cents ?? null };
  }

  /**
   * Runs the auto-adjudication rule under the signed-in adjudicator: every submitted claim at or
   * under the amount, whose coverage period holds its service dates and with no local duplicate,
   * is approved in full; each run says in the timeline what it did. Returns the claims approved.
   */
  async runAutoRule(staff: ClaimsStaff): Promise<string[]> {
    if (staff.kind !== 'insurer' || staff.role !== 'adjudicator') return [];
    const { maxTotalCents } = await this.autoRule();
    if (!maxTotalCents) return [];
    const candidates = await this.#db.read((r) =>
      r.all<ClaimRow>(sql`SELECT * FROM claim WHERE side = 'insurer' AND status IN ('submitted', 'resubmitted') AND total_cents <= ${maxTotalCents}
                          AND NOT EXISTS (SELECT 1 FROM claim_timeline t WHERE t.claim_id = claim.claim_id AND t.kind = 'auto-rule' AND t.version = claim.submission_count)`),
    );
    const done: string[] = [];
    for (const row of candidates) {
      const fhir = await this.#db.read((r) => this.#currentFhir(r, row.claim_id));
      if (!fhir) continue;
      const cov = fhir.contained?.find((c) => c.resourceType === 'Coverage') as Coverage | undefined;
      const period = cov?.period;
      const dates = (fhir.item ?? []).map((i) => i.servicedDate ?? '');
      const covered = period?.start !== undefined && period.end !== undefined && dates.every((d) => d >= (period.start ?? '') && d <= (period.end ?? ''));
      const now = this.#now().toISOString();
      if (!covered) {
        await this.#db.write((w) => this.#timeline(w, row.claim_id, now, 'auto-rule', `Auto-rule (approve up to ${formatCents(maxTotalCents)}) did not act: a service date is outside the coverage period; an adjudicator decides.`, [], row.submission_count, staff.displayName));
        continue;
      }
      // Coverage must be active on the insurer's own status list: revoked or not checkable goes to a person.
      const card = await this.#db.read((r) => this.#insurerCard(r, row, fhir));
      if (card.revocation !== 'active') {
        const why = card.revocation === 'revoked' ? `the card is ${card.note === 'suspended' ? 'suspended' : 'revoked'} on the insurer's status list` : `whether the card was revoked could not be checked (${card.note ?? 'no status entry'})`;
        await this.#db.write((w) => this.#timeline(w, row.claim_id, now, 'auto-rule', `Auto-rule (approve up to ${formatCents(maxTotalCents)}) did not act: ${why}; an adjudicator decides.`, [], row.submission_count, staff.displayName));
        continue;
      }
      await this.adjudicate(staff, { claimId: row.claim_id, items: (fhir.item ?? []).map((i) => ({ sequence: i.sequence, decision: 'approve', approvedCents: 0, reasonCodes: [] })) }, 'auto-rule');
      await this.#db.write((w) => w.run(sql`UPDATE claim_timeline SET version = ${row.submission_count}, text = ${`Auto-rule (approve in full up to ${formatCents(maxTotalCents)}, coverage period holds the service dates, card not revoked, no duplicate): approved ${formatCents(row.total_cents)} under ${staff.displayName}'s identity.`} WHERE id = (SELECT max(id) FROM claim_timeline WHERE claim_id = ${row.claim_id} AND kind = 'auto-rule')`));
      done.push(row.claim_id);
    }
    return done;
  }

  // ---- the claim detail ---------------------------------------------------------------

  async get(staff: ClaimsStaff, claimId: string): Promise<ClaimDetail> {
    let fetched = false;
    for (;;) {
      const detail = await this.#db.read(async (r) => {
        const row = await this.#claimRow(r, claimId);
        this.#partyOf(staff, row);
        const versions = await r.all<VersionRow>(sql`SELECT * FROM claim_version WHERE claim_id = ${claimId} ORDER BY version`);
        const timeline = await r.all<{ at: string; kind: TimelineEntry['kind']; text: string; reason_codes: string; version: number | null; by_staff: string | null }>(
          sql`SELECT at, kind, text, reason_codes, version, by_staff FROM claim_timeline WHERE claim_id = ${claimId} ORDER BY at, id`,
        );
        const response = await r.get<{ response: string }>(sql`SELECT response FROM claim_response WHERE claim_id = ${claimId} ORDER BY submission DESC LIMIT 1`);
        const sentFhir = [...versions].reverse().find((v) => v.fhir !== null)?.fhir;
        const card = row.side === 'insurer' && sentFhir ? await this.#insurerCard(r, row, JSON.parse(sentFhir) as Claim) : null;
        return { row, versions, timeline, card, response: response ? (JSON.parse(response.response) as ClaimResponse) : null };
      });
      // The insurer's per-line answer, when the inbox could not read it (nobody signed in, a refused read).
      if (!fetched && !detail.response && detail.row.side === 'hospital' && detail.row.record && !detail.row.purged_at && (JSON.parse(detail.row.record) as { responseSha256?: string }).responseSha256) {
        fetched = true;
        if (await this.#fetchResponse(detail.row)) continue;
      }
      const latest = detail.versions[detail.versions.length - 1];
      const sent = [...detail.versions].reverse().find((v) => v.fhir !== null);
      // The insurer's copy (or a hospital's on another workstation) comes from the pair's collection on demand.
      if (!sent && !fetched && detail.row.submission_count > 0 && !detail.row.purged_at) {
        fetched = true;
        if (await this.#fetchDetail(detail.row)) continue;
      }
      const fhir = sent?.fhir ? (JSON.parse(sent.fhir) as Claim) : null;
      const form = latest?.form ? (JSON.parse(latest.form) as ClaimForm) : null;
      return this.#detail(staff, detail.row, detail.versions, detail.timeline, detail.response, fhir, form, detail.card);
    }
  }

  /** At the insurer: the claim's card checked against the insurer's own status list (its DID must own the list). */
  async #insurerCard(r: ReadHandle, row: ClaimRow, fhir: Claim): Promise<CardRevocation> {
    const own = await r.get<{ did: string }>(sql`SELECT did FROM mirror_organisation WHERE msp_id = ${row.insurer_msp}`);
    const cov = fhir.contained?.find((c) => c.resourceType === 'Coverage') as Coverage | undefined;
    const status = cardStatusOfCoverage(cov, own?.did ?? null);
    if (!status) return { revocation: 'unknown', revokedOn: null, note: 'the claim does not carry the card’s status-list entry (sent before entries were kept, or the card has none)' };
    return cardRevocation(r, status, this.#now());
  }

  async #fetchResponse(row: ClaimRow): Promise<boolean> {
    const read = await evaluateOnOwnPeer<{ submission: number; claimResponse: ClaimResponse }>(this.#o.ledger, 'Claims:getClaimResponse', row.claim_id);
    if (!read.ok) return false;
    await this.#db.write((w) =>
      w.run(sql`INSERT INTO claim_response (claim_id, submission, response, received_at) VALUES (${row.claim_id}, ${read.value.submission}, ${JSON.stringify(read.value.claimResponse)}, ${this.#now().toISOString()})
                ON CONFLICT (claim_id, submission) DO UPDATE SET response = excluded.response`),
    );
    return true;
  }

  async #fetchDetail(row: ClaimRow): Promise<boolean> {
    const read = await evaluateOnOwnPeer<{ claim: Claim }>(this.#o.ledger, 'Claims:getClaimDetail', row.claim_id);
    if (!read.ok) return false;
    await this.#db.write((w) => storeFetchedClaim(w, row.claim_id, row.submission_count, read.value.claim, this.#now().toISOString()));
    return true;
  }

  #detail(
    staff: ClaimsStaff,
    row: ClaimRow,
    versions: VersionRow[],
    timeline: Array<{ at: string; kind: TimelineEntry['kind']; text: string; reason_codes: string; version: number | null; by_staff: string | null }>,
    response: ClaimResponse | null,
    fhir: Claim | null,
    form: ClaimForm | null,
    card: CardRevocation | null = null,
  ): ClaimDetail {
    const byLine = new Map<number, ItemAdjudication & { reasons: ReasonCode[] }>();
    for (const item of response?.item ?? []) {
      const benefit = item.adjudication.find((a) => a.category.coding?.[0]?.code === 'benefit');
      const submitted = item.adjudication.find((a) => a.category.coding?.[0]?.code === 'submitted');
      const approvedCents = Math.round((benefit?.amount?.value ?? 0) * 100);
      const net = Math.round((submitted?.amount?.value ?? 0) * 100);
      const codes = item.adjudication.map((a) => a.reason?.coding?.[0]?.code).filter((c): c is string => typeof c === 'string');
      byLine.set(item.itemSequence, { sequence: item.itemSequence, decision: approvedCents === 0 ? 'deny' : approvedCents < net ? 'reduce' : 'approve', approvedCents, reasonCodes: codes, reasons: codes.map((c) => this.reason(c)) });
    }
    const source = form ?? null;
    const lines: ClaimLineView[] = fhir
      ? (fhir.item ?? []).map((item) => {
          const code = item.productOrService.coding?.[0]?.code ?? '';
          return {
            sequence: item.sequence,
            code,
            description: describeProcedure(this.#sets, code),
            modifiers: (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? ''),
            revenueCode: item.revenue?.coding?.[0]?.code ?? '',
            servicedDate: item.servicedDate ?? '',
            units: item.quantity?.value ?? 1,
            unitPriceCents: Math.round((item.unitPrice?.value ?? 0) * 100),
            netCents: Math.round((item.net?.value ?? 0) * 100),
            adjudication: byLine.get(item.sequence) ?? null,
          };
        })
      : (source?.items ?? []).map((item, i) => ({
          sequence: i + 1,
          code: item.code,
          description: describeProcedure(this.#sets, item.code),
          modifiers: item.modifiers,
          revenueCode: item.revenueCode,
          servicedDate: item.servicedDate,
          units: item.units,
          unitPriceCents: Math.round(item.unitPrice * 100),
          netCents: lineNetCents(item),
          adjudication: null,
        }));
    const diagnoses = fhir
      ? (fhir.diagnosis ?? []).map((d) => d.diagnosisCodeableConcept?.coding?.[0]?.code ?? '')
      : (source?.diagnoses ?? []).map((d) => d.code);
    const cov = fhir?.contained?.find((c) => c.resourceType === 'Coverage') as Coverage | undefined;
    const coverage = cov ? { memberId: cov.subscriberId ?? '', planName: cov.class?.[0]?.value ?? '', start: cov.period?.start ?? '', end: cov.period?.end ?? '' } : null;
    const hospital = row.side === 'hospital';
    const latest = versions[versions.length - 1];
    const pendingCorrection = latest !== undefined && latest.outbox_seq === null && row.submission_count > 0;
    const insurerCheck =
      !hospital && coverage && fhir
        ? (() => {
            const dates = (fhir.item ?? []).map((i) => i.servicedDate ?? '');
            const outside = dates.filter((d) => d < coverage.start || d > coverage.end);
            const revoked = card?.revocation === 'revoked' ? ` The card is ${card.note === 'suspended' ? 'suspended' : 'revoked'} on your status list${card.revokedOn ? ` (list changed on ${card.revokedOn})` : ''}: deny or pend it with a reason.` : '';
            const unknown = card && card.revocation === 'unknown' ? ` Whether the card was revoked could not be checked: ${card.note ?? 'no status entry'}; check it before paying.` : '';
            const active = card?.revocation === 'active' ? ' The card is not revoked on your status list.' : '';
            return outside.length === 0
              ? `Member ${coverage.memberId}, plan ${coverage.planName}: covered ${coverage.start} to ${coverage.end}, which holds every service date.${active}${revoked}${unknown}`
              : `Member ${coverage.memberId}: services on ${outside.join(', ')} fall outside the coverage period ${coverage.start} to ${coverage.end} (CARC 27).${revoked}${unknown}`;
          })()
        : null;
    return {
      summary: this.#summary(row),
      form: hospital && form ? { ...form, note: form.note ?? '' } : null,
      lines,
      diagnoses: diagnoses.map((code) => ({ code, description: describeCode(this.#sets, 'icd10cm', code) ?? 'not in the loaded code set' })),
      coverage,
      timeline: timeline.map((t) => ({ at: t.at, kind: t.kind, text: t.text, reasonCodes: JSON.parse(t.reason_codes) as ReasonCode[], version: t.version, by: t.by_staff })),
      versions: versions.filter((v) => v.sent_at !== null).map((v) => ({ version: v.version, at: v.sent_at ?? v.created_at, totalCents: v.total_cents })),
      purged: row.purged_at ? { at: row.purged_at, remains: 'The ledger keeps the public record: status, amounts, reason codes, the salted fingerprint and the SHA-256 of the purged detail; this workstation keeps its own copy in the encrypted cache.' } : null,
      canResubmit: hospital && (this.#resubmittable(row) || (row.status === 'refused' && !pendingCorrection) || row.status === 'draft' || pendingCorrection),
      canWithdraw: hospital && (['draft', 'submitted', 'pended', 'resubmitted'].includes(row.status) || (row.status === 'adjudicated' && row.outcome !== 'approved')),
      canPurge: (row.status === 'paid' || row.status === 'withdrawn') && row.purged_at === null && row.submission_count > 0,
      canPend: !hospital && (row.status === 'submitted' || row.status === 'resubmitted'),
      canAdjudicate: !hospital && ['submitted', 'resubmitted', 'pended'].includes(row.status) && fhir !== null && (staff.role === 'adjudicator' || staff.role === 'claims'),
      canPay: !hospital && row.status === 'adjudicated' && row.outcome !== 'denied',
      insurerCoverageCheck: insurerCheck,
    };
  }

  // ---- exports -------------------------------------------------------------------------

  async export(staff: ClaimsStaff, request: { claimId: string; format: 'pdf' | 'fhir-json' | 'x12-837' }): Promise<ClaimExport> {
    const detail = await this.get(staff, request.claimId);
    const fhirText = await this.#db.read(async (r) => (await r.get<{ fhir: string }>(sql`SELECT fhir FROM claim_version WHERE claim_id = ${request.claimId} AND fhir IS NOT NULL ORDER BY version DESC LIMIT 1`))?.fhir ?? null);
    if (request.format === 'pdf') return { fileName: `claim-${request.claimId}.pdf`, mediaType: 'application/pdf', content: Buffer.from(this.#pdf(detail)).toString('base64'), encoding: 'base64' };
    if (!fhirText) throw new DomainError('CONFLICT', 'This claim has not been built for sending yet: submit it first (the checks must pass), then export it.');
    const fhir = JSON.parse(fhirText) as Claim;
    if (request.format === 'fhir-json') return { fileName: `claim-${request.claimId}.fhir.json`, mediaType: 'application/fhir+json', content: `${JSON.stringify(fhir, null, 2)}\n`, encoding: 'utf8' };
    const edi = generate837(fhir, {
      senderId: detail.summary.insurerMspId === staff.mspId ? fhir.provider.identifier?.value ?? 'PROVIDER' : staff.mspId,
      receiverId: detail.summary.insurerMspId,
      controlNumber: (Date.parse(this.#now().toISOString()) / 1000) % 999_999_999 | 0,
      now: this.#now(),
      frequency: detail.summary.submissionCount > 1 ? '7' : '1',
    });
    const checked = check837(edi);
    if (!checked.ok) throw new DomainError('INTERNAL', `The 837 did not pass its own structure check (${checked.problems[0] ?? ''}); it was not saved. Tell IT support.`);
    return { fileName: `claim-${request.claimId}.837${fhir.type.coding?.[0]?.code === 'institutional' ? 'I' : 'P'}.x12`, mediaType: 'application/edi-x12', content: edi.replace(/~/g, '~\n'), encoding: 'utf8' };
  }

  #pdf(d: ClaimDetail): Uint8Array {
    const s = d.summary;
    const money = (c: number | null): string => (c === null ? '-' : `${formatCents(c)} ${s.currency}`);
    const lines: SummaryLine[] = [
      { text: `Claim ${s.claimId}`, bold: true, size: 16 },
      { text: `${s.claimType === 'institutional' ? 'Institutional' : 'Professional'} claim to ${s.insurerName} (${s.insurerMspId})   Status: ${s.status}${s.outcome ? ` (${s.outcome})` : ''}`, gap: 4 },
      { text: `Patient: ${s.patientName}${s.mrn ? `   MRN ${s.mrn}` : ''}` },
      ...(d.coverage ? [{ text: `Coverage: member ${d.coverage.memberId}, plan ${d.coverage.planName}, ${d.coverage.start} to ${d.coverage.end}` }] : []),
      { text: 'Diagnoses (principal first)', bold: true, gap: 8 },
      ...d.diagnoses.map((x, i) => ({ text: `${i + 1}. ${x.code}  ${x.description}` })),
      { text: 'Services', bold: true, gap: 8 },
      ...d.lines.map((l) => ({
        text: `${l.sequence}. ${l.servicedDate}  ${l.code}${l.modifiers.length ? `-${l.modifiers.join('-')}` : ''}${l.revenueCode ? `  rev ${l.revenueCode}` : ''}  ${l.units} x ${formatCents(l.unitPriceCents)} = ${formatCents(l.netCents)}${l.adjudication ? `   insurer: ${l.adjudication.decision} ${formatCents(l.adjudication.approvedCents)}${l.adjudication.reasonCodes.length ? ` (${l.adjudication.reasonCodes.join(', ')})` : ''}` : ''}`,
      })),
      { text: `Total claimed ${money(s.totalCents)}   Approved ${money(s.approvedCents)}   Paid ${money(s.paidCents)}`, bold: true, gap: 8 },
      ...(s.reasonCodes.length ? [{ text: `Reasons: ${s.reasonCodes.map((r) => `${r.code} ${r.description}`).join('; ')}` }] : []),
      { text: 'Timeline', bold: true, gap: 8 },
      ...d.timeline.map((t) => ({ text: `${t.at.slice(0, 16).replace('T', ' ')}  ${t.text}` })),
      ...(d.purged ? [{ text: `Detail purged from the ledger on ${d.purged.at}. ${d.purged.remains}`, gap: 8 }] : []),
    ];
    return summaryPdf(`Claim ${s.claimId}`, lines);
  }

  // ---- helpers --------------------------------------------------------------------------

  async #claimRow(r: ReadHandle, claimId: string): Promise<ClaimRow> {
    const row = await r.get<ClaimRow>(sql`SELECT * FROM claim WHERE claim_id = ${claimId}`);
    if (!row) throw new DomainError('NOT_FOUND', `Claim ${claimId} is not on this workstation.`);
    return row;
  }

  async #currentFhir(r: ReadHandle, claimId: string): Promise<Claim | null> {
    const v = await r.get<{ fhir: string }>(sql`SELECT fhir FROM claim_version WHERE claim_id = ${claimId} AND fhir IS NOT NULL ORDER BY version DESC LIMIT 1`);
    return v ? (JSON.parse(v.fhir) as Claim) : null;
  }

  /** Only the claim's two parties see it: a hospital its own, an insurer those addressed to it. */
  #partyOf(staff: ClaimsStaff, row: ClaimRow): void {
    const mine = staff.kind === 'insurer' ? row.side === 'insurer' && row.insurer_msp === staff.mspId : row.side === 'hospital' && row.hospital_msp === staff.mspId;
    if (!mine) throw new DomainError('NOT_FOUND', `Claim ${row.claim_id} is not on this workstation.`);
  }

  #hospitalOnly(staff: ClaimsStaff): void {
    if (staff.kind !== 'hospital' || staff.role !== 'claims') throw new DomainError('ROLE_REFUSED', "Only a hospital's claims staff bill claims.");
  }

  #insurerOnly(staff: ClaimsStaff): void {
    if (staff.kind !== 'insurer' || (staff.role !== 'claims' && staff.role !== 'adjudicator')) throw new DomainError('ROLE_REFUSED', "Only an insurer's claims staff and adjudicators decide claims.");
  }

  #statusWords(row: ClaimRow): string {
    return row.status === 'adjudicated' ? `adjudicated (${row.outcome ?? 'unknown'})` : row.status;
  }

  async #timeline(w: WriteHandle, claimId: string, at: string, kind: TimelineEntry['kind'], text: string, reasons: ReasonCode[], version: number | null, by: string | null): Promise<void> {
    await w.run(sql`INSERT INTO claim_timeline (claim_id, at, kind, text, reason_codes, version, by_staff) VALUES (${claimId}, ${at}, ${kind}, ${text}, ${JSON.stringify(reasons)}, ${version}, ${by})`);
  }

  /** What the outbox's answer means for the claim (the event brings the ledger's status; this brings refusals). */
  #registerSettlements(): void {
    for (const operation of Object.values(CLAIM_OPERATIONS)) {
      this.#o.ledger.onSettled(operation, async (w, s) => {
        const claimId = claimIdOfOrderKey(s.row.order_key);
        if (!claimId) return;
        const row = await w.get<ClaimRow>(sql`SELECT * FROM claim WHERE claim_id = ${claimId}`);
        if (!row) return;
        const at = this.#now().toISOString();
        if (s.kind === 'failed') {
          const sentence = s.code === 'MVCC_READ_CONFLICT' ? `The claim changed on the ledger while this was being sent (${s.reason}). Open the claim again: nothing was lost, decide again from its current state.` : s.reason;
          if (operation === CLAIM_OPERATIONS.submit || operation === CLAIM_OPERATIONS.resubmit) {
            // The draft is kept: the version goes back to editable, the fingerprint is released.
            await w.run(sql`UPDATE claim_version SET outbox_seq = NULL, sent_at = NULL WHERE claim_id = ${claimId} AND outbox_seq = ${s.row.seq}`);
            await w.run(sql`DELETE FROM claim_fingerprint WHERE claim_id = ${claimId}`);
            await w.run(sql`UPDATE claim SET status = CASE WHEN submission_count = 0 THEN 'refused' ELSE status END, problem = ${sentence}, updated_at = ${at} WHERE claim_id = ${claimId}`);
          } else {
            await w.run(sql`UPDATE claim SET problem = ${sentence}, updated_at = ${at} WHERE claim_id = ${claimId}`);
          }
          await this.#timeline(w, claimId, at, 'refused', `The ledger refused the ${operationWords(operation)}: ${sentence}`, [], null, null);
        } else if (s.kind === 'discarded') {
          if (operation === CLAIM_OPERATIONS.submit || operation === CLAIM_OPERATIONS.resubmit) {
            await w.run(sql`UPDATE claim_version SET outbox_seq = NULL, sent_at = NULL WHERE claim_id = ${claimId} AND outbox_seq = ${s.row.seq}`);
            await w.run(sql`DELETE FROM claim_fingerprint WHERE claim_id = ${claimId}`);
            await w.run(sql`UPDATE claim SET status = CASE WHEN submission_count = 0 THEN 'draft' ELSE status END, updated_at = ${at} WHERE claim_id = ${claimId}`);
          }
          await this.#timeline(w, claimId, at, 'refused', `The ${operationWords(operation)} was given up on the sync screen; the claim is as it was before.`, [], null, null);
        } else if (s.kind === 'committed') {
          await w.run(sql`UPDATE claim SET problem = NULL WHERE claim_id = ${claimId}`);
          if (row.status === 'queued' && (operation === CLAIM_OPERATIONS.submit || operation === CLAIM_OPERATIONS.resubmit)) {
            await w.run(sql`UPDATE claim SET status = ${operation === CLAIM_OPERATIONS.submit ? 'submitted' : 'resubmitted'}, updated_at = ${at} WHERE claim_id = ${claimId} AND status = 'queued'`);
          }
        }
      });
    }
  }
}

function operationWords(operation: string): string {
  return ({ 'claim.submit': 'submission', 'claim.resubmit': 'resubmission', 'claim.withdraw': 'withdrawal', 'claim.pend': 'pend', 'claim.adjudicate': 'decision', 'claim.pay': 'payment', 'claim.purge': 'purge' } as Record<string, string>)[operation] ?? operation;
}

export function claimIdOfOrderKey(orderKey: string): string | null {
  return orderKey.startsWith('claim:') ? orderKey.slice('claim:'.length) : null;
}

/** Stores a FHIR Claim read from the pair's collection as version `submission` (insurer side, or another workstation). */
export async function storeFetchedClaim(w: WriteHandle, claimId: string, submission: number, claim: Claim, at: string): Promise<void> {
  const total = Math.round((claim.total?.value ?? 0) * 100);
  await w.run(sql`INSERT INTO claim_version (claim_id, version, fhir, total_cents, sent_at, created_by, created_at) VALUES (${claimId}, ${submission}, ${JSON.stringify(claim)}, ${total}, ${at}, 'ledger', ${at})
                  ON CONFLICT (claim_id, version) DO UPDATE SET fhir = coalesce(claim_version.fhir, excluded.fhir)`);
  const patient = claim.contained?.find((c) => c.resourceType === 'Patient') as Patient | undefined;
  const name = patient ? patientDisplayName({ givenName: patient.name?.[0]?.given?.[0] ?? '', familyName: patient.name?.[0]?.family ?? '' }) : null;
  const type = claim.type.coding?.[0]?.code === 'professional' ? 'professional' : 'institutional';
  await w.run(sql`UPDATE claim SET patient_name = coalesce(${name}, patient_name), claim_type = ${type}, service_from = ${claim.billablePeriod?.start ?? ''} WHERE claim_id = ${claimId} AND (side = 'insurer' OR patient_name LIKE 'Claim %')`);
}

export { memberIdSystem };
