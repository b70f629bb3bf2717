/** What the off-thread test and its child process share. */
import type { KeyObject } from 'node:crypto';
import type { WriteHandle } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import type { Settlement } from '../../../src-main/ledger/outbox';
import type { SigningSession } from '../../../src-main/sync/sync-service';

/** A signed-in clerk, as the session service hands it to the SyncService. */
export function offThreadSession(who: { mspId: string; certificatePem: string }, privateKey: KeyObject): SigningSession {
  return { signingIdentity: () => ({ summary: { id: 'clerk', mspId: who.mspId, displayName: 'Admissions clerk' }, certificatePem: who.certificatePem, privateKey }) };
}

/** The domain's own table a settlement handler changes: one row per settled write, or the transaction fails. */
export const SETTLED_TABLE = sql`CREATE TABLE IF NOT EXISTS test_settled (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, block_number INTEGER)`;

/** A settlement handler on the main thread. A second run for one write breaks the primary key: exactly once shows. */
export async function recordSettlement(w: WriteHandle, s: Settlement): Promise<void> {
  await w.run(sql`INSERT INTO test_settled (seq, kind, block_number) VALUES (${s.row.seq}, ${s.kind}, ${s.kind === 'committed' ? s.blockNumber : null})`);
}
