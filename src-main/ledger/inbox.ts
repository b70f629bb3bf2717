/**
 * The inbox: chaincode events from the ledger into the cache's mirror tables.
 *
 * Events are read from a checkpoint (block number + transaction id of the last event applied)
 * that is written in the SAME cache transaction as the changes the events cause, so a crash
 * or a dropped stream never leaves a change applied without its checkpoint, or the reverse.
 * On start (and after every reconnect) the stream resumes from the checkpoint. Fabric gives
 * a transaction at most one chaincode event, so `inbox_event` keyed by transaction id is a
 * second guard: an event seen again is skipped, never applied twice.
 *
 * Events that arrive together are applied in one transaction (batch), which is what keeps a
 * replay of a long history fast.
 *
 * Events of the hospitals-only contracts carry ids and hashes only (docs/privacy-layout.md):
 * an applier that needs the record declares `resolve`, which reads it by evaluation on this
 * organisation's own peer before the batch's transaction; `apply` then finds it in `detail`.
 */
import type { ChaincodeEvent, Checkpoint, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import type { CacheDatabase, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { Backoff } from './backoff';
import type { LedgerConnection, LedgerSigner } from './connection';
import { classifyGatewayError } from './gateway-errors';

/** One decoded chaincode event as an applier sees it. */
export interface LedgerEvent {
  name: string;
  /** Parsed JSON payload, or the raw text when it is not JSON. */
  payload: unknown;
  blockNumber: number;
  txId: string;
  /** What this applier's `resolve` read for the event (undefined without one, or when the ledger refused the read). */
  detail?: unknown;
}

/** Read-only ledger calls for `resolve`, signed by the inbox's identity and run on this organisation's peer. */
export interface LedgerReader {
  /** `transaction` is 'Contract:function'; returns the parsed JSON result. */
  evaluate(transaction: string, ...args: string[]): Promise<unknown>;
}

export interface ApplyContext {
  /** This workstation's organisation. */
  mspId: string;
  /** ISO time of this batch. */
  now: string;
}

/** Turns events into mirror rows. Must be idempotent (upserts): a replay applies it again to the same rows. */
export interface EventApplier {
  /** The mirror this applier keeps (its freshness is updated with each batch). */
  mirror: string;
  /** Event names handled, e.g. 'Consent.Granted'. */
  events: readonly string[];
  apply(w: WriteHandle, event: LedgerEvent, context: ApplyContext): Promise<void>;
  /**
   * Reads what the event only names (e.g. the encounter behind an id), outside the cache
   * transaction. Return undefined to skip the event. A read the chaincode refuses counts as
   * undefined (logged); an unreachable gateway fails the batch, which is read again later.
   */
  resolve?(event: LedgerEvent, context: ApplyContext, ledger: LedgerReader): Promise<unknown>;
}

export interface InboxOptions {
  db: CacheDatabase;
  connection: LedgerConnection;
  /** Who signs the event-stream request (any identity of this org); null = wait. */
  signer: () => LedgerSigner | null;
  appliers: readonly EventApplier[];
  /** Checkpoint name; default `<channel>/<chaincode>`. */
  stream?: string;
  /** Largest batch applied in one transaction (default 1000). */
  maxBatch?: number;
  /** While the stream is open and quiet, how often the mirrors' freshness is confirmed (default 15 s). */
  heartbeatMs?: number;
  now?: () => Date;
  onApplied?: (count: number) => void;
  log?: (line: string) => void;
}

interface CheckpointRow {
  block_number: number;
  tx_id: string | null;
}

function decode(payload: Uint8Array): unknown {
  const text = Buffer.from(payload).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class Inbox {
  readonly #o: InboxOptions;
  readonly #stream: string;
  readonly #byName = new Map<string, EventApplier[]>();
  readonly #backoff = new Backoff({ initialMs: 250, maxMs: 10_000 });
  #running = false;
  #events: CloseableAsyncIterable<ChaincodeEvent> | null = null;
  #buffer: ChaincodeEvent[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #flushScheduled = false;
  #loopDone: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #wake: (() => void) | null = null;
  #lastEventAt = 0;
  #applied = 0;
  #connected = false;
  #signer: LedgerSigner | null = null;

  constructor(options: InboxOptions) {
    this.#o = options;
    this.#stream = options.stream ?? `${options.connection.settings.channel}/${options.connection.settings.chaincode}`;
    for (const a of options.appliers) {
      for (const name of a.events) this.#byName.set(name, [...(this.#byName.get(name) ?? []), a]);
    }
  }

  /** Events applied by this process so far. */
  get applied(): number {
    return this.#applied;
  }

  get connected(): boolean {
    return this.#connected;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loopDone = this.#loop();
  }

  /** Try now (a signer signed in, the connection came back). */
  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#events?.close();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.wake();
    await this.#loopDone;
    await this.#flushing;
  }

  async checkpoint(): Promise<{ blockNumber: number; txId: string | null } | undefined> {
    const row = await this.#o.db.read((r) => r.get<CheckpointRow>(sql`SELECT block_number, tx_id FROM inbox_checkpoint WHERE stream = ${this.#stream}`));
    return row ? { blockNumber: row.block_number, txId: row.tx_id } : undefined;
  }

  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
      this.#timer.unref();
    }).then(() => {
      if (this.#timer) clearTimeout(this.#timer);
    });
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const signer = this.#o.signer();
      if (!signer) {
        await this.#pause(60_000);
        continue;
      }
      try {
        await this.#readStream(signer);
        // The stream ended without an error: the peer went away (restart). Reconnect.
        if (this.#running) await this.#pause(this.#backoff.next());
      } catch (err) {
        this.#connected = false;
        if (!this.#running) break;
        const failure = classifyGatewayError(err, 'events');
        if (failure.kind === 'unreachable') this.#o.connection.reportUnreachable(failure.message);
        else this.#o.log?.(`inbox: ${failure.message}`);
        await this.#pause(this.#backoff.next());
      }
    }
  }

  async #readStream(signer: LedgerSigner): Promise<void> {
    // Everything buffered must be applied (and checkpointed) before we ask where to resume.
    await this.#flushNow();
    const saved = await this.checkpoint();
    const { connection } = this.#o;
    const gateway = connection.gateway(signer);
    this.#signer = signer;
    const network = gateway.getNetwork(connection.settings.channel);
    const checkpoint: Checkpoint | undefined = saved
      ? { getBlockNumber: () => BigInt(saved.blockNumber), getTransactionId: () => saved.txId ?? undefined }
      : undefined;
    const request = network.newChaincodeEventsRequest(connection.settings.chaincode, checkpoint ? { checkpoint } : { startBlock: 0n });
    const signed = gateway.newSignedChaincodeEventsRequest(request.getBytes(), await signer.sign(request.getDigest()));
    const events = await signed.getEvents();
    this.#events = events;
    this.#connected = true;
    this.#startHeartbeat();
    try {
      for await (const event of events) {
        this.#backoff.reset();
        this.#lastEventAt = Date.now();
        this.#buffer.push(event);
        if (this.#buffer.length >= (this.#o.maxBatch ?? 1000)) await this.#flushNow();
        else this.#scheduleFlush();
      }
    } finally {
      this.#connected = false;
      if (this.#heartbeat) clearInterval(this.#heartbeat);
      this.#events = null;
      events.close();
      await this.#flushNow();
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const every = this.#o.heartbeatMs ?? 15_000;
    const beat = (): void => {
      // Quiet and connected: nothing is waiting, so the mirrors match the ledger as of now.
      if (!this.#connected || this.#buffer.length > 0 || Date.now() - this.#lastEventAt < 500) return;
      void this.#markFresh().catch(() => undefined);
    };
    this.#heartbeat = setInterval(beat, every);
    this.#heartbeat.unref();
    setTimeout(beat, 1_000).unref();
  }

  async #markFresh(): Promise<void> {
    const at = this.#now().toISOString();
    const mirrors = [...new Set(this.#o.appliers.map((a) => a.mirror))];
    await this.#o.db.write(async (w) => {
      for (const m of mirrors) {
        await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES (${m}, NULL, ${at})
                        ON CONFLICT (mirror) DO UPDATE SET as_of = excluded.as_of`);
      }
    });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Let the events already received in this turn join the batch.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flushNow().catch((err: unknown) => this.#o.log?.(`inbox: ${(err as Error).message}`));
    });
  }

  #flushNow(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#apply(), () => this.#apply());
    return this.#flushing;
  }

  async #apply(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer.splice(0, this.#buffer.length);
    const last = batch[batch.length - 1];
    if (!last) return;
    const now = this.#now().toISOString();
    const context: ApplyContext = { mspId: this.#o.connection.settings.mspId, now };
    let applied = 0;
    try {
      const details = await this.#resolve(batch, context);
      await this.#o.db.write(async (w) => {
        const touched = new Map<string, number>();
        for (const event of batch) {
          const blockNumber = Number(event.blockNumber);
          const fresh = await w.run(sql`INSERT OR IGNORE INTO inbox_event (tx_id, block_number, event_name, applied_at)
                                        VALUES (${event.transactionId}, ${blockNumber}, ${event.eventName}, ${now})`);
          if (fresh.changes === 0) continue; // seen before: a replay; already applied
          applied++;
          const decoded: LedgerEvent = { name: event.eventName, payload: decode(event.payload), blockNumber, txId: event.transactionId };
          for (const applier of this.#byName.get(event.eventName) ?? []) {
            // A malformed event must not stall the stream behind it: its changes are undone
            // (savepoint), it is logged, and the rest of the batch goes on.
            const resolved = details.get(`${applier.mirror}\u0000${event.transactionId}`);
            // Nothing read for it (not this organisation's, or refused): nothing to apply.
            if (applier.resolve && resolved === undefined) continue;
            await w.run(sql`SAVEPOINT inbox_apply`);
            try {
              await applier.apply(w, applier.resolve ? { ...decoded, detail: resolved } : decoded, context);
              await w.run(sql`RELEASE inbox_apply`);
              touched.set(applier.mirror, blockNumber);
            } catch (err) {
              await w.run(sql`ROLLBACK TO inbox_apply`);
              await w.run(sql`RELEASE inbox_apply`);
              this.#o.log?.(`inbox: ${event.eventName} in tx ${event.transactionId} not applied to ${applier.mirror}: ${(err as Error).message}`);
            }
          }
        }
        const through = Number(last.blockNumber);
        for (const [mirror, block] of touched) {
          await w.run(sql`INSERT INTO mirror_freshness (mirror, through_block, as_of) VALUES (${mirror}, ${block}, ${now})
                          ON CONFLICT (mirror) DO UPDATE SET through_block = excluded.through_block, as_of = excluded.as_of`);
        }
        await w.run(sql`INSERT INTO inbox_checkpoint (stream, block_number, tx_id, updated_at) VALUES (${this.#stream}, ${through}, ${last.transactionId}, ${now})
                        ON CONFLICT (stream) DO UPDATE SET block_number = excluded.block_number, tx_id = excluded.tx_id, updated_at = excluded.updated_at`);
        await w.run(sql`INSERT INTO sync_meta (key, value) VALUES ('lastSyncAt', ${now}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
      });
    } catch (err) {
      // Not applied, not checkpointed: close the stream so it resumes from the checkpoint
      // and the same events come again.
      this.#o.log?.(`inbox: could not apply ${batch.length} event(s): ${(err as Error).message}`);
      this.#events?.close();
      return;
    }
    this.#applied += applied;
    this.#o.onApplied?.(applied);
  }

  /** Runs the appliers' `resolve` reads for a batch: mirror + tx id -> detail. */
  async #resolve(batch: readonly ChaincodeEvent[], context: ApplyContext): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const signer = this.#signer;
    for (const event of batch) {
      for (const applier of this.#byName.get(event.eventName) ?? []) {
        if (!applier.resolve || !signer) continue;
        const decoded: LedgerEvent = { name: event.eventName, payload: decode(event.payload), blockNumber: Number(event.blockNumber), txId: event.transactionId };
        try {
          out.set(`${applier.mirror}\u0000${event.transactionId}`, await applier.resolve(decoded, context, this.#reader(signer)));
        } catch (err) {
          const failure = classifyGatewayError(err, 'endorse');
          if (failure.kind === 'unreachable') throw err;
          this.#o.log?.(`inbox: ${event.eventName} in tx ${event.transactionId} not resolved for ${applier.mirror}: ${failure.message}`);
        }
      }
    }
    return out;
  }

  #reader(signer: LedgerSigner): LedgerReader {
    const { connection } = this.#o;
    return {
      async evaluate(transaction: string, ...args: string[]): Promise<unknown> {
        const gateway = connection.gateway(signer);
        const contract = gateway.getNetwork(connection.settings.channel).getContract(connection.settings.chaincode);
        const unsigned = contract.newProposal(transaction, { arguments: args });
        const proposal = gateway.newSignedProposal(unsigned.getBytes(), await signer.sign(unsigned.getDigest()));
        return decode(await proposal.evaluate());
      },
    };
  }
}
