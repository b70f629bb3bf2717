import { sql } from '../sql';
import type { Migration } from './types';

/**
 * Which beds of this hospital the ledger says are taken (src-main/admission/occupancy.ts): one
 * row per encounter of this organisation, from the `Admissions.EventRecorded` events, so the
 * desk offers only free beds even when another desk admitted the patient. Ward and bed codes,
 * encounter ids and statuses only: no personal data.
 */
const migration: Migration = {
  version: 6,
  name: 'bed-occupancy',
  async up(w) {
    await w.run(sql`
      CREATE TABLE mirror_bed_occupancy (
        encounter_id TEXT PRIMARY KEY,
        ward_code TEXT,
        bed TEXT,
        status TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
    await w.run(sql`CREATE INDEX mirror_bed_occupancy_bed ON mirror_bed_occupancy (ward_code, bed) WHERE status = 'admitted'`);
  },
};
export default migration;
