/**
 * The sync engine as the rest of the workstation sees it: one service that owns the ledger
 * connection, the outbox worker and the inbox, gives domain code one way to make a local
 * change together with its ledger write, and tells the status bar and the sync screen what is
 * going on (pushed as `sync` events, throttled while a backlog drains).
 *
 * It starts when the cache opens and a ledger is configured; without a configuration the
 * state says `not-configured` and writes still queue (they go out once a ledger is set up).
 *
 * `offThread`: the outbox drain runs on the sync thread (sync-thread.ts: its own cache
 * connection and gRPC channel), so a backlog never runs on the thread that answers the UI.
 * With appliers given by name (workstation-appliers.ts) the event inbox runs there too: the
 * replay of a drained backlog's events is as much work as the drain. What stays here is cheap:
 * queuing writes in the domain's transaction, the status queries, and recording the outcomes
 * whose settlement handler is registered here. Without it (tools and tests that inject
 * closures: hooks, fixed signers, appliers as functions) the worker and the inbox run inline.
 */
import type { KeyObject } from 'node:crypto';
import type { DateTimePreferences } from '../../src-shared/datetime';
import type { SyncState, SyncWaitingWrite } from '../../src-shared/ipc/contract';
import type { CacheDatabase, WriteHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';
import { LedgerConnection, signerFromKey, type LedgerIdentityRef, type LedgerSigner } from '../ledger/connection';
import type { ConnectionSettings } from '../ledger/connection-file';
import { Inbox, type EventApplier } from '../ledger/inbox';
import { channelMspOf, compareWithChannel, fetchChannelConfig, type ChannelMspCheck } from '../ledger/channel-msp';
import { discardWrite, listProblems, queueLedgerWrite, recordOutcome, retryWrite, statusCounts, type LedgerWrite, type OutboxProblem } from '../ledger/outbox';
import { OutboxWorker, type SettlementHandler, type WorkerHooks } from '../ledger/outbox-worker';
import { BatchWriter } from '../ledger/batch-writer';
import { SyncThread } from './sync-thread-host';
import { fixedSignerOf } from './ledger-settings';
import type { OrganisationCa } from '../session/organisation-ca';
import { notConfiguredSyncState } from './sync-state';
import { listWaiting } from './waiting';
import { workstationDates } from '../settings/date-time-settings';
import { APPLIER_SETS, type ApplierSetName } from './workstation-appliers';

/** The signed-in person, as the session service hands it over. */
export interface SigningSession {
  signingIdentity(): { summary: { id: string; mspId: string; displayName: string }; certificatePem: string; privateKey: KeyObject } | null;
}

export interface SyncServiceOptions {
  /** null: no ledger configured; a function: resolved when the cache opens (reads files). */
  settings: ConnectionSettings | null | (() => Promise<ConnectionSettings | null>);
  session?: SigningSession;
  /** Extra signers (a connection file's fixed identity; tools and tests). */
  fixedSigners?: readonly LedgerSigner[];
  /**
   * The event appliers: a set's name (workstation-appliers.ts; default 'careledger'), which the
   * sync thread can run too, or functions, which run on this thread.
   */
  appliers?: readonly EventApplier[] | ApplierSetName;
  publish?: (state: SyncState) => void;
  window?: number;
  hooks?: WorkerHooks;
  /** Minimum time between two pushed `sync` events (default 250 ms). */
  pushIntervalMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
  /**
   * The organisation's MSP definition as configured (whose staff may enrol), cross-checked with
   * the channel configuration once online (channel-msp.ts). Default: the ledger settings'.
   */
  organisationCa?: () => Promise<OrganisationCa | null>;
  /**
   * Drain the outbox on the sync thread (the workstation does). Needs what can cross to a
   * thread: signers come from `session` and the connection file, never from `fixedSigners`;
   * fault `hooks` are inline-only. If the thread cannot start, the drain runs inline (logged).
   */
  offThread?: boolean;
}

/** A matching check older than this is repeated at the next sign-in or sign-out (new CRLs). */
const CHANNEL_MSP_RECHECK_MS = 5 * 60_000;

/** The queue shrinking from a large backlog, for the progress bar. */
export interface DrainProgress {
  total: number;
  remaining: number;
}

/** Backlogs at least this big get a progress bar. */
const PROGRESS_THRESHOLD = 20;

export class SyncService {
  readonly #o: SyncServiceOptions;
  readonly #settlements = new Map<string, SettlementHandler>();
  readonly #sessionSigners = new Map<string, LedgerSigner>();
  #db: CacheDatabase | null = null;
  #connection: LedgerConnection | null = null;
  #worker: OutboxWorker | null = null;
  #inbox: Inbox | null = null;
  #drain: DrainProgress | null = null;
  #pushTimer: NodeJS.Timeout | null = null;
  #lastPush = 0;
  #fixed: LedgerSigner[] = [];
  #stateInFlight: Promise<SyncState & { backlog: DrainProgress | null }> | null = null;
  #stateCache: { at: number; value: SyncState & { backlog: DrainProgress | null } } | null = null;
  #settings: ConnectionSettings | null = null;
  #channelMsp: ChannelMspCheck = { status: 'unchecked' };
  #channelMspInFlight: Promise<ChannelMspCheck> | null = null;
  #thread: SyncThread | null = null;
  /** Whether the sync thread runs the inbox (else `#inbox` runs here). */
  #inboxOnThread = false;

  /** @throws TypeError when `offThread` is combined with what cannot cross to a thread. */
  constructor(options: SyncServiceOptions) {
    if (options.offThread && (options.hooks || options.fixedSigners?.length)) {
      throw new TypeError('SyncService: offThread cannot take fault hooks or fixedSigners (closures stay on this thread); sign through `session` or the connection file.');
    }
    this.#o = options;
  }

  /** Whether the drain runs on the sync thread now. */
  get offThread(): boolean {
    return this.#thread !== null;
  }

  /** Resolves the next time the outbox sender finds nothing it can send and nothing in flight. */
  async whenIdle(): Promise<void> {
    if (this.#thread) await this.#thread.whenIdle();
    else await this.#worker?.whenIdle();
  }

  /** Tells the sender (inline worker or sync thread) to look at the queue again. */
  #wakeSender(): void {
    this.#worker?.wake();
    this.#thread?.wake();
  }

  /** The signed-in person's key, for the sync thread (a KeyObject crosses threads without being exported). */
  #sendSigners(): void {
    const thread = this.#thread;
    if (!thread) return;
    const s = this.#o.session?.signingIdentity();
    thread.setSigners(s ? [{ identityId: s.summary.id, mspId: s.summary.mspId, certificatePem: s.certificatePem, privateKey: s.privateKey }] : []);
  }

  /** The appliers as functions (for an inbox on this thread). */
  #appliers(): readonly EventApplier[] {
    const a = this.#o.appliers ?? 'careledger';
    return typeof a === 'string' ? APPLIER_SETS[a] : a;
  }

  #startInlineInbox(db: CacheDatabase, connection: LedgerConnection): void {
    this.#inbox = new Inbox({
      db,
      connection,
      signer: () => this.signers()[0] ?? null,
      appliers: this.#appliers(),
      onApplied: () => this.#changed(),
      ...(this.#o.log ? { log: this.#o.log } : {}),
    });
    this.#inbox.start();
  }

  /** The workstation's date style changed: the sync thread's appliers write sentences with it. */
  datePreferencesChanged(preferences: DateTimePreferences): void {
    this.#thread?.setDates(preferences);
  }

  #startThread(db: CacheDatabase, settings: ConnectionSettings, connection: LedgerConnection): boolean {
    let spec: { file: string; key: Buffer };
    try {
      spec = db.secondConnection();
    } catch (err) {
      this.#o.log?.(`sync: no second cache connection, sending inline: ${(err as Error).message}`);
      return false;
    }
    // Outcomes the thread asks this thread to record (their handlers live here), batched.
    const recorder = new BatchWriter(db);
    const appliers = this.#o.appliers ?? 'careledger';
    const inboxOnThread = typeof appliers === 'string';
    try {
      this.#thread = SyncThread.start(
        {
          file: spec.file,
          key: spec.key,
          settings,
          ...(this.#o.window !== undefined ? { window: this.#o.window } : {}),
          operations: [...this.#settlements.keys()],
          appliers: inboxOnThread ? appliers : null,
          dates: workstationDates().preferences,
        },
        {
          connection: (status, problem) => {
            // The thread's calls are the best evidence either way; the status bar follows this connection.
            if (status === 'offline') connection.reportUnreachable(problem ?? `The ledger gateway at ${settings.endpoint} cannot be reached.`);
            else if (status === 'online') connection.reportSuccess();
          },
          changed: () => {
            this.#stateCache = null;
            this.#changed();
          },
          record: (row, outcome) => recorder.write(async (w) => void (await recordOutcome(w, row, outcome, this.#settlements.get(row.operation)))),
          failed: (message) => {
            this.#o.log?.(`sync: the sync thread could not start (${message}); sending inline`);
            void this.#thread?.stop();
            this.#thread = null;
            if (this.#db === db && !this.#worker) this.#startInlineWorker(db, connection);
            if (this.#db === db && !this.#inbox) {
              this.#inboxOnThread = false;
              this.#startInlineInbox(db, connection);
            }
          },
          // Same file: the main connection refuses further use and the cache service shows the damage.
          damaged: (message) => db.reportDamage(new Error(`the sync thread met a damaged page: ${message}`)),
          ...(this.#o.log ? { log: this.#o.log } : {}),
        },
      );
    } catch (err) {
      this.#o.log?.(`sync: the sync thread could not start (${(err as Error).message}); sending inline`);
      return false;
    } finally {
      spec.key.fill(0);
    }
    this.#inboxOnThread = inboxOnThread;
    this.#sendSigners();
    return true;
  }

  #startInlineWorker(db: CacheDatabase, connection: LedgerConnection): void {
    this.#worker = new OutboxWorker({
      db,
      connection,
      signers: () => this.signers(),
      ...(this.#o.window !== undefined ? { window: this.#o.window } : {}),
      settlement: (op) => this.#settlements.get(op),
      ...(this.#o.hooks ? { hooks: this.#o.hooks } : {}),
      onChange: () => this.#changed(),
      ...(this.#o.log ? { log: this.#o.log } : {}),
    });
    this.#worker.start();
  }

  get connection(): LedgerConnection | null {
    return this.#connection;
  }

  get worker(): OutboxWorker | null {
    return this.#worker;
  }

  get inbox(): Inbox | null {
    return this.#inbox;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  /** Who can sign now: the signed-in staff member (and any fixed identity). */
  signers(): LedgerSigner[] {
    const out = [...(this.#o.fixedSigners ?? []), ...this.#fixed];
    const s = this.#o.session?.signingIdentity();
    if (s) {
      let signer = this.#sessionSigners.get(s.summary.id);
      if (!signer) {
        signer = signerFromKey({ identityId: s.summary.id, mspId: s.summary.mspId, certificatePem: s.certificatePem }, s.privateKey);
        this.#sessionSigners.set(s.summary.id, signer);
      }
      out.push(signer);
    } else {
      // Signed out or locked: forget the key-holding closures.
      this.#sessionSigners.clear();
    }
    return out;
  }

  /** Called when the cache opens. Starts the connection, the worker and the inbox when a ledger is configured. */
  async start(db: CacheDatabase): Promise<void> {
    if (this.#db) return;
    this.#db = db;
    let settings: ConnectionSettings | null;
    try {
      settings = typeof this.#o.settings === 'function' ? await this.#o.settings() : this.#o.settings;
    } catch (err) {
      this.#o.log?.(`sync: ledger settings unusable: ${(err as Error).message}`);
      settings = null;
    }
    if (!settings) {
      this.#changed();
      return;
    }
    const fixed = fixedSignerOf(settings);
    if (fixed.length > 0) this.#fixed = fixed;
    this.#settings = settings;
    const connection = new LedgerConnection(settings);
    this.#connection = connection;
    connection.onChange((status) => {
      this.#inbox?.wake();
      if (status === 'online') this.#thread?.online();
      this.#changed();
      // Each time the ledger comes (back) online: cross-check the organisation's CAs with the channel.
      if (status === 'online') void this.checkChannelMsp();
    });
    const threaded = this.#o.offThread === true && this.#startThread(db, settings, connection);
    // Not awaited: opening the cache must not wait for a ledger that may be down. Until the
    // first answer the state is `connecting`; the worker's first calls find out either way.
    void connection.start();
    if (!threaded) this.#startInlineWorker(db, connection);
    if (!this.#inboxOnThread && !this.#inbox) this.#startInlineInbox(db, connection);
    this.#changed();
  }

  /** Someone signed in or out: items waiting for their author may go now. */
  signersChanged(): void {
    const last = this.#channelMsp;
    if (this.#connection?.status() === 'online' && (last.status === 'unchecked' || this.#now().getTime() - Date.parse(last.checkedAt) > CHANNEL_MSP_RECHECK_MS)) {
      void this.checkChannelMsp();
    }
    this.#stateCache = null;
    this.#sendSigners();
    this.#wakeSender();
    this.#inbox?.wake();
    this.#changed();
  }

  /**
   * Domain code's one way to write to the ledger: `work` makes the local change and queues
   * ledger writes with `queue`; both commit in ONE cache transaction, signed as the signed-in
   * person. The worker is woken after the commit.
   * @throws DomainError NOT_SIGNED_IN when nobody is signed in; whatever `work` throws (nothing is written then).
   */
  async transact<T>(work: (w: WriteHandle, queue: (write: LedgerWrite) => Promise<number>) => Promise<T>): Promise<T> {
    const db = this.#requireDb();
    const author = this.#author();
    const result = await db.write((w) => work(w, (write) => queueLedgerWrite(w, author, write, this.#now())));
    this.#stateCache = null;
    this.#wakeSender();
    this.#changed();
    return result;
  }

  #author(): LedgerIdentityRef {
    const s = this.#o.session?.signingIdentity();
    if (s) return { identityId: s.summary.id, mspId: s.summary.mspId, certificatePem: s.certificatePem };
    const fixed = this.#o.fixedSigners?.[0] ?? this.#fixed[0];
    if (fixed) return fixed;
    throw new DomainError('NOT_SIGNED_IN', 'Sign in first: every ledger change is signed by the person who makes it.');
  }

  /** The last cross-check of the configured MSP definition with the channel's ('unchecked' before the first). */
  channelMsp(): ChannelMspCheck {
    return this.#channelMsp;
  }

  /**
   * Cross-checks the configured MSP definition with the channel configuration now (cscc
   * GetChannelConfig, signed by the connection file's identity or the signed-in staff member).
   * Without a ledger, a signer, or an answer, the last result stays (the configured CAs apply).
   */
  checkChannelMsp(): Promise<ChannelMspCheck> {
    if (this.#channelMspInFlight) return this.#channelMspInFlight;
    const run = async (): Promise<ChannelMspCheck> => {
      const connection = this.#connection;
      const signer = this.signers()[0];
      const configured = await (this.#o.organisationCa ? this.#o.organisationCa() : Promise.resolve(this.#settings?.organisationCa ?? null));
      if (!connection || !signer || !configured) return this.#channelMsp;
      try {
        const config = await fetchChannelConfig(connection, signer);
        const result = compareWithChannel(configured, channelMspOf(config, configured.mspId), this.#now());
        if (result.status === 'mismatch') this.#o.log?.(`sync: ${result.message}`);
        this.#channelMsp = result;
      } catch (err) {
        this.#o.log?.(`sync: the channel configuration could not be read: ${(err as Error).message}`);
      }
      this.#stateCache = null;
      this.#changed();
      return this.#channelMsp;
    };
    this.#channelMspInFlight = run().finally(() => {
      this.#channelMspInFlight = null;
    });
    return this.#channelMspInFlight;
  }

  /** Runs inside the cache transaction that records a write's outcome (committed, failed, discarded). */
  onSettled(operation: string, handler: SettlementHandler): void {
    this.#settlements.set(operation, handler);
    this.#thread?.setOperations([...this.#settlements.keys()]);
  }

  #requireDb(): CacheDatabase {
    if (!this.#db) throw new DomainError('CACHE_LOCKED', 'Unlock the workstation cache first.');
    return this.#db;
  }

  /**
   * The status bar's view. Calls arriving while one is being computed share its answer, and
   * an answer is reused for 200 ms: during a drain the counts query waits behind the worker's
   * writes, and the status bar, the push and the sync screen must not queue up behind it.
   */
  state(): Promise<SyncState & { backlog: DrainProgress | null }> {
    const now = Date.now();
    if (this.#stateInFlight) return this.#stateInFlight;
    if (this.#stateCache && now - this.#stateCache.at < 200) return Promise.resolve(this.#stateCache.value);
    const pending = this.#computeState().then(
      (value) => {
        this.#stateCache = { at: Date.now(), value };
        this.#stateInFlight = null;
        return value;
      },
      (err: unknown) => {
        this.#stateInFlight = null;
        throw err;
      },
    );
    this.#stateInFlight = pending;
    return pending;
  }

  async #computeState(): Promise<SyncState & { backlog: DrainProgress | null }> {
    if (!this.#db) return { ...notConfiguredSyncState(), backlog: null };
    const [counts, last] = await this.#db.read(async (r) => [
      await statusCounts(r),
      await r.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'lastSyncAt'`),
    ]);
    if (counts.pending >= PROGRESS_THRESHOLD && (!this.#drain || counts.pending > this.#drain.total)) this.#drain = { total: counts.pending, remaining: counts.pending };
    if (this.#drain) this.#drain = counts.pending === 0 ? null : { total: this.#drain.total, remaining: counts.pending };
    const c = this.#connection;
    let problem = c?.problem() ?? (this.#channelMsp.status === 'mismatch' ? this.#channelMsp.message : null);
    if (!problem && counts.pending > 0 && c?.status() === 'online' && this.signers().length === 0) {
      problem = 'Changes are waiting to be signed: sign in to send them to the ledger.';
    }
    return {
      connection: c ? c.status() : 'not-configured',
      queued: counts.pending,
      failed: counts.failed + counts.quarantined,
      lastSyncAt: last?.value ?? null,
      problem,
      backlog: this.#drain,
    };
  }

  problems(limit?: number): Promise<OutboxProblem[]> {
    return this.#requireDb().read((r) => listProblems(r, limit));
  }

  /** Writes still waiting to be sent, oldest first, described without patient data. */
  waiting(limit?: number): Promise<SyncWaitingWrite[]> {
    return this.#requireDb().read((r) => listWaiting(r, limit));
  }

  /** @throws DomainError NOT_FOUND, CONFLICT, VALIDATION (see retryWrite) */
  async retry(seq: number, correction?: Pick<LedgerWrite, 'transaction' | 'args' | 'transient'>): Promise<void> {
    await this.#requireDb().write((w) => retryWrite(w, seq, this.#now(), correction));
    this.#stateCache = null;
    this.#wakeSender();
    this.#changed();
  }

  /** @throws DomainError NOT_FOUND, CONFLICT */
  async discard(seq: number): Promise<void> {
    await this.#requireDb().write(async (w) => {
      const row = await discardWrite(w, seq, this.#now());
      await this.#settlements.get(row.operation)?.(w, { kind: 'discarded', row });
    });
    this.#stateCache = null;
    this.#wakeSender();
    this.#changed();
  }

  /** Pushes the state, at most every `pushIntervalMs` (a drain changes it hundreds of times a second). */
  #changed(): void {
    const publish = this.#o.publish;
    if (!publish || this.#pushTimer) return;
    const interval = this.#o.pushIntervalMs ?? 250;
    const wait = Math.max(0, this.#lastPush + interval - Date.now());
    this.#pushTimer = setTimeout(() => {
      this.#pushTimer = null;
      this.#lastPush = Date.now();
      this.state()
        .then((s) => publish(s))
        .catch(() => undefined);
    }, wait);
    this.#pushTimer.unref();
  }

  async close(): Promise<void> {
    if (this.#pushTimer) clearTimeout(this.#pushTimer);
    this.#pushTimer = null;
    await this.#worker?.stop();
    // The thread may still ask for outcomes to be recorded while it stops; the recorder answers.
    await this.#thread?.stop();
    await this.#inbox?.stop();
    this.#connection?.close();
    this.#worker = null;
    this.#thread = null;
    this.#inbox = null;
    this.#inboxOnThread = false;
    this.#connection = null;
    this.#db = null;
  }
}
