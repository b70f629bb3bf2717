import { sql } from '../sql';
import type { Migration } from './types';

/**
 * The clinician's chart and its access log (src-main/records, issue 11).
 * - `chart_resource`: one FHIR R4 resource per row as a hospital's gatekeeper released it,
 *   with its provenance (source hospital, fetched-at), what allowed it (`basis`: a consent, the
 *   hospital's own admission, break-the-glass; `consent_id`), and its ledger anchor state.
 *   `category`, `code`, `effective_at`, `value_num` index the summary and the trend plots.
 *   Purged by consent (`consent_id`) when the patient revokes or the consent ends.
 * - `chart_source`: per patient and hospital, the last fetch: reached or not, with the sentence.
 * - `chart_access`: every view, open or refused, logged locally in the same transaction as the
 *   read; `state` says whether it is queued in the outbox or held offline for the next batch.
 * - `chart_offline_batch`: batches of offline views anchored with `Access:anchorOfflineBatch`.
 * - `chart_break_glass`: emergency access sessions (reason, note hash, opened, expires, closed);
 *   `note` is kept only until it leaves with the session's first access entry.
 * - `chart_review`: the privacy officer's reviews, with the note (the ledger gets its hash).
 */
const migration: Migration = {
  version: 10,
  name: 'chart',
  async up(w) {
    await w.run(sql`
      CREATE TABLE chart_resource (
        resource_key TEXT PRIMARY KEY,
        patient_did TEXT NOT NULL,
        source_msp TEXT NOT NULL,
        source_name TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        version_id TEXT,
        category TEXT NOT NULL,
        basis TEXT NOT NULL,
        consent_id TEXT,
        break_glass_id TEXT,
        anchor_state TEXT NOT NULL,
        anchor_note TEXT,
        code TEXT,
        value_num REAL,
        effective_at TEXT,
        resource_json TEXT NOT NULL,
        fetched_at TEXT NOT NULL
      )`);
    await w.run(
      sql`CREATE INDEX chart_resource_patient_category ON chart_resource (patient_did, category, effective_at)`,
    );
    await w.run(
      sql`CREATE INDEX chart_resource_trend ON chart_resource (patient_did, code, effective_at) WHERE value_num IS NOT NULL`,
    );
    await w.run(sql`CREATE INDEX chart_resource_consent ON chart_resource (consent_id) WHERE consent_id IS NOT NULL`);
    await w.run(sql`
      CREATE TABLE chart_source (
        patient_did TEXT NOT NULL,
        source_msp TEXT NOT NULL,
        source_name TEXT NOT NULL,
        state TEXT NOT NULL,
        message TEXT NOT NULL,
        fetched_at TEXT,
        skipped TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (patient_did, source_msp)
      )`);
    await w.run(sql`
      CREATE TABLE chart_access (
        entry_id TEXT PRIMARY KEY,
        patient_did TEXT NOT NULL,
        patient_id TEXT,
        staff_id TEXT NOT NULL,
        view TEXT NOT NULL,
        entry_json TEXT NOT NULL,
        break_glass_note TEXT,
        accessed_at TEXT NOT NULL,
        state TEXT NOT NULL,
        outbox_seq INTEGER,
        batch_id TEXT
      )`);
    await w.run(sql`CREATE INDEX chart_access_patient ON chart_access (patient_did, accessed_at)`);
    await w.run(sql`CREATE INDEX chart_access_held ON chart_access (state, accessed_at) WHERE state = 'held-offline'`);
    await w.run(sql`
      CREATE TABLE chart_offline_batch (
        batch_id TEXT PRIMARY KEY,
        batch_sha256 TEXT NOT NULL,
        entry_count INTEGER NOT NULL,
        first_access_at TEXT NOT NULL,
        last_access_at TEXT NOT NULL,
        outbox_seq INTEGER,
        created_at TEXT NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE chart_break_glass (
        session_id TEXT PRIMARY KEY,
        patient_did TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        staff_id TEXT NOT NULL,
        reason_code TEXT NOT NULL,
        note_sha256 TEXT NOT NULL,
        note TEXT,
        opened_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        closed_at TEXT
      )`);
    await w.run(sql`
      CREATE TABLE chart_review (
        entry_id TEXT PRIMARY KEY,
        outcome TEXT NOT NULL,
        note TEXT NOT NULL,
        note_sha256 TEXT NOT NULL,
        reviewer_id TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        outbox_seq INTEGER
      )`);
    await w.run(sql`CREATE INDEX chart_break_glass_open ON chart_break_glass (patient_id, staff_id, expires_at)`);
    await w.run(sql`INSERT OR IGNORE INTO workstation_setting (key, value) VALUES ('breakGlassMinutes', '60')`);
  },
};
export default migration;
