/**
 * The admission desk in the main process: wallet scan -> verification -> patient match ->
 * admission with consent and eligibility -> wristband. Plain Node (no electron).
 *
 * Rules that hold throughout:
 * - what the desk acts on comes from main's own copy of the verified scan (by `scanId`),
 *   never from claims the renderer sends back;
 * - a local change and its ledger write commit in ONE cache transaction (the sync engine's
 *   outbox); the ledger sees only DIDs, random ids, codes and times, never a name;
 * - failed or unknown insurance never blocks an admission; a missing consent never does
 *   either, and both are shown as such;
 * - every override, merge, reconciliation and registration leaves a row in `desk_audit`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  AdmissionListItem,
  AdmissionRecord,
  AdmitRequest,
  BedRef,
  Clinician,
  CurrentStay,
  ConsentSummary,
  DeskOptions,
  DischargeRequest,
  Eligibility,
  ManualRegistrationRequest,
  MergeRequest,
  OverrideRequest,
  PatientMatch,
  PatientSearchRequest,
  PatientSummary,
  ReconcileRequest,
  ScannedIdentity,
  ScanResult,
  ScanSource,
  TransferRequest,
  UnidentifiedRegistrationRequest,
  Ward,
  WristbandDocument,
  WristbandRequest,
} from '../../src-shared/admission/schemas';
import { allergiesAfterAnswer, mergedAllergies } from '../../src-shared/admission/allergies';
import { patientDisplayName } from '../../src-shared/admission/names';
import { admissionClaims, AdmissionClaimsError, isAccepted, type AdmissionClaims } from '../../src-shared/identity/claims';
import { OVERRIDE_REASON_CODES, type OverrideReasonCode, type VerificationReport } from '../../src-shared/identity/report';
import { parseWalletQrCode, WalletQrCollector, WalletQrError, type DecodedWalletPresentation, type WalletQrErrorCode } from '../../src-shared/walletqr';
import type { CacheDatabase, ReadHandle, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import type { ReplayStore } from '../identity/mirrors';
import { overrideCannotDetermine } from '../identity/override';
import type { VerifyPresentationInput } from '../identity/pipeline';
import type { LedgerWrite } from '../ledger/outbox';
import { noConsentSummary, summariseConsent } from './consent-summary';
import type { AdmissionDesk, DeskStaff } from './desk';
import { DEMO_CLINICIANS, DEMO_WARDS } from './demo-config';
import { cardStatusOf, judgeEligibility } from './eligibility';
import { scoreMatch } from './matching';
import { findMatches, getPatient, insertPatient, patientByMrn, patientByWallet, toSummary, type PatientRow } from './patient-store';
import { normaliseName } from './names';
import { bedTakenOnLedger, occupiedBeds } from './occupancy';
import { currentPseudonymKey, hospitalPseudonym, newPseudonymKey, newPseudonymousDid, type PseudonymKey } from './pseudonym';
import { wristbandPdf } from './wristband-pdf';
import { workstationDates } from '../settings/date-time-settings';

/** The sync engine as the desk needs it (SyncService implements it). */
export interface DeskLedger {
  transact<T>(work: (w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>) => Promise<T>): Promise<T>;
}

export interface DeskVerifier {
  verifyPresentation(vpJwt: string, input?: VerifyPresentationInput): Promise<VerificationReport>;
}

export interface AdmissionDeskOptions {
  db: CacheDatabase;
  ledger: DeskLedger;
  verifier: DeskVerifier;
  /** This hospital's DID: presentations must be for it, consents must name it. */
  hospitalDid: string;
  wards?: readonly Ward[];
  clinicians?: readonly Clinician[];
  now?: () => Date;
  /** Sends a PDF to the printer (Electron); absent in the web host, where the file is downloaded. */
  printPdf?: (pdf: Uint8Array, fileName: string) => Promise<void>;
  /** The identity pipeline's replay store, to remember presentations only partly refused (see scan). */
  replayStore?: ReplayStore;
  /** How long a verified scan can be used to admit (default 30 minutes). */
  scanTtlMs?: number;
  /**
   * The hospital's pseudonym keys (CARELEDGER_PSEUDONYM_KEYS): admission events name the patient
   * by a keyed hash of the ledger DID, never the DID. Without them the workstation makes its own
   * key once and keeps it in the cache (development, demo).
   */
  pseudonymKeys?: readonly PseudonymKey[];
}

interface ScanEntry {
  scanId: string;
  staffId: string;
  source: ScanSource;
  decoded: DecodedWalletPresentation;
  report: VerificationReport;
  expiresAt: number;
}

const OVERRIDE_LABELS: Record<OverrideReasonCode, string> = {
  'status-list-unavailable-emergency': 'Emergency: revocation lists are not available right now',
  'issuer-confirmed-status-by-phone': 'I called the card issuer and they confirmed the card is valid',
  'trust-registry-unavailable-emergency': 'Emergency: the list of trusted issuers is not available right now',
  'issuer-key-unavailable-emergency': "Emergency: the issuer's signing key is not available offline",
  'clock-confirmed-correct': "I checked that this workstation's date and time are right",
};

/** Errors about the whole multi-part set (not only the part just scanned): start over. */
const SET_FATAL: ReadonlySet<WalletQrErrorCode> = new Set(['CHECKSUM_MISMATCH', 'CORRUPT', 'INFLATED_TOO_LARGE', 'BAD_FRAMING', 'NOT_A_PRESENTATION']);

const MAX_SCANS_KEPT = 200;

const REPLAY_MESSAGE = 'This wallet code was already used. Codes work once: ask the patient to create a new code in their wallet and scan it.';

interface AdmissionRow {
  admission_id: string;
  encounter_id: string;
  patient_id: string;
  ledger_did: string;
  status: 'admitted' | 'discharged';
  ward_code: string;
  bed: string;
  attending_id: string;
  reason: string;
  admitted_at: string;
  discharged_at: string | null;
  consent: string;
  eligibility: string;
  admission_seq: number | null;
  consent_seq: number | null;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isUniqueViolation(err: unknown, index: string): boolean {
  return /UNIQUE constraint failed/.test(String((err as Error)?.message)) && String((err as Error).message).includes(index);
}

/** The payload of a compact JWT, or null. */
function jwtPayload(jwt: string): Record<string, unknown> | null {
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class AdmissionDeskService implements AdmissionDesk {
  readonly #o: AdmissionDeskOptions;
  readonly #wards: readonly Ward[];
  readonly #clinicians: readonly Clinician[];
  readonly #collectors = new Map<string, WalletQrCollector>();
  readonly #scans = new Map<string, ScanEntry>();

  constructor(options: AdmissionDeskOptions) {
    this.#o = options;
    this.#wards = options.wards ?? DEMO_WARDS;
    this.#clinicians = options.clinicians ?? DEMO_CLINICIANS;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  get #db(): CacheDatabase {
    return this.#o.db;
  }

  async deskOptions(): Promise<DeskOptions> {
    return {
      hospitalDid: this.#o.hospitalDid,
      wards: this.#wards.map((w) => ({ ...w, beds: [...w.beds] })),
      occupiedBeds: await this.occupiedBeds(),
      clinicians: this.#clinicians.map((c) => ({ ...c })),
      overrideReasons: OVERRIDE_REASON_CODES.map((code) => ({ code, label: OVERRIDE_LABELS[code] })),
    };
  }

  /** Beds in use in the whole hospital now (this desk's admissions and the ledger's events of the others). */
  occupiedBeds(): Promise<BedRef[]> {
    return this.#db.read((r) => occupiedBeds(r));
  }

  /** Each match with the patient's open stay, so the desk offers transfer or discharge at once. */
  async #withStays(r: ReadHandle, matches: PatientMatch[]): Promise<PatientMatch[]> {
    const out: PatientMatch[] = [];
    for (const m of matches) out.push({ ...m, currentStay: await this.#currentStay(r, m.patient.patientId) });
    return out;
  }

  async #currentStay(r: ReadHandle, patientId: string): Promise<CurrentStay | null> {
    const a = await r.get<{ admission_id: string; ward_code: string; bed: string; admitted_at: string }>(
      sql`SELECT admission_id, ward_code, bed, admitted_at FROM admission WHERE patient_id = ${patientId} AND status = 'admitted'`,
    );
    return a ? { admissionId: a.admission_id, wardCode: a.ward_code, wardName: this.#wardName(a.ward_code), bed: a.bed, admittedAt: a.admitted_at } : null;
  }

  #wardName(code: string): string {
    return this.#wards.find((w) => w.code === code)?.name ?? code;
  }

  // ---- scanning ---------------------------------------------------------------------------

  /**
   * @throws DomainError VALIDATION with `details.walletQrCode` when the text is not a usable
   *   wallet code (the parts already scanned are kept unless the whole set is bad).
   */
  async scan(staff: DeskStaff, text: string, source: ScanSource): Promise<ScanResult> {
    // Keyboard-wedge scanners end with Enter (sometimes CR LF); cameras sometimes add spaces.
    const scanned = text.replace(/[\r\n]+$/g, '').trim();
    let collector = this.#collectors.get(staff.id) ?? new WalletQrCollector();
    let progress;
    try {
      try {
        progress = collector.add(scanned);
      } catch (err) {
        // A complete single code while parts of another are pending: the previous patient's
        // scan was abandoned at a busy desk. The new, whole code wins; nothing is mixed.
        if (!(err instanceof WalletQrError && err.code === 'PART_FROM_OTHER_SET' && parseWalletQrCode(scanned).kind === 'single')) throw err;
        collector = new WalletQrCollector();
        progress = collector.add(scanned);
      }
    } catch (err) {
      if (err instanceof WalletQrError) {
        if (SET_FATAL.has(err.code)) this.#collectors.delete(staff.id);
        else if (collector.progress().status === 'collecting' && (collector.progress() as { total: number }).total > 0) this.#collectors.set(staff.id, collector);
        throw new DomainError('VALIDATION', err.message, { walletQrCode: err.code });
      }
      throw err;
    }
    if (progress.status === 'collecting') {
      this.#collectors.set(staff.id, collector);
      return { status: 'collecting', received: progress.received, total: progress.total, repeated: progress.repeated };
    }
    this.#collectors.delete(staff.id);
    const decoded = progress.result;
    let report = await this.#o.verifier.verifyPresentation(decoded.presentation, { now: this.#now(), lastTrustedLedgerTime: await this.#lastLedgerTime() });
    report = await this.#rememberPartlyRefused(report);
    const entry: ScanEntry = { scanId: `scan-${randomUUID()}`, staffId: staff.id, source, decoded, report, expiresAt: this.#now().getTime() + (this.#o.scanTtlMs ?? 30 * 60_000) };
    this.#remember(entry);
    return this.#scanResult(entry);
  }

  /**
   * The identity layer remembers only presentations it did not refuse; the desk also acts on
   * one whose insurance or consent card was refused, so it remembers those itself: the same
   * code scanned again is then a replay here too.
   */
  async #rememberPartlyRefused(report: VerificationReport): Promise<VerificationReport> {
    const id = report.presentation.id;
    if (report.verdict !== 'invalid' || !deskAccepts(report) || id === null || !this.#o.replayStore) return report;
    const expires = report.presentation.expiresAt ? Date.parse(report.presentation.expiresAt) : this.#now().getTime();
    const keepUntil = new Date(Math.max(expires, this.#now().getTime()) + 15 * 60_000);
    if (await this.#o.replayStore.remember(id, keepUntil)) return report;
    return {
      ...report,
      summary: 'Refused: this wallet code was already used.',
      checks: report.checks.map((c) => (c.id === 'presentation.replay' ? { ...c, result: 'fail' as const, message: REPLAY_MESSAGE } : c)),
    };
  }

  /** Drops every scan and partly collected code (called at sign-out). */
  forgetScans(): void {
    this.#collectors.clear();
    this.#scans.clear();
  }

  clearScan(staff: DeskStaff): { cleared: boolean } {
    return { cleared: this.#collectors.delete(staff.id) };
  }

  async #lastLedgerTime(): Promise<string | null> {
    const row = await this.#db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'lastSyncAt'`));
    return row?.value ?? null;
  }

  #remember(entry: ScanEntry): void {
    const now = this.#now().getTime();
    for (const [id, e] of this.#scans) if (e.expiresAt <= now) this.#scans.delete(id);
    while (this.#scans.size >= MAX_SCANS_KEPT) {
      const oldest = this.#scans.keys().next().value;
      if (oldest === undefined) break;
      this.#scans.delete(oldest);
    }
    this.#scans.set(entry.scanId, entry);
  }

  /** @throws DomainError NOT_FOUND when the scan is unknown, expired, or another person's. */
  #scan(staff: DeskStaff, scanId: string): ScanEntry {
    const entry = this.#scans.get(scanId);
    if (!entry || entry.staffId !== staff.id || entry.expiresAt <= this.#now().getTime()) {
      throw new DomainError('NOT_FOUND', 'This wallet scan has expired or was made at another session. Ask the patient to show a new code and scan it again.');
    }
    return entry;
  }

  /** @throws DomainError CONFLICT when the scan may not be acted on. */
  #claims(entry: ScanEntry): AdmissionClaims {
    if (!deskAccepts(entry.report)) {
      throw new DomainError('CONFLICT', entry.report.verdict === 'cannot-determine'
        ? 'Not every check of this wallet code could be made. Override it with a reason first, or admit the patient without the wallet.'
        : 'This wallet code was refused, so its details cannot be used. Admit the patient without the wallet, or ask for a new code.');
    }
    try {
      return admissionClaims(usableReport(entry.report));
    } catch (err) {
      if (err instanceof AdmissionClaimsError) throw new DomainError('CONFLICT', err.message, { claimsError: err.code });
      throw err;
    }
  }

  async #scanResult(entry: ScanEntry): Promise<ScanResult> {
    const report = entry.report;
    const base = {
      status: 'verified' as const,
      scanId: entry.scanId,
      report,
      accepted: deskAccepts(report),
      canOverride: report.verdict === 'cannot-determine' && report.override === null,
    };
    if (!base.accepted) return { ...base, identity: null, matches: [], consent: null, eligibility: null };
    const claims = this.#claims(entry);
    const identity = scannedIdentity(claims);
    const matches = await this.#db.read(async (r) =>
      this.#withStays(r, await findMatches(r, { walletDid: claims.patientDid, givenName: identity.givenName, familyName: identity.familyName, birthDate: identity.birthDate, gender: identity.gender })),
    );
    return {
      ...base,
      identity,
      matches,
      consent: this.#consent(entry, claims, patientDisplayName(identity), this.#now()),
      eligibility: this.#eligibility(entry, claims, this.#now().toISOString()),
    };
  }

  /** The key new stays are filed under: the configured one, else this workstation's own, made once. */
  async #pseudonymKey(w: WriteHandle): Promise<PseudonymKey> {
    if (this.#o.pseudonymKeys && this.#o.pseudonymKeys.length > 0) return currentPseudonymKey(this.#o.pseudonymKeys);
    const stored = await w.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'patient-pseudonym-key'`);
    if (stored) return { version: 1, secret: Buffer.from(stored.value, 'hex') };
    const made = newPseudonymKey(1);
    await w.run(sql`INSERT INTO sync_meta (key, value) VALUES ('patient-pseudonym-key', ${Buffer.from(made.secret).toString('hex')})`);
    return made;
  }

  #consent(entry: ScanEntry, claims: AdmissionClaims, patientName: string, now: Date): ConsentSummary {
    const refused = claims.consent ? null : entry.report.credentials.find((c) => c.type === 'ConsentGrantCredential' && !c.verified);
    if (refused) {
      const why = refused.checks.find((c) => c.result === 'fail') ?? refused.checks.find((c) => c.result === 'cannot-determine');
      return { ...noConsentSummary(), text: `The consent in the wallet could not be used: ${why?.message ?? 'a check did not pass.'} The patient can be admitted without it; ask them to give consent again in their wallet.` };
    }
    return summariseConsent(claims.consent, patientName, this.#o.hospitalDid, now);
  }

  #eligibility(entry: ScanEntry, claims: AdmissionClaims, at: string): Eligibility {
    const refused = entry.report.credentials.find((c) => c.type === 'InsuranceCoverageCredential' && !c.verified) ?? null;
    const judged = judgeEligibility(claims.coverage, claims.coverage ? null : refused, workstationDates().calendarDate(at));
    if (!claims.coverage) return judged;
    // Keep the card's status-list entry so billing can check revocation at the service date.
    const cards = entry.report.credentials.filter((c) => c.type === 'InsuranceCoverageCredential');
    const card = cards.find((c) => c.id !== null && c.id === claims.coverage?.credentialId) ?? cards[0];
    const cardStatus = cardStatusOf(card);
    return cardStatus ? { ...judged, cardStatus } : judged;
  }

  /**
   * @throws DomainError CONFLICT when the verdict is not cannot-determine or a reason does not
   *   cover an undetermined check; VALIDATION for an unknown reason.
   */
  async override(staff: DeskStaff, request: z.output<typeof OverrideRequest>): Promise<ScanResult> {
    const entry = this.#scan(staff, request.scanId);
    const now = this.#now();
    const { report, audit } = overrideCannotDetermine(entry.report, { reason: request.reasons, staffId: staff.id, note: request.note, now });
    const holder = report.presentation.holder;
    await this.#o.ledger.transact(async (w, queue) => {
      let seq: number | null = null;
      // The ledger's access log takes the override as a reviewable break-glass entry: only a
      // hash of the audit record leaves the hospital, and the privacy officer sees it for review.
      if (holder && /^did:(key|jwk):/.test(holder)) {
        const entryId = `override-${randomUUID()}`;
        seq = await queue({
          operation: 'admission.override-audit',
          orderKey: `access:${entryId}`,
          transaction: 'Access:logAccess',
          // Private inputs travel in the transient map: arguments are in every organisation's blocks.
          args: [],
          transient: {
            entry: JSON.stringify({
              entryId,
              patientDid: holder,
              categories: ['demographics'],
              purpose: 'TREAT',
              decision: 'allowed',
              breakGlass: { reasonCode: 'emergency-other', noteSha256: sha256Hex(JSON.stringify(audit)) },
              accessedAt: now.toISOString(),
            }),
          },
          retryOnConflict: true,
        });
      }
      await w.run(sql`INSERT INTO desk_audit (at, staff_id, action, patient_id, admission_id, detail, outbox_seq)
                      VALUES (${now.toISOString()}, ${staff.id}, 'verification-override', NULL, NULL, ${JSON.stringify(audit)}, ${seq})`);
    });
    entry.report = report;
    return this.#scanResult(entry);
  }

  // ---- patients ---------------------------------------------------------------------------

  async searchPatients(request: z.output<typeof PatientSearchRequest>): Promise<PatientMatch[]> {
    return this.#db.read(async (r) => {
      if (request.mrn) {
        const row = await patientByMrn(r, request.mrn);
        if (!row) return [];
        return this.#withStays(r, [{ patient: toSummary(row), score: 100, strength: 'likely' as const, reasons: [{ code: 'mrn', points: 100, message: 'The medical record number is the same.' }] }]);
      }
      return this.#withStays(r, await findMatches(r, request, request.limit));
    });
  }

  /** @throws DomainError CONFLICT with `details.matches` when a likely duplicate exists and was not confirmed. */
  async registerManual(staff: DeskStaff, request: z.output<typeof ManualRegistrationRequest>): Promise<PatientSummary> {
    const now = this.#now();
    const row = await this.#db.write(async (w) => {
      await refuseLikelyDuplicate(w, request, request.confirmNotDuplicate);
      const p = await insertPatient(
        w,
        { ...request, estimatedAgeYears: null, identityStatus: 'manual-unverified', walletDid: null, ledgerDid: newPseudonymousDid(), nationalId: null, address: null },
        staff.id,
        now,
      );
      await audit(w, now, staff.id, 'patient-registered-manually', p.patient_id, null, { confirmedNotDuplicate: request.confirmNotDuplicate });
      return p;
    });
    return toSummary(row);
  }

  async registerUnidentified(staff: DeskStaff, request: z.output<typeof UnidentifiedRegistrationRequest>): Promise<PatientSummary> {
    const now = this.#now();
    const row = await this.#db.write(async (w) => {
      const n = await w.get<{ n: number }>(sql`SELECT count(*) AS n FROM desk_audit WHERE action = 'patient-registered-unidentified'`);
      const number = String(((n?.n ?? 0) % 9999) + 1).padStart(4, '0');
      const word = request.gender === 'male' ? 'Male' : request.gender === 'female' ? 'Female' : 'Person';
      const p = await insertPatient(
        w,
        {
          givenName: `${word} ${number}`,
          familyName: 'Unknown',
          birthDate: null,
          estimatedAgeYears: request.estimatedAgeYears,
          gender: request.gender,
          identityStatus: 'unidentified',
          walletDid: null,
          ledgerDid: newPseudonymousDid(),
          nationalId: null,
          address: null,
          allergies: request.allergies,
        },
        staff.id,
        now,
      );
      await audit(w, now, staff.id, 'patient-registered-unidentified', p.patient_id, null, { estimatedAgeYears: request.estimatedAgeYears });
      return p;
    });
    return toSummary(row);
  }

  /**
   * @throws DomainError NOT_FOUND (either record), CONFLICT (same record, already merged, two
   *   different wallets: different people).
   */
  async merge(staff: DeskStaff, request: z.output<typeof MergeRequest>): Promise<PatientSummary> {
    const now = this.#now();
    const row = await this.#db.write(async (w) => {
      if (request.survivorId === request.mergedId) throw new DomainError('CONFLICT', 'Choose two different records to merge.');
      const survivor = await livePatient(w, request.survivorId);
      const merged = await livePatient(w, request.mergedId);
      if (survivor.wallet_did && merged.wallet_did && survivor.wallet_did !== merged.wallet_did) {
        throw new DomainError('CONFLICT', 'These two records belong to two different wallets, so they are two different people. They were not merged.');
      }
      const moved = await w.all<{ admission_id: string }>(sql`SELECT admission_id FROM admission WHERE patient_id = ${merged.patient_id}`);
      await w.run(sql`UPDATE admission SET patient_id = ${survivor.patient_id}, updated_at = ${now.toISOString()} WHERE patient_id = ${merged.patient_id}`);
      await w.run(sql`UPDATE patient SET merged_into = ${survivor.patient_id}, updated_at = ${now.toISOString()} WHERE patient_id = ${merged.patient_id}`);
      if (!survivor.wallet_did && merged.wallet_did) {
        await w.run(sql`UPDATE patient SET wallet_did = ${merged.wallet_did}, identity_status = 'wallet-verified', ledger_did = ${merged.wallet_did}, updated_at = ${now.toISOString()} WHERE patient_id = ${survivor.patient_id}`);
      }
      // Never lose what either record knows: an allergy warning (or a "none known" over
      // "unknown"), and the birth date, age estimate, national id and address the survivor lacks.
      await w.run(sql`UPDATE patient SET allergies = ${mergedAllergies(survivor.allergies, merged.allergies)},
                        birth_date = COALESCE(birth_date, ${merged.birth_date}), estimated_age = COALESCE(estimated_age, ${merged.estimated_age}),
                        national_id = COALESCE(national_id, ${merged.national_id}), address = COALESCE(address, ${merged.address})
                      WHERE patient_id = ${survivor.patient_id}`);
      await audit(w, now, staff.id, 'patients-merged', survivor.patient_id, null, {
        reason: request.reason,
        survivor: { patientId: survivor.patient_id, mrn: survivor.mrn },
        merged: { ...toSummary(merged) },
        admissionsMoved: moved.map((m) => m.admission_id),
      });
      return (await getPatient(w, survivor.patient_id)) as PatientRow;
    });
    return toSummary(row);
  }

  /**
   * Attaches a verified wallet to a manual or unidentified record: the record takes the
   * wallet's identity, and a consent in the scan goes to the ledger for the current stay.
   * @throws DomainError NOT_FOUND, CONFLICT (already verified, wallet already on another record: merge instead).
   */
  async reconcile(staff: DeskStaff, request: z.output<typeof ReconcileRequest>): Promise<PatientSummary> {
    const entry = this.#scan(staff, request.scanId);
    const claims = this.#claims(entry);
    const now = this.#now();
    const row = await this.#o.ledger.transact(async (w, queue) => {
      const p = await livePatient(w, request.patientId);
      if (p.identity_status === 'wallet-verified') throw new DomainError('CONFLICT', `Record ${p.mrn} is already verified from a wallet; nothing to reconcile.`);
      const other = await patientByWallet(w, claims.patientDid);
      if (other) {
        throw new DomainError('CONFLICT', `This wallet already belongs to record ${other.mrn}. Merge record ${p.mrn} into ${other.mrn} instead.`, { existingPatientId: other.patient_id, existingMrn: other.mrn });
      }
      const id = claims.identity;
      await w.run(sql`UPDATE patient SET given_name = ${id.givenName}, family_name = ${id.familyName}, given_norm = ${normaliseName(id.givenName)}, family_norm = ${normaliseName(id.familyName)},
                        birth_date = ${id.birthDate}, gender = ${id.gender}, identity_status = 'wallet-verified', wallet_did = ${claims.patientDid}, ledger_did = ${claims.patientDid},
                        national_id = ${id.nationalId ?? null}, address = ${addressText(claims)}, updated_at = ${now.toISOString()}
                      WHERE patient_id = ${p.patient_id}`);
      await audit(w, now, staff.id, 'wallet-reconciled', p.patient_id, null, { before: toSummary(p), walletDid: claims.patientDid, presentationId: entry.report.presentation.id, scanSource: entry.source });
      const current = await w.get<AdmissionRow>(sql`SELECT * FROM admission WHERE patient_id = ${p.patient_id} AND status = 'admitted'`);
      if (current) {
        const consent = this.#consent(entry, claims, patientDisplayName(id), now);
        const seq = consent.status === 'granted' ? await this.#queueConsent(queue, entry, consent) : null;
        if (seq !== null) await w.run(sql`UPDATE admission SET consent = ${JSON.stringify(consent)}, consent_seq = ${seq}, updated_at = ${now.toISOString()} WHERE admission_id = ${current.admission_id}`);
      }
      return (await getPatient(w, p.patient_id)) as PatientRow;
    });
    return toSummary(row);
  }

  // ---- admissions -------------------------------------------------------------------------

  #ward(code: string): Ward {
    const ward = this.#wards.find((w) => w.code === code);
    if (!ward) throw new DomainError('VALIDATION', 'Choose a ward from the list.');
    return ward;
  }

  #checkBed(ward: Ward, bed: string): void {
    if (!ward.beds.includes(bed)) throw new DomainError('VALIDATION', `Bed ${bed} is not on ${ward.name}. Choose a bed from the list.`);
  }

  async #queueConsent(queue: (write: LedgerWrite) => Promise<number>, entry: ScanEntry, consent: ConsentSummary): Promise<number | null> {
    // The chaincode verifies the patient's own signature, so the JWT goes as the wallet signed it.
    const jwt = entry.decoded.credentials.find((c) => jwtPayload(c)?.['jti'] === consent.consentId);
    if (!jwt || !consent.consentId) return null;
    return queue({ operation: 'consent.record', orderKey: `consent:${consent.consentId}`, transaction: 'Consent:recordConsent', args: [], transient: { consentJwt: jwt }, retryOnConflict: true });
  }

  /**
   * @throws DomainError NOT_FOUND (scan, patient), CONFLICT (refused scan, likely duplicate not
   *   confirmed, already admitted, bed taken, wallet mismatch), VALIDATION (ward, bed, clinician).
   */
  async admit(staff: DeskStaff, request: z.output<typeof AdmitRequest>): Promise<AdmissionRecord> {
    const now = this.#now();
    const admittedAt = request.admittedAt ? new Date(request.admittedAt) : now;
    const ward = this.#ward(request.wardCode);
    this.#checkBed(ward, request.bed);
    if (!this.#clinicians.some((c) => c.id === request.attendingClinicianId)) throw new DomainError('VALIDATION', 'Choose the attending clinician from the list.');
    const entry = request.scanId ? this.#scan(staff, request.scanId) : null;
    const claims = entry ? this.#claims(entry) : null;
    if ('createFromScan' in request.patient && !claims) throw new DomainError('VALIDATION', 'A new record from the wallet needs a verified wallet scan. Scan the code, or register the patient by hand.');

    const admissionId = `adm-${randomUUID()}`;
    const encounterId = `enc-${randomUUID()}`;
    try {
      await this.#o.ledger.transact(async (w, queue) => {
        let patient: PatientRow;
        if ('patientId' in request.patient) {
          patient = await livePatient(w, request.patient.patientId);
          if (claims) patient = await this.#bindWallet(w, staff, patient, claims, entry as ScanEntry, now);
        } else {
          const c = claims as AdmissionClaims;
          const existing = await patientByWallet(w, c.patientDid);
          if (existing) throw new DomainError('CONFLICT', `This wallet already has a record (MRN ${existing.mrn}). Choose that record.`, { existingPatientId: existing.patient_id, existingMrn: existing.mrn });
          const id = c.identity;
          await refuseLikelyDuplicate(w, { givenName: id.givenName, familyName: id.familyName, birthDate: id.birthDate, gender: id.gender }, request.patient.confirmNotDuplicate);
          patient = await insertPatient(
            w,
            {
              givenName: id.givenName,
              familyName: id.familyName,
              birthDate: id.birthDate,
              estimatedAgeYears: null,
              gender: id.gender,
              identityStatus: 'wallet-verified',
              walletDid: c.patientDid,
              ledgerDid: c.patientDid,
              nationalId: id.nationalId ?? null,
              address: addressText(c),
              allergies: request.allergies ?? 'unknown',
            },
            staff.id,
            now,
          );
          await audit(w, now, staff.id, 'patient-created-from-wallet', patient.patient_id, null, { presentationId: entry?.report.presentation.id ?? null, confirmedNotDuplicate: request.patient.confirmNotDuplicate });
        }
        const name = patientDisplayName({ givenName: patient.given_name, familyName: patient.family_name });
        const open = await this.#currentStay(w, patient.patient_id);
        if (open) {
          throw new DomainError('CONFLICT', `${name} is already admitted to ${open.wardName} ${open.bed}: transfer or discharge that stay.`, {
            refusal: 'already-admitted',
            admissionId: open.admissionId,
            wardName: open.wardName,
            bed: open.bed,
          });
        }
        if (await bedTakenOnLedger(w, ward.code, request.bed)) throw bedTakenError(ward, request.bed);
        const allergies = allergiesAfterAnswer(patient.allergies, request.allergies);
        if (allergies !== patient.allergies) {
          await w.run(sql`UPDATE patient SET allergies = ${allergies}, updated_at = ${now.toISOString()} WHERE patient_id = ${patient.patient_id}`);
          if (patient.allergies !== 'unknown') await audit(w, now, staff.id, 'allergies-changed', patient.patient_id, null, { before: patient.allergies, after: allergies });
        }

        const consent = claims && entry ? this.#consent(entry, claims, name, now) : noConsentSummary();
        const eligibility = claims && entry ? this.#eligibility(entry, claims, admittedAt.toISOString()) : judgeEligibility(null, null, workstationDates().calendarDate(admittedAt));
        const admissionSeq = await queue({
          operation: 'admission.admit',
          orderKey: `encounter:${encounterId}`,
          transaction: 'Admissions:recordAdmissionEvent',
          args: [],
          transient: { event: JSON.stringify({ encounterId, patientPseudonym: hospitalPseudonym(await this.#pseudonymKey(w), patient.ledger_did), eventType: 'admit', wardCode: ward.code, bed: request.bed, occurredAt: admittedAt.toISOString() }) },
          retryOnConflict: true,
        });
        const consentSeq = entry && request.recordConsent && consent.status === 'granted' ? await this.#queueConsent(queue, entry, consent) : null;
        await w.run(sql`
          INSERT INTO admission (admission_id, encounter_id, patient_id, ledger_did, status, ward_code, bed, attending_id, reason, admitted_at, discharged_at,
                                 consent, eligibility, admission_seq, consent_seq, created_by, created_at, updated_at)
          VALUES (${admissionId}, ${encounterId}, ${patient.patient_id}, ${patient.ledger_did}, 'admitted', ${ward.code}, ${request.bed}, ${request.attendingClinicianId},
                  ${request.reason}, ${admittedAt.toISOString()}, NULL, ${JSON.stringify(consent)}, ${JSON.stringify(eligibility)}, ${admissionSeq}, ${consentSeq},
                  ${staff.id}, ${now.toISOString()}, ${now.toISOString()})`);
        await w.run(sql`INSERT INTO admission_movement (admission_id, kind, at, ward_code, bed, by_staff, note, outbox_seq)
                        VALUES (${admissionId}, 'admit', ${admittedAt.toISOString()}, ${ward.code}, ${request.bed}, ${staff.id}, NULL, ${admissionSeq})`);
      });
    } catch (err) {
      throw bedTaken(err, ward, request.bed);
    }
    return this.getAdmission(admissionId);
  }

  /** Ties a verified wallet to an existing record picked by the clerk. */
  async #bindWallet(w: WriteHandle, staff: DeskStaff, patient: PatientRow, claims: AdmissionClaims, entry: ScanEntry, now: Date): Promise<PatientRow> {
    if (patient.wallet_did === claims.patientDid) return patient;
    if (patient.wallet_did) {
      throw new DomainError('CONFLICT', `Record ${patient.mrn} belongs to a different wallet, so it is not this patient. Choose another record or create a new one.`);
    }
    const other = await patientByWallet(w, claims.patientDid);
    if (other) throw new DomainError('CONFLICT', `This wallet already belongs to record ${other.mrn}. Choose that record.`, { existingPatientId: other.patient_id, existingMrn: other.mrn });
    // Patient safety: a record that does not even resemble the verified identity is not tied to it.
    const id = claims.identity;
    const resemblance = scoreMatch(
      { givenName: id.givenName, familyName: id.familyName, birthDate: id.birthDate, gender: id.gender },
      { walletDid: null, givenName: patient.given_name, familyName: patient.family_name, birthDate: patient.birth_date, gender: patient.gender },
    );
    if (patient.identity_status !== 'unidentified' && resemblance.strength === null) {
      throw new DomainError(
        'CONFLICT',
        `Record ${patient.mrn} (${patientDisplayName({ givenName: patient.given_name, familyName: patient.family_name })}, born ${patient.birth_date ? workstationDates().date(patient.birth_date) : 'unknown'}) does not match the verified identity card (${patientDisplayName(id)}, born ${workstationDates().date(id.birthDate)}). Choose another record or create a new one; to correct a record, reconcile it.`,
      );
    }
    await w.run(sql`UPDATE patient SET wallet_did = ${claims.patientDid}, ledger_did = ${claims.patientDid}, identity_status = 'wallet-verified', updated_at = ${now.toISOString()} WHERE patient_id = ${patient.patient_id}`);
    await audit(w, now, staff.id, 'wallet-attached', patient.patient_id, null, { walletDid: claims.patientDid, presentationId: entry.report.presentation.id });
    return (await getPatient(w, patient.patient_id)) as PatientRow;
  }

  async #moveOrDischarge(staff: DeskStaff, admissionId: string, kind: 'transfer' | 'discharge', at: Date, note: string | null, ward?: Ward, bed?: string): Promise<AdmissionRecord> {
    const now = this.#now();
    try {
      await this.#o.ledger.transact(async (w, queue) => {
        const a = await w.get<AdmissionRow>(sql`SELECT * FROM admission WHERE admission_id = ${admissionId}`);
        if (!a) throw new DomainError('NOT_FOUND', 'This admission is not on this workstation. Refresh the list.');
        if (a.status !== 'admitted') throw new DomainError('CONFLICT', 'This patient has already been discharged.');
        if (at.getTime() < new Date(a.admitted_at).getTime()) throw new DomainError('VALIDATION', 'The time is before the admission time. Check the date and time.');
        if (ward && bed) {
          if (ward.code === a.ward_code && bed === a.bed) throw new DomainError('VALIDATION', `The patient is already in ${ward.name} ${bed}. Choose the bed they move to.`);
          if (await bedTakenOnLedger(w, ward.code, bed)) throw bedTakenError(ward, bed);
        }
        const seq = await queue({
          operation: `admission.${kind}`,
          orderKey: `encounter:${a.encounter_id}`,
          transaction: 'Admissions:recordAdmissionEvent',
          // The encounter keeps the pseudonym it was admitted with (the key may have been rotated since).
          args: [],
          transient: { event: JSON.stringify({ encounterId: a.encounter_id, eventType: kind, ...(ward && bed ? { wardCode: ward.code, bed } : {}), occurredAt: at.toISOString() }) },
          retryOnConflict: true,
        });
        if (kind === 'transfer' && ward && bed) {
          await w.run(sql`UPDATE admission SET ward_code = ${ward.code}, bed = ${bed}, updated_at = ${now.toISOString()} WHERE admission_id = ${admissionId}`);
        } else {
          await w.run(sql`UPDATE admission SET status = 'discharged', discharged_at = ${at.toISOString()}, updated_at = ${now.toISOString()} WHERE admission_id = ${admissionId}`);
        }
        await w.run(sql`INSERT INTO admission_movement (admission_id, kind, at, ward_code, bed, by_staff, note, outbox_seq)
                        VALUES (${admissionId}, ${kind}, ${at.toISOString()}, ${ward?.code ?? null}, ${bed ?? null}, ${staff.id}, ${note}, ${seq})`);
      });
    } catch (err) {
      throw ward && bed ? bedTaken(err, ward, bed) : err;
    }
    return this.getAdmission(admissionId);
  }

  transfer(staff: DeskStaff, request: z.output<typeof TransferRequest>): Promise<AdmissionRecord> {
    const ward = this.#ward(request.wardCode);
    this.#checkBed(ward, request.bed);
    return this.#moveOrDischarge(staff, request.admissionId, 'transfer', request.at ? new Date(request.at) : this.#now(), request.note ?? null, ward, request.bed);
  }

  discharge(staff: DeskStaff, request: z.output<typeof DischargeRequest>): Promise<AdmissionRecord> {
    return this.#moveOrDischarge(staff, request.admissionId, 'discharge', request.at ? new Date(request.at) : this.#now(), request.note ?? null);
  }

  /** @throws DomainError NOT_FOUND */
  async getAdmission(admissionId: string): Promise<AdmissionRecord> {
    return this.#db.read(async (r) => {
      const a = await r.get<AdmissionRow>(sql`SELECT * FROM admission WHERE admission_id = ${admissionId}`);
      if (!a) throw new DomainError('NOT_FOUND', 'This admission is not on this workstation. Refresh the list.');
      const p = (await getPatient(r, a.patient_id)) as PatientRow;
      const moves = await r.all<{ kind: 'admit' | 'transfer' | 'discharge'; at: string; ward_code: string | null; bed: string | null; by_staff: string; note: string | null }>(
        sql`SELECT kind, at, ward_code, bed, by_staff, note FROM admission_movement WHERE admission_id = ${admissionId} ORDER BY id`,
      );
      return {
        admissionId: a.admission_id,
        encounterId: a.encounter_id,
        patient: toSummary(p),
        status: a.status,
        wardCode: a.ward_code,
        wardName: this.#wards.find((w) => w.code === a.ward_code)?.name ?? a.ward_code,
        bed: a.bed,
        attendingClinicianId: a.attending_id,
        attendingClinicianName: this.#clinicians.find((c) => c.id === a.attending_id)?.name ?? a.attending_id,
        reason: a.reason,
        admittedAt: a.admitted_at,
        dischargedAt: a.discharged_at,
        consent: JSON.parse(a.consent) as ConsentSummary,
        eligibility: JSON.parse(a.eligibility) as Eligibility,
        unverifiedIdentity: p.identity_status !== 'wallet-verified',
        ledger: { admission: await ledgerState(r, a.admission_seq), consent: a.consent_seq === null ? null : await ledgerState(r, a.consent_seq) },
        movements: moves.map((m) => ({ kind: m.kind, at: m.at, wardCode: m.ward_code, bed: m.bed, byStaffId: m.by_staff, note: m.note })),
      };
    });
  }

  async listAdmissions(request: { includeDischarged: boolean; limit: number }): Promise<AdmissionListItem[]> {
    const rows = await this.#db.read((r) =>
      r.all<AdmissionRow & { mrn: string; given_name: string; family_name: string; identity_status: string; allergies: PatientRow['allergies'] }>(sql`
        SELECT a.*, p.mrn, p.given_name, p.family_name, p.identity_status, p.allergies FROM admission a JOIN patient p ON p.patient_id = a.patient_id
        WHERE ${request.includeDischarged} OR a.status = 'admitted' ORDER BY a.admitted_at DESC LIMIT ${request.limit}`),
    );
    return rows.map((a) => ({
      admissionId: a.admission_id,
      patientId: a.patient_id,
      mrn: a.mrn,
      patientName: patientDisplayName({ givenName: a.given_name, familyName: a.family_name }),
      status: a.status,
      wardCode: a.ward_code,
      wardName: this.#wards.find((w) => w.code === a.ward_code)?.name ?? a.ward_code,
      bed: a.bed,
      admittedAt: a.admitted_at,
      allergies: a.allergies,
      hasConsent: (JSON.parse(a.consent) as ConsentSummary).status === 'granted',
      unverifiedIdentity: a.identity_status !== 'wallet-verified',
    }));
  }

  /** @throws DomainError NOT_FOUND; UNAVAILABLE when printing was asked for and the printer failed (the file is not lost: ask again without print). */
  async wristband(staff: DeskStaff, request: z.output<typeof WristbandRequest>): Promise<WristbandDocument> {
    const a = await this.getAdmission(request.admissionId);
    const p = a.patient;
    const pdf = wristbandPdf(
      {
        givenName: p.givenName,
        familyName: p.familyName,
        birthDate: p.birthDate,
        estimatedAgeYears: p.estimatedAgeYears,
        gender: p.gender,
        mrn: p.mrn,
        admittedAt: a.admittedAt,
        wardName: a.wardName,
        bed: a.bed,
        allergies: p.allergies,
        unverified: a.unverifiedIdentity,
      },
      request.format,
    );
    const fileName = `${request.format}-${p.mrn}.pdf`;
    let printed = false;
    if (request.print && this.#o.printPdf) {
      try {
        await this.#o.printPdf(pdf, fileName);
        printed = true;
      } catch (err) {
        throw new DomainError('UNAVAILABLE', 'The printer did not take the wristband. Check the printer, or save the file and print it from there.', undefined, { cause: err });
      }
    }
    const now = this.#now();
    await this.#db.write((w) => audit(w, now, staff.id, printed ? 'wristband-printed' : 'wristband-produced', p.patientId, a.admissionId, { format: request.format }));
    return { fileName, mimeType: 'application/pdf', pdfBase64: Buffer.from(pdf).toString('base64'), printed };
  }
}

// ---- helpers --------------------------------------------------------------------------------

/**
 * Whether the desk may act on a report: accepted by the identity layer (valid, or overridden),
 * or the presentation itself and the identity card passed and only other cards (insurance,
 * consent) failed or could not be checked. Those are dropped, with their reason shown as
 * eligibility or consent: a refused insurance card never blocks an admission.
 */
export function deskAccepts(report: VerificationReport): boolean {
  if (isAccepted(report)) return true;
  const presentationOk = report.checks.every((c) => c.result === 'pass' || c.result === 'not-applicable');
  const identity = report.credentials.filter((c) => c.type === 'PatientIdentityCredential');
  return presentationOk && identity.length === 1 && identity[0]?.verified === true;
}

/** The part of a desk-accepted report the claims may come from (only verified credentials). */
function usableReport(report: VerificationReport): VerificationReport {
  if (isAccepted(report)) return report;
  return { ...report, verdict: 'valid', credentials: report.credentials.filter((c) => c.verified) };
}

function scannedIdentity(c: AdmissionClaims): ScannedIdentity {
  return {
    patientDid: c.patientDid,
    givenName: c.identity.givenName,
    familyName: c.identity.familyName,
    birthDate: c.identity.birthDate,
    gender: c.identity.gender,
    nationalId: c.identity.nationalId ?? null,
    address: addressText(c),
  };
}

function addressText(c: AdmissionClaims): string | null {
  const a = c.identity.address;
  return a ? `${a.line}, ${a.city} ${a.postalCode}, ${a.country}` : null;
}

async function audit(w: WriteHandle, now: Date, staffId: string, action: string, patientId: string | null, admissionId: string | null, detail: unknown): Promise<void> {
  await w.run(sql`INSERT INTO desk_audit (at, staff_id, action, patient_id, admission_id, detail) VALUES (${now.toISOString()}, ${staffId}, ${action}, ${patientId}, ${admissionId}, ${JSON.stringify(detail)})`);
}

/** @throws DomainError NOT_FOUND, CONFLICT (merged away: use the survivor) */
async function livePatient(r: ReadHandle, patientId: string): Promise<PatientRow> {
  const p = await getPatient(r, patientId);
  if (!p) throw new DomainError('NOT_FOUND', 'This patient record is not on this workstation. Search again.');
  if (p.merged_into) {
    const survivor = await getPatient(r, p.merged_into);
    throw new DomainError('CONFLICT', `Record ${p.mrn} was merged into record ${survivor?.mrn ?? p.merged_into}. Use that record.`, { mergedInto: p.merged_into });
  }
  return p;
}

async function refuseLikelyDuplicate(r: ReadHandle, who: { givenName: string; familyName: string; birthDate: string; gender: string }, confirmed: boolean): Promise<void> {
  if (confirmed) return;
  const likely = (await findMatches(r, who, 5)).filter((m) => m.strength === 'likely');
  if (likely.length > 0) {
    const first = likely[0] as PatientMatch;
    throw new DomainError(
      'CONFLICT',
      `This looks like a patient who already has a record: ${patientDisplayName(first.patient)}, born ${first.patient.birthDate ? workstationDates().date(first.patient.birthDate) : 'unknown'}, MRN ${first.patient.mrn}. Choose that record, or confirm that this is a different person.`,
      { likelyDuplicates: likely.map((m) => ({ patientId: m.patient.patientId, mrn: m.patient.mrn, score: m.score })) },
    );
  }
}

function bedTakenError(ward: Ward, bed: string): DomainError {
  return new DomainError('CONFLICT', `Bed ${bed} on ${ward.name} was taken a moment ago: choose another bed.`, { refusal: 'bed-taken', wardCode: ward.code, bed });
}

function bedTaken(err: unknown, ward: Ward, bed: string): unknown {
  if (isUniqueViolation(err, 'admission.ward_code')) return bedTakenError(ward, bed);
  return err;
}

async function ledgerState(r: ReadHandle, seq: number | null): Promise<'queued' | 'committed' | 'failed'> {
  if (seq === null) return 'queued';
  const row = await r.get<{ state: string }>(sql`SELECT state FROM outbox WHERE seq = ${seq}`);
  if (!row) return 'queued';
  if (row.state === 'committed') return 'committed';
  if (row.state === 'failed' || row.state === 'quarantined' || row.state === 'discarded') return 'failed';
  return 'queued';
}
