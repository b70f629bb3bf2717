/**
 * Locum credentialing in the main process (issue 13): the doctor's wallet code -> the identity
 * pipeline (the same verifier as the admission desk, no second one) -> the locum checks
 * (jurisdiction, sanctions by DID, licence and NPI, specialty coverage) -> "already verified
 * elsewhere" from the ledger mirror -> record the outcome and grant privileges through the
 * outbox -> the expirables tracker, alerts and the verification report. Plain Node.
 *
 * Rules that hold throughout:
 * - what is recorded and granted comes from main's own copy of the verification (by id),
 *   never from what the renderer sends back;
 * - fail closed: a stale sanctions list, an unknown status list or a missing credential is
 *   "cannot determine", and nothing but a valid verdict (or, in a declared disaster, a valid
 *   reduced check set) can be granted;
 * - a local change and its ledger write commit in ONE cache transaction; the ledger sees the
 *   doctor's DID, credential hashes, check results and privilege codes, never a name;
 * - privileges are "pending" until the ledger has committed them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { HOSPITAL_PRIVILEGES, describeScope, privilegeLabel } from '../../src-shared/credentialing/privileges';
import {
  DISASTER_MAX_HOURS,
  SUSPEND_REASON_LABELS,
  type CredentialingOptions,
  CredentialingSettings,
  type DisasterDeclaration,
  type ElsewhereAttestation,
  type GrantRequest,
  type LedgerState,
  type LocumAlert,
  type LocumCheck,
  type LocumScanResult,
  type LocumVerification,
  type PrivilegeLine,
  type ReportDocument,
  type SuspendReasonCode,
} from '../../src-shared/credentialing/schemas';
import type { VerificationReport } from '../../src-shared/identity/report';
import { statusEntriesOfCredentialJwt, type StatusEntryRef } from './status-entries';
import type { ScanSource } from '../../src-shared/admission/schemas';
import { parseWalletQrCode, WalletQrCollector, WalletQrError } from '../../src-shared/walletqr';
import type { CacheDatabase, ReadHandle, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import type { VerifyPresentationInput } from '../identity/pipeline';
import { CacheCredentialCheckMirror, CacheSanctionsMirror } from '../ledger/mirrors';
import type { LedgerWrite } from '../ledger/outbox';
import { workstationDates } from '../settings/date-time-settings';
import { assessLocum, scopeProblem, type LocumAssessment } from './checks';
import { expiringItems } from './expirables';
import { reportPdf, type ReportLine } from './report-pdf';
import { addSanction, importExclusionList, liftSanction, sanctionsView } from './sanctions-admin';
import type { SanctionsImportResult, SanctionsView, SingleSanctionRequest } from '../../src-shared/credentialing/sanctions';

export interface CredentialingLedger {
  transact<T>(work: (w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>) => Promise<T>): Promise<T>;
}

export interface LocumVerifier {
  verifyPresentation(vpJwt: string, input?: VerifyPresentationInput): Promise<VerificationReport>;
}

/** The signed-in credentialing officer. */
export interface LocumStaff {
  id: string;
  displayName: string;
  mspId: string;
}

export interface CredentialingServiceOptions {
  db: CacheDatabase;
  ledger: CredentialingLedger;
  verifier: LocumVerifier;
  hospitalDid: string;
  now?: () => Date;
  /** How long a verification can be acted on after the scan (default 30 minutes). */
  scanTtlMs?: number;
}

interface ScanEntry {
  staffId: string;
  source: ScanSource;
  assessment: LocumAssessment;
  verification: LocumVerification;
  credentialJwts: string[];
  expiresAt: number;
}

export const DEFAULT_SETTINGS: CredentialingSettings = { jurisdictions: ['GB', 'IE'], autoSuspend: false, sanctionsMaxAgeHours: 24 };

const MAX_SCANS_KEPT = 100;

interface PrivilegeRow {
  privilege_id: string;
  verification_id: string;
  doctor_did: string;
  doctor_name: string;
  license_number: string;
  npi: string | null;
  kind: 'standard' | 'disaster';
  scope: string;
  from_at: string;
  until_at: string;
  status: 'active' | 'suspended' | 'expired';
  suspension_reason: string | null;
  licence_until: string | null;
  board_until: string | null;
  status_entries: string;
  last_seq: number | null;
  granted_by: string;
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The chaincode's check results: 'cannot-determine' is recorded as a warning with that code. */
function ledgerCheck(c: LocumCheck): { check: string; result: 'pass' | 'fail' | 'warning' | 'not-applicable'; code?: string } {
  if (c.result === 'cannot-determine') return { check: c.name, result: 'warning', code: 'cannot-determine' };
  return { check: c.name, result: c.result };
}

/** The ledger state of a local change from its outbox row (a row gone from the outbox was committed and pruned). */
function ledgerStateFromRow(seq: number | null, row: { state: string; error: string | null } | null): { state: LedgerState; problem: string | null } {
  if (seq === null) return { state: 'local', problem: null };
  if (!row || row.state === 'committed') return { state: 'committed', problem: null };
  if (row.state === 'failed' || row.state === 'quarantined' || row.state === 'discarded') return { state: 'failed', problem: row.error ?? 'The ledger refused this change.' };
  return { state: 'pending', problem: null };
}

export async function ledgerStateOf(r: ReadHandle, seq: number | null): Promise<{ state: LedgerState; txId: string | null; problem: string | null }> {
  if (seq === null) return { state: 'local', txId: null, problem: null };
  const row = await r.get<{ state: string; tx_id: string | null; error_message: string | null }>(sql`SELECT state, tx_id, error_message FROM outbox WHERE seq = ${seq}`);
  if (!row) return { state: 'committed', txId: null, problem: null };
  if (row.state === 'committed') return { state: 'committed', txId: row.tx_id, problem: null };
  if (row.state === 'failed' || row.state === 'quarantined' || row.state === 'discarded') return { state: 'failed', txId: row.tx_id, problem: row.error_message ?? 'The ledger refused this change.' };
  return { state: 'pending', txId: row.tx_id, problem: null };
}

export class CredentialingService {
  readonly #o: CredentialingServiceOptions;
  readonly #collectors = new Map<string, WalletQrCollector>();
  readonly #scans = new Map<string, ScanEntry>();
  readonly #sanctions: CacheSanctionsMirror;
  readonly #elsewhere: CacheCredentialCheckMirror;

  constructor(options: CredentialingServiceOptions) {
    this.#o = options;
    this.#sanctions = new CacheSanctionsMirror(options.db);
    this.#elsewhere = new CacheCredentialCheckMirror(options.db);
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  get #db(): CacheDatabase {
    return this.#o.db;
  }

  // ---- settings ---------------------------------------------------------------------------

  async settings(): Promise<CredentialingSettings> {
    const row = await this.#db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM credentialing_setting WHERE key = 'policy'`));
    if (!row) return DEFAULT_SETTINGS;
    const parsed = CredentialingSettings.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  }

  async saveSettings(staff: LocumStaff, settings: CredentialingSettings): Promise<CredentialingOptions> {
    const value = JSON.stringify({ ...settings, jurisdictions: [...new Set(settings.jurisdictions.map((j) => j.toUpperCase()))] });
    await this.#db.write((w) => w.run(sql`INSERT INTO credentialing_setting (key, value) VALUES ('policy', ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`));
    void staff;
    return this.options(staff);
  }

  async disaster(): Promise<DisasterDeclaration | null> {
    const row = await this.#db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM credentialing_setting WHERE key = 'disaster'`));
    return row ? (JSON.parse(row.value) as DisasterDeclaration) : null;
  }

  async declareDisaster(staff: LocumStaff, note: string): Promise<CredentialingOptions> {
    const value: DisasterDeclaration = { declaredAt: this.#now().toISOString(), declaredBy: staff.displayName, note };
    await this.#db.write((w) => w.run(sql`INSERT INTO credentialing_setting (key, value) VALUES ('disaster', ${JSON.stringify(value)}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`));
    return this.options(staff);
  }

  async endDisaster(staff: LocumStaff): Promise<CredentialingOptions> {
    await this.#db.write((w) => w.run(sql`DELETE FROM credentialing_setting WHERE key = 'disaster'`));
    return this.options(staff);
  }

  async options(staff: LocumStaff): Promise<CredentialingOptions> {
    return {
      hospitalDid: this.#o.hospitalDid,
      mspId: staff.mspId,
      privileges: HOSPITAL_PRIVILEGES.map((p) => ({ code: p.code, label: p.label, specialties: [...p.specialties] })),
      settings: await this.settings(),
      disaster: await this.disaster(),
    };
  }

  // ---- scanning ---------------------------------------------------------------------------

  /**
   * One scanned wallet code (or one part of a multi-part code); once complete, every check.
   * @throws DomainError VALIDATION with `details.walletQrCode` when the text is not a wallet code.
   */
  async scan(staff: LocumStaff, text: string, source: ScanSource): Promise<LocumScanResult> {
    const scanned = text.replace(/[\r\n]+$/g, '').trim();
    let collector = this.#collectors.get(staff.id) ?? new WalletQrCollector();
    let progress;
    try {
      try {
        progress = collector.add(scanned);
      } catch (err) {
        // A whole new code while parts of another are pending: the new code wins, nothing is mixed.
        if (!(err instanceof WalletQrError && err.code === 'PART_FROM_OTHER_SET' && parseWalletQrCode(scanned).kind === 'single')) throw err;
        collector = new WalletQrCollector();
        progress = collector.add(scanned);
      }
    } catch (err) {
      if (err instanceof WalletQrError) {
        this.#collectors.delete(staff.id);
        throw new DomainError('VALIDATION', err.message.replace(/the patient/g, 'the doctor'), { walletQrCode: err.code });
      }
      throw err;
    }
    if (progress.status === 'collecting') {
      this.#collectors.set(staff.id, collector);
      return { status: 'collecting', received: progress.received, total: progress.total, repeated: progress.repeated };
    }
    this.#collectors.delete(staff.id);
    const decoded = progress.result;
    return { status: 'verified', verification: await this.#verify(staff, decoded.presentation, decoded.credentials, source) };
  }

  /**
   * A presentation opened from a file (a VP-JWT, or the text of a wallet code).
   * @throws DomainError VALIDATION when the file holds neither.
   */
  async openPresentation(staff: LocumStaff, fileText: string): Promise<LocumScanResult> {
    const text = fileText.trim();
    if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) {
      return { status: 'verified', verification: await this.#verify(staff, text, credentialsOfVp(text), 'paste') };
    }
    try {
      return await this.scan(staff, text, 'paste');
    } catch (err) {
      if (err instanceof DomainError && err.code === 'VALIDATION') {
        throw new DomainError('VALIDATION', 'This file holds neither a presentation nor a wallet code. Ask the doctor to export the presentation from their wallet again, or scan their code.');
      }
      throw err;
    }
  }

  clearScan(staff: LocumStaff): { cleared: boolean } {
    return { cleared: this.#collectors.delete(staff.id) };
  }

  forgetScans(): void {
    this.#collectors.clear();
    this.#scans.clear();
  }

  async #verify(staff: LocumStaff, vp: string, credentialJwts: string[], source: ScanSource): Promise<LocumVerification> {
    const now = this.#now();
    const report = await this.#o.verifier.verifyPresentation(vp, { now, lastTrustedLedgerTime: await this.#lastLedgerTime() });
    const settings = await this.settings();
    const holder = report.presentation.holder;
    const licence = report.credentials.find((c) => c.type === 'MedicalLicenseCredential')?.credentialSubject ?? null;
    const licenseNumber = typeof licence?.['licenseNumber'] === 'string' ? licence['licenseNumber'] : undefined;
    const npi = typeof licence?.['npi'] === 'string' ? licence['npi'] : undefined;
    const sanctions = holder === null && licenseNumber === undefined && npi === undefined ? [] : await this.#sanctions.find({ ...(holder ? { did: holder } : {}), ...(licenseNumber ? { licenseNumber } : {}), ...(npi ? { npi } : {}) });
    const fresh = await this.#sanctions.freshness();
    const fmt = (iso: string): string => workstationDates().dateTime(iso);
    const assessment = assessLocum({ report, jurisdictions: settings.jurisdictions, sanctions, sanctionsAsOf: fresh?.asOf ?? null, sanctionsMaxAgeHours: settings.sanctionsMaxAgeHours, now, formatDate: fmt });
    const verification: LocumVerification = {
      verificationId: `ver-${randomUUID()}`,
      checkedAt: now.toISOString(),
      verdict: assessment.verdict,
      summary: assessment.summary,
      disasterVerdict: assessment.disasterVerdict,
      disasterChecks: assessment.disasterChecks,
      doctor: assessment.doctor,
      credentials: assessment.credentials,
      checks: assessment.checks,
      sanctionsList: { asOf: fresh?.asOf ?? null, source: 'Ledger Sanctions contract, kept by the governance body', stale: assessment.sanctionsStale },
      sanctions: assessment.sanctions,
      elsewhere: holder === null ? [] : await this.#elsewhereFor(holder, staff.mspId),
      coveredPrivileges: assessment.coveredPrivileges,
      recorded: null,
      report,
    };
    this.#remember(verification.verificationId, { staffId: staff.id, source, assessment, verification, credentialJwts, expiresAt: now.getTime() + (this.#o.scanTtlMs ?? 30 * 60_000) });
    return verification;
  }

  async #lastLedgerTime(): Promise<string | null> {
    const row = await this.#db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'lastSyncAt'`));
    return row?.value ?? null;
  }

  #remember(id: string, entry: ScanEntry): void {
    const now = this.#now().getTime();
    for (const [k, e] of this.#scans) if (e.expiresAt <= now) this.#scans.delete(k);
    while (this.#scans.size >= MAX_SCANS_KEPT) {
      const oldest = this.#scans.keys().next().value;
      if (oldest === undefined) break;
      this.#scans.delete(oldest);
    }
    this.#scans.set(id, entry);
  }

  /** @throws DomainError NOT_FOUND when the verification is unknown, expired or another officer's. */
  #scan(staff: LocumStaff, verificationId: string): ScanEntry {
    const entry = this.#scans.get(verificationId);
    if (!entry || entry.staffId !== staff.id || entry.expiresAt <= this.#now().getTime()) {
      throw new DomainError('NOT_FOUND', "This verification has expired or was made in another session. Scan the doctor's wallet code again.");
    }
    return entry;
  }

  /** Other hospitals' verifications and privileges for this doctor, from the ledger mirror. */
  async #elsewhereFor(doctorDid: string, ownMspId: string): Promise<ElsewhereAttestation[]> {
    const { verifications, privileges } = await this.#elsewhere.forDoctor(doctorDid);
    const d = workstationDates();
    const names = new Map((await this.#db.read((r) => r.all<{ msp_id: string; name: string }>(sql`SELECT msp_id, name FROM mirror_organisation`))).map((o) => [o.msp_id, o.name]));
    const out: ElsewhereAttestation[] = [];
    for (const v of verifications) {
      const mspId = textOf(v['mspId']);
      if (mspId === ownMspId) continue;
      // The registry's name once synced; before that the MSP ID without its suffix (HospitalBMSP -> Hospital B).
      const org = names.get(mspId) ?? mspId.replace(/MSP$/, '').replace(/([a-z])([A-Z0-9])/g, '$1 $2');
      const verificationId = textOf(v['verificationId']);
      const grants = privileges.filter((p) => p['verificationId'] === verificationId && p['mspId'] === mspId);
      const outcome = v['outcome'] === 'verified' || v['outcome'] === 'refused' ? v['outcome'] : null;
      const kind = v['kind'] === 'disaster' ? 'disaster' : 'full';
      const at = typeof v['verifiedAt'] === 'string' ? v['verifiedAt'] : null;
      if (grants.length === 0) {
        out.push({
          mspId,
          verifiedAt: at,
          outcome,
          kind,
          scope: [],
          privilegesFrom: null,
          privilegesUntil: null,
          privilegeStatus: null,
          suspensionReason: null,
          sentence: `${outcome === 'refused' ? 'Refused' : 'Verified'} by ${org}${at ? ` on ${d.date(at)}` : ''}${kind === 'disaster' ? ' (disaster check set)' : ''}; no privileges granted there.`,
          conflict: outcome === 'refused',
        });
        continue;
      }
      for (const p of grants) {
        const scope = Array.isArray(p['scope']) ? p['scope'].map(String) : [];
        const until = typeof p['until'] === 'string' ? p['until'] : null;
        const rawStatus = p['status'] === 'suspended' ? 'suspended' : p['status'] === 'expired' || (until !== null && until <= this.#now().toISOString()) ? 'expired' : 'active';
        const suspension = typeof p['suspension'] === 'object' && p['suspension'] !== null ? textOf((p['suspension'] as Record<string, unknown>)['reasonCode']) : null;
        const statusWords = rawStatus === 'suspended' ? `privileges SUSPENDED${suspension ? ` (${suspension})` : ''}` : rawStatus === 'expired' ? `privileges ended ${until ? d.date(until) : ''}`.trim() : `privileges until ${until ? d.date(until) : 'an open date'}`;
        out.push({
          mspId,
          verifiedAt: at,
          outcome,
          kind,
          scope,
          privilegesFrom: typeof p['from'] === 'string' ? p['from'] : null,
          privilegesUntil: until,
          privilegeStatus: rawStatus,
          suspensionReason: suspension,
          sentence: `Verified by ${org}${at ? ` on ${d.date(at)}` : ''} for ${describeScope(scope).toLowerCase() || 'no listed privileges'}, ${statusWords}.`,
          conflict: rawStatus === 'suspended' || outcome === 'refused',
        });
      }
    }
    return out.sort((a, b) => (b.verifiedAt ?? '').localeCompare(a.verifiedAt ?? ''));
  }

  // ---- recording and granting -------------------------------------------------------------

  /**
   * Records a refused verification on the ledger (every check, no personal data).
   * @throws DomainError NOT_FOUND, CONFLICT (already recorded, or the verdict is not invalid)
   */
  async recordRefusal(staff: LocumStaff, verificationId: string): Promise<LocumVerification> {
    const entry = this.#scan(staff, verificationId);
    if (entry.verification.recorded) throw new DomainError('CONFLICT', 'This verification is already recorded.');
    if (entry.verification.verdict !== 'invalid') {
      throw new DomainError('CONFLICT', entry.verification.verdict === 'valid'
        ? 'This doctor passed every check: grant privileges instead of recording a refusal.'
        : 'Some checks could not be made, so this is not a refusal. Let the workstation sync with the ledger and verify again.');
    }
    await this.#o.ledger.transact(async (w, queue) => {
      await this.#record(w, queue, staff, entry, 'refused', 'full', entry.verification.checks);
    });
    return this.verification(verificationId);
  }

  async #record(
    w: WriteHandle,
    queue: (write: LedgerWrite) => Promise<number>,
    staff: LocumStaff,
    entry: ScanEntry,
    outcome: 'verified' | 'refused',
    kind: 'full' | 'disaster',
    checks: LocumCheck[],
  ): Promise<number> {
    const v = entry.verification;
    const holder = v.report.presentation.holder;
    if (holder === null) throw new DomainError('CONFLICT', 'The presentation does not say who the doctor is, so nothing can be recorded about them. Scan a new code.');
    const at = this.#now().toISOString();
    const credentialHashes = [...new Set(entry.credentialJwts.map(sha256Hex))].slice(0, 20);
    const payload = { verificationId: v.verificationId, kind, doctorDid: holder, credentialHashes, checks: checks.map(ledgerCheck), outcome };
    const seq = await queue({ operation: 'credentialing.verification', orderKey: `locum:${v.verificationId}`, transaction: 'Credentialing:recordVerification', args: [JSON.stringify(payload)], retryOnConflict: true });
    const recorded: LocumVerification = { ...v, checks, recorded: { outcome, kind, ledger: 'pending', txId: null, officerName: staff.displayName, at } };
    await w.run(sql`INSERT INTO locum_verification (verification_id, doctor_did, doctor_name, kind, outcome, record, officer_id, officer_name, recorded_at, record_seq)
                    VALUES (${v.verificationId}, ${holder}, ${v.doctor?.name ?? null}, ${kind}, ${outcome}, ${JSON.stringify(recorded)}, ${staff.id}, ${staff.displayName}, ${at}, ${seq})`);
    entry.verification = recorded;
    return seq;
  }

  /**
   * Records the verification as verified and grants privileges on it, in one cache transaction
   * (two ledger writes in order). Standard privileges need a valid verdict; disaster privileges
   * need a declared disaster and the reduced check set, and last at most 72 hours.
   * @throws DomainError NOT_FOUND, CONFLICT (verdict, disaster not declared, already granted), VALIDATION (scope beyond the specialty, dates)
   */
  async grant(staff: LocumStaff, request: z.output<typeof GrantRequest>): Promise<PrivilegeLine> {
    const entry = this.#scan(staff, request.verificationId);
    const v = entry.verification;
    const doctor = v.doctor;
    if (request.kind === 'disaster') {
      if ((await this.disaster()) === null) throw new DomainError('CONFLICT', 'No disaster is declared at this hospital, so emergency privileges cannot be granted. Grant standard privileges after a full verification.');
      if (v.disasterVerdict !== 'valid') throw new DomainError('CONFLICT', `Even the reduced disaster check set does not hold: ${firstProblem(v.disasterChecks)} Do not grant privileges.`);
    } else if (v.verdict !== 'valid') {
      throw new DomainError('CONFLICT', v.verdict === 'invalid' ? `This doctor was refused: ${firstProblem(v.checks)} Record the refusal instead.` : `Not every check could be made: ${firstProblem(v.checks)}`);
    }
    if (!doctor) throw new DomainError('CONFLICT', 'The verified licence is missing, so there is nobody to grant privileges to.');
    if (v.recorded?.outcome === 'refused') throw new DomainError('CONFLICT', 'This verification was recorded as refused; scan a new code to verify the doctor again.');
    const problem = scopeProblem(request.scope, request.kind === 'disaster' ? [] : entry.assessment.specialtyCodes);
    if (problem && request.kind !== 'disaster') throw new DomainError('VALIDATION', problem, { field: 'scope' });
    if (request.kind === 'disaster') {
      // In a disaster the licence is what counts; specialty privileges still need the specialty when it was verified.
      const beyond = scopeProblem(request.scope, entry.assessment.specialtyCodes);
      if (beyond && entry.assessment.specialtyCodes.length > 0) throw new DomainError('VALIDATION', beyond, { field: 'scope' });
      if (Date.parse(request.until) - Date.parse(request.from) > DISASTER_MAX_HOURS * 3_600_000) throw new DomainError('VALIDATION', `Disaster privileges last at most ${DISASTER_MAX_HOURS} hours.`, { field: 'until' });
    }
    const now = this.#now();
    if (Date.parse(request.until) <= now.getTime()) throw new DomainError('VALIDATION', 'The end of the privileges is already past. Choose a later date.', { field: 'until' });
    const licence = v.report.credentials.find((c) => c.type === 'MedicalLicenseCredential' && c.verified);
    const board = v.report.credentials.find((c) => c.type === 'BoardCertificationCredential' && c.verified);
    const boardUntil = board ? recertifyBy(board.credentialSubject) ?? board.validUntil : null;
    const statusEntries: StatusEntryRef[] = entry.credentialJwts.flatMap((jwt) => statusEntriesOfCredentialJwt(jwt));
    const privilegeId = `priv-${randomUUID()}`;
    const kind = request.kind === 'disaster' ? 'disaster' : 'full';
    const recordChecks = kind === 'disaster' ? v.disasterChecks : v.checks;
    await this.#o.ledger.transact(async (w, queue) => {
      const existing = await w.get<{ n: number }>(sql`SELECT count(*) AS n FROM locum_privilege WHERE verification_id = ${v.verificationId}`);
      if ((existing?.n ?? 0) > 0) throw new DomainError('CONFLICT', 'Privileges were already granted on this verification. Change them in the tracker.');
      if (!v.recorded) await this.#record(w, queue, staff, entry, 'verified', kind, recordChecks);
      const grant = { privilegeId, kind: request.kind, verificationId: v.verificationId, scope: [...request.scope].sort(), from: request.from, until: request.until };
      const seq = await queue({ operation: 'credentialing.grant', orderKey: `locum:${v.verificationId}`, transaction: 'Credentialing:grantPrivileges', args: [JSON.stringify(grant)], retryOnConflict: false });
      const at = now.toISOString();
      await w.run(sql`INSERT INTO locum_privilege (privilege_id, verification_id, doctor_did, doctor_name, license_number, npi, kind, scope, from_at, until_at, status, suspension_reason,
                                                   licence_until, board_until, status_entries, last_seq, granted_by, created_at, updated_at)
                      VALUES (${privilegeId}, ${v.verificationId}, ${doctor.did}, ${doctor.name}, ${doctor.licenseNumber}, ${doctor.npi}, ${request.kind}, ${JSON.stringify(grant.scope)},
                              ${request.from}, ${request.until}, 'active', NULL, ${licence?.validUntil ?? null}, ${boardUntil}, ${JSON.stringify(statusEntries)}, ${seq}, ${staff.id}, ${at}, ${at})`);
    });
    return this.privilege(privilegeId);
  }

  /** @throws DomainError NOT_FOUND */
  async privilege(privilegeId: string): Promise<PrivilegeLine> {
    const line = await this.#db.read(async (r) => {
      const row = await r.get<PrivilegeRow>(sql`SELECT * FROM locum_privilege WHERE privilege_id = ${privilegeId}`);
      return row ? this.#line(r, row) : null;
    });
    if (!line) throw new DomainError('NOT_FOUND', 'These privileges are not on this workstation.');
    return line;
  }

  async #line(r: ReadHandle, row: PrivilegeRow): Promise<PrivilegeLine> {
    return this.#lineOf(row, await ledgerStateOf(r, row.last_seq));
  }

  #lineOf(row: PrivilegeRow, ledger: { state: LedgerState; problem: string | null }): PrivilegeLine {
    const now = this.#now();
    const expiring = expiringItems({ until: row.until_at, licenceUntil: row.licence_until, boardUntil: row.board_until, kind: row.kind }, now);
    const status = row.status === 'active' && row.until_at <= now.toISOString() ? 'expired' : row.status;
    return {
      privilegeId: row.privilege_id,
      verificationId: row.verification_id,
      doctorDid: row.doctor_did,
      doctorName: row.doctor_name,
      licenseNumber: row.license_number,
      kind: row.kind,
      scope: JSON.parse(row.scope) as string[],
      from: row.from_at,
      until: row.until_at,
      status,
      suspensionReason: row.suspension_reason,
      ledger: ledger.state,
      ledgerProblem: ledger.problem,
      expiring,
      next: expiring[0] as PrivilegeLine['next'],
    };
  }

  /** The expirables tracker: every privilege (active and suspended; ended ones on request), soonest expiry first. */
  async privileges(request: { includeEnded: boolean; limit: number }): Promise<PrivilegeLine[]> {
    // One query with each row's latest ledger write (not one query per row: 5,000 privileges stay quick).
    type Joined = PrivilegeRow & { o_state: string | null; o_seq: number | null; o_error: string | null };
    const rows = await this.#db.read((r) =>
      request.includeEnded
        ? r.all<Joined>(sql`SELECT p.*, o.state AS o_state, o.seq AS o_seq, o.error_message AS o_error FROM locum_privilege p LEFT JOIN outbox o ON o.seq = p.last_seq ORDER BY p.until_at LIMIT ${request.limit}`)
        : r.all<Joined>(
            sql`SELECT p.*, o.state AS o_state, o.seq AS o_seq, o.error_message AS o_error FROM locum_privilege p LEFT JOIN outbox o ON o.seq = p.last_seq WHERE p.status != 'expired' ORDER BY p.until_at LIMIT ${request.limit}`,
          ),
    );
    const lines = rows.map((row) => this.#lineOf(row, ledgerStateFromRow(row.last_seq, row.o_seq === null ? null : { state: row.o_state ?? '', error: row.o_error })));
    const shown = request.includeEnded ? lines : lines.filter((l) => l.status !== 'expired' || l.next.what !== 'privileges');
    return shown.sort((a, b) => a.next.at.localeCompare(b.next.at));
  }

  async #change(staff: LocumStaff, privilegeId: string, change: 'suspend' | 'reinstate' | 'expire', reason?: string): Promise<PrivilegeLine> {
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const row = await w.get<PrivilegeRow>(sql`SELECT * FROM locum_privilege WHERE privilege_id = ${privilegeId}`);
      if (!row) throw new DomainError('NOT_FOUND', 'These privileges are not on this workstation.');
      await this.#applyChange(w, queue, row, change, reason ?? null, now);
    });
    void staff;
    return this.privilege(privilegeId);
  }

  async #applyChange(w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>, row: PrivilegeRow, change: 'suspend' | 'reinstate' | 'expire', reason: string | null, now: string): Promise<void> {
    const ended = row.until_at <= now;
    if (change === 'suspend') {
      if (row.status !== 'active' || ended) throw new DomainError('CONFLICT', `These privileges are ${ended ? 'already over' : row.status}; only active privileges can be suspended.`);
      if (!reason) throw new DomainError('VALIDATION', 'Give the reason for the suspension.', { field: 'reason' });
    }
    if (change === 'reinstate') {
      if (row.status !== 'suspended') throw new DomainError('CONFLICT', 'Only suspended privileges can be reinstated.');
      if (ended) throw new DomainError('CONFLICT', 'The privilege period is over; verify the doctor again and grant new privileges.');
    }
    if (change === 'expire') {
      if (row.status === 'expired') throw new DomainError('CONFLICT', 'These privileges are already marked expired.');
      if (!ended) throw new DomainError('CONFLICT', 'These privileges run until their end date; suspend them to stop them earlier.');
    }
    const write: LedgerWrite =
      change === 'suspend'
        ? { operation: 'credentialing.suspend', orderKey: `locum:${row.verification_id}`, transaction: 'Credentialing:suspendPrivileges', args: [row.privilege_id, reason ?? 'other'], retryOnConflict: false }
        : change === 'reinstate'
          ? { operation: 'credentialing.reinstate', orderKey: `locum:${row.verification_id}`, transaction: 'Credentialing:reinstatePrivileges', args: [row.privilege_id], retryOnConflict: false }
          : { operation: 'credentialing.expire', orderKey: `locum:${row.verification_id}`, transaction: 'Credentialing:expirePrivileges', args: [row.privilege_id], retryOnConflict: true };
    const seq = await queue(write);
    const status = change === 'suspend' ? 'suspended' : change === 'reinstate' ? 'active' : 'expired';
    await w.run(sql`UPDATE locum_privilege SET status = ${status}, suspension_reason = ${change === 'suspend' ? reason : change === 'reinstate' ? null : row.suspension_reason}, last_seq = ${seq}, updated_at = ${now}
                    WHERE privilege_id = ${row.privilege_id}`);
  }

  suspend(staff: LocumStaff, privilegeId: string, reason: SuspendReasonCode): Promise<PrivilegeLine> {
    return this.#change(staff, privilegeId, 'suspend', reason);
  }

  reinstate(staff: LocumStaff, privilegeId: string): Promise<PrivilegeLine> {
    return this.#change(staff, privilegeId, 'reinstate');
  }

  expire(staff: LocumStaff, privilegeId: string): Promise<PrivilegeLine> {
    return this.#change(staff, privilegeId, 'expire');
  }

  // ---- alerts -----------------------------------------------------------------------------

  async alerts(request: { includeClosed: boolean }): Promise<LocumAlert[]> {
    const rows = await this.#db.read((r) =>
      r.all<{ alert_id: number; at: string; privilege_id: string; kind: LocumAlert['kind']; message: string; state: LocumAlert['state']; doctor_did: string; doctor_name: string }>(
        request.includeClosed
          ? sql`SELECT a.*, p.doctor_did, p.doctor_name FROM locum_alert a JOIN locum_privilege p USING (privilege_id) ORDER BY a.alert_id DESC LIMIT 200`
          : sql`SELECT a.*, p.doctor_did, p.doctor_name FROM locum_alert a JOIN locum_privilege p USING (privilege_id) WHERE a.state = 'open' ORDER BY a.alert_id DESC LIMIT 200`,
      ),
    );
    return rows.map((a) => ({ alertId: a.alert_id, at: a.at, doctorDid: a.doctor_did, doctorName: a.doctor_name, privilegeId: a.privilege_id, kind: a.kind, message: a.message, state: a.state }));
  }

  /**
   * The officer's answer to an alert: suspend the privileges (ledger write) or acknowledge it
   * (keep them, e.g. after checking with the board). @throws DomainError NOT_FOUND, CONFLICT
   */
  async resolveAlert(staff: LocumStaff, alertId: number, action: 'suspend' | 'acknowledge'): Promise<LocumAlert[]> {
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const alert = await w.get<{ privilege_id: string; kind: LocumAlert['kind']; state: string }>(sql`SELECT privilege_id, kind, state FROM locum_alert WHERE alert_id = ${alertId}`);
      if (!alert) throw new DomainError('NOT_FOUND', 'This alert is no longer on this workstation.');
      if (alert.state !== 'open') throw new DomainError('CONFLICT', 'Someone has already acted on this alert.');
      if (action === 'suspend') {
        const row = await w.get<PrivilegeRow>(sql`SELECT * FROM locum_privilege WHERE privilege_id = ${alert.privilege_id}`);
        if (row && row.status === 'active' && row.until_at > now) await this.#applyChange(w, queue, row, 'suspend', ALERT_REASON[alert.kind], now);
      }
      await w.run(sql`UPDATE locum_alert SET state = ${action === 'suspend' ? 'privileges-suspended' : 'acknowledged'}, acted_by = ${staff.displayName}, acted_at = ${now} WHERE alert_id = ${alertId}`);
    });
    return this.alerts({ includeClosed: false });
  }

  // ---- the governance body's sanctions list (governance workstation) -----------------------

  sanctions(limit: number): Promise<SanctionsView> {
    return sanctionsView(this.#db, limit);
  }

  importExclusionList(csvText: string, source: string): Promise<SanctionsImportResult> {
    return importExclusionList(this.#o.ledger, csvText, source);
  }

  addSanction(request: SingleSanctionRequest): Promise<{ sanctionId: string }> {
    return addSanction(this.#o.ledger, request);
  }

  liftSanction(sanctionId: string, reason: string): Promise<{ sanctionId: string }> {
    return liftSanction(this.#o.ledger, sanctionId, reason);
  }

  // ---- recorded verifications and the report ----------------------------------------------

  /** A recorded verification (or the current scan), with its ledger state. @throws DomainError NOT_FOUND */
  async verification(verificationId: string): Promise<LocumVerification> {
    const found = await this.#db.read(async (r) => {
      const row = await r.get<{ record: string; record_seq: number | null }>(sql`SELECT record, record_seq FROM locum_verification WHERE verification_id = ${verificationId}`);
      if (!row) return null;
      const v = JSON.parse(row.record) as LocumVerification;
      const ledger = await ledgerStateOf(r, row.record_seq);
      return v.recorded ? { ...v, recorded: { ...v.recorded, ledger: ledger.state, txId: ledger.txId } } : v;
    });
    if (found) return found;
    const scan = this.#scans.get(verificationId);
    if (scan) return scan.verification;
    throw new DomainError('NOT_FOUND', 'This verification is not on this workstation. Scan the doctor again.');
  }

  /** The verification report PDF. @throws DomainError NOT_FOUND, CONFLICT (not recorded yet) */
  async report(staff: LocumStaff, verificationId: string): Promise<ReportDocument> {
    const v = await this.verification(verificationId);
    if (!v.recorded) throw new DomainError('CONFLICT', 'Record the outcome (grant privileges or record the refusal) before printing the report.');
    const grants = await this.#db.read((r) => r.all<PrivilegeRow>(sql`SELECT * FROM locum_privilege WHERE verification_id = ${verificationId} ORDER BY created_at`));
    const d = workstationDates();
    const lines: ReportLine[] = [];
    const doc = v.doctor;
    lines.push({ text: 'Locum credential verification report', bold: true, size: 15 });
    lines.push({ text: `${this.#o.hospitalDid}   Printed ${d.dateTime(this.#now())} by ${staff.displayName}`, size: 8 });
    lines.push({ text: `Outcome: ${v.recorded.outcome.toUpperCase()}${v.recorded.kind === 'disaster' ? ' (DISASTER CHECK SET, 72-HOUR PRIVILEGES)' : ''}`, bold: true, size: 12, gap: 8 });
    lines.push({ text: v.summary });
    lines.push({ text: 'Doctor', bold: true, size: 11, gap: 8 });
    if (doc) {
      lines.push({ text: `${doc.name}, ${doc.profession ?? 'profession not stated'}` });
      lines.push({ text: `Licence ${doc.licenseNumber} (${doc.jurisdiction})${doc.npi ? `   NPI ${doc.npi}` : ''}` });
      lines.push({ text: `Specialties: ${doc.specialties.map((s) => `${s.display} (${s.code})`).join(', ') || 'none verified'}${doc.board ? `   Board: ${doc.board}` : ''}` });
    }
    lines.push({ text: `DID ${v.report.presentation.holder ?? 'unknown'}`, size: 7 });
    lines.push({ text: 'Credentials', bold: true, size: 11, gap: 8 });
    for (const c of v.credentials) {
      lines.push({ text: `${c.label}: ${c.verified ? 'verified' : 'NOT VERIFIED'}${c.validUntil ? `, valid until ${d.date(c.validUntil)}` : ''}`, bold: true });
      lines.push({ text: `Issuer ${c.issuer ?? 'unknown'}`, indent: 12, size: 8 });
      for (const s of c.statusLists) {
        lines.push({ text: `${s.purpose} list: updated ${s.listUpdatedAt ? d.dateTime(s.listUpdatedAt) : 'unknown'}, confirmed with the ledger ${s.listFetchedAt ? d.dateTime(s.listFetchedAt) : 'never'}`, indent: 12, size: 8 });
      }
      if (c.problem) lines.push({ text: c.problem, indent: 12, size: 8 });
    }
    lines.push({ text: 'Checks', bold: true, size: 11, gap: 8 });
    for (const c of v.checks) lines.push({ text: `${RESULT_WORDS[c.result]}  ${c.label}: ${c.message}` });
    lines.push({ text: 'Sanctions list', bold: true, size: 11, gap: 8 });
    lines.push({ text: `Source: ${v.sanctionsList.source}. Last confirmed with the ledger: ${v.sanctionsList.asOf ? d.dateTime(v.sanctionsList.asOf) : 'never'}${v.sanctionsList.stale ? ' (STALE)' : ''}.` });
    for (const s of v.sanctions) lines.push({ text: `${s.sanctionId} (${s.matchedBy}${s.source ? `, ${s.source}` : ''}): ${s.reason}, from ${d.date(s.from)}${s.active ? '' : ' (not in force)'}`, indent: 12 });
    if (v.elsewhere.length > 0) {
      lines.push({ text: 'Verified at other hospitals (for information, not relied on)', bold: true, size: 11, gap: 8 });
      for (const e of v.elsewhere) lines.push({ text: e.sentence });
    }
    lines.push({ text: 'Ledger', bold: true, size: 11, gap: 8 });
    lines.push({ text: `Verification ${v.verificationId}` });
    lines.push({ text: v.recorded.txId ? `Ledger transaction ${v.recorded.txId} (${v.recorded.ledger === 'committed' ? 'committed' : 'not yet committed'})` : 'Ledger transaction: not sent yet (the outcome is queued and goes out when the ledger is reachable).' });
    lines.push({ text: 'Privileges granted', bold: true, size: 11, gap: 8 });
    if (grants.length === 0) lines.push({ text: 'None.' });
    for (const g of grants) {
      const scope = (JSON.parse(g.scope) as string[]).map(privilegeLabel).join(', ');
      lines.push({ text: `${g.kind === 'disaster' ? 'DISASTER ' : ''}${scope}: ${d.dateTime(g.from_at)} to ${d.dateTime(g.until_at)}, ${g.status}${g.suspension_reason ? ` (${g.suspension_reason})` : ''}` });
    }
    lines.push({ text: `Verified by ${v.recorded.officerName} on ${d.dateTime(v.recorded.at)}.`, gap: 8 });
    lines.push({ text: 'Signature: ______________________________', gap: 16 });
    const pdf = reportPdf(`Verification ${v.verificationId}`, lines, `CareLedger verification ${v.verificationId}`);
    const name = (doc?.name ?? 'doctor').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    return { fileName: `verification-${name}-${v.checkedAt.slice(0, 10)}.pdf`, mimeType: 'application/pdf', pdfBase64: Buffer.from(pdf).toString('base64') };
  }
}

const RESULT_WORDS: Record<LocumCheck['result'], string> = { pass: 'PASS', fail: 'FAIL', 'cannot-determine': 'UNKNOWN', 'not-applicable': 'N/A' };

const ALERT_REASON: Record<LocumAlert['kind'], SuspendReasonCode> = { sanction: 'sanction', revocation: 'licence-revoked', suspension: 'licence-suspended' };

function firstProblem(checks: readonly LocumCheck[]): string {
  return (checks.find((c) => c.result === 'fail') ?? checks.find((c) => c.result === 'cannot-determine'))?.message ?? 'a check did not pass.';
}

function recertifyBy(subject: Record<string, unknown> | null): string | null {
  const v = subject?.['recertifyBy'];
  return typeof v === 'string' ? `${v}T00:00:00.000Z` : null;
}

/** The credential JWTs inside a VP-JWT (for hashing), without trusting them. */
function credentialsOfVp(vp: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(vp.split('.')[1] ?? '', 'base64url').toString('utf8')) as { vp?: { verifiableCredential?: unknown } };
    const list = payload.vp?.verifiableCredential;
    return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

export { SUSPEND_REASON_LABELS };
