/**
 * The chart's tables in the encrypted cache (migration 0010). Records are read for display only
 * by `readReleasedEntries`, which takes a WriteHandle: the one caller, ChartService's
 * `#readAndLog`, holds the transaction that also writes the view's access entries.
 */
import type { CodeableConcept, Observation, Resource } from 'fhir/r4';
import type {
  ChartEntry,
  RecordCategory,
  TrendSeries,
  WardPatient,
  BreakGlassState,
  BreakGlassReason,
} from '../../src-shared/records/schemas';
import { isSensitiveCategory, sensitiveCategoriesOf } from '../../src-shared/records/vocab';
import type { CacheDatabase, ReadHandle, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import type { MirroredConsent } from './consent-engine';
import { entryFacts, pdfOf, REFERENCE_RANGES } from './fhir-entry';
import type { AnchorVerifier, GatekeeperAnswer } from './gatekeepers';

/** The largest resource kept in the cache; a bigger one is skipped with a note (a chart entry is not a file store). */
export const MAX_RESOURCE_BYTES = 2 * 1024 * 1024;

export interface ChartPatient {
  patientId: string;
  /** The DID consents and access entries name: the wallet DID, or the desk's pseudonymous one. */
  patientDid: string;
  name: string;
  mrn: string;
  birthDate: string | null;
}

export async function patientOf(r: ReadHandle, patientId: string): Promise<ChartPatient | undefined> {
  const row = await r.get<{
    patient_id: string;
    wallet_did: string | null;
    ledger_did: string;
    given_name: string;
    family_name: string;
    mrn: string;
    birth_date: string | null;
    merged_into: string | null;
  }>(
    sql`SELECT patient_id, wallet_did, ledger_did, given_name, family_name, mrn, birth_date, merged_into FROM patient WHERE patient_id = ${patientId}`,
  );
  if (!row) return undefined;
  if (row.merged_into) return patientOf(r, row.merged_into);
  return {
    patientId: row.patient_id,
    patientDid: row.wallet_did ?? row.ledger_did,
    name: `${row.given_name} ${row.family_name}`,
    mrn: row.mrn,
    birthDate: row.birth_date,
  };
}

export async function consentsOf(r: ReadHandle, patientDid: string): Promise<MirroredConsent[]> {
  const rows = await r.all<{ record: string }>(
    sql`SELECT record FROM mirror_consent WHERE patient_did = ${patientDid} ORDER BY consent_id`,
  );
  return rows.map((row) => JSON.parse(row.record) as MirroredConsent);
}

export async function openAdmissionOf(r: ReadHandle, patientId: string): Promise<{ encounterId: string } | undefined> {
  const row = await r.get<{ encounter_id: string }>(
    sql`SELECT encounter_id FROM admission WHERE patient_id = ${patientId} AND status = 'admitted' ORDER BY admitted_at DESC LIMIT 1`,
  );
  return row ? { encounterId: row.encounter_id } : undefined;
}

export async function activeBreakGlass(
  r: ReadHandle,
  patientId: string,
  staffId: string,
  at: Date,
): Promise<(BreakGlassState & { noteSha256: string }) | null> {
  const row = await r.get<{
    session_id: string;
    reason_code: BreakGlassReason;
    opened_at: string;
    expires_at: string;
    note_sha256: string;
  }>(
    sql`SELECT session_id, reason_code, opened_at, expires_at, note_sha256 FROM chart_break_glass
        WHERE patient_id = ${patientId} AND staff_id = ${staffId} AND closed_at IS NULL AND expires_at > ${at.toISOString()} AND opened_at <= ${at.toISOString()}
        ORDER BY expires_at DESC LIMIT 1`,
  );
  return row
    ? {
        sessionId: row.session_id,
        reasonCode: row.reason_code,
        openedAt: row.opened_at,
        expiresAt: row.expires_at,
        noteSha256: row.note_sha256,
      }
    : null;
}

/** The note of an emergency session, once: it leaves the cache with the first access entry that carries it. */
export async function takeBreakGlassNote(w: WriteHandle, sessionId: string): Promise<string | undefined> {
  const row = await w.get<{ note: string | null }>(
    sql`SELECT note FROM chart_break_glass WHERE session_id = ${sessionId}`,
  );
  if (!row?.note) return undefined;
  await w.run(sql`UPDATE chart_break_glass SET note = NULL WHERE session_id = ${sessionId}`);
  return row.note;
}

/** Open admissions at this hospital, or every patient matching a name or MRN. */
export async function wardPatients(r: ReadHandle, query: string): Promise<WardPatient[]> {
  const q = query.trim().toLowerCase();
  const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  const rows = await r.all<{
    patient_id: string;
    given_name: string;
    family_name: string;
    mrn: string;
    ward_code: string | null;
    bed: string | null;
    admitted_at: string | null;
    wallet_did: string | null;
    ledger_did: string;
  }>(
    q === ''
      ? sql`SELECT p.patient_id, p.given_name, p.family_name, p.mrn, a.ward_code, a.bed, a.admitted_at, p.wallet_did, p.ledger_did
            FROM admission a JOIN patient p ON p.patient_id = a.patient_id WHERE a.status = 'admitted' AND p.merged_into IS NULL ORDER BY a.ward_code, a.bed LIMIT 200`
      : sql`SELECT p.patient_id, p.given_name, p.family_name, p.mrn, a.ward_code, a.bed, a.admitted_at, p.wallet_did, p.ledger_did
            FROM patient p LEFT JOIN admission a ON a.patient_id = p.patient_id AND a.status = 'admitted'
            WHERE p.merged_into IS NULL AND (lower(p.given_name || ' ' || p.family_name) LIKE ${like} ESCAPE '\\' OR lower(p.family_name || ' ' || p.given_name) LIKE ${like} ESCAPE '\\' OR lower(p.mrn) LIKE ${like} ESCAPE '\\')
            ORDER BY p.family_name, p.given_name LIMIT 50`,
  );
  const out: WardPatient[] = [];
  for (const row of rows) {
    const did = row.wallet_did ?? row.ledger_did;
    const consent = await r.get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM mirror_consent WHERE patient_did = ${did} AND status = 'active'`,
    );
    out.push({
      patientId: row.patient_id,
      patientName: `${row.given_name} ${row.family_name}`,
      mrn: row.mrn,
      wardName: row.ward_code ?? 'Not admitted',
      bed: row.bed ?? '',
      admittedAt: row.admitted_at,
      hasConsent: (consent?.n ?? 0) > 0,
    });
  }
  return out;
}

type Bases = ReadonlyMap<
  RecordCategory,
  ReadonlyArray<
    | { kind: 'consent'; consentId: string }
    | { kind: 'own-admission' }
    | { kind: 'break-glass'; session: { sessionId: string } }
  >
>;

interface ResourceRow {
  resource_key: string;
  source_msp: string;
  source_name: string;
  resource_type: string;
  category: RecordCategory;
  basis: 'consent' | 'own-admission' | 'break-glass';
  consent_id: string | null;
  anchor_state: ChartEntry['anchor'];
  anchor_note: string | null;
  resource_json: string;
  fetched_at: string;
}

/** Whether a cached record may be shown now: its category (and every sensitive label) released on a basis that covers its hospital. */
function mayShow(row: ResourceRow, resource: Resource, released: Bases, ownMspId: string | null): boolean {
  const covers = (category: RecordCategory): boolean =>
    (released.get(category) ?? []).some(
      (b) => b.kind !== 'own-admission' || (row.source_msp === ownMspId && !isSensitive(category)),
    );
  if (!covers(row.category)) return false;
  return sensitiveCategoriesOf(resource.meta?.security).every((s) => covers(s as RecordCategory));
}

function isSensitive(category: string): boolean {
  return isSensitiveCategory(category);
}

function toEntry(row: ResourceRow, resource: Resource): ChartEntry {
  const f = entryFacts(resource);
  return {
    key: row.resource_key,
    category: row.category,
    resourceType: row.resource_type,
    title: f.title,
    detail: f.detail,
    occurredAt: f.occurredAt,
    sourceMspId: row.source_msp,
    sourceName: row.source_name,
    fetchedAt: row.fetched_at,
    basis: row.basis,
    consentId: row.consent_id,
    anchor: row.anchor_state,
    anchorNote: row.anchor_note,
    severity: f.severity,
    code: f.code,
    value: f.value,
    unit: f.unit,
    hasDocument: f.hasDocument,
  };
}

/**
 * The records of the released categories and the trend series of their observations, from one
 * read of the rows (each resource parsed once). Takes a WriteHandle on purpose: see the file comment.
 */
export async function readReleasedEntries(
  w: WriteHandle,
  patientDid: string,
  released: Bases,
  ownMspId: string | null,
): Promise<{ entries: ChartEntry[]; trends: TrendSeries[] }> {
  if (released.size === 0) return { entries: [], trends: [] };
  const rows = await w.all<ResourceRow>(sql`SELECT * FROM chart_resource WHERE patient_did = ${patientDid}`);
  const entries: ChartEntry[] = [];
  const observations: Array<{ row: ResourceRow; o: Observation }> = [];
  for (const row of rows) {
    const resource = JSON.parse(row.resource_json) as Resource;
    if (!mayShow(row, resource, released, ownMspId)) continue;
    entries.push(toEntry(row, resource));
    if (resource.resourceType === 'Observation') observations.push({ row, o: resource as Observation });
  }
  return { entries, trends: trendsOf(observations) };
}

/** Trend series per LOINC code (blood pressure's components as their own series), oldest point first. */
function trendsOf(observations: ReadonlyArray<{ row: ResourceRow; o: Observation }>): TrendSeries[] {
  const series = new Map<string, TrendSeries>();
  const add = (
    code: string | undefined,
    label: string,
    unit: string,
    value: number | undefined,
    at: string | undefined,
    sourceName: string,
  ): void => {
    if (!code || typeof value !== 'number' || !Number.isFinite(value) || !at) return;
    const ref = REFERENCE_RANGES[code];
    const s = series.get(code) ?? {
      code,
      label: ref?.label ?? label,
      unit,
      low: ref?.low ?? null,
      high: ref?.high ?? null,
      points: [],
    };
    s.points.push({ at, value, sourceName });
    series.set(code, s);
  };
  const loinc = (c: CodeableConcept | undefined): string | undefined =>
    c?.coding?.find((x) => x.system === 'http://loinc.org')?.code;
  const label = (c: CodeableConcept | undefined): string => c?.text ?? c?.coding?.[0]?.display ?? 'Observation';
  for (const { row, o } of observations) {
    const at = o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued;
    add(
      loinc(o.code),
      label(o.code),
      o.valueQuantity?.code ?? o.valueQuantity?.unit ?? '',
      o.valueQuantity?.value,
      at,
      row.source_name,
    );
    for (const c of o.component ?? [])
      add(
        loinc(c.code),
        label(c.code),
        c.valueQuantity?.code ?? c.valueQuantity?.unit ?? '',
        c.valueQuantity?.value,
        at,
        row.source_name,
      );
  }
  for (const s of series.values()) s.points.sort((a, b) => a.at.localeCompare(b.at));
  return [...series.values()].filter((s) => s.points.length >= 2).sort((a, b) => a.label.localeCompare(b.label));
}

export async function documentOf(
  r: ReadHandle,
  key: string,
): Promise<{ fileName: string; base64: string } | undefined> {
  const row = await r.get<{ resource_json: string }>(
    sql`SELECT resource_json FROM chart_resource WHERE resource_key = ${key}`,
  );
  return row ? pdfOf(JSON.parse(row.resource_json) as Resource) : undefined;
}

/**
 * Keeps what the gatekeepers released (anchors checked first, outside the transaction) and each
 * hospital's outcome. A resource that is not FHIR, has no type or id, is of no chart category
 * or is too large is skipped with a note, never stored.
 */
export async function recordAnswers(
  db: CacheDatabase,
  input: {
    patientDid: string;
    answers: readonly GatekeeperAnswer[];
    released: Bases;
    ownMspId: string | null;
    fetchedAt: string;
    anchors: AnchorVerifier | undefined;
  },
): Promise<void> {
  type Prepared = {
    key: string;
    answer: GatekeeperAnswer;
    resource: Resource;
    json: string;
    category: RecordCategory;
    basis: 'consent' | 'own-admission' | 'break-glass';
    consentId: string | null;
    breakGlassId: string | null;
    anchor: { state: string; note: string | null };
  };
  const prepared: Prepared[] = [];
  const skippedBySource = new Map<string, string[]>();
  for (const answer of input.answers) {
    if (!answer.ok) continue;
    const skipped = [...answer.skipped];
    for (const raw of answer.resources) {
      const resource = raw as Resource;
      const json = JSON.stringify(raw);
      const label = `${typeof resource?.resourceType === 'string' ? resource.resourceType : 'Resource'}/${typeof resource?.id === 'string' ? resource.id : '?'}`;
      if (typeof resource?.resourceType !== 'string' || typeof resource.id !== 'string') {
        skipped.push(`${label}: not a FHIR resource (no resourceType or id); skipped.`);
        continue;
      }
      if (json.length > MAX_RESOURCE_BYTES) {
        skipped.push(
          `${label}: larger than ${MAX_RESOURCE_BYTES / 1024 / 1024} MB; skipped. Ask ${answer.name} for it directly.`,
        );
        continue;
      }
      const facts = entryFacts(resource);
      if (!facts.category) {
        skipped.push(`${label}: not a kind of record the chart shows; skipped.`);
        continue;
      }
      const bases = input.released.get(facts.category) ?? [];
      const own = answer.mspId === input.ownMspId;
      const basis =
        bases.find((b) => b.kind === 'consent') ??
        bases.find((b) => b.kind === 'break-glass') ??
        (own ? bases.find((b) => b.kind === 'own-admission') : undefined);
      if (!basis) {
        skipped.push(`${label}: released for a category this view did not ask for; not kept.`);
        continue;
      }
      const anchor = input.anchors
        ? await input.anchors.check(resource)
        : { state: 'unchecked', note: 'Not checked against the ledger.' };
      prepared.push({
        key: `${answer.mspId}/${resource.resourceType}/${resource.id}`,
        answer,
        resource,
        json,
        category: facts.category,
        basis: basis.kind,
        consentId: basis.kind === 'consent' ? basis.consentId : null,
        breakGlassId: basis.kind === 'break-glass' ? basis.session.sessionId : null,
        anchor,
      });
    }
    skippedBySource.set(answer.mspId, skipped);
  }
  await db.write(async (w) => {
    for (const p of prepared) {
      const facts = entryFacts(p.resource);
      await w.run(sql`INSERT INTO chart_resource (resource_key, patient_did, source_msp, source_name, resource_type, resource_id, version_id, category, basis, consent_id, break_glass_id, anchor_state, anchor_note, code, value_num, effective_at, resource_json, fetched_at)
                      VALUES (${p.key}, ${input.patientDid}, ${p.answer.mspId}, ${p.answer.name}, ${p.resource.resourceType}, ${p.resource.id ?? ''}, ${p.resource.meta?.versionId ?? null}, ${p.category}, ${p.basis}, ${p.consentId}, ${p.breakGlassId},
                              ${p.anchor.state}, ${p.anchor.note}, ${facts.code}, ${facts.value}, ${facts.occurredAt}, ${p.json}, ${input.fetchedAt})
                      ON CONFLICT (resource_key) DO UPDATE SET version_id = excluded.version_id, category = excluded.category, basis = excluded.basis, consent_id = excluded.consent_id, break_glass_id = excluded.break_glass_id,
                        anchor_state = excluded.anchor_state, anchor_note = excluded.anchor_note, code = excluded.code, value_num = excluded.value_num, effective_at = excluded.effective_at, resource_json = excluded.resource_json, fetched_at = excluded.fetched_at`);
    }
    for (const answer of input.answers) {
      if (answer.ok) {
        const skipped = skippedBySource.get(answer.mspId) ?? [];
        const withheld = Object.keys(answer.withheld);
        const message = `Reached ${answer.name}: ${answer.resources.length - skipped.length >= 0 ? answer.resources.length : 0} record${answer.resources.length === 1 ? '' : 's'} released${withheld.length > 0 ? `; withheld by consent: ${withheld.join(', ')}` : ''}.`;
        await w.run(sql`INSERT INTO chart_source (patient_did, source_msp, source_name, state, message, fetched_at, skipped) VALUES (${input.patientDid}, ${answer.mspId}, ${answer.name}, ${answer.resources.length > 0 ? 'fresh' : 'none'}, ${message}, ${input.fetchedAt}, ${JSON.stringify(skipped)})
                        ON CONFLICT (patient_did, source_msp) DO UPDATE SET source_name = excluded.source_name, state = excluded.state, message = excluded.message, fetched_at = excluded.fetched_at, skipped = excluded.skipped`);
      } else {
        // Not reached: what was cached stays, with its age; the sentence says which hospital and why.
        await w.run(sql`INSERT INTO chart_source (patient_did, source_msp, source_name, state, message, fetched_at) VALUES (${input.patientDid}, ${answer.mspId}, ${answer.name}, 'unreachable', ${answer.message}, NULL)
                        ON CONFLICT (patient_did, source_msp) DO UPDATE SET state = 'unreachable', message = excluded.message`);
      }
    }
  });
}

/** Removes the cached records a consent released (the patient revoked it, or it ended). Returns how many. */
export async function purgeConsent(w: WriteHandle, consentId: string): Promise<number> {
  return (await w.run(sql`DELETE FROM chart_resource WHERE consent_id = ${consentId}`)).changes;
}

/** Purges the records of every mirrored consent whose end time has passed. */
export async function purgeExpiredConsents(w: WriteHandle, nowIso: string): Promise<number> {
  const ended = await w.all<{ consent_id: string }>(
    sql`SELECT DISTINCT r.consent_id FROM chart_resource r JOIN mirror_consent c ON c.consent_id = r.consent_id WHERE json_extract(c.record, '$.until') <= ${nowIso} OR c.status = 'revoked'`,
  );
  let n = 0;
  for (const row of ended) n += await purgeConsent(w, row.consent_id);
  // Break-the-glass records leave with their session's end.
  n += (
    await w.run(
      sql`DELETE FROM chart_resource WHERE basis = 'break-glass' AND break_glass_id IN (SELECT session_id FROM chart_break_glass WHERE expires_at <= ${nowIso} OR closed_at IS NOT NULL)`,
    )
  ).changes;
  return n;
}
