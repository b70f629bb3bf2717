/**
 * The chart's access log on this workstation. Every view writes its entries here in the SAME
 * cache transaction as the read (chart-service.ts `#readAndLog`): online they are queued in the
 * outbox at once (`Access:logAccess`); offline they are held, and when the ledger is reachable
 * again the held entries are first anchored as one batch (`Access:anchorOfflineBatch`, a hash
 * chain, below) and then written one by one, in order, so the ledger ends with one entry each.
 *
 * Hash chain of an offline batch: h0 = 64 zeros; h(i) = SHA-256(h(i-1) as hex ‖ "\n" ‖ JCS(entry i))
 * over the entries in (accessedAt, entryId) order; `batchSha256` = h(n). Anyone holding the
 * entries can recompute it, and the entries written later must chain to what was anchored
 * before them: an entry dropped or altered in between breaks the chain.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ReadHandle, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import type { LedgerWrite } from '../ledger/outbox';
import { canonicalJson } from '../../src-shared/records/anchor';
import type { BreakGlassReason, PurposeOfUse, RecordCategory } from '../../src-shared/records/schemas';

/** What `Access:logAccess` takes in its transient `entry`. */
export interface AccessEntryInput {
  entryId: string;
  patientDid: string;
  categories: RecordCategory[];
  purpose: PurposeOfUse;
  decision: 'allowed' | 'refused';
  consentId?: string;
  /** Own-admission views: the open admission's encounter (the Access contract's `encounterId`). */
  encounterId?: string;
  breakGlass?: { reasonCode: BreakGlassReason; noteSha256?: string };
  /** The record exchange's request id, shared with the gatekeepers' release entries (record-exchange.md §7). */
  requestId?: string;
  accessedAt: string;
}

export type Queue = (write: LedgerWrite) => Promise<number>;

export interface LoggedView {
  patientDid: string;
  patientId: string | null;
  staffId: string;
  /** 'open' | 'category:<name>' | 'document' | 'refused'. */
  view: string;
  entry: AccessEntryInput;
  breakGlassNote?: string;
}

function logWrite(entry: AccessEntryInput, note: string | undefined, orderKey: string): LedgerWrite {
  return {
    operation: 'access.logged',
    orderKey,
    transaction: 'Access:logAccess',
    args: [],
    transient: { entry: JSON.stringify(entry), ...(note ? { breakGlassNote: note } : {}) },
    // Appending an entry by its own id: a retry after a conflict is what the user meant.
    retryOnConflict: true,
  };
}

/**
 * Logs one view: the local row always, the outbox row too when `online`. Runs inside the
 * caller's write transaction (the one that read the chart).
 */
export async function logView(w: WriteHandle, queue: Queue, view: LoggedView, online: boolean): Promise<void> {
  const seq = online ? await queue(logWrite(view.entry, view.breakGlassNote, `access:${view.entry.entryId}`)) : null;
  await w.run(sql`INSERT INTO chart_access (entry_id, patient_did, patient_id, staff_id, view, entry_json, break_glass_note, accessed_at, state, outbox_seq)
                  VALUES (${view.entry.entryId}, ${view.patientDid}, ${view.patientId}, ${view.staffId}, ${view.view}, ${JSON.stringify(view.entry)},
                          ${online ? null : (view.breakGlassNote ?? null)}, ${view.entry.accessedAt}, ${online ? 'queued' : 'held-offline'}, ${seq})`);
}

export function chainHash(entries: readonly AccessEntryInput[]): string {
  let h = '0'.repeat(64);
  for (const entry of entries)
    h = createHash('sha256')
      .update(`${h}\n${canonicalJson(entry)}`)
      .digest('hex');
  return h;
}

/** How many views are held offline, waiting for the ledger. */
export async function heldOfflineCount(r: ReadHandle): Promise<number> {
  return (await r.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM chart_access WHERE state = 'held-offline'`))?.n ?? 0;
}

/**
 * Sends the views held offline: one batch anchor, then each entry, all with one order key so
 * they reach the ledger in that order. Returns the batch id, or null when nothing was held.
 * `staffId`: only the signed-in person's views are sent (each entry is signed by who viewed).
 */
export async function flushHeldViews(w: WriteHandle, queue: Queue, staffId: string, now: Date): Promise<string | null> {
  const rows = await w.all<{ entry_id: string; entry_json: string; break_glass_note: string | null }>(
    sql`SELECT entry_id, entry_json, break_glass_note FROM chart_access WHERE state = 'held-offline' AND staff_id = ${staffId} ORDER BY accessed_at, entry_id`,
  );
  if (rows.length === 0) return null;
  const entries = rows.map((r) => JSON.parse(r.entry_json) as AccessEntryInput);
  const batchId = `batch-${randomUUID()}`;
  const orderKey = `access-batch:${batchId}`;
  const batch = {
    batchId,
    batchSha256: chainHash(entries),
    count: entries.length,
    firstAccessAt: entries[0]!.accessedAt,
    lastAccessAt: entries[entries.length - 1]!.accessedAt,
  };
  const anchorSeq = await queue({
    operation: 'access.batchAnchored',
    orderKey,
    transaction: 'Access:anchorOfflineBatch',
    args: [],
    transient: { batch: JSON.stringify(batch) },
    retryOnConflict: true,
  });
  await w.run(sql`INSERT INTO chart_offline_batch (batch_id, batch_sha256, entry_count, first_access_at, last_access_at, outbox_seq, created_at)
                  VALUES (${batchId}, ${batch.batchSha256}, ${batch.count}, ${batch.firstAccessAt}, ${batch.lastAccessAt}, ${anchorSeq}, ${now.toISOString()})`);
  for (const [i, row] of rows.entries()) {
    const seq = await queue(logWrite(entries[i]!, row.break_glass_note ?? undefined, orderKey));
    // The note leaves the cache with its entry (it is kept on the ledger, purgeable there).
    await w.run(
      sql`UPDATE chart_access SET state = 'queued', outbox_seq = ${seq}, batch_id = ${batchId}, break_glass_note = NULL WHERE entry_id = ${row.entry_id}`,
    );
  }
  return batchId;
}
