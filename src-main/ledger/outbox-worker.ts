/**
 * Sends the outbox to the ledger: in order per key, many keys at once, each transaction
 * signed once and resumed from what was persisted.
 *
 * The offline-signing flow of @hyperledger/fabric-gateway, with the fewest persisted steps
 * that keep a write exactly-once:
 *   queued    --newProposal, sign, endorse, sign transaction-->  endorsed  (tx id + signed transaction bytes)
 *   endorsed  --submit, sign commit request, getStatus-->        committed | conflict | failed
 * The signed transaction is committed to the cache BEFORE it is submitted, so a crash after
 * that resumes with the same transaction id: an `endorsed` row is submitted again with the
 * same bytes (the ledger marks a second copy DUPLICATE_TXID and the commit status reports the
 * first), never as a new transaction. Before that nothing can be on the ledger (an endorsement
 * is a simulation), so a crash while endorsing makes a new proposal. Earlier versions also
 * persisted `signed` (the proposal, before endorsing) and `submitted` (the signed commit
 * request, after submit); such rows go on from their bytes.
 */
import type { Commit, Gateway, Proposal, Transaction } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import type { CacheDatabase, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { BatchWriter } from './batch-writer';
import type { LedgerConnection, LedgerIdentityRef, LedgerSigner } from './connection';
import { classifyGatewayError, type GatewayFailure } from './gateway-errors';
import { decodePayload, identityOf, recordOutcome, selectReady, UndecodableRowError, type Outcome, type OutboxRow, type Payload, type SettlementHandler } from './outbox';

export type { Settlement, SettlementHandler } from './outbox';

/** Test-only fault injection points: a hook may throw (or never return) to simulate a crash there. */
export interface WorkerHooks {
  /** After the endorsement came back and the transaction was signed, before it is persisted (nothing sent to the orderer yet). */
  afterEndorse?(row: OutboxRow, txId: string): Promise<void> | void;
  /** After the orderer accepted the transaction, before its commit status is asked for (nothing persisted in between). */
  afterSubmit?(row: OutboxRow, txId: string): Promise<void> | void;
}

export interface OutboxWorkerOptions {
  db: CacheDatabase;
  connection: LedgerConnection;
  /** Who can sign right now (the signed-in staff member; a fixed identity in tools and tests). */
  signers: () => readonly LedgerSigner[];
  /** Transactions in flight at once (default 128). */
  window?: number;
  /** Conflicts in a row after which a retry-safe write is failed anyway (default 20). */
  maxConflicts?: number;
  settlement?: (operation: string) => SettlementHandler | undefined;
  /**
   * Where an outcome is recorded when this operation's settlement handler lives on another
   * thread (the sync thread asks the main thread, which records it with `recordOutcome` and
   * runs the handler in that transaction). Undefined: recorded here.
   */
  recordElsewhere?: (operation: string) => ((row: OutboxRow, outcome: Outcome) => Promise<void>) | undefined;
  hooks?: WorkerHooks;
  now?: () => Date;
  /** Something changed that the status bar shows (counts, failures, last sync). */
  onChange?: () => void;
  log?: (line: string) => void;
}

const CONFLICT_CODES = new Set<number>([11, 12]); // MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT
const DUPLICATE_TXID = 9;

const STATUS_NAMES = new Map<number, string>(Object.entries(peer.TxValidationCode).map(([name, value]) => [value, name]));

function statusName(code: number): string {
  return STATUS_NAMES.get(code) ?? `CODE_${code}`;
}

/** The signed bytes as a Buffer for the cache, without copying them (they are never changed after signing). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function transientOf(payload: Payload): Record<string, Uint8Array> | undefined {
  if (!payload.transient) return undefined;
  return Object.fromEntries(Object.entries(payload.transient).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

export class OutboxWorker {
  readonly #o: OutboxWorkerOptions;
  readonly #writer: BatchWriter;
  readonly #inflight = new Set<number>();
  readonly #identities = new Map<string, LedgerIdentityRef>();
  #running = false;
  #loopDone: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #woken = false;
  #idleWaiters: Array<() => void> = [];
  #unsubscribe: (() => void) | null = null;
  #lastDrainAt: string | null = null;

  constructor(options: OutboxWorkerOptions) {
    this.#o = options;
    this.#writer = new BatchWriter(options.db);
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#o.connection.onChange((status) => {
      if (status === 'online') this.wake();
    });
    this.#loopDone = this.#loop();
  }

  /** New rows were queued, a signer signed in, or the connection came back: look again. */
  wake(): void {
    this.#woken = true;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /**
   * Stops taking rows and waits (up to `graceMs`) for the ones in flight to finish their
   * current call. Leaving earlier is safe: every row resumes from its last persisted step.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.wake();
    await this.#loopDone;
    const until = Date.now() + graceMs;
    while (this.#inflight.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  /** Resolves the next time the worker finds nothing it can send and nothing in flight. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.wake();
    });
  }

  async #sleep(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    this.#woken = false;
  }

  async #loop(): Promise<void> {
    const window = this.#o.window ?? 128;
    while (this.#running) {
      if (this.#o.connection.status() === 'offline') {
        // The connection's probe wakes us when the gateway answers again.
        this.#notifyIdle();
        await this.#sleep();
        continue;
      }
      const room = window - this.#inflight.size;
      let taken = 0;
      // Refill in chunks (not one row per finished row): the query scans the queue.
      if (room >= Math.max(1, Math.floor(window / 4)) || this.#inflight.size === 0) {
        const signers = this.#o.signers().map((s) => s.identityId);
        let rows: OutboxRow[] = [];
        try {
          rows = await this.#o.db.read((r) => selectReady(r, { limit: room, exclude: [...this.#inflight], signers }));
        } catch (err) {
          this.#o.log?.(`outbox: cannot read the queue: ${(err as Error).message}`);
          if (!this.#running) break;
        }
        for (const row of rows) {
          this.#inflight.add(row.seq);
          taken++;
          void this.#process(row)
            .catch((err: unknown) => this.#o.log?.(`outbox: row ${row.seq}: ${(err as Error).stack ?? String(err)}`))
            .finally(() => {
              this.#inflight.delete(row.seq);
              this.wake();
            });
        }
      }
      if (taken === 0 && this.#inflight.size === 0) this.#notifyIdle();
      await this.#sleep();
    }
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  async #identity(row: OutboxRow): Promise<LedgerIdentityRef | undefined> {
    const known = this.#identities.get(row.identity_id);
    if (known) return known;
    const found = await this.#o.db.read((r) => identityOf(r, row.identity_id));
    if (found) this.#identities.set(row.identity_id, found);
    return found;
  }

  async #persist(seq: number, work: (w: WriteHandle) => Promise<void>): Promise<void> {
    await this.#writer.write(work);
    void seq;
  }

  /** One row, from wherever it was persisted, as far as it can go now. */
  async #process(start: OutboxRow): Promise<void> {
    const row = { ...start };
    let payload: Payload;
    try {
      payload = decodePayload(row.payload);
    } catch (err) {
      if (!(err instanceof UndecodableRowError)) throw err;
      await this.#quarantine(row, err.message);
      return;
    }
    const identity = await this.#identity(row);
    if (!identity) {
      await this.#quarantine(row, 'The identity that made this change is not known on this workstation any more.');
      return;
    }
    const signer = this.#o.signers().find((s) => s.identityId === row.identity_id);
    if (!signer && row.state !== 'submitted') return; // waits for its author to sign in
    const gateway = this.#o.connection.gateway(identity);
    const { connection } = this.#o;
    // The signed objects of the steps taken in this call, so the next step uses them instead of
    // parsing the bytes just persisted (the same bytes: a row resumed later parses them).
    let live: { transaction?: Transaction } = {};

    for (let step = 0; step < 8 && this.#running; step++) {
      switch (row.state) {
        case 'queued': {
          if (!signer) return;
          const contract = gateway.getNetwork(connection.settings.channel).getContract(connection.settings.chaincode);
          const transientData = transientOf(payload);
          // The endorsing organisations travel inside the proposal (ProposedTransaction).
          const unsigned = contract.newProposal(payload.transaction, {
            arguments: payload.args,
            ...(transientData ? { transientData } : {}),
            ...(payload.endorsingOrganizations ? { endorsingOrganizations: payload.endorsingOrganizations } : {}),
          });
          // The signed proposal is not persisted: endorsing changes nothing on the ledger, so a
          // proposal lost in a crash is simply made again with a new tx id. The tx id is fixed
          // where it matters, with the signed transaction, before anything is submitted.
          const proposal = gateway.newSignedProposal(unsigned.getBytes(), await signer.sign(unsigned.getDigest()));
          row.attempts += 1; // persisted with the transaction, or with the failure
          const transaction = await this.#endorse(row, proposal, signer, gateway);
          if (!transaction) return;
          live = { transaction };
          break;
        }
        case 'signed': {
          // A proposal persisted before it was endorsed (rows queued by earlier versions).
          if (!signer || !row.proposal_bytes) return;
          const transaction = await this.#endorse(row, gateway.newProposal(row.proposal_bytes), signer, gateway);
          if (!transaction) return;
          live = { transaction };
          break;
        }
        case 'endorsed': {
          if (!signer || !row.transaction_bytes || !row.tx_id) return;
          const tx = live.transaction ?? gateway.newTransaction(row.transaction_bytes);
          let submitted;
          try {
            submitted = await tx.submit();
          } catch (err) {
            await this.#failure(row, classifyGatewayError(err, 'submit'));
            return;
          }
          connection.reportSuccess();
          await this.#o.hooks?.afterSubmit?.(row, row.tx_id);
          // Nothing is persisted between submit and the commit status: should this process end
          // meanwhile, the row is still `endorsed` and goes again with the same signed bytes,
          // which the ledger reports as the first copy's outcome (DUPLICATE_TXID for the second).
          const commit = gateway.newSignedCommit(submitted.getBytes(), await signer.sign(submitted.getDigest()));
          const outcome = await this.#commitStatus(row, commit);
          if (outcome !== 'again') return;
          live = { transaction: tx };
          break;
        }
        case 'submitted': {
          // A commit request persisted after submit (rows of earlier versions): asked as it is,
          // whoever is signed in.
          const outcome = row.commit_bytes ? await this.#commitStatus(row, gateway.newCommit(row.commit_bytes)) : await this.#submitAgain(row);
          if (outcome !== 'again') return;
          break;
        }
        default:
          return;
      }
    }
  }

  /**
   * Asks whether the submitted transaction committed, and records the outcome. 'again': the
   * gateway is there but never saw it committed (the orderer may have lost it in a restart), so
   * the same signed bytes go again; same tx id, so it cannot commit twice.
   */
  async #commitStatus(row: OutboxRow, commit: Commit): Promise<'done' | 'again'> {
    let status;
    try {
      status = await commit.getStatus();
    } catch (err) {
      const failure = classifyGatewayError(err, 'commit status');
      if (failure.kind === 'unreachable' && failure.code === 'DEADLINE_EXCEEDED' && (await this.#o.connection.waitForReady(1_000))) return this.#submitAgain(row);
      await this.#failure(row, failure);
      return 'done';
    }
    this.#o.connection.reportSuccess();
    await this.#settleStatus(row, status.code, Number(status.blockNumber));
    return 'done';
  }

  /** Back to `endorsed` (persisted first when the row was `submitted`), to be submitted again with the same bytes. */
  async #submitAgain(row: OutboxRow): Promise<'again'> {
    if (row.state !== 'endorsed') {
      const at = this.#now().toISOString();
      await this.#persist(row.seq, (w) => w.run(sql`UPDATE outbox SET state = 'endorsed', commit_bytes = NULL, updated_at = ${at} WHERE seq = ${row.seq}`).then(() => undefined));
      Object.assign(row, { state: 'endorsed', commit_bytes: null });
    }
    return 'again';
  }

  /**
   * Endorses a signed proposal and persists the signed transaction with its tx id (state
   * `endorsed`), the step after which the write may be on the ledger. Returns the transaction,
   * or null when the endorsement failed (recorded, or left for later when the gateway is away).
   */
  async #endorse(row: OutboxRow, proposal: Proposal, signer: LedgerSigner, gateway: Gateway): Promise<Transaction | null> {
    let endorsed;
    try {
      endorsed = await proposal.endorse();
    } catch (err) {
      await this.#failure(row, classifyGatewayError(err, 'endorse'));
      return null;
    }
    this.#o.connection.reportSuccess();
    const transaction = gateway.newSignedTransaction(endorsed.getBytes(), await signer.sign(endorsed.getDigest()));
    const txId = transaction.getTransactionId();
    const txBytes = transaction.getBytes();
    const result = endorsed.getResult();
    await this.#o.hooks?.afterEndorse?.(row, txId);
    const at = this.#now().toISOString();
    await this.#persist(row.seq, async (w) => {
      await w.run(sql`
        UPDATE outbox SET state = 'endorsed', tx_id = ${txId}, proposal_bytes = NULL, transaction_bytes = ${asBuffer(txBytes)}, result = ${asBuffer(result)},
          attempts = ${row.attempts}, updated_at = ${at}
        WHERE seq = ${row.seq}`);
    });
    Object.assign(row, { state: 'endorsed', tx_id: txId, proposal_bytes: null, transaction_bytes: txBytes, result });
    return transaction;
  }

  async #settleStatus(row: OutboxRow, code: number, blockNumber: number): Promise<void> {
    const at = this.#now().toISOString();
    // DUPLICATE_TXID: this very transaction (same signed bytes) was already ordered earlier;
    // commit status reports the first copy, so this only appears if the ledger says so about
    // ours, which still means it is on the ledger once.
    if (code === 0 || code === DUPLICATE_TXID) {
      await this.#record(row, { kind: 'committed', blockNumber, at });
      this.#lastDrainAt = at;
      this.#o.onChange?.();
      return;
    }
    if (CONFLICT_CODES.has(code) && row.retry_safe === 1 && row.conflicts + 1 < (this.#o.maxConflicts ?? 20)) {
      // The ledger changed between endorsement and commit. The write is declared safe to
      // repeat, so it goes again as a NEW transaction, endorsed against the current state.
      await this.#persist(row.seq, async (w) => {
        await w.run(sql`
          UPDATE outbox SET state = 'queued', tx_id = NULL, proposal_bytes = NULL, transaction_bytes = NULL, commit_bytes = NULL,
            conflicts = conflicts + 1, updated_at = ${at}
          WHERE seq = ${row.seq} AND state = ${row.state}`);
      });
      this.#o.onChange?.();
      return;
    }
    const reason = CONFLICT_CODES.has(code)
      ? 'Someone else changed the same record on the ledger at the same moment. Check the record, then send it again or discard it.'
      : `The ledger did not accept this change (${statusName(code)}). Check it, then send it again or discard it.`;
    await this.#fail(row, statusName(code), reason, blockNumber);
  }

  async #failure(row: OutboxRow, failure: GatewayFailure): Promise<void> {
    if (failure.kind === 'unreachable') {
      // Nothing was decided: the row stays as persisted and goes again when we are back online.
      this.#o.connection.reportUnreachable(failure.message);
      this.#o.onChange?.();
      return;
    }
    this.#o.connection.reportSuccess();
    await this.#fail(row, failure.code, failure.message, null);
  }

  async #fail(row: OutboxRow, code: string, reason: string, blockNumber: number | null): Promise<void> {
    await this.#record(row, { kind: 'failed', code, reason, blockNumber, at: this.#now().toISOString() });
    this.#o.onChange?.();
  }

  /** Records how a write ended, here or on the thread whose settlement handler needs to see it. */
  async #record(row: OutboxRow, outcome: Outcome): Promise<void> {
    const elsewhere = this.#o.recordElsewhere?.(row.operation);
    if (elsewhere) {
      await elsewhere(row, outcome);
      return;
    }
    await this.#persist(row.seq, async (w) => {
      await recordOutcome(w, row, outcome, this.#o.settlement?.(row.operation));
    });
  }

  async #quarantine(row: OutboxRow, reason: string): Promise<void> {
    const at = this.#now().toISOString();
    await this.#persist(row.seq, async (w) => {
      await w.run(sql`UPDATE outbox SET state = 'quarantined', error_code = 'UNDECODABLE', error_message = ${reason}, updated_at = ${at} WHERE seq = ${row.seq}`);
    });
    this.#o.log?.(`outbox: row ${row.seq} quarantined: ${reason}`);
    this.#o.onChange?.();
  }

  /** When the worker last confirmed a commit in this process. */
  get lastDrainAt(): string | null {
    return this.#lastDrainAt;
  }
}
