import { sql } from '../sql';
import type { Migration } from './types';

/**
 * The claims work list opens on 10,000 claims without reading them all: `action_rank` (a
 * virtual generated column: 0 when the claim waits for this side's action, else 1) and one
 * index per side, in the list's own order (organisation, action first, newest first), so
 * SQLite walks the index and stops at the page instead of sorting every row.
 * - hospital: pended, refused, and denied or partly approved claims need the clerk;
 * - insurer: submitted and resubmitted claims wait for a decision.
 * Virtual: nothing is stored or rewritten, and `pragma_table_info` (the cache rescue's column
 * list) does not show it, so a carried table never tries to write it.
 */
const migration: Migration = {
  version: 11,
  name: 'claims-worklist',
  async up(w) {
    await w.run(sql`
      ALTER TABLE claim ADD COLUMN action_rank INTEGER GENERATED ALWAYS AS (
        CASE WHEN side = 'insurer'
          THEN (CASE WHEN status IN ('submitted', 'resubmitted') THEN 0 ELSE 1 END)
          ELSE (CASE WHEN status IN ('pended', 'refused') OR (status = 'adjudicated' AND outcome IN ('denied', 'partial')) THEN 0 ELSE 1 END)
        END) VIRTUAL`);
    await w.run(sql`CREATE INDEX claim_worklist_hospital ON claim (side, hospital_msp, action_rank, updated_at DESC)`);
    await w.run(sql`CREATE INDEX claim_worklist_insurer ON claim (side, insurer_msp, action_rank, updated_at DESC)`);
  },
};

export default migration;
