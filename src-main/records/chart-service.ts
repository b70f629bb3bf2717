/**
 * The clinician's chart (issue 11). One rule above all: no chart view without its access
 * entry. Every read of chart records goes through `#readAndLog`, which reads and logs in ONE
 * cache transaction (the local row, and the outbox row when online); chart-store.ts exports no
 * other way to read records, so a new screen cannot forget the log.
 *
 * What may be seen is decided here, per category, at the time of the view:
 * - a consent of the patient for this hospital and purpose (the local consent engine over the
 *   consent mirror: the same decision as `Consent:checkConsent`);
 * - this hospital's own records while the patient has an open admission here (TREAT only);
 * - break-the-glass: an emergency session with a reason code and a note, time-limited.
 * Everything else is withheld and named, never hidden.
 */
import { createHash, randomUUID } from 'node:crypto';
import { categoryInWords, purposeInWords } from '../../src-shared/admission/consent-words';
import type {
  Chart,
  ChartDocument,
  ChartEntry,
  ChartStillOpen,
  CategoryView,
  PurposeOfUse,
  RecordCategory,
  WardPatient,
  BreakGlassReason,
  BreakGlassState,
} from '../../src-shared/records/schemas';
import { CHART_TABS } from '../../src-shared/records/schemas';
import { SENSITIVE_CATEGORIES, isSensitiveCategory } from '../../src-shared/records/vocab';
import type { CacheDatabase, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import type { LedgerWrite } from '../ledger/outbox';
import { workstationDates } from '../settings/date-time-settings';
import { flushHeldViews, logView, type AccessEntryInput } from './access-log';
import {
  activeBreakGlass,
  consentsOf,
  documentOf,
  openAdmissionOf,
  patientOf,
  purgeExpiredConsents,
  readReleasedEntries,
  recordAnswers,
  takeBreakGlassNote,
  wardPatients,
  type ChartPatient,
} from './chart-store';
import { pdfTextPages } from './pdf-text';
import { PURPOSES_OF_USE } from '../../src-shared/records/vocab';

/** "treatment, emergency treatment, billing and payment": the purposes in their usual order, one list. */
function purposesInWords(purposes: readonly string[]): string {
  const rank = (p: string): number => {
    const i = (PURPOSES_OF_USE as readonly string[]).indexOf(p);
    return i < 0 ? PURPOSES_OF_USE.length : i;
  };
  return [...purposes].sort((a, b) => rank(a) - rank(b)).map(purposeInWords).join(', ');
}
import { decideConsent, withheldInWords, type MirroredConsent } from './consent-engine';
import type { AnchorVerifier, RecordGatekeepers } from './gatekeepers';

export interface ChartStaff {
  id: string;
  displayName: string;
}

/** The sync engine as the chart needs it (SyncService implements `transact`). */
export interface ChartLedger {
  transact<T>(work: (w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>) => Promise<T>): Promise<T>;
  /** Whether the ledger answers now (views are held offline otherwise). */
  online(): boolean;
}

export interface ChartServiceOptions {
  db: CacheDatabase;
  ledger: ChartLedger;
  /** This hospital: its DID (consents name it) and MSP ID (its own records). */
  hospitalDid: string;
  hospitalMspId: () => string | null;
  gatekeepers?: RecordGatekeepers;
  anchors?: AnchorVerifier;
  now?: () => Date;
}

/**
 * The categories a chart open decides: the tabs, and the sensitive categories, which are labels on
 * records of those kinds and are released only under a consent that names them (never by the own-
 * admission rule): a record labelled with one is shown only when that category is released too.
 */
const CHART_CATEGORIES: readonly RecordCategory[] = [...CHART_TABS, ...SENSITIVE_CATEGORIES];

type Basis =
  | { kind: 'consent'; consentId: string }
  | { kind: 'own-admission' }
  | { kind: 'break-glass'; session: BreakGlassState & { noteSha256: string } };

interface Decisions {
  /** Per released category: what allowed it (for other hospitals' records and for this hospital's). */
  released: Map<RecordCategory, Basis[]>;
  withheld: Array<{ category: RecordCategory; reason: string }>;
  consents: MirroredConsent[];
  breakGlass: (BreakGlassState & { noteSha256: string }) | null;
  ownAdmission: boolean;
  /** The open admission's encounter, cited by own-admission entries. */
  encounterId: string | null;
}

export class ChartService {
  readonly #o: ChartServiceOptions;

  constructor(options: ChartServiceOptions) {
    this.#o = options;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  /** The ward list: open admissions at this hospital, or a search by name or MRN. */
  async wardList(query: string): Promise<WardPatient[]> {
    return this.#o.db.read((r) => wardPatients(r, query));
  }

  /** What may be seen now, per category, and why not. */
  #decide(
    patient: ChartPatient,
    purpose: PurposeOfUse,
    consents: MirroredConsent[],
    encounterId: string | null,
    breakGlass: Decisions['breakGlass'],
    categories: readonly RecordCategory[],
    at: Date,
  ): Decisions {
    const ownAdmission = encounterId !== null;
    const released = new Map<RecordCategory, Basis[]>();
    const withheld: Decisions['withheld'] = [];
    const iso = at.toISOString();
    for (const category of categories) {
      const bases: Basis[] = [];
      const decision = decideConsent(consents, patient.patientDid, this.#o.hospitalDid, purpose, category, iso);
      if (decision.decision === 'permit') bases.push({ kind: 'consent', consentId: decision.consentId });
      // Under emergency access the records of other hospitals are seen because of it: it is cited before the own admission.
      if (breakGlass) bases.push({ kind: 'break-glass', session: breakGlass });
      if (ownAdmission && purpose === 'TREAT' && !isSensitiveCategory(category)) bases.push({ kind: 'own-admission' });
      if (bases.length > 0) released.set(category, bases);
      if (decision.decision !== 'permit' && !breakGlass) {
        const consent =
          decision.decision === 'deny' ? consents.find((c) => c.consentId === decision.consentId) : undefined;
        const reason = withheldInWords(decision, category, purpose, consent, (d) => workstationDates().date(d));
        withheld.push({
          category,
          reason:
            ownAdmission && purpose === 'TREAT'
              ? `${reason} Only this hospital's own records from the current admission are shown.`
              : reason,
        });
      }
    }
    return { released, withheld, consents, breakGlass, ownAdmission, encounterId };
  }

  async #context(
    staff: ChartStaff,
    patientId: string,
    purpose: PurposeOfUse,
    categories: readonly RecordCategory[],
  ): Promise<{ patient: ChartPatient; decisions: Decisions; at: Date }> {
    const at = this.#now();
    const { patient, consents, encounterId, breakGlass } = await this.#o.db.read(async (r) => {
      const p = await patientOf(r, patientId);
      if (!p)
        throw new DomainError(
          'NOT_FOUND',
          'No patient with this record number is in this workstation. Search again by name or MRN.',
        );
      return {
        patient: p,
        consents: await consentsOf(r, p.patientDid),
        encounterId: (await openAdmissionOf(r, patientId))?.encounterId ?? null,
        breakGlass: await activeBreakGlass(r, patientId, staff.id, at),
      };
    });
    return {
      patient,
      at,
      decisions: this.#decide(patient, purpose, consents, encounterId, breakGlass, categories, at),
    };
  }

  /**
   * Opens a chart: asks the hospitals' gatekeepers for what may be seen (when online and
   * `refresh`), keeps what they release in the cache, then reads and logs the view.
   */
  async openChart(
    staff: ChartStaff,
    request: { patientId: string; purpose: PurposeOfUse; refresh: boolean },
  ): Promise<Chart> {
    await this.#housekeeping(staff);
    const { patient, decisions, at } = await this.#context(staff, request.patientId, request.purpose, CHART_CATEGORIES);
    const requestId = `urn:uuid:${randomUUID()}`;
    const online = this.#o.ledger.online();
    if (request.refresh && online && this.#o.gatekeepers && decisions.released.size > 0) {
      const asked = [...decisions.released.keys()];
      const answers = await this.#o.gatekeepers.fetchRecords({
        patientDid: patient.patientDid,
        purpose: request.purpose,
        categories: asked,
        requestId,
        ...(decisions.breakGlass
          ? { breakGlass: { reasonCode: decisions.breakGlass.reasonCode, noteSha256: decisions.breakGlass.noteSha256 } }
          : {}),
      });
      await recordAnswers(this.#o.db, {
        patientDid: patient.patientDid,
        answers,
        released: decisions.released,
        ownMspId: this.#o.hospitalMspId(),
        fetchedAt: this.#now().toISOString(),
        anchors: this.#o.anchors,
      });
    }
    return this.#readAndLog(staff, patient, decisions, {
      purpose: request.purpose,
      view: 'open',
      categories: CHART_CATEGORIES,
      at,
      online,
      requestId,
    });
  }

  /** One tab: its records, read and logged as a view of that category. */
  async viewCategory(
    staff: ChartStaff,
    request: { patientId: string; category: RecordCategory; purpose: PurposeOfUse },
  ): Promise<CategoryView> {
    const { patient, decisions, at } = await this.#context(staff, request.patientId, request.purpose, [
      request.category,
    ]);
    const chart = await this.#readAndLog(staff, patient, decisions, {
      purpose: request.purpose,
      view: `category:${request.category}`,
      categories: [request.category],
      at,
      online: this.#o.ledger.online(),
      requestId: null,
    });
    return {
      accessEntryId: chart.accessEntryId,
      category: request.category,
      entries: chart.entries,
      withheld: chart.withheld[0]?.reason ?? null,
    };
  }

  /** A document's PDF, read and logged as a view of `documents`. */
  async document(staff: ChartStaff, request: { patientId: string; key: string }): Promise<ChartDocument> {
    const view = await this.viewCategory(staff, {
      patientId: request.patientId,
      category: 'documents',
      purpose: 'TREAT',
    });
    if (!view.entries.some((e) => e.key === request.key))
      throw new DomainError(
        'NOT_FOUND',
        view.withheld ?? 'This document is not in the chart any more. Open the chart again.',
      );
    const pdf = await this.#o.db.read((r) => documentOf(r, request.key));
    if (!pdf)
      throw new DomainError(
        'NOT_FOUND',
        'This document has no PDF attached. Ask the hospital that holds it for a copy.',
      );
    return {
      ...pdf,
      contentType: 'application/pdf',
      accessEntryId: view.accessEntryId,
      pages: pdfTextPages(Buffer.from(pdf.base64, 'base64')),
    };
  }

  /**
   * THE read path: the released records and the access entries of this view, in one cache
   * transaction. Entries: one `allowed` per basis (consent id, own admission, break-glass) and
   * one `refused` for the categories withheld, so every decision is on the ledger.
   */
  async #readAndLog(
    staff: ChartStaff,
    patient: ChartPatient,
    decisions: Decisions,
    view: {
      purpose: PurposeOfUse;
      view: string;
      categories: readonly RecordCategory[];
      at: Date;
      online: boolean;
      requestId: string | null;
    },
  ): Promise<Chart> {
    const accessedAt = view.at.toISOString();
    return this.#o.ledger.transact(async (w, queue) => {
      const { entries, trends } = await readReleasedEntries(
        w,
        patient.patientDid,
        decisions.released,
        this.#o.hospitalMspId(),
      );
      const groups = new Map<string, { categories: RecordCategory[]; basis: Basis }>();
      for (const [category, bases] of decisions.released) {
        // Cite the basis in this order: a consent, else break-the-glass, else the own admission.
        const basis = bases[0]!;
        const groupKey = basis.kind === 'consent' ? `consent:${basis.consentId}` : basis.kind;
        const group = groups.get(groupKey) ?? { categories: [], basis };
        group.categories.push(category);
        groups.set(groupKey, group);
      }
      const logged: Array<{ entry: AccessEntryInput; note?: string }> = [];
      for (const { categories, basis } of groups.values()) {
        const entry: AccessEntryInput = {
          entryId: `acc-${randomUUID()}`,
          patientDid: patient.patientDid,
          categories,
          purpose: view.purpose,
          decision: 'allowed',
          ...(basis.kind === 'consent' ? { consentId: basis.consentId } : {}),
          ...(basis.kind === 'own-admission' && decisions.encounterId ? { encounterId: decisions.encounterId } : {}),
          ...(basis.kind === 'break-glass'
            ? { breakGlass: { reasonCode: basis.session.reasonCode, noteSha256: basis.session.noteSha256 } }
            : {}),
          ...(view.requestId ? { requestId: view.requestId } : {}),
          accessedAt,
        };
        // The clinician's note leaves with the session's first entry (kept on the ledger, purgeable there).
        const note = basis.kind === 'break-glass' ? await takeBreakGlassNote(w, basis.session.sessionId) : undefined;
        logged.push({ entry, ...(note ? { note } : {}) });
      }
      // Withheld from other hospitals (even when this hospital's own admission shows its own records).
      const withheld = decisions.withheld;
      if (withheld.length > 0 || logged.length === 0) {
        const categories = withheld.length > 0 ? withheld.map((x) => x.category) : [...view.categories];
        logged.push({
          entry: {
            entryId: `acc-${randomUUID()}`,
            patientDid: patient.patientDid,
            categories,
            purpose: view.purpose,
            decision: 'refused',
            ...(view.requestId ? { requestId: view.requestId } : {}),
            accessedAt,
          },
        });
      }
      for (const { entry, note } of logged)
        await logView(
          w,
          queue,
          {
            patientDid: patient.patientDid,
            patientId: patient.patientId,
            staffId: staff.id,
            view: view.view,
            entry,
            ...(note ? { breakGlassNote: note } : {}),
          },
          view.online,
        );
      const sources = await w.all<{
        source_msp: string;
        source_name: string;
        state: string;
        message: string;
        fetched_at: string | null;
        skipped: string;
      }>(sql`SELECT * FROM chart_source WHERE patient_did = ${patient.patientDid} ORDER BY source_name`);
      return this.#chart(patient, decisions, view, logged[0]!.entry.entryId, entries, sources, trends);
    });
  }

  #chart(
    patient: ChartPatient,
    decisions: Decisions,
    view: { purpose: PurposeOfUse; at: Date; online: boolean },
    accessEntryId: string,
    entries: ChartEntry[],
    sources: Array<{
      source_msp: string;
      source_name: string;
      state: string;
      message: string;
      fetched_at: string | null;
      skipped: string;
    }>,
    trends: Chart['trends'],
  ): Chart {
    const dates = workstationDates();
    const banners: Chart['banners'] = [];
    const cited = new Set<string>();
    for (const bases of decisions.released.values())
      for (const b of bases) if (b.kind === 'consent') cited.add(b.consentId);
    for (const consentId of cited) {
      const c = decisions.consents.find((x) => x.consentId === consentId);
      if (!c) continue;
      const covered = c.categories.map(categoryInWords).join(', ');
      banners.push({
        basis: 'consent',
        consentId,
        until: c.until,
        text: `Consent from the patient, signed ${dates.date(c.recordedAt)}, for ${purposesInWords(c.purposes)}, covers ${covered}; until ${dates.date(c.until)}.`,
      });
    }
    if (decisions.ownAdmission && view.purpose === 'TREAT')
      banners.push({
        basis: 'own-admission',
        consentId: null,
        until: null,
        text: "Your hospital's own records during this admission.",
      });
    if (decisions.breakGlass) {
      // Emergency access is what the clinician must see first.
      banners.unshift({
        basis: 'break-glass',
        consentId: null,
        until: decisions.breakGlass.expiresAt,
        text: `Emergency access (break the glass) until ${dates.time(decisions.breakGlass.expiresAt)}. This access will be reviewed by the privacy office.`,
      });
    }
    if (banners.length === 0)
      banners.push({
        basis: 'none',
        consentId: null,
        until: null,
        text: 'Nothing allows this view: the patient has given this hospital no consent that covers it and has no open admission here. In an emergency, use Emergency access.',
      });
    const fetched = sources.map((s) => s.fetched_at).filter((x): x is string => x !== null);
    const byOccurred = (a: ChartEntry, b: ChartEntry): number => (b.occurredAt ?? '').localeCompare(a.occurredAt ?? '');
    const severityRank = (s: string | null): number =>
      s === 'severe' || s === 'high' ? 0 : s === 'moderate' ? 1 : s === 'mild' || s === 'low' ? 2 : 3;
    const vitals = new Map<string, ChartEntry>();
    for (const e of [...entries].filter((x) => x.category === 'observations' && x.code !== null).sort(byOccurred))
      if (!vitals.has(e.code!)) vitals.set(e.code!, e);
    return {
      patientId: patient.patientId,
      patientName: patient.name,
      mrn: patient.mrn,
      birthDate: patient.birthDate,
      accessEntryId,
      openedAt: view.at.toISOString(),
      purpose: view.purpose,
      banners,
      breakGlass: decisions.breakGlass
        ? {
            sessionId: decisions.breakGlass.sessionId,
            reasonCode: decisions.breakGlass.reasonCode,
            openedAt: decisions.breakGlass.openedAt,
            expiresAt: decisions.breakGlass.expiresAt,
          }
        : null,
      withheld: decisions.withheld,
      released: CHART_TABS.filter((c) => decisions.released.has(c)),
      offline: !view.online,
      cachedAsOf: fetched.length > 0 ? fetched.sort()[0]! : null,
      sources: sources.map((s) => ({
        mspId: s.source_msp,
        name: s.source_name,
        state: (view.online ? s.state : 'cached') as 'fresh' | 'cached' | 'unreachable' | 'none',
        message: view.online
          ? s.message
          : `Offline: showing what was fetched ${s.fetched_at ? dates.dateTime(s.fetched_at) : 'earlier'}.`,
        fetchedAt: s.fetched_at,
        skipped: JSON.parse(s.skipped) as string[],
      })),
      summary: {
        problems: entries
          .filter((e) => e.category === 'conditions' && !/resolved|inactive|refuted/i.test(e.detail))
          .sort(byOccurred),
        allergies: entries
          .filter((e) => e.category === 'allergies')
          .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || byOccurred(a, b)),
        medications: entries
          .filter((e) => e.category === 'medications' && /active|intended|on-hold/i.test(e.detail))
          .sort(byOccurred),
        vitals: [...vitals.values()].filter((e) =>
          /^(29463-7|8480-6|8462-4|8867-4|8310-5|85354-9|9279-1|2708-6|39156-5|8302-2)$/.test(e.code ?? ''),
        ),
      },
      entries: entries.sort(byOccurred),
      trends,
    };
  }

  /**
   * Emergency access. Refused without a reason code and a note (the schema) ; opens the chart
   * for the privacy office's configured time (default 60 minutes) and is logged when viewed.
   */
  async breakTheGlass(
    staff: ChartStaff,
    request: { patientId: string; reasonCode: BreakGlassReason; note: string },
  ): Promise<BreakGlassState> {
    const now = this.#now();
    const minutes = await this.breakGlassMinutes();
    return this.#o.ledger.transact(async (w) => {
      const patient = await patientOf(w, request.patientId);
      if (!patient) throw new DomainError('NOT_FOUND', 'No patient with this record number is in this workstation.');
      const sessionId = `bg-${randomUUID()}`;
      const expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
      const noteSha256 = createHash('sha256').update(request.note, 'utf8').digest('hex');
      await w.run(sql`INSERT INTO chart_break_glass (session_id, patient_did, patient_id, staff_id, reason_code, note_sha256, note, opened_at, expires_at)
                      VALUES (${sessionId}, ${patient.patientDid}, ${patient.patientId}, ${staff.id}, ${request.reasonCode}, ${noteSha256}, ${request.note}, ${now.toISOString()}, ${expiresAt})`);
      return { sessionId, reasonCode: request.reasonCode, openedAt: now.toISOString(), expiresAt };
    });
  }

  /** Closes an emergency session early (the clinician is done). */
  async endBreakGlass(staff: ChartStaff, patientId: string): Promise<void> {
    const now = this.#now().toISOString();
    await this.#o.db.write((w) =>
      w.run(
        sql`UPDATE chart_break_glass SET closed_at = ${now} WHERE patient_id = ${patientId} AND staff_id = ${staff.id} AND closed_at IS NULL`,
      ),
    );
  }

  async breakGlassMinutes(): Promise<number> {
    const row = await this.#o.db.read((r) =>
      r.get<{ value: string }>(sql`SELECT value FROM workstation_setting WHERE key = 'breakGlassMinutes'`),
    );
    const n = Number(row?.value ?? 60);
    return Number.isInteger(n) && n >= 5 && n <= 720 ? n : 60;
  }

  async setBreakGlassMinutes(minutes: number): Promise<{ breakGlassMinutes: number }> {
    await this.#o.db.write((w) =>
      w.run(
        sql`INSERT INTO workstation_setting (key, value) VALUES ('breakGlassMinutes', ${String(minutes)}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
    );
    return { breakGlassMinutes: minutes };
  }

  /**
   * Whether an open chart may stay open: asked by the screen on every sync and every few
   * seconds. Closed when the consent it was opened under was revoked or ended, or the
   * emergency access expired.
   */
  async stillOpen(
    staff: ChartStaff,
    request: { patientId: string; consentIds: readonly string[]; breakGlassSessionId: string | null },
  ): Promise<ChartStillOpen> {
    await this.#housekeeping(staff);
    const at = this.#now();
    const { patient, consents, breakGlass } = await this.#o.db.read(async (r) => {
      const p = await patientOf(r, request.patientId);
      if (!p) throw new DomainError('NOT_FOUND', 'This patient is no longer in this workstation.');
      return {
        patient: p,
        consents: await consentsOf(r, p.patientDid),
        breakGlass: await activeBreakGlass(r, request.patientId, staff.id, at),
      };
    });
    const dates = workstationDates();
    if (request.breakGlassSessionId && breakGlass?.sessionId !== request.breakGlassSessionId) {
      return {
        open: false,
        breakGlass: null,
        reason: `Emergency access to ${patient.name}'s chart has ended. The chart was closed; open it again if a consent allows it, or ask for emergency access again.`,
      };
    }
    for (const consentId of request.consentIds) {
      const c = consents.find((x) => x.consentId === consentId);
      if (!c || (c.status === 'revoked' && c.revocation && c.revocation.at <= at.toISOString())) {
        return {
          open: false,
          breakGlass,
          reason: `${patient.name} withdrew the consent this chart was opened under${c?.revocation ? ` (${dates.dateTime(c.revocation.at)})` : ''}. The chart was closed and the records it released were removed from this workstation.`,
        };
      }
      if (c.until <= at.toISOString()) {
        return {
          open: false,
          breakGlass,
          reason: `The consent this chart was opened under ended on ${dates.dateTime(c.until)}. The chart was closed and the records it released were removed from this workstation.`,
        };
      }
    }
    return { open: true, reason: null, breakGlass };
  }

  /** Purges records of consents that ended, and sends views held offline once the ledger is back. */
  async #housekeeping(staff: ChartStaff): Promise<void> {
    const now = this.#now();
    await this.#o.db.write((w) => purgeExpiredConsents(w, now.toISOString()));
    if (this.#o.ledger.online()) await this.flushOffline(staff);
  }

  /** Anchors and sends the views this staff member made offline. Returns the batch id or null. */
  async flushOffline(staff: ChartStaff): Promise<string | null> {
    if (!this.#o.ledger.online()) return null;
    return this.#o.ledger.transact((w, queue) => flushHeldViews(w, queue, staff.id, this.#now()));
  }
}
