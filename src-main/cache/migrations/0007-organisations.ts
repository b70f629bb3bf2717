import { sql } from '../sql';
import type { Migration } from './types';

/**
 * The Governance organisation registry as this workstation last saw it on the ledger
 * (src-main/organisations/registry-mirror.ts): one row per registered organisation (MSP ID,
 * kind, DID, name). Public registry data only: no personal data.
 *
 * A cache made before this step has already read the Governance events past its checkpoint,
 * without a mirror for them. So the step forgets that it saw them (their `inbox_event` rows) and
 * the stream's checkpoint: the inbox reads the channel again from the first block, applies the
 * Governance events once, and skips every other event as already applied (`inbox_event`).
 */
const migration: Migration = {
  version: 7,
  name: 'organisations',
  async up(w) {
    await w.run(sql`
      CREATE TABLE mirror_organisation (
        msp_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        did TEXT NOT NULL,
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        block_number INTEGER NOT NULL
      )`);
    await w.run(sql`DELETE FROM inbox_event WHERE event_name LIKE 'Governance.%'`);
    await w.run(sql`DELETE FROM inbox_checkpoint`);
  },
};
export default migration;
