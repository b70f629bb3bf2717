/**
 * The writes still waiting in the outbox, for the offline Sync screen: what each is in the
 * hospital's words, when it was made, and how far sending got. Descriptions come from the
 * operation and the ledger arguments (codes and ids only): no patient name ever reaches them.
 */
import type { SyncWaitingWrite } from '../../src-shared/ipc/contract';
import type { ReadHandle } from '../cache/database';
import { sql, sqlJoin } from '../cache/sql';
import { decodePayload, PENDING_STATES } from '../ledger/outbox';

const WORDS: Record<string, string> = {
  'admission.admit': 'Admission',
  'admission.transfer': 'Transfer',
  'admission.discharge': 'Discharge',
  'consent.record': "The patient's consent",
  'admission.override-audit': 'Audit entry for an accepted wallet code (override)',
  'credentialing.verification': 'Locum verification outcome',
  'credentialing.grant': 'Locum privileges granted',
  'credentialing.suspend': 'Locum privileges suspended',
  'credentialing.reinstate': 'Locum privileges reinstated',
  'credentialing.expire': 'Locum privileges marked expired',
  'sanctions.import': 'Sanctions list import (one batch)',
  'sanctions.add': 'Sanction added',
  'sanctions.lift': 'Sanction lifted',
};

/**
 * The admission event's JSON object: in the transient map (`event`, the private layout) or as
 * the first argument; null for anything else (a consent JWT, a damaged row).
 */
function eventObject(payload: string): Record<string, unknown> | null {
  try {
    const decoded = decodePayload(payload);
    const transient = decoded.transient?.['event'];
    const text = transient !== undefined ? Buffer.from(transient, 'base64').toString('utf8') : decoded.args[0];
    const value = text ? (JSON.parse(text) as unknown) : null;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What a waiting write is, without patient data: "Admission to ward W-101, bed A01". */
export function describeWaiting(operation: string, payload: string): string {
  const what = WORDS[operation] ?? operation;
  if (operation === 'admission.admit' || operation === 'admission.transfer') {
    const arg = eventObject(payload);
    const ward = typeof arg?.['wardCode'] === 'string' ? arg['wardCode'] : null;
    const bed = typeof arg?.['bed'] === 'string' ? arg['bed'] : null;
    if (ward) return `${what} to ward ${ward}${bed ? `, bed ${bed}` : ''}`;
  }
  return what;
}

export async function listWaiting(r: ReadHandle, limit = 200): Promise<SyncWaitingWrite[]> {
  const states = sqlJoin(PENDING_STATES.map((s) => sql`${s}`));
  const rows = await r.all<{
    seq: number;
    operation: string;
    payload: string;
    state: string;
    created_at: string;
    attempts: number;
  }>(
    sql`SELECT seq, operation, payload, state, created_at, attempts FROM outbox WHERE state IN (${states}) ORDER BY seq LIMIT ${limit}`,
  );
  return rows.map((row) => ({
    seq: row.seq,
    description: describeWaiting(row.operation, row.payload),
    operation: row.operation,
    state: row.state,
    createdAt: row.created_at,
    attempts: row.attempts,
  }));
}
