/**
 * The outbox: ledger writes waiting to reach the ledger, stored in the cache.
 *
 * Domain code never talks to the gateway. It changes its own tables and queues the matching
 * ledger write in the SAME cache transaction (`queueLedgerWrite`), so either both happen or
 * neither does; the outbox worker (outbox-worker.ts) sends the rows later.
 *
 * Row life: queued -> endorsed (endorsed and signed; tx id fixed, signed transaction
 * persisted before it is submitted) -> committed. `signed` (a proposal persisted before
 * endorsing) and `submitted` (the signed commit request persisted after submit) are what
 * earlier versions also wrote; such rows still go on. Side exits: failed (the
 * chaincode or the network refused it; blocks later writes of the same key until the user
 * retries or discards it), quarantined (the row cannot be decoded), discarded (by the user).
 */
import { z } from 'zod';
import type { ReadHandle, WriteHandle } from '../cache/database';
import { sql, sqlJoin, type SqlQuery } from '../cache/sql';
import { DomainError } from '../errors';
import type { LedgerIdentityRef } from './connection';

export type OutboxState = 'queued' | 'signed' | 'endorsed' | 'submitted' | 'committed' | 'failed' | 'quarantined' | 'discarded';

/** States in which a row still has to reach the ledger. */
export const PENDING_STATES: readonly OutboxState[] = ['queued', 'signed', 'endorsed', 'submitted'];

/** What domain code asks the ledger to do. */
export interface LedgerWrite {
  /** What this is, in the hospital's words (e.g. 'admission.opened'); also picks the settlement handler. */
  operation: string;
  /**
   * Writes with the same key reach the ledger in the order they were queued, each only after
   * the one before it committed (e.g. `encounter:<id>`). Different keys go out in parallel.
   */
  orderKey: string;
  /** Fully qualified chaincode transaction, 'Contract:Function' (e.g. 'Admissions:RecordEvent'). */
  transaction: string;
  args: readonly string[];
  /** Private inputs (never on the channel); kept in the encrypted cache only until committed. */
  transient?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * The organisations whose peers endorse it, named by the caller as Fabric's gateway expects
   * for private data (e.g. a claim: the hospital and the insurer). Without it the gateway
   * endorses first on its own organisation's peer and picks the others; a write that reads
   * private data its own peer does not hold then fails.
   */
  endorsingOrganizations?: readonly string[];
  /**
   * May this be sent again, as a fresh transaction, after an MVCC conflict? True when the
   * chaincode re-reads what it depends on and the outcome is still what the user meant
   * (appending a log entry, recording an event by its own id). False when the user decided
   * from a state that may have changed: such a conflict is shown to the user instead.
   */
  retryOnConflict: boolean;
}

/** The payload column: versioned, so an old or damaged row is recognised, not misread. */
const Payload = z
  .object({
    v: z.literal(1),
    transaction: z.string().min(1).max(500),
    args: z.array(z.string()),
    /** base64 values */
    transient: z.record(z.string(), z.string()).optional(),
    endorsingOrganizations: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
  })
  .strict();
export type Payload = z.infer<typeof Payload>;

export function encodePayload(write: LedgerWrite): string {
  const transient = write.transient
    ? Object.fromEntries(Object.entries(write.transient).map(([k, v]) => [k, Buffer.from(typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64')]))
    : undefined;
  const payload: Payload = {
    v: 1,
    transaction: write.transaction,
    args: [...write.args],
    ...(transient ? { transient } : {}),
    ...(write.endorsingOrganizations?.length ? { endorsingOrganizations: [...write.endorsingOrganizations] } : {}),
  };
  return JSON.stringify(payload);
}

export class UndecodableRowError extends Error {
  override readonly name = 'UndecodableRowError';
}

/** @throws UndecodableRowError with what is wrong, in words for the sync screen. */
export function decodePayload(text: string): Payload {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UndecodableRowError('The stored ledger write is not readable (damaged data).');
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) throw new UndecodableRowError(`The stored ledger write has an unknown or damaged format (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
  return parsed.data;
}

export interface OutboxRow {
  seq: number;
  order_key: string;
  operation: string;
  payload: string;
  retry_safe: number;
  identity_id: string;
  state: OutboxState;
  tx_id: string | null;
  proposal_bytes: Uint8Array | null;
  transaction_bytes: Uint8Array | null;
  commit_bytes: Uint8Array | null;
  attempts: number;
  conflicts: number;
  error_code: string | null;
  error_message: string | null;
  block_number: number | null;
  /** The chaincode's answer, kept from the endorsement until the settlement handler has it. */
  result?: Uint8Array | null;
  created_at: string;
  updated_at: string;
}

/**
 * Queues a ledger write inside the caller's cache transaction: commit the local change and this
 * row together. Returns the row's sequence number.
 */
export async function queueLedgerWrite(w: WriteHandle, identity: LedgerIdentityRef, write: LedgerWrite, now: Date = new Date()): Promise<number> {
  if (write.orderKey.length === 0 || write.orderKey.length > 500) throw new DomainError('VALIDATION', 'A ledger write needs an order key of 1 to 500 characters.');
  const at = now.toISOString();
  await w.run(sql`INSERT INTO outbox_identity (identity_id, msp_id, certificate_pem) VALUES (${identity.identityId}, ${identity.mspId}, ${identity.certificatePem})
                  ON CONFLICT (identity_id) DO UPDATE SET msp_id = excluded.msp_id, certificate_pem = excluded.certificate_pem`);
  const { lastId } = await w.run(sql`
    INSERT INTO outbox (order_key, operation, payload, retry_safe, identity_id, state, created_at, updated_at)
    VALUES (${write.orderKey}, ${write.operation}, ${encodePayload(write)}, ${write.retryOnConflict}, ${identity.identityId}, 'queued', ${at}, ${at})`);
  return lastId;
}

const pendingList = sqlJoin(PENDING_STATES.map((s) => sql`${s}`));
const blockingList = sqlJoin([...PENDING_STATES, 'failed'].map((s) => sql`${s}`));

/**
 * The rows that may go out now: the oldest pending row of each key, when no earlier row of
 * that key is still pending or failed. Rows still needing a signature (every one but a
 * `submitted` row of an earlier version, whose commit request is signed) are only taken for
 * identities that can sign now.
 */
export async function selectReady(r: ReadHandle, options: { limit: number; exclude: readonly number[]; signers: readonly string[] }): Promise<OutboxRow[]> {
  const exclude: SqlQuery = options.exclude.length > 0 ? sql`AND o.seq NOT IN (${sqlJoin(options.exclude.map((s) => sql`${s}`))})` : sql``;
  const signable: SqlQuery = options.signers.length > 0 ? sql`OR o.identity_id IN (${sqlJoin(options.signers.map((s) => sql`${s}`))})` : sql``;
  return r.all<OutboxRow>(sql`
    SELECT o.* FROM outbox o
    WHERE o.state IN (${pendingList}) ${exclude}
      AND (o.state = 'submitted' ${signable})
      AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_key = o.order_key AND p.seq < o.seq AND p.state IN (${blockingList}))
    ORDER BY o.seq LIMIT ${options.limit}`);
}

export async function identityOf(r: ReadHandle, identityId: string): Promise<LedgerIdentityRef | undefined> {
  const row = await r.get<{ identity_id: string; msp_id: string; certificate_pem: string }>(
    sql`SELECT identity_id, msp_id, certificate_pem FROM outbox_identity WHERE identity_id = ${identityId}`,
  );
  return row ? { identityId: row.identity_id, mspId: row.msp_id, certificatePem: row.certificate_pem } : undefined;
}

export interface OutboxCounts {
  pending: number;
  failed: number;
  quarantined: number;
  committed: number;
}

/**
 * What the status bar shows: writes still to send, and those needing the user. Read from the
 * per-state counts the triggers of migration 0012 keep, so the query costs the same with five
 * writes waiting or fifty thousand, and nothing for the years of committed history.
 */
export async function statusCounts(r: ReadHandle): Promise<Omit<OutboxCounts, 'committed'>> {
  // Kept by triggers in the same transaction as each outbox change (migration 0012).
  const rows = await r.all<{ state: OutboxState; n: number }>(sql`SELECT state, n FROM outbox_state_count WHERE state IN (${blockingList}, 'quarantined')`);
  const n = (s: OutboxState): number => rows.find((x) => x.state === s)?.n ?? 0;
  return { pending: PENDING_STATES.reduce((a, s) => a + n(s), 0), failed: n('failed'), quarantined: n('quarantined') };
}

/** Every state's count, committed history included (tests and tools; the status bar uses `statusCounts`). */
export async function countOutbox(r: ReadHandle): Promise<OutboxCounts> {
  const rows = await r.all<{ state: OutboxState; n: number }>(sql`SELECT state, count(*) AS n FROM outbox GROUP BY state`);
  const n = (s: OutboxState): number => rows.find((x) => x.state === s)?.n ?? 0;
  return { pending: PENDING_STATES.reduce((a, s) => a + n(s), 0), failed: n('failed'), quarantined: n('quarantined'), committed: n('committed') };
}

/** A row needing the user's attention, as the sync screen lists it. */
export interface OutboxProblem {
  seq: number;
  operation: string;
  orderKey: string;
  state: 'failed' | 'quarantined';
  reasonCode: string;
  reason: string;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** Later writes of the same key held back until this one is retried or discarded. */
  blockedBehind: number;
}

export async function listProblems(r: ReadHandle, limit = 200): Promise<OutboxProblem[]> {
  const rows = await r.all<OutboxRow & { blocked: number }>(sql`
    SELECT o.*, (SELECT count(*) FROM outbox p WHERE p.order_key = o.order_key AND p.seq > o.seq AND p.state IN (${pendingList})) AS blocked
    FROM outbox o WHERE o.state IN ('failed', 'quarantined') ORDER BY o.seq LIMIT ${limit}`);
  return rows.map((row) => ({
    seq: row.seq,
    operation: row.operation,
    orderKey: row.order_key,
    state: row.state as 'failed' | 'quarantined',
    reasonCode: row.error_code ?? 'UNKNOWN',
    reason: row.error_message ?? 'No reason was recorded.',
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    blockedBehind: row.state === 'failed' ? row.blocked : 0,
  }));
}

async function problemRow(w: WriteHandle, seq: number): Promise<OutboxRow> {
  const row = await w.get<OutboxRow>(sql`SELECT * FROM outbox WHERE seq = ${seq}`);
  if (!row) throw new DomainError('NOT_FOUND', 'That ledger write is no longer in the queue.');
  if (row.state !== 'failed' && row.state !== 'quarantined') throw new DomainError('CONFLICT', 'That ledger write has not failed; there is nothing to retry or discard.');
  return row;
}

/**
 * Sends a failed write again as a fresh transaction (new transaction id), optionally with
 * corrected arguments. A quarantined row can only be retried with corrected content.
 * @throws DomainError NOT_FOUND, CONFLICT (not failed), VALIDATION (quarantined without correction)
 */
export async function retryWrite(w: WriteHandle, seq: number, now: Date, correction?: Pick<LedgerWrite, 'transaction' | 'args' | 'transient'>): Promise<void> {
  const row = await problemRow(w, seq);
  let payload = row.payload;
  if (correction) payload = encodePayload({ ...correction, operation: row.operation, orderKey: row.order_key, retryOnConflict: row.retry_safe === 1 });
  else if (row.state === 'quarantined') throw new DomainError('VALIDATION', 'This ledger write is damaged and cannot be sent as it is. Discard it and make the change again.');
  await w.run(sql`
    UPDATE outbox SET state = 'queued', payload = ${payload}, tx_id = NULL, proposal_bytes = NULL, transaction_bytes = NULL, commit_bytes = NULL,
      error_code = NULL, error_message = NULL, updated_at = ${now.toISOString()}
    WHERE seq = ${seq}`);
}

/** Gives up on a failed or quarantined write; later writes of its key go ahead. Returns the row as it was. */
export async function discardWrite(w: WriteHandle, seq: number, now: Date): Promise<OutboxRow> {
  const row = await problemRow(w, seq);
  await w.run(sql`UPDATE outbox SET state = 'discarded', proposal_bytes = NULL, transaction_bytes = NULL, commit_bytes = NULL, updated_at = ${now.toISOString()} WHERE seq = ${seq}`);
  return row;
}

/**
 * How a write ended, as recorded in its row: committed on the ledger, or failed (the ledger or
 * the chaincode refused it). Plain data, so the sync thread can hand it to the main thread.
 */
export type Outcome =
  | { kind: 'committed'; blockNumber: number; at: string }
  | { kind: 'failed'; code: string; reason: string; blockNumber: number | null; at: string };

/** What the domain code that queued a write is told about it (see SyncService.onSettled). */
export type Settlement =
  | { kind: 'committed'; row: OutboxRow; blockNumber: number; result: Uint8Array | null }
  | { kind: 'failed'; row: OutboxRow; code: string; reason: string }
  | { kind: 'discarded'; row: OutboxRow };

/**
 * Called inside the cache transaction that records the outcome, so the domain's own tables
 * (e.g. "admission confirmed on the ledger") change atomically with the outbox row.
 */
export type SettlementHandler = (w: WriteHandle, settlement: Settlement) => Promise<void>;

/**
 * Records a write's outcome and runs its settlement handler, in the caller's transaction. The
 * row changes only from the state the sender last persisted (`row.state`), so an outcome
 * recorded twice (a resend after a crash, a second thread) changes nothing and the handler
 * runs once: that is what keeps "applied exactly once" true for the domain's own tables.
 * Returns whether this call recorded it.
 */
export async function recordOutcome(w: WriteHandle, row: OutboxRow, outcome: Outcome, handler: SettlementHandler | undefined): Promise<boolean> {
  const { at } = outcome;
  if (outcome.kind === 'committed') {
    // The worker hands over the result it endorsed (or read with the row); asked for only when not.
    const result = row.result !== undefined ? row.result : ((await w.get<{ result: Uint8Array | null }>(sql`SELECT result FROM outbox WHERE seq = ${row.seq}`))?.result ?? null);
    const { changes } = await w.run(sql`
      UPDATE outbox SET state = 'committed', block_number = ${outcome.blockNumber}, committed_at = ${at}, updated_at = ${at},
        payload = ${withoutTransient(row.payload)}, proposal_bytes = NULL, transaction_bytes = NULL, commit_bytes = NULL,
        error_code = NULL, error_message = NULL
      WHERE seq = ${row.seq} AND state = ${row.state}`);
    // "Last synced" moves with it: trigger outbox_last_sync (migration 0013).
    if (changes === 0) return false;
    await handler?.(w, { kind: 'committed', row, blockNumber: outcome.blockNumber, result });
    return true;
  }
  const { changes } = await w.run(sql`
    UPDATE outbox SET state = 'failed', error_code = ${outcome.code}, error_message = ${outcome.reason}, block_number = ${outcome.blockNumber},
      proposal_bytes = NULL, transaction_bytes = NULL, commit_bytes = NULL, attempts = max(attempts, ${row.attempts}), updated_at = ${at}
    WHERE seq = ${row.seq} AND state = ${row.state}`);
  if (changes === 0) return false;
  await handler?.(w, { kind: 'failed', row, code: outcome.code, reason: outcome.reason });
  return true;
}

/** The payload without its private (transient) part: nothing private is kept once the ledger has it. */
function withoutTransient(payloadText: string): string {
  try {
    const p = JSON.parse(payloadText) as Record<string, unknown>;
    delete p.transient;
    return JSON.stringify(p);
  } catch {
    return payloadText;
  }
}
