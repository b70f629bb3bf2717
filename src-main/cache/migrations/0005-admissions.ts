import { sql } from '../sql';
import type { Migration } from './types';

/**
 * The admission desk's tables (src-main/admission). Patients are PHI and live only here, in
 * the encrypted cache; the ledger sees `ledger_did` (the wallet DID, or a random did:key for
 * manual and emergency registrations).
 * - `patient`: one row per record; `merged_into` points a record created by mistake to the
 *   survivor; `*_norm` are the normalised names the fuzzy match starts from.
 * - `admission` / `admission_movement`: stays and their admit/transfer/discharge steps, with
 *   the outbox rows that carry them to the ledger.
 * - `desk_audit`: who did what at the desk (overrides, merges, reconciliations, registrations).
 */
const migration: Migration = {
  version: 5,
  name: 'admissions',
  async up(w) {
    await w.run(sql`
      CREATE TABLE patient (
        patient_id TEXT PRIMARY KEY,
        mrn TEXT NOT NULL UNIQUE,
        mrn_seq INTEGER NOT NULL UNIQUE,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        given_norm TEXT NOT NULL,
        family_norm TEXT NOT NULL,
        birth_date TEXT,
        estimated_age INTEGER,
        gender TEXT NOT NULL,
        identity_status TEXT NOT NULL,
        wallet_did TEXT,
        ledger_did TEXT NOT NULL,
        national_id TEXT,
        address TEXT,
        allergies TEXT NOT NULL DEFAULT 'unknown',
        merged_into TEXT REFERENCES patient (patient_id),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    // One live record per wallet; a merged-away record may keep its DID for the audit trail.
    await w.run(sql`CREATE UNIQUE INDEX patient_wallet ON patient (wallet_did) WHERE wallet_did IS NOT NULL AND merged_into IS NULL`);
    await w.run(sql`CREATE INDEX patient_birth_date ON patient (birth_date)`);
    await w.run(sql`CREATE INDEX patient_family_norm ON patient (family_norm)`);
    await w.run(sql`CREATE INDEX patient_given_norm ON patient (given_norm)`);
    await w.run(sql`
      CREATE TABLE admission (
        admission_id TEXT PRIMARY KEY,
        encounter_id TEXT NOT NULL UNIQUE,
        patient_id TEXT NOT NULL REFERENCES patient (patient_id),
        ledger_did TEXT NOT NULL,
        status TEXT NOT NULL,
        ward_code TEXT NOT NULL,
        bed TEXT NOT NULL,
        attending_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        admitted_at TEXT NOT NULL,
        discharged_at TEXT,
        consent TEXT NOT NULL,
        eligibility TEXT NOT NULL,
        admission_seq INTEGER,
        consent_seq INTEGER,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    await w.run(sql`CREATE INDEX admission_patient ON admission (patient_id)`);
    await w.run(sql`CREATE INDEX admission_status ON admission (status, admitted_at)`);
    // Patient safety: two admitted patients are never given the same bed.
    await w.run(sql`CREATE UNIQUE INDEX admission_bed_taken ON admission (ward_code, bed) WHERE status = 'admitted'`);
    await w.run(sql`
      CREATE TABLE admission_movement (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        admission_id TEXT NOT NULL REFERENCES admission (admission_id),
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        ward_code TEXT,
        bed TEXT,
        by_staff TEXT NOT NULL,
        note TEXT,
        outbox_seq INTEGER
      )`);
    await w.run(sql`CREATE INDEX admission_movement_admission ON admission_movement (admission_id, id)`);
    await w.run(sql`
      CREATE TABLE desk_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        staff_id TEXT NOT NULL,
        action TEXT NOT NULL,
        patient_id TEXT,
        admission_id TEXT,
        detail TEXT NOT NULL,
        outbox_seq INTEGER
      )`);
    await w.run(sql`CREATE INDEX desk_audit_patient ON desk_audit (patient_id)`);
  },
};
export default migration;
