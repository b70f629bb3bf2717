import { sql } from '../sql';
import type { Migration } from './types';

/**
 * Insurance claims (src-main/claims). A claim names a patient, so all of it lives only here, in
 * the encrypted cache; the ledger's public state has ids, amounts, statuses, reason codes and a
 * salted fingerprint, and the FHIR Claim travels in the hospital–insurer private collection.
 * - `claim`: one row per claim, on either side (`side` hospital: ours to bill; insurer: addressed
 *   to us), with its status as the ledger last said and the last problem, in words.
 * - `claim_version`: each version the clerk edited or sent (form and FHIR Claim), n = 1, 2, …;
 *   `outbox_seq` links a sent version to its ledger write.
 * - `claim_fingerprint`: unsalted fingerprints of live claims (member id, provider, service
 *   dates, codes), so a duplicate is refused before it leaves; the ledger checks its salted one.
 * - `claim_timeline`: what happened, newest last; `tx_id` makes replayed ledger events idempotent.
 * - `claim_response`: the insurer's FHIR ClaimResponse per submission.
 * - `claim_rule`: an insurer's auto-adjudication rules, with what each run did in the timeline.
 */
const migration: Migration = {
  version: 8,
  name: 'claims',
  async up(w) {
    await w.run(sql`
      CREATE TABLE claim (
        claim_id TEXT PRIMARY KEY,
        side TEXT NOT NULL,
        admission_id TEXT,
        patient_id TEXT,
        patient_name TEXT NOT NULL,
        mrn TEXT,
        insurer_msp TEXT NOT NULL,
        insurer_name TEXT NOT NULL,
        hospital_msp TEXT NOT NULL,
        claim_type TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        ledger_version INTEGER NOT NULL DEFAULT 0,
        submission_count INTEGER NOT NULL DEFAULT 0,
        current_version INTEGER NOT NULL DEFAULT 1,
        total_cents INTEGER NOT NULL,
        approved_cents INTEGER,
        paid_cents INTEGER,
        payment_ref TEXT,
        currency TEXT NOT NULL,
        reason_codes TEXT NOT NULL DEFAULT '[]',
        service_from TEXT NOT NULL,
        problem TEXT,
        purged_at TEXT,
        record TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    await w.run(sql`CREATE INDEX claim_side_status ON claim (side, status, updated_at)`);
    await w.run(sql`CREATE INDEX claim_admission ON claim (admission_id)`);
    await w.run(sql`
      CREATE TABLE claim_version (
        claim_id TEXT NOT NULL REFERENCES claim (claim_id),
        version INTEGER NOT NULL,
        form TEXT,
        fhir TEXT,
        total_cents INTEGER NOT NULL,
        outbox_seq INTEGER,
        sent_at TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, version)
      )`);
    await w.run(sql`
      CREATE TABLE claim_fingerprint (
        fingerprint TEXT NOT NULL,
        claim_id TEXT NOT NULL REFERENCES claim (claim_id),
        PRIMARY KEY (fingerprint, claim_id)
      )`);
    await w.run(sql`CREATE INDEX claim_fingerprint_claim ON claim_fingerprint (claim_id)`);
    await w.run(sql`
      CREATE TABLE claim_timeline (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        claim_id TEXT NOT NULL REFERENCES claim (claim_id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        reason_codes TEXT NOT NULL DEFAULT '[]',
        version INTEGER,
        by_staff TEXT,
        tx_id TEXT UNIQUE
      )`);
    await w.run(sql`CREATE INDEX claim_timeline_claim ON claim_timeline (claim_id, id)`);
    await w.run(sql`
      CREATE TABLE claim_response (
        claim_id TEXT NOT NULL REFERENCES claim (claim_id),
        submission INTEGER NOT NULL,
        response TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, submission)
      )`);
    await w.run(sql`
      CREATE TABLE claim_rule (
        rule_id TEXT PRIMARY KEY,
        max_total_cents INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`);
  },
};
export default migration;
