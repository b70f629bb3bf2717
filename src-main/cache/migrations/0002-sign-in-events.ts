import { sql } from '../sql';
import type { Migration } from './types';

/** The local, append-only log of sign-ins, locks and refusals shown to privacy officers. */
const migration: Migration = {
  version: 2,
  name: 'sign-in-events',
  async up(w) {
    await w.run(sql`
      CREATE TABLE sign_in_event (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        identity_id TEXT,
        display_name TEXT,
        role TEXT,
        detail TEXT
      )`);
    await w.run(sql`CREATE INDEX sign_in_event_at ON sign_in_event (at)`);
  },
};
export default migration;
