/**
 * The candidate lookup behind the desk's patient match reads only a few indexed rows instead
 * of every patient. That must never hide a record the clerk would have been shown: for many
 * generated desks and queries, `findMatches` gives exactly what scoring EVERY stored record
 * gives.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientMatch } from '../../../src-shared/admission/schemas';
import type { CacheDatabase } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { scoreMatch, type MatchQuery } from '../../../src-main/admission/matching';
import { formatMrn } from '../../../src-main/admission/mrn';
import { normaliseName } from '../../../src-main/admission/names';
import { findMatches, type PatientRow, toSummary } from '../../../src-main/admission/patient-store';
import { openCache } from './support';

const GIVEN = ['Maria', 'Mary', 'Marie', 'Mario', 'John', 'Jon', 'Ana', 'Anna', 'Wei', 'Ola'];
const FAMILY = ['Silva', 'Sliva', 'Silvas', 'Oliveira Santos', 'Santos', 'Chen', 'Chén', 'Okafor', 'Li', 'Lu'];
// The first four are asked for; the rest are the same date with a digit changed or moved, and others.
const DATES = ['1980-05-05', '1980-05-06', '1980-06-05', '1908-05-05', '1981-05-05', '1980-05-15', '1980-08-05', '1975-11-30', '2001-01-01', '1980-01-05'];

/** The seeded generator the wallet tools use elsewhere: same seed, same desk. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
let db: CacheDatabase;
const rand = mulberry32(14);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-match-'));
  db = await openCache(dir);
  await db.write(async (w) => {
    await w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, ledger_did, created_at, created_by, updated_at)
                    VALUES ('pat-survivor', ${formatMrn(1_999_999)}, 1999999, 'Zed', 'Zulu', 'zed', 'zulu', '1930-03-03', 'male', 'manual-unverified', 'did:key:zL', 't', 'test', 't')`);
    for (let i = 0; i < 600; i++) {
      const given = pick(GIVEN);
      const family = pick(FAMILY);
      // Some records have no birth date (an unidentified emergency patient), some a slip of the pen.
      const birth = rand() < 0.15 ? null : pick(DATES);
      const wallet = rand() < 0.1 ? `did:key:z${i}` : null;
      const merged = rand() < 0.05 ? 'pat-survivor' : null;
      await w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, wallet_did, ledger_did, merged_into, created_at, created_by, updated_at)
                      VALUES (${`pat-${i}`}, ${formatMrn(1_000_001 + i)}, ${1_000_001 + i}, ${given}, ${family}, ${normaliseName(given)}, ${normaliseName(family)}, ${birth},
                              ${pick(['female', 'male', 'unknown'])}, 'manual-unverified', ${wallet}, 'did:key:zLedger', ${merged}, 't', 'test', 't')`);
    }
  });
});

afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

/** What the desk would show if every stored record were scored. */
async function everyRecordScored(query: MatchQuery, limit = 10): Promise<PatientMatch[]> {
  const rows = await db.read((r) => r.all<PatientRow>(sql`SELECT * FROM patient WHERE merged_into IS NULL`));
  const scored: PatientMatch[] = [];
  for (const row of rows) {
    const s = scoreMatch(query, { walletDid: row.wallet_did, givenName: row.given_name, familyName: row.family_name, birthDate: row.birth_date, gender: row.gender });
    if (s.strength) scored.push({ patient: toSummary(row), score: s.score, strength: s.strength, reasons: s.reasons });
  }
  return scored.sort((a, b) => b.score - a.score || a.patient.mrn.localeCompare(b.patient.mrn)).slice(0, limit);
}

describe('patient match candidates', () => {
  it('finds exactly the records that scoring every record finds, with and without a birth date', async () => {
    let shown = 0;
    for (let q = 0; q < 60; q++) {
      const query: MatchQuery = {
        walletDid: rand() < 0.3 ? `did:key:z${Math.floor(rand() * 600)}` : null,
        givenName: pick(GIVEN),
        familyName: pick(FAMILY),
        birthDate: rand() < 0.8 ? pick(DATES.slice(0, 4)) : null,
        gender: pick(['female', 'male', 'unknown']),
      };
      const expected = await everyRecordScored(query, 50);
      expect(await db.read((r) => findMatches(r, query, 50)), JSON.stringify(query)).toEqual(expected);
      shown += expected.length;
    }
    // The comparison means something only if the desks produced matches to compare.
    expect(shown).toBeGreaterThan(100);
  });

  it('still shows a same-named record that has no birth date, and leaves out one born on another day', async () => {
    await db.write((w) =>
      w.run(sql`INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, gender, identity_status, ledger_did, created_at, created_by, updated_at)
                VALUES ('pat-undated', ${formatMrn(2_000_001)}, 2000001, 'Grace', 'Hopper', 'grace', 'hopper', NULL, 'female', 'manual-unverified', 'did:key:zL', 't', 'test', 't'),
                       ('pat-other-day', ${formatMrn(2_000_002)}, 2000002, 'Grace', 'Hopper', 'grace', 'hopper', '1950-02-02', 'female', 'manual-unverified', 'did:key:zL', 't', 'test', 't')`),
    );
    const matches = await db.read((r) => findMatches(r, { givenName: 'Grace', familyName: 'Hopper', birthDate: '1906-12-09', gender: 'female' }));
    expect(matches.map((m) => m.patient.patientId)).toEqual(['pat-undated']);
  });
});
