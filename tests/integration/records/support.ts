/**
 * A ward for the chart's tests: a real SQLCipher cache with every migration (and the chart's),
 * patients and admissions as the desk leaves them, the consent mirror as the inbox fills it, a
 * ledger that queues outbox rows (online or not, as the test says), and record gatekeepers that
 * answer with FHIR R4 resources, or fail, as told.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { ChartService, type ChartLedger } from '../../../src-main/records/chart-service';
import type { MirroredConsent } from '../../../src-main/records/consent-engine';
import type { GatekeeperAnswer, RecordGatekeepers, RecordsRequest } from '../../../src-main/records/gatekeepers';

export const HOSPITAL_A = { did: 'did:web:hospital-a.example', mspId: 'HospitalAMSP', name: 'Hospital A' };
export const HOSPITAL_B = { did: 'did:web:hospital-b.example', mspId: 'HospitalBMSP', name: 'Hospital B' };
export const CARL = { id: 'hospital-a-clinician', displayName: 'Dr Carl Clinician' };

export interface Ward {
  dir: string;
  db: CacheDatabase;
  chart: ChartService;
  online: { value: boolean };
  gatekeepers: FakeGatekeepers;
  now: { value: Date };
  close(): Promise<void>;
}

/** Gatekeepers that answer from a list of resources per hospital, filtered to the categories asked for. */
export class FakeGatekeepers implements RecordGatekeepers {
  readonly requests: RecordsRequest[] = [];
  readonly records = new Map<string, object[]>();
  readonly down = new Set<string>();
  fetchRecords(request: RecordsRequest): Promise<GatekeeperAnswer[]> {
    this.requests.push(request);
    return Promise.resolve(
      [HOSPITAL_A, HOSPITAL_B].map((h): GatekeeperAnswer => {
        if (this.down.has(h.mspId))
          return {
            ok: false,
            mspId: h.mspId,
            name: h.name,
            message: `${h.name}'s record service did not answer within 10 seconds; its records are shown from this workstation's cache.`,
          };
        return {
          ok: true,
          mspId: h.mspId,
          name: h.name,
          resources: this.records.get(h.mspId) ?? [],
          withheld: {},
          skipped: [],
          asOf: null,
        };
      }),
    );
  }
}

export async function openChartCache(dir: string): Promise<CacheDatabase> {
  const key = randomBytes(32);
  const db = await CacheDatabase.open(path.join(dir, 'cache.db'), key, {
    create: true,
    expectedKeyCheck: keyCheckValue(key),
  });
  await migrate(db);
  return db;
}

export async function makeWard(prefix: string): Promise<Ward> {
  const dir = mkdtempSync(path.join(tmpdir(), `careledger-chart-${prefix}-`));
  const db = await openChartCache(dir);
  const online = { value: true };
  const now = { value: new Date('2026-12-07T10:00:00.000Z') };
  const author = {
    identityId: CARL.id,
    mspId: HOSPITAL_A.mspId,
    certificatePem: '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n',
  };
  const ledger: ChartLedger = {
    transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write, now.value))),
    online: () => online.value,
  };
  const gatekeepers = new FakeGatekeepers();
  const chart = new ChartService({
    db,
    ledger,
    hospitalDid: HOSPITAL_A.did,
    hospitalMspId: () => HOSPITAL_A.mspId,
    gatekeepers,
    now: () => now.value,
  });
  return {
    dir,
    db,
    chart,
    online,
    gatekeepers,
    now,
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A patient as the desk registers them; `admitted`: with an open admission at this hospital. */
export async function addPatient(
  db: CacheDatabase,
  p: { givenName: string; familyName: string; did: string; mrn: string; admitted: boolean },
): Promise<string> {
  const patientId = `pat-${randomUUID()}`;
  const now = '2026-12-01T08:00:00.000Z';
  await db.write(async (w) => {
    const seq = Number(p.mrn.replace(/\D/g, ''));
    await w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, wallet_did, ledger_did, allergies, created_at, created_by, updated_at)
                    VALUES (${patientId}, ${p.mrn}, ${seq}, ${p.givenName}, ${p.familyName}, ${p.givenName.toLowerCase()}, ${p.familyName.toLowerCase()}, '1984-03-02', 'female', 'wallet-verified', ${p.did}, ${p.did}, 'none-known', ${now}, 'test', ${now})`);
    if (p.admitted) {
      await w.run(sql`INSERT INTO admission (admission_id, encounter_id, patient_id, ledger_did, status, ward_code, bed, attending_id, reason, admitted_at, consent, eligibility, created_by, created_at, updated_at)
                      VALUES (${`adm-${randomUUID()}`}, ${`enc-${randomUUID()}`}, ${patientId}, ${p.did}, 'admitted', 'W-101', ${`B${seq % 100}`}, 'clin-okafor', 'Chest pain', ${now}, '{}', '{}', 'test', ${now}, ${now})`);
    }
  });
  return patientId;
}

/** A consent as Consent:getConsent returns it, stored in the mirror as the inbox does. */
export async function mirrorConsent(
  db: CacheDatabase,
  c: Partial<MirroredConsent> & { patientDid: string; categories: string[] },
): Promise<MirroredConsent> {
  const consent: MirroredConsent = {
    consentId: `urn:uuid:${randomUUID()}`,
    granteeDid: HOSPITAL_A.did,
    granteeMspId: HOSPITAL_A.mspId,
    purposes: ['TREAT'],
    from: '2026-12-03T09:00:00.000Z',
    until: '2027-03-03T09:00:00.000Z',
    status: 'active',
    recordedAt: '2026-12-03T09:00:00.000Z',
    recordedByMspId: HOSPITAL_A.mspId,
    ...c,
  };
  await db.write((w) =>
    w.run(sql`INSERT INTO mirror_consent (consent_id, patient_did, status, record, block_number) VALUES (${consent.consentId}, ${consent.patientDid}, ${consent.status}, ${JSON.stringify(consent)}, 7)
              ON CONFLICT (consent_id) DO UPDATE SET status = excluded.status, record = excluded.record`),
  );
  return consent;
}

export function condition(id: string, text: string, onset: string): object {
  return {
    resourceType: 'Condition',
    id,
    meta: { versionId: '1' },
    clinicalStatus: { coding: [{ code: 'active' }], text: 'active' },
    code: { text, coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: text }] },
    onsetDateTime: onset,
  };
}

export function observation(id: string, loinc: string, text: string, value: number, unit: string, at: string): object {
  return {
    resourceType: 'Observation',
    id,
    meta: { versionId: '1' },
    status: 'final',
    code: { text, coding: [{ system: 'http://loinc.org', code: loinc, display: text }] },
    valueQuantity: { value, unit, code: unit, system: 'http://unitsofmeasure.org' },
    effectiveDateTime: at,
  };
}

export function allergy(id: string, text: string, severity: 'mild' | 'moderate' | 'severe'): object {
  return {
    resourceType: 'AllergyIntolerance',
    id,
    meta: { versionId: '1' },
    code: { text },
    criticality: severity === 'severe' ? 'high' : 'low',
    reaction: [{ severity, manifestation: [{ text: 'Rash' }] }],
    recordedDate: '2025-05-01',
  };
}

export function procedure(id: string, text: string): object {
  return {
    resourceType: 'Procedure',
    id,
    meta: { versionId: '1' },
    status: 'completed',
    code: { text },
    performedDateTime: '2024-02-01',
  };
}

export async function outbox(
  db: CacheDatabase,
): Promise<Array<{ seq: number; operation: string; order_key: string; payload: string }>> {
  return db.read((r) => r.all(sql`SELECT seq, operation, order_key, payload FROM outbox ORDER BY seq`));
}

export async function accessRows(db: CacheDatabase): Promise<
  Array<{
    entry_id: string;
    view: string;
    state: string;
    entry_json: string;
    outbox_seq: number | null;
    batch_id: string | null;
  }>
> {
  return db.read((r) =>
    r.all(
      sql`SELECT entry_id, view, state, entry_json, outbox_seq, batch_id FROM chart_access ORDER BY accessed_at, entry_id`,
    ),
  );
}

/** The entry a queued Access:logAccess carries in its transient map. */
export function transientOf(payload: string, name: string): string {
  const p = JSON.parse(payload) as { transient?: Record<string, string> };
  return Buffer.from(p.transient?.[name] ?? '', 'base64').toString('utf8');
}
