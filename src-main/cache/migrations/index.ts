/**
 * Every schema step, in order. Forward only: never edit or remove a shipped migration; add the
 * next number. Each runs in its own transaction together with its `user_version` bump.
 */
import { DomainError } from '../../errors';
import type { CacheDatabase } from '../database';
import { sql, sqlInteger } from '../sql';
import m0001 from './0001-staff-identities';
import m0002 from './0002-sign-in-events';
import m0003 from './0003-workstation-settings';
import m0004 from './0004-ledger-sync';
import m0005 from './0005-admissions';
import m0006 from './0006-bed-occupancy';
import m0007 from './0007-organisations';
import m0008 from './0008-claims';
import m0009 from './0009-credentialing';
import m0010 from './0010-chart';
import m0011 from './0011-claims-worklist';
import m0012 from './0012-outbox-counts';
import m0013 from './0013-outbox-last-sync';
import type { Migration } from './types';

export type { Migration } from './types';

// Several lanes add migrations in this wave (claims, credentialing, chart, sync). The list must
// stay contiguous, so numbers are taken first come, first served: when you add yours, give it the
// next free number (rename the file and its `version`), whatever number was planned for it.
export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013];

MIGRATIONS.forEach((m, i) => {
  if (m.version !== i + 1) throw new Error(`migration list out of order: ${m.name} has version ${m.version} at position ${i + 1}`);
});

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export async function schemaVersion(db: CacheDatabase): Promise<number> {
  const row = await db.read((r) => r.get<{ user_version: number }>(sql`PRAGMA user_version`));
  return row?.user_version ?? 0;
}

/**
 * Brings the cache to `upTo` (default: the latest version).
 * @throws DomainError CACHE_TOO_NEW when the file was written by a newer app; nothing is changed.
 */
export async function migrate(db: CacheDatabase, upTo: number = LATEST_SCHEMA_VERSION): Promise<number> {
  const current = await schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new DomainError(
      'CACHE_TOO_NEW',
      `This cache was written by a newer version of CareLedger (schema ${current}; this app knows up to ${LATEST_SCHEMA_VERSION}). Install the newer version; nothing was changed.`,
      { schemaVersion: current, supported: LATEST_SCHEMA_VERSION },
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > upTo) continue;
    await db.write(async (w) => {
      await m.up(w);
      await w.run(sql`PRAGMA user_version = ${sqlInteger(m.version)}`);
    });
  }
  return schemaVersion(db);
}
