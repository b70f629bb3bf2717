/**
 * Patient records in the encrypted cache: rows, the MRN counter, candidate lookup for the
 * fuzzy match. Every function takes a read or write handle, so the desk service decides what
 * runs in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { AllergyFlag, Gender, IdentityStatus, PatientMatch, PatientSummary } from '../../src-shared/admission/schemas';
import type { ReadHandle, WriteHandle } from '../cache/database';
import { sql, sqlJoin } from '../cache/sql';
import { birthDateVariants, scoreMatch, type MatchQuery } from './matching';
import { formatMrn, MRN_FIRST_SEQUENCE, normaliseMrn } from './mrn';
import { normaliseName } from './names';

export interface PatientRow {
  patient_id: string;
  mrn: string;
  mrn_seq: number;
  given_name: string;
  family_name: string;
  given_norm: string;
  family_norm: string;
  birth_date: string | null;
  estimated_age: number | null;
  gender: Gender;
  identity_status: IdentityStatus;
  wallet_did: string | null;
  ledger_did: string;
  national_id: string | null;
  address: string | null;
  allergies: AllergyFlag;
  merged_into: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export function toSummary(row: PatientRow): PatientSummary {
  return {
    patientId: row.patient_id,
    mrn: row.mrn,
    givenName: row.given_name,
    familyName: row.family_name,
    birthDate: row.birth_date,
    estimatedAgeYears: row.estimated_age,
    gender: row.gender,
    identityStatus: row.identity_status,
    walletDid: row.wallet_did,
    allergies: row.allergies,
    mergedInto: row.merged_into,
    createdAt: row.created_at,
  };
}

export function getPatient(r: ReadHandle, patientId: string): Promise<PatientRow | undefined> {
  return r.get<PatientRow>(sql`SELECT * FROM patient WHERE patient_id = ${patientId}`);
}

/** The live record holding this wallet DID (never a merged-away one). */
export function patientByWallet(r: ReadHandle, walletDid: string): Promise<PatientRow | undefined> {
  return r.get<PatientRow>(sql`SELECT * FROM patient WHERE wallet_did = ${walletDid} AND merged_into IS NULL`);
}

export async function patientByMrn(r: ReadHandle, mrn: string): Promise<PatientRow | undefined> {
  const canonical = normaliseMrn(mrn);
  return canonical ? r.get<PatientRow>(sql`SELECT * FROM patient WHERE mrn = ${canonical}`) : undefined;
}

export interface NewPatient {
  givenName: string;
  familyName: string;
  birthDate: string | null;
  estimatedAgeYears: number | null;
  gender: Gender;
  identityStatus: IdentityStatus;
  walletDid: string | null;
  ledgerDid: string;
  nationalId: string | null;
  address: string | null;
  allergies: AllergyFlag;
}

/** Creates a record with the next MRN. Runs inside the caller's transaction. */
export async function insertPatient(w: WriteHandle, p: NewPatient, staffId: string, now: Date): Promise<PatientRow> {
  const top = await w.get<{ seq: number | null }>(sql`SELECT max(mrn_seq) AS seq FROM patient`);
  const seq = Math.max(MRN_FIRST_SEQUENCE, (top?.seq ?? 0) + 1);
  const id = `pat-${randomUUID()}`;
  const at = now.toISOString();
  await w.run(sql`
    INSERT INTO patient (patient_id, mrn, mrn_seq, given_name, family_name, given_norm, family_norm, birth_date, estimated_age, gender, identity_status,
                         wallet_did, ledger_did, national_id, address, allergies, merged_into, created_at, created_by, updated_at)
    VALUES (${id}, ${formatMrn(seq)}, ${seq}, ${p.givenName}, ${p.familyName}, ${normaliseName(p.givenName)}, ${normaliseName(p.familyName)}, ${p.birthDate},
            ${p.estimatedAgeYears}, ${p.gender}, ${p.identityStatus}, ${p.walletDid}, ${p.ledgerDid}, ${p.nationalId}, ${p.address}, ${p.allergies}, NULL, ${at}, ${staffId}, ${at})`);
  return (await getPatient(w, id)) as PatientRow;
}

/**
 * Records that resemble the query, best first, with reasons; merged-away records are left
 * out (their survivor is what the clerk should pick).
 */
export async function findMatches(r: ReadHandle, query: MatchQuery, limit = 10): Promise<PatientMatch[]> {
  // One indexed lookup per way a record can resemble the query, joined by UNION: an OR of them
  // in one WHERE makes SQLite scan the whole table (every page decrypted) on each scan.
  const ways = [];
  if (query.walletDid) ways.push(sql`SELECT patient_id FROM patient WHERE merged_into IS NULL AND wallet_did = ${query.walletDid}`);
  if (query.birthDate) ways.push(sql`SELECT patient_id FROM patient WHERE merged_into IS NULL AND birth_date IN (${sqlJoin(birthDateVariants(query.birthDate).map((d) => sql`${d}`))})`);
  // With a birth date to compare, a record whose known birth date is none of its variants
  // scores at most 60 (names) - 40 (different birth date) = 20, under POSSIBLE_THRESHOLD: so a
  // name alone only brings in records without a birth date. At a desk of 10,000 patients this
  // is the difference between scoring ~1,000 "Maria"s and a few dozen records.
  const undated = query.birthDate ? sql` AND (birth_date IS NULL OR birth_date = '')` : sql``;
  const names = [query.givenName, query.familyName].map((n) => normaliseName(n ?? '')).filter((n) => n.length > 0);
  for (const n of names) {
    ways.push(sql`SELECT patient_id FROM patient WHERE merged_into IS NULL AND family_norm = ${n}${undated}`, sql`SELECT patient_id FROM patient WHERE merged_into IS NULL AND given_norm = ${n}${undated}`);
    const first = n.split(' ')[0] ?? '';
    // Without a birth date to narrow by, also take names starting alike ("Oliveira" / "Oliveira Santos").
    if (!query.birthDate && first.length >= 3) {
      ways.push(
        sql`SELECT patient_id FROM patient WHERE merged_into IS NULL AND family_norm LIKE ${first + '%'}`,
        sql`SELECT patient_id FROM patient WHERE merged_into IS NULL AND given_norm LIKE ${first + '%'}`,
      );
    }
  }
  if (ways.length === 0) return [];
  const rows = await r.all<PatientRow>(sql`SELECT * FROM patient WHERE patient_id IN (${sqlJoin(ways, ' UNION ')}) LIMIT 2000`);
  const scored: PatientMatch[] = [];
  for (const row of rows) {
    const s = scoreMatch(query, { walletDid: row.wallet_did, givenName: row.given_name, familyName: row.family_name, birthDate: row.birth_date, gender: row.gender });
    if (s.strength) scored.push({ patient: toSummary(row), score: s.score, strength: s.strength, reasons: s.reasons });
  }
  return scored.sort((a, b) => b.score - a.score || a.patient.mrn.localeCompare(b.patient.mrn)).slice(0, limit);
}
