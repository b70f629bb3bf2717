import { sql } from '../sql';
import type { Migration } from './types';

/**
 * The ledger sync engine's tables (src-main/ledger):
 * - `outbox`: ledger writes waiting to go out, written in the same transaction as the local
 *   change. Each row walks queued -> signed -> endorsed -> submitted -> committed; the signed
 *   proposal, the signed transaction and the signed commit-status request are kept so that a
 *   restart resumes with the same transaction id instead of creating a second transaction.
 * - `outbox_identity`: the certificate each queued write will be signed with (never a key).
 * - `inbox_checkpoint` / `inbox_event`: where the chaincode event stream resumes, and which
 *   transactions' events were already applied (one event per Fabric transaction).
 * - `mirror_*`: what the workstation needs offline from the ledger, and how fresh each copy is.
 * - `replay_seen`: presentation ids already accepted (identity pipeline's ReplayStore).
 * - `sync_meta`: small values such as the last successful sync time.
 */
const migration: Migration = {
  version: 4,
  name: 'ledger-sync',
  async up(w) {
    await w.run(sql`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        order_key TEXT NOT NULL,
        operation TEXT NOT NULL,
        payload TEXT NOT NULL,
        retry_safe INTEGER NOT NULL,
        identity_id TEXT NOT NULL,
        state TEXT NOT NULL,
        tx_id TEXT,
        proposal_bytes BLOB,
        transaction_bytes BLOB,
        commit_bytes BLOB,
        attempts INTEGER NOT NULL DEFAULT 0,
        conflicts INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT,
        block_number INTEGER,
        result BLOB,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        committed_at TEXT
      )`);
    await w.run(sql`CREATE INDEX outbox_state_seq ON outbox (state, seq)`);
    await w.run(sql`CREATE INDEX outbox_key_seq ON outbox (order_key, seq)`);
    await w.run(sql`CREATE UNIQUE INDEX outbox_tx_id ON outbox (tx_id) WHERE tx_id IS NOT NULL`);
    await w.run(sql`
      CREATE TABLE outbox_identity (
        identity_id TEXT PRIMARY KEY,
        msp_id TEXT NOT NULL,
        certificate_pem TEXT NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE inbox_checkpoint (
        stream TEXT PRIMARY KEY,
        block_number INTEGER NOT NULL,
        tx_id TEXT,
        updated_at TEXT NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE inbox_event (
        tx_id TEXT PRIMARY KEY,
        block_number INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`);
    await w.run(sql`CREATE INDEX inbox_event_block ON inbox_event (block_number)`);
    await w.run(sql`
      CREATE TABLE mirror_freshness (
        mirror TEXT PRIMARY KEY,
        through_block INTEGER,
        as_of TEXT NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE mirror_trusted_issuer (
        issuer_did TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE mirror_status_list (
        list_id TEXT PRIMARY KEY,
        issuer_did TEXT NOT NULL,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL,
        fetched_at TEXT NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE mirror_sanction (
        sanction_id TEXT PRIMARY KEY,
        subject_did TEXT,
        license_number TEXT,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`CREATE INDEX mirror_sanction_subject ON mirror_sanction (subject_did)`);
    await w.run(sql`CREATE INDEX mirror_sanction_licence ON mirror_sanction (license_number)`);
    await w.run(sql`
      CREATE TABLE mirror_consent (
        consent_id TEXT PRIMARY KEY,
        patient_did TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`CREATE INDEX mirror_consent_patient ON mirror_consent (patient_did)`);
    await w.run(sql`
      CREATE TABLE mirror_claim (
        claim_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`
      CREATE TABLE mirror_credential_check (
        verification_id TEXT PRIMARY KEY,
        doctor_did TEXT NOT NULL,
        outcome TEXT NOT NULL,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`CREATE INDEX mirror_credential_check_doctor ON mirror_credential_check (doctor_did)`);
    await w.run(sql`
      CREATE TABLE mirror_privileges (
        privilege_id TEXT PRIMARY KEY,
        doctor_did TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`CREATE INDEX mirror_privileges_doctor ON mirror_privileges (doctor_did)`);
    await w.run(sql`CREATE TABLE replay_seen (jti TEXT PRIMARY KEY, keep_until TEXT NOT NULL)`);
    await w.run(sql`CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  },
};
export default migration;
