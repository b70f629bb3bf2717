/**
 * The privacy office (issue 11): the break-the-glass review queue of this hospital, the review
 * itself (`Access:reviewAccess`), the patient's access report across every hospital (screen and
 * PDF), and a patient's consents with their history. Access entries live on the ledger (the
 * hospitals-only collection); views made here and not yet on the ledger are added from the
 * workstation's own log, marked as such.
 */
import { createHash } from 'node:crypto';
import type { AccessEntryView, AccessReport, ConsentView } from '../../src-shared/records/schemas';
import type { CacheDatabase, ReadHandle, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import type { LedgerWrite } from '../ledger/outbox';
import type { AccessEntryInput } from './access-log';
import { accessReportPdf } from './access-report-pdf';
import { consentsOf, patientOf } from './chart-store';
import type { LedgerQueries } from './ledger-reads';

/** An access entry as the Access contract stores it. */
interface LedgerAccessEntry extends AccessEntryInput {
  staff: { mspId: string; id: string; role: string };
  consentCheck?: string;
  review?: { outcome: 'justified' | 'unjustified'; reviewedAt: string; reviewer: { mspId: string; id: string } };
}

export interface PrivacyStaff {
  id: string;
  displayName: string;
}

export interface PrivacyOfficeOptions {
  db: CacheDatabase;
  ledger: {
    transact<T>(work: (w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>) => Promise<T>): Promise<T>;
  };
  /** Ledger reads as the signed-in privacy officer; null while offline. */
  queries: (staffId: string) => LedgerQueries | null;
  hospitalMspId: () => string | null;
  hospitalName: string;
  now?: () => Date;
  /** The most entries one report reads (10,000 by default). */
  maxEntries?: number;
}

const OFFLINE =
  'The ledger cannot be reached right now, so the access log cannot be read. Try again when the status bar shows the ledger online.';

export class PrivacyOffice {
  readonly #o: PrivacyOfficeOptions;

  constructor(options: PrivacyOfficeOptions) {
    this.#o = options;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #queries(staff: PrivacyStaff): LedgerQueries {
    const q = this.#o.queries(staff.id);
    if (!q) throw new DomainError('UNAVAILABLE', OFFLINE);
    return q;
  }

  async #pages<T>(q: LedgerQueries, transaction: string, args: string[], max: number): Promise<T[]> {
    const out: T[] = [];
    let bookmark = '';
    while (out.length < max) {
      const page = (await q.evaluate(transaction, ...args, '200', bookmark)) as { records?: T[]; bookmark?: string };
      out.push(...(page.records ?? []));
      if (!page.bookmark || (page.records ?? []).length === 0) break;
      bookmark = page.bookmark;
    }
    return out;
  }

  async #view(r: ReadHandle, e: LedgerAccessEntry, where: 'ledger' | 'local'): Promise<AccessEntryView> {
    const patient = await r.get<{ given_name: string; family_name: string }>(
      sql`SELECT given_name, family_name FROM patient WHERE (wallet_did = ${e.patientDid} OR ledger_did = ${e.patientDid}) AND merged_into IS NULL LIMIT 1`,
    );
    const session = e.breakGlass
      ? await r.get<{ opened_at: string; expires_at: string; closed_at: string | null }>(
          sql`SELECT opened_at, expires_at, closed_at FROM chart_break_glass WHERE patient_did = ${e.patientDid} AND opened_at <= ${e.accessedAt} ORDER BY opened_at DESC LIMIT 1`,
        )
      : undefined;
    const end = session
      ? session.closed_at && session.closed_at < session.expires_at
        ? session.closed_at
        : session.expires_at
      : null;
    return {
      entryId: e.entryId,
      patientDid: e.patientDid,
      patientName: patient ? `${patient.given_name} ${patient.family_name}` : null,
      hospitalMspId: e.staff.mspId,
      staffId: e.staff.id,
      role: e.staff.role,
      purpose: e.purpose,
      categories: e.categories,
      decision: e.decision,
      consentId: e.consentId ?? null,
      breakGlassReason: e.breakGlass?.reasonCode ?? null,
      accessedAt: e.accessedAt,
      consentCheck: e.consentCheck ?? null,
      review: e.review
        ? { outcome: e.review.outcome, reviewedAt: e.review.reviewedAt, reviewer: e.review.reviewer.id }
        : null,
      where,
      minutesOpen:
        session && end ? Math.max(0, Math.round((Date.parse(end) - Date.parse(session.opened_at)) / 60_000)) : null,
      releasedBy: [],
    };
  }

  /** This hospital's accesses awaiting review (break-the-glass, and accesses a consent did not cover). */
  async reviewQueue(staff: PrivacyStaff): Promise<AccessEntryView[]> {
    const msp = this.#o.hospitalMspId();
    if (!msp) throw new DomainError('UNAVAILABLE', OFFLINE);
    const entries = await this.#pages<LedgerAccessEntry>(
      this.#queries(staff),
      'Access:listAccessAwaitingReview',
      [msp],
      1000,
    );
    return this.#o.db.read(async (r) => Promise.all(entries.map((e) => this.#view(r, e, 'ledger'))));
  }

  /**
   * Records the review on the ledger (the note's hash; the note stays here). Only this hospital's
   * own entries: another hospital's is refused here with a sentence, and by the chaincode anyway.
   */
  async review(
    staff: PrivacyStaff,
    request: { entryId: string; outcome: 'justified' | 'unjustified'; note: string },
  ): Promise<{ entryId: string; outcome: string }> {
    const q = this.#queries(staff);
    let entry: LedgerAccessEntry;
    try {
      entry = (await q.evaluate('Access:getAccessEntry', request.entryId)) as LedgerAccessEntry;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'CONFLICT')
        throw new DomainError('NOT_FOUND', `Access entry ${request.entryId} could not be read: ${err.message}`);
      throw err;
    }
    const msp = this.#o.hospitalMspId();
    if (entry.staff.mspId !== msp) {
      throw new DomainError(
        'ROLE_REFUSED',
        `This access was made by staff of ${entry.staff.mspId}; only ${entry.staff.mspId}'s privacy office can review it. Nothing was recorded.`,
      );
    }
    if (entry.review)
      throw new DomainError(
        'CONFLICT',
        `This access was already reviewed (${entry.review.outcome}) on ${entry.review.reviewedAt}.`,
      );
    const noteSha256 = createHash('sha256').update(request.note, 'utf8').digest('hex');
    const now = this.#now().toISOString();
    await this.#o.ledger.transact(async (w, queue) => {
      const seq = await queue({
        operation: 'access.reviewed',
        orderKey: `access-review:${request.entryId}`,
        transaction: 'Access:reviewAccess',
        args: [request.entryId, JSON.stringify({ outcome: request.outcome, noteSha256 })],
        // The officer decided on the entry as it was: a conflict is shown, not retried.
        retryOnConflict: false,
      });
      await w.run(sql`INSERT INTO chart_review (entry_id, outcome, note, note_sha256, reviewer_id, reviewed_at, outbox_seq) VALUES (${request.entryId}, ${request.outcome}, ${request.note}, ${noteSha256}, ${staff.id}, ${now}, ${seq})
                      ON CONFLICT (entry_id) DO UPDATE SET outcome = excluded.outcome, note = excluded.note, note_sha256 = excluded.note_sha256, reviewer_id = excluded.reviewer_id, reviewed_at = excluded.reviewed_at, outbox_seq = excluded.outbox_seq`);
    });
    return { entryId: request.entryId, outcome: request.outcome };
  }

  async #patientDid(request: {
    patientId?: string | undefined;
    patientDid?: string | undefined;
  }): Promise<{ did: string; name: string | null }> {
    if (request.patientDid) {
      const did = request.patientDid;
      const row = await this.#o.db.read((r) =>
        r.get<{ given_name: string; family_name: string }>(
          sql`SELECT given_name, family_name FROM patient WHERE (wallet_did = ${did} OR ledger_did = ${did}) AND merged_into IS NULL LIMIT 1`,
        ),
      );
      return { did, name: row ? `${row.given_name} ${row.family_name}` : null };
    }
    if (!request.patientId) throw new DomainError('VALIDATION', 'Choose a patient, or scan their wallet, first.');
    const id = request.patientId;
    const p = await this.#o.db.read((r) => patientOf(r, id));
    if (!p)
      throw new DomainError(
        'NOT_FOUND',
        'No patient with this record is in this workstation. Search by name or MRN, or scan the wallet.',
      );
    return { did: p.patientDid, name: p.name };
  }

  /** Every access to a patient's records, from every hospital, oldest first, plus this workstation's views not yet on the ledger. */
  async accessReport(
    staff: PrivacyStaff,
    request: { patientId?: string | undefined; patientDid?: string | undefined },
  ): Promise<AccessReport> {
    const patient = await this.#patientDid(request);
    const max = this.#o.maxEntries ?? 10_000;
    let ledgerEntries: LedgerAccessEntry[] = [];
    let complete = true;
    let note: string | null = null;
    try {
      ledgerEntries = await this.#pages<LedgerAccessEntry>(
        this.#queries(staff),
        'Access:listAccessForPatient',
        [patient.did],
        max,
      );
      if (ledgerEntries.length >= max) {
        complete = false;
        note = `Only the first ${max} accesses are listed.`;
      }
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'UNAVAILABLE') throw err;
      complete = false;
      note =
        'The ledger could not be reached: only the accesses made on this workstation are listed. Produce the report again when the ledger is online.';
    }
    const onLedger = new Set(ledgerEntries.map((e) => e.entryId));
    const msp = this.#o.hospitalMspId() ?? 'this hospital';
    return this.#o.db.read(async (r) => {
      const local = await r.all<{ entry_json: string; staff_id: string }>(
        sql`SELECT entry_json, staff_id FROM chart_access WHERE patient_did = ${patient.did} ORDER BY accessed_at`,
      );
      const notYet = local
        .map((l) => ({
          ...(JSON.parse(l.entry_json) as AccessEntryInput),
          staff: { mspId: msp, id: l.staff_id, role: 'clinician' },
        }))
        .filter((e) => !onLedger.has(e.entryId));
      // A gatekeeper's release entry and the view it served share one request id: for the patient,
      // one access. Releases are folded into the viewer's allowed entries; a release whose view is
      // not on the ledger (nor on this workstation) keeps its own row, so nothing is hidden.
      const viewerRequests = new Set(
        [...ledgerEntries, ...notYet]
          .filter((e) => e.staff.role !== 'gatekeeper' && e.requestId)
          .map((e) => e.requestId!),
      );
      const releasedBy = new Map<string, Set<string>>();
      const listed: Array<{ e: LedgerAccessEntry; where: 'ledger' | 'local' }> = [];
      for (const e of ledgerEntries) {
        if (e.staff.role === 'gatekeeper' && e.requestId && viewerRequests.has(e.requestId)) {
          if (e.decision === 'allowed') {
            const set = releasedBy.get(e.requestId) ?? new Set<string>();
            set.add(e.staff.mspId);
            releasedBy.set(e.requestId, set);
          }
          continue;
        }
        listed.push({ e, where: 'ledger' });
      }
      for (const e of notYet) listed.push({ e, where: 'local' });
      const views = await Promise.all(
        listed.map(async ({ e, where }) => {
          const view = await this.#view(r, e, where);
          const by = e.requestId && e.decision === 'allowed' ? releasedBy.get(e.requestId) : undefined;
          return by ? { ...view, releasedBy: [...by].sort() } : view;
        }),
      );
      views.sort((a, b) => a.accessedAt.localeCompare(b.accessedAt) || a.entryId.localeCompare(b.entryId));
      return {
        patientDid: patient.did,
        patientName: patient.name,
        entries: views,
        complete,
        note,
        generatedAt: this.#now().toISOString(),
      };
    });
  }

  async accessReportPdf(
    staff: PrivacyStaff,
    request: { patientId?: string | undefined; patientDid?: string | undefined },
  ): Promise<{ fileName: string; contentType: 'application/pdf'; base64: string }> {
    const report = await this.accessReport(staff, request);
    const pdf = accessReportPdf(report, this.#o.hospitalName);
    return {
      fileName: `access-report-${(report.patientName ?? 'patient').replace(/[^A-Za-z0-9]+/g, '-')}.pdf`,
      contentType: 'application/pdf',
      base64: Buffer.from(pdf).toString('base64'),
    };
  }

  /** A patient's consents to this hospital (the mirror, refreshed from the ledger when online), with their history. */
  async consents(
    staff: PrivacyStaff,
    request: { patientId?: string | undefined; patientDid?: string | undefined },
  ): Promise<ConsentView[]> {
    const patient = await this.#patientDid(request);
    let consents = await this.#o.db.read((r) => consentsOf(r, patient.did));
    const q = this.#o.queries(staff.id);
    if (q) {
      try {
        consents = await this.#pages(q, 'Consent:listConsentsForPatient', [patient.did], 500);
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'UNAVAILABLE') throw err;
      }
    }
    const now = this.#now().toISOString();
    return consents
      .map((c) => ({
        consentId: c.consentId,
        granteeMspId: c.granteeMspId,
        purposes: c.purposes,
        categories: c.categories,
        from: c.from,
        until: c.until,
        status:
          c.status === 'revoked' ? ('revoked' as const) : c.until <= now ? ('expired' as const) : ('active' as const),
        revokedAt: c.revocation?.at ?? null,
        recordedAt: c.recordedAt,
      }))
      .sort((a, b) => b.recordedAt.localeCompare(a.recordedAt));
  }
}
