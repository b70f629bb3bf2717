import { sql } from '../sql';
import type { Migration } from './types';

/**
 * Staff identities enrolled on this workstation. The certificate is public; the private key is
 * stored only as a PIN-sealed box (JSON). Wrong-PIN counters live beside it so a restart does
 * not reset a lockout.
 */
const migration: Migration = {
  version: 1,
  name: 'staff-identities',
  async up(w) {
    await w.run(sql`
      CREATE TABLE staff_identity (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        msp_id TEXT NOT NULL,
        role TEXT NOT NULL,
        not_after TEXT NOT NULL,
        certificate_pem TEXT NOT NULL,
        sealed_private_key TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        failed_pins INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
      )`);
  },
};
export default migration;
