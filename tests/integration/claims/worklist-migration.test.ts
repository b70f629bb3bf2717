/**
 * Migration 0011 (claims work list): a cache at version 10 holding claims on both sides gains
 * `action_rank` (0 = waits for this side's action) and the per-side indexes, keeps every claim,
 * and the work list then reads its page off the index (no sort of every claim) in the order
 * users rely on: what needs action first, newest first, each side with its own idea of action.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate, schemaVersion } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { ClaimsService, type ClaimsLedger, type ClaimsStaff } from '../../../src-main/claims';

const CLARA: ClaimsStaff = { id: 'hospital-a-claims', displayName: 'Clara Claims', mspId: 'HospitalAMSP', role: 'claims', kind: 'hospital' };
const INES: ClaimsStaff = { id: 'insurer-adjudicator', displayName: 'Ines Adjudicator', mspId: 'InsurerMSP', role: 'adjudicator', kind: 'insurer' };
const ledger: ClaimsLedger = { connection: null, signers: () => [], transact: () => Promise.reject(new Error('no ledger in this test')), onSettled: () => undefined };

// [claim id, side, status, outcome, minutes after midnight it was last updated]
const CLAIMS: [string, 'hospital' | 'insurer', string, string | null, number][] = [
  ['clm-paid', 'hospital', 'paid', 'approved', 50],
  ['clm-denied', 'hospital', 'adjudicated', 'denied', 10],
  ['clm-partial', 'hospital', 'adjudicated', 'partial', 20],
  ['clm-approved', 'hospital', 'adjudicated', 'approved', 60],
  ['clm-pended', 'hospital', 'pended', null, 30],
  ['clm-refused', 'hospital', 'refused', null, 5],
  ['clm-submitted', 'hospital', 'submitted', null, 70],
  ['clm-draft', 'hospital', 'draft', null, 80],
  ['clm-in-new', 'insurer', 'submitted', null, 15],
  ['clm-in-again', 'insurer', 'resubmitted', null, 25],
  ['clm-in-pended', 'insurer', 'pended', null, 90],
  ['clm-in-paid', 'insurer', 'paid', 'approved', 95],
];

it('adds the work list rank and indexes to a version-10 cache, keeps its claims, and pages off the index', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'careledger-claims-worklist-'));
  const key = randomBytes(32);
  const db = await CacheDatabase.open(path.join(dir, 'cache.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  try {
    await migrate(db, 10);
    await db.write(async (w) => {
      for (const [id, side, status, outcome, minute] of CLAIMS) {
        const updated = new Date(Date.UTC(2026, 11, 1, 0, minute)).toISOString();
        await w.run(sql`INSERT INTO claim (claim_id, side, patient_name, mrn, insurer_msp, insurer_name, hospital_msp, claim_type, status, outcome, total_cents, currency, service_from, reason_codes, submission_count, created_by, created_at, updated_at)
                        VALUES (${id}, ${side}, ${`PATIENT ${id}`}, ${`MRN-${id}`}, 'InsurerMSP', 'Northwind', 'HospitalAMSP', 'institutional', ${status}, ${outcome}, 1000, 'USD', '2026-11-01', '[]', 1, 'test', ${updated}, ${updated})`);
      }
    });
    expect(await migrate(db)).toBeGreaterThanOrEqual(11);
    expect(await schemaVersion(db)).toBeGreaterThanOrEqual(11);

    const ranks = await db.read((r) => r.all<{ claim_id: string; action_rank: number }>(sql`SELECT claim_id, action_rank FROM claim WHERE action_rank = 0 ORDER BY claim_id`));
    expect(ranks.map((x) => x.claim_id)).toEqual(['clm-denied', 'clm-in-again', 'clm-in-new', 'clm-partial', 'clm-pended', 'clm-refused']);
    expect(await db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM claim`))).toEqual({ n: CLAIMS.length });

    // The page is read in index order: no temporary B-tree sorting every claim.
    for (const [side, party] of [['hospital', sql`hospital_msp = 'HospitalAMSP'`], ['insurer', sql`insurer_msp = 'InsurerMSP'`]] as const) {
      const plan = await db.read((r) => r.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN SELECT * FROM claim WHERE side = ${side} AND ${party} ORDER BY action_rank, updated_at DESC LIMIT 100`));
      expect(plan.map((p) => p.detail).join(' | ')).toContain(`USING INDEX claim_worklist_${side}`);
      expect(plan.map((p) => p.detail).join(' | ')).not.toMatch(/TEMP B-TREE/);
    }

    const service = new ClaimsService({ db, ledger, now: () => new Date('2026-12-02T00:00:00Z') });
    const hospital = await service.workList(CLARA, {}, false);
    expect(hospital.claims.map((c) => c.claimId)).toEqual(['clm-pended', 'clm-partial', 'clm-denied', 'clm-refused', 'clm-draft', 'clm-submitted', 'clm-approved', 'clm-paid']);
    expect(hospital.claims.map((c) => c.needsAction)).toEqual([true, true, true, true, false, false, false, false]);
    expect((await service.workList(CLARA, { status: 'needs-action' }, false)).claims.map((c) => c.claimId)).toEqual(['clm-pended', 'clm-partial', 'clm-denied', 'clm-refused']);
    expect((await service.workList(CLARA, { status: 'needs-action', search: 'partial' }, false)).claims.map((c) => c.claimId)).toEqual(['clm-partial']);
    expect((await service.workList(CLARA, { limit: 2 }, false)).claims.map((c) => c.claimId)).toEqual(['clm-pended', 'clm-partial']);

    const insurer = await service.workList(INES, {}, false);
    expect(insurer.claims.map((c) => c.claimId)).toEqual(['clm-in-again', 'clm-in-new', 'clm-in-paid', 'clm-in-pended']);
    expect((await service.workList(INES, { status: 'needs-action' }, false)).claims.map((c) => c.claimId)).toEqual(['clm-in-again', 'clm-in-new']);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
