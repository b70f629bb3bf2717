/**
 * Which beds are taken, hospital-wide: this desk's own admissions (queued for the ledger or
 * committed) and, for encounters this desk does not hold, what the ledger's
 * `Admissions.EventRecorded` events of this organisation say (mirror_bed_occupancy, kept by
 * the inbox). Ward and bed codes only: nothing here is personal data.
 */
import type { BedRef } from '../../src-shared/admission/schemas';
import type { ReadHandle } from '../cache/database';
import { sql } from '../cache/sql';
import type { EventApplier } from '../ledger/inbox';

export const BED_OCCUPANCY_MIRROR = 'bed-occupancy';

function textOrNull(record: Record<string, unknown>, name: string): string | null {
  const v = record[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/**
 * Keeps mirror_bed_occupancy from the Admissions contract's events (this organisation's
 * encounters only). The events carry ids and hashes (docs/privacy-layout.md): the encounter
 * is read on this hospital's own peer.
 */
export const bedOccupancyApplier: EventApplier = {
  mirror: BED_OCCUPANCY_MIRROR,
  events: ['Admissions.EventRecorded'],
  async resolve(event, context, ledger) {
    const payload = (typeof event.payload === 'object' && event.payload !== null ? event.payload : {}) as Record<string, unknown>;
    // Another hospital's beds are not ours to fill or keep free: not even read.
    if (payload['mspId'] !== context.mspId) return undefined;
    const encounterId = textOrNull(payload, 'encounterId');
    if (!encounterId) throw new Error(`event ${event.name} names no encounterId`);
    return ledger.evaluate('Admissions:getEncounter', encounterId);
  },
  async apply(w, event, context) {
    const encounter = event.detail;
    if (typeof encounter !== 'object' || encounter === null) throw new Error(`event ${event.name}: its encounter could not be read`);
    const e = encounter as Record<string, unknown>;
    const encounterId = textOrNull(e, 'encounterId');
    const status = textOrNull(e, 'status');
    if (!encounterId || (status !== 'admitted' && status !== 'discharged')) throw new Error(`event ${event.name} has no encounter id or status`);
    // Another hospital's beds are not ours to fill or keep free.
    if (textOrNull(e, 'mspId') !== context.mspId) return;
    await w.run(sql`INSERT INTO mirror_bed_occupancy (encounter_id, ward_code, bed, status, updated_at)
                    VALUES (${encounterId}, ${textOrNull(e, 'wardCode')}, ${textOrNull(e, 'bed')}, ${status}, ${context.now})
                    ON CONFLICT (encounter_id) DO UPDATE SET ward_code = excluded.ward_code, bed = excluded.bed, status = excluded.status, updated_at = excluded.updated_at`);
  },
};

/**
 * Every bed in use now. This desk's own rows win over the ledger's view of the same encounter
 * (a transfer queued here is newer than the event the ledger last sent).
 */
export async function occupiedBeds(r: ReadHandle): Promise<BedRef[]> {
  const rows = await r.all<{ ward_code: string; bed: string }>(sql`
    SELECT ward_code, bed FROM admission WHERE status = 'admitted'
    UNION
    SELECT m.ward_code, m.bed FROM mirror_bed_occupancy m
    WHERE m.status = 'admitted' AND m.ward_code IS NOT NULL AND m.bed IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM admission a WHERE a.encounter_id = m.encounter_id)
    ORDER BY 1, 2`);
  return rows.map((row) => ({ wardCode: row.ward_code, bed: row.bed }));
}

/** Whether another desk holds this bed according to the ledger (this desk's own beds are caught by the cache's unique index). */
export async function bedTakenOnLedger(r: ReadHandle, wardCode: string, bed: string): Promise<boolean> {
  const row = await r.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM mirror_bed_occupancy m
    WHERE m.status = 'admitted' AND m.ward_code = ${wardCode} AND m.bed = ${bed}
      AND NOT EXISTS (SELECT 1 FROM admission a WHERE a.encounter_id = m.encounter_id)`);
  return (row?.n ?? 0) > 0;
}
