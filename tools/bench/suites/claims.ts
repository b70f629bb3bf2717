/**
 * Claims (issue 12), main-process figures:
 * - build + validate a 20-item claim: the checklist (codes, dates, coverage, totals), the FHIR R4
 *   Claim built from the form and Medplum's validateResource against the R4 definitions
 *   (definitions indexed once before timing), p50/p95, target p95 <= 20 ms; beside it, the
 *   FHIR validation alone on the same resource (the floor: what the kept validator costs);
 * - the work list of 10,000 claims on a real SQLCipher cache: open (first page, denials first)
 *   and filter (status + search), p50/p95, target p95 <= 50 ms;
 * - X12 837I generation of 1,000 claims (each parsed back and checked), total time.
 * Submit -> adjudicated visible at the hospital on the devnet is measured by the integration
 * flow (tests/integration/claims/flow.test.ts) in seconds; it is not repeated here, see README.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { DEMO_CODE_SETS } from '../../../src-shared/claims/codes';
import { checkClaim } from '../../../src-shared/claims/rules';
import type { ClaimContext, ClaimForm } from '../../../src-shared/claims/schemas';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { ClaimsService, type ClaimsLedger } from '../../../src-main/claims/claims-service';
import { buildFhirClaim, preloadFhirDefinitions, validateFhir } from '../../../src-main/claims/fhir-claim';
import { check837, generate837 } from '../../../src-main/claims/x12-837';
import { percentile, type BenchRow, type BenchSuite } from '../types';

const CONTEXT: ClaimContext = {
  admissionId: 'adm-bench',
  patientName: 'GARCIA, Maria',
  mrn: 'MRN-1',
  admittedOn: '2026-11-01',
  dischargedOn: '2026-11-20',
  today: '2026-12-07',
  coverage: { eligibility: 'eligible', eligibilityMessage: '', insurerName: 'Northwind', insurerDid: 'did:web:insurer.careledger.example', memberId: 'NWH-1', planName: 'Family Care Plus', start: '2026-01-01', end: '2026-12-31', revocation: 'active', revokedOn: null },
  insurer: { mspId: 'InsurerMSP', name: 'Northwind' },
  currency: 'USD',
};
const CODES = ['99223', '99232', '71046', '85025', '80053', '93000', 'J0696', '94640', '36415', '87040'];
const REVENUE = ['0120', '0120', '0320', '0300', '0300', '0730', '0636', '0410', '0300', '0300'];

function form20(seed: number): ClaimForm {
  return {
    admissionId: 'adm-bench',
    claimType: 'institutional',
    diagnoses: [{ code: 'J18.9' }, { code: 'E11.9' }, { code: 'I10' }],
    items: Array.from({ length: 20 }, (_, i) => ({
      code: CODES[i % CODES.length] as string,
      modifiers: i % 7 === 0 ? ['25'] : [],
      revenueCode: REVENUE[i % REVENUE.length] as string,
      servicedDate: `2026-11-${String(1 + ((i + seed) % 19)).padStart(2, '0')}`,
      units: 1 + (i % 3),
      unitPrice: 10 + ((i * 37 + seed) % 500) + 0.25,
    })),
    billTotal: null,
    note: '',
  };
}

const suite: BenchSuite = async (ctx) => {
  const rows: BenchRow[] = [];
  ctx.log('indexing the FHIR R4 definitions (once per process, not timed)');
  await preloadFhirDefinitions();

  const build: number[] = [];
  const validateOnly: number[] = [];
  for (let i = 0; i < 230; i++) {
    const form = form20(i);
    const t0 = performance.now();
    checkClaim(form, CONTEXT, DEMO_CODE_SETS);
    const claim = buildFhirClaim({ claimId: `clm-${i}`, version: 1, form, context: CONTEXT, patient: { givenName: 'Maria', familyName: 'Garcia', birthDate: '1984-03-02', gender: 'female' }, provider: { mspId: 'HospitalAMSP', name: 'Hospital A' }, created: '2026-12-07T10:00:00Z' }, DEMO_CODE_SETS);
    const problems = await validateFhir(claim);
    const t1 = performance.now();
    await validateFhir(claim);
    const t2 = performance.now();
    if (problems.length > 0) throw new Error(`bench claim does not validate: ${problems[0]?.message ?? ''}`);
    if (i >= 30) {
      build.push(t1 - t0);
      validateOnly.push(t2 - t1);
    }
  }
  const floor = (p: number): { name: string; value: number } => ({ name: 'Medplum validateResource alone, same claim', value: percentile(validateOnly, p) });
  rows.push({ name: 'build + validate 20-item claim p50', value: percentile(build, 50), unit: 'ms', floor: floor(50) });
  rows.push({ name: 'build + validate 20-item claim p95', value: percentile(build, 95), unit: 'ms', floor: floor(95), target: 20 });

  // Work list of 10,000 claims on a real SQLCipher cache.
  const dir = path.join(ctx.workDir, 'claims-cache');
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  const db = await CacheDatabase.open(path.join(dir, `cache-${Date.now()}.db`), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  try {
    await migrate(db);
    ctx.log('seeding 10,000 claims');
    const statuses = ['submitted', 'pended', 'adjudicated', 'paid', 'withdrawn', 'draft', 'resubmitted'];
    await db.write(async (w) => {
      for (let i = 0; i < 10_000; i++) {
        const status = statuses[i % statuses.length] as string;
        await w.run(sql`INSERT INTO claim (claim_id, side, patient_name, mrn, insurer_msp, insurer_name, hospital_msp, claim_type, status, outcome, total_cents, currency, service_from, reason_codes, submission_count, created_by, created_at, updated_at)
                        VALUES (${`clm-${i}`}, 'hospital', ${`PATIENT${i}, Test`}, ${`MRN-${i}`}, 'InsurerMSP', 'Northwind', 'HospitalAMSP', 'institutional', ${status}, ${status === 'adjudicated' ? (i % 2 ? 'denied' : 'approved') : null},
                                ${10_000 + i}, 'USD', '2026-11-01', ${status === 'pended' ? '["16"]' : '[]'}, 1, 'bench', '2026-11-01T00:00:00Z', ${new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString()})`);
      }
    });
    const ledger: ClaimsLedger = { connection: null, signers: () => [], transact: () => Promise.reject(new Error('not in the bench')), onSettled: () => undefined };
    const service = new ClaimsService({ db, ledger });
    const staff = { id: 'bench', displayName: 'Bench', mspId: 'HospitalAMSP', role: 'claims', kind: 'hospital' };
    const open: number[] = [];
    const filter: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      const list = await service.workList(staff, { limit: 100 }, false);
      const t1 = performance.now();
      const filtered = await service.workList(staff, { status: 'needs-action', search: `patient${(i * 131) % 10_000}`, limit: 100 }, false);
      const t2 = performance.now();
      if (list.claims.length === 0 || filtered.claims.length > 500) throw new Error('work list bench returned nothing');
      if (i >= 10) {
        open.push(t1 - t0);
        filter.push(t2 - t1);
      }
    }
    rows.push({ name: 'work list of 10,000 claims: open p95', value: percentile(open, 95), unit: 'ms', target: 50, note: `p50 ${percentile(open, 50).toFixed(1)} ms, first page of 100, denials first` });
    rows.push({ name: 'work list of 10,000 claims: filter p95', value: percentile(filter, 95), unit: 'ms', target: 50, note: `p50 ${percentile(filter, 50).toFixed(1)} ms, needs-action + search` });
  } finally {
    await db.close();
  }

  // X12 837I for 1,000 claims, each parsed back and checked.
  const claims = Array.from({ length: 1000 }, (_, i) =>
    buildFhirClaim({ claimId: `clm-${i}`, version: 1, form: form20(i), context: CONTEXT, patient: { givenName: 'Maria', familyName: 'Garcia', birthDate: '1984-03-02', gender: 'female' }, provider: { mspId: 'HospitalAMSP', name: 'Hospital A' }, created: '2026-12-07T10:00:00Z' }, DEMO_CODE_SETS),
  );
  const t0 = performance.now();
  let ok = 0;
  for (const [i, claim] of claims.entries()) {
    if (check837(generate837(claim, { senderId: 'HospitalAMSP', receiverId: 'InsurerMSP', controlNumber: i + 1, now: new Date('2026-12-07T10:00:00Z'), frequency: '1' })).ok) ok++;
  }
  const x12 = performance.now() - t0;
  rows.push({ name: 'X12 837I: generate + parse back 1,000 claims', value: x12, unit: 'ms', note: `${ok}/1000 passed the structure check, ${(x12 / 1000).toFixed(2)} ms each` });
  return rows;
};

export default suite;
