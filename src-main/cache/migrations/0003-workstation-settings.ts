import { sql } from '../sql';
import type { Migration } from './types';

/** Workstation-wide settings (auto-lock minutes, …) as JSON values under fixed keys. */
const migration: Migration = {
  version: 3,
  name: 'workstation-settings',
  async up(w) {
    await w.run(sql`CREATE TABLE workstation_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    await w.run(sql`INSERT INTO workstation_setting (key, value) VALUES ('autoLockMinutes', '5')`);
  },
};
export default migration;
