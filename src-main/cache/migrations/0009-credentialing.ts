import { sql } from '../sql';
import type { Migration } from './types';

/**
 * Locum credentialing (issue 13, src-main/credentialing):
 * - `mirror_sanction.npi`: sanctions are matched by NPI too (the OIG LEIE's key);
 * - `locum_verification`: each recorded verification outcome, with every check shown and the
 *   outbox row of its ledger write (its tx id goes on the report);
 * - `locum_privilege`: privileges this hospital granted, the credentials behind them (expiry
 *   dates and status-list entries, for the expirables tracker and revocation alerts) and the
 *   outbox row of the latest ledger change (pending until committed);
 * - `locum_alert`: a sanction, revocation or suspension that arrived for a doctor with active
 *   privileges, until the officer acts; one per privilege and cause;
 * - `credentialing_setting`: accepted jurisdictions, the auto-suspend policy, a declared disaster.
 * Doctors' names and licence numbers stay in this encrypted cache; the ledger has DIDs and hashes.
 */
const migration: Migration = {
  version: 9,
  name: 'credentialing',
  async up(w) {
    await w.run(sql`ALTER TABLE mirror_sanction ADD COLUMN npi TEXT`);
    await w.run(sql`CREATE INDEX mirror_sanction_npi ON mirror_sanction (npi)`);
    await w.run(sql`
      CREATE TABLE locum_verification (
        verification_id TEXT PRIMARY KEY,
        doctor_did TEXT,
        doctor_name TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('full', 'disaster')),
        outcome TEXT NOT NULL CHECK (outcome IN ('verified', 'refused')),
        record TEXT NOT NULL,
        officer_id TEXT NOT NULL,
        officer_name TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        record_seq INTEGER
      )`);
    await w.run(sql`CREATE INDEX locum_verification_doctor ON locum_verification (doctor_did)`);
    await w.run(sql`
      CREATE TABLE locum_privilege (
        privilege_id TEXT PRIMARY KEY,
        verification_id TEXT NOT NULL REFERENCES locum_verification (verification_id),
        doctor_did TEXT NOT NULL,
        doctor_name TEXT NOT NULL,
        license_number TEXT NOT NULL,
        npi TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('standard', 'disaster')),
        scope TEXT NOT NULL,
        from_at TEXT NOT NULL,
        until_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'expired')),
        suspension_reason TEXT,
        licence_until TEXT,
        board_until TEXT,
        status_entries TEXT NOT NULL,
        last_seq INTEGER,
        granted_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    await w.run(sql`CREATE INDEX locum_privilege_doctor ON locum_privilege (doctor_did)`);
    await w.run(sql`CREATE INDEX locum_privilege_active ON locum_privilege (until_at) WHERE status = 'active'`);
    await w.run(sql`
      CREATE TABLE locum_alert (
        alert_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        privilege_id TEXT NOT NULL REFERENCES locum_privilege (privilege_id),
        kind TEXT NOT NULL CHECK (kind IN ('sanction', 'revocation', 'suspension')),
        cause TEXT NOT NULL,
        message TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'privileges-suspended')),
        acted_by TEXT,
        acted_at TEXT,
        UNIQUE (privilege_id, cause)
      )`);
    await w.run(sql`CREATE TABLE credentialing_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  },
};
export default migration;
