/**
 * The clinician's chart (issue 11), main-process figures on a real SQLCipher cache:
 * - chart open from the cache for a patient with 1,000 resources (10 consents in the mirror,
 *   consent decision per category, the read, the summary and trends, and the access entries
 *   written with their outbox rows in the same transaction), p50/p95, target p95 <= 30 ms;
 *   beside it the floor: the same transaction reading the same 1,000 rows and writing one row,
 *   with no decision, parsing or summary.
 * - the access report's local part is not timed here: the 10,000-entry ledger read needs the
 *   devnet (not measured in this suite; see the README's "not done").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { ChartService, type ChartLedger } from '../../../src-main/records/chart-service';
import type { RecordCategory } from '../../../src-shared/records/schemas';
import { recordAnswers } from '../../../src-main/records/chart-store';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const PATIENT_DID = 'did:key:z6MkbenchPatient000000000000000000000000000000000';
const HOSPITAL_DID = 'did:web:hospital-a.example';

function resources(n: number): object[] {
  const out: object[] = [];
  const loinc = ['29463-7', '8480-6', '8462-4', '4548-4', '2160-0'];
  for (let i = 0; i < n; i++) {
    const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString();
    if (i % 4 === 0)
      out.push({
        resourceType: 'Condition',
        id: `c${i}`,
        meta: { versionId: '1' },
        clinicalStatus: { text: 'active' },
        code: { text: `Condition ${i}` },
        onsetDateTime: day,
      });
    else if (i % 4 === 1)
      out.push({
        resourceType: 'MedicationStatement',
        id: `m${i}`,
        meta: { versionId: '1' },
        status: 'active',
        medicationCodeableConcept: { text: `Medicine ${i}` },
        effectiveDateTime: day,
      });
    else if (i % 4 === 2)
      out.push({
        resourceType: 'AllergyIntolerance',
        id: `a${i}`,
        meta: { versionId: '1' },
        code: { text: `Allergen ${i}` },
        reaction: [{ severity: 'moderate', manifestation: [{ text: 'Rash' }] }],
        recordedDate: day,
      });
    else
      out.push({
        resourceType: 'Observation',
        id: `o${i}`,
        meta: { versionId: '1' },
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: loinc[i % loinc.length] }] },
        valueQuantity: { value: 50 + (i % 30), unit: 'kg', code: 'kg' },
        effectiveDateTime: day,
      });
  }
  return out;
}

const suite: BenchSuite = async (ctx) => {
  const dir = path.join(ctx.workDir, 'chart');
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  const db = await CacheDatabase.open(path.join(dir, `cache-${randomUUID()}.db`), key, {
    create: true,
    expectedKeyCheck: keyCheckValue(key),
  });
  try {
    await migrate(db);
    const patientId = 'pat-bench';
    await db.write(async (w) => {
      await w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, wallet_did, ledger_did, allergies, created_at, created_by, updated_at)
                      VALUES (${patientId}, 'MRN-1', 1, 'Maria', 'Oliveira', 'maria', 'oliveira', '1984-03-02', 'female', 'wallet-verified', ${PATIENT_DID}, ${PATIENT_DID}, 'yes', '2026-12-01T00:00:00Z', 'bench', '2026-12-01T00:00:00Z')`);
      for (let i = 0; i < 10; i++) {
        const c = {
          consentId: `urn:uuid:${randomUUID()}`,
          patientDid: PATIENT_DID,
          granteeDid: HOSPITAL_DID,
          granteeMspId: 'HospitalAMSP',
          purposes: ['TREAT'],
          categories: i === 9 ? ['conditions', 'medications', 'allergies', 'observations'] : ['imaging'],
          from: '2026-01-01T00:00:00Z',
          until: '2027-12-01T00:00:00Z',
          status: i < 5 ? 'revoked' : 'active',
          recordedAt: '2026-01-01T00:00:00Z',
          recordedByMspId: 'HospitalAMSP',
          ...(i < 5 ? { revocation: { at: '2026-02-01T00:00:00Z' } } : {}),
        };
        await w.run(
          sql`INSERT INTO mirror_consent (consent_id, patient_did, status, record, block_number) VALUES (${c.consentId}, ${PATIENT_DID}, ${c.status}, ${JSON.stringify(c)}, 1)`,
        );
      }
    });
    const author = {
      identityId: 'bench-clinician',
      mspId: 'HospitalAMSP',
      certificatePem: '-----BEGIN CERTIFICATE-----\nbench\n-----END CERTIFICATE-----\n',
    };
    const ledger: ChartLedger = {
      transact: (work) => db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write))),
      online: () => true,
    };
    const chart = new ChartService({ db, ledger, hospitalDid: HOSPITAL_DID, hospitalMspId: () => 'HospitalAMSP' });
    const consentId =
      (
        await db.read((r) =>
          r.get<{ consent_id: string }>(sql`SELECT consent_id FROM mirror_consent WHERE record LIKE '%observations%'`),
        )
      )?.consent_id ?? '';
    const released = new Map<RecordCategory, Array<{ kind: 'consent'; consentId: string }>>(
      (['conditions', 'medications', 'allergies', 'observations'] as const).map((c) => [
        c,
        [{ kind: 'consent', consentId }],
      ]),
    );
    await recordAnswers(db, {
      patientDid: PATIENT_DID,
      answers: [
        {
          ok: true,
          mspId: 'HospitalBMSP',
          name: 'Hospital B',
          resources: resources(1000),
          withheld: {},
          skipped: [],
          asOf: null,
        },
      ],
      released,
      ownMspId: 'HospitalAMSP',
      fetchedAt: new Date().toISOString(),
      anchors: undefined,
    });
    const staff = { id: 'bench-clinician', displayName: 'Bench' };
    const open = async (): Promise<number> => {
      const t = performance.now();
      const c = await chart.openChart(staff, { patientId, purpose: 'TREAT', refresh: false });
      const ms = performance.now() - t;
      if (c.entries.length !== 1000) throw new Error(`expected 1000 entries, got ${c.entries.length}`);
      return ms;
    };
    const floor = async (): Promise<number> => {
      const t = performance.now();
      await db.write(async (w) => {
        await w.all(sql`SELECT resource_json FROM chart_resource WHERE patient_did = ${PATIENT_DID}`);
        await w.run(
          sql`INSERT INTO sync_meta (key, value) VALUES ('bench', ${String(t)}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        );
      });
      return performance.now() - t;
    };
    for (let i = 0; i < 5; i++) {
      await open();
      await floor();
    }
    const opens: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < 60; i++) {
      opens.push(await open());
      floors.push(await floor());
    }
    const entries = (await db.read((r) => r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_access`)))?.n ?? 0;
    ctx.log(`chart: ${opens.length + 5} opens wrote ${entries} access entries`);
    return [
      {
        name: 'chart open from cache, 1,000 resources, consent check + access log (p50)',
        value: percentile(opens, 50),
        unit: 'ms',
        floor: { name: 'read the same 1,000 rows + write one row, one transaction', value: percentile(floors, 50) },
      },
      {
        name: 'chart open from cache, 1,000 resources, consent check + access log (p95)',
        value: percentile(opens, 95),
        unit: 'ms',
        target: 30,
        floor: { name: 'read the same 1,000 rows + write one row, one transaction', value: percentile(floors, 95) },
      },
    ] satisfies BenchRow[];
  } finally {
    await db.close();
  }
};

export default suite;
