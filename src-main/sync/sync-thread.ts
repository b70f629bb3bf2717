/**
 * The sync thread (a worker_thread): drains the outbox off the thread that answers the UI, the
 * way Signal Desktop runs its SQL in a worker. It has its own SQLCipher connection to the same
 * cache file (WAL: one writer at a time, readers never wait) and its own gRPC channel to the
 * gateway, and runs the same OutboxWorker as the inline mode, so every guarantee of
 * outbox-worker.ts holds unchanged: each step's bytes persisted before the next network call,
 * resumed with the same transaction id after a crash.
 *
 * Outcomes of operations whose settlement handler is registered on the main thread are
 * recorded there (one transaction with the handler: `recordOutcome`); everything else is
 * recorded here.
 *
 * The event inbox runs here too when the main thread names its appliers
 * (workstation-appliers.ts): replaying the events of a drained backlog (stream decoding, the
 * appliers, one cache transaction per batch) is as much work as the drain itself. Started by
 * sync-thread-host.ts; messages in sync-thread-protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CacheDatabase, keyCheckValue } from '../cache/database';
import { LedgerConnection, signerFromKey, type LedgerSigner } from '../ledger/connection';
import { Inbox } from '../ledger/inbox';
import type { Outcome, OutboxRow } from '../ledger/outbox';
import { OutboxWorker } from '../ledger/outbox-worker';
import { setWorkstationDates } from '../settings/date-time-settings';
import { fixedSignerOf } from './ledger-settings';
import { APPLIER_SETS } from './workstation-appliers';
import type { FromSyncThread, SyncThreadStart, ToSyncThread } from './sync-thread-protocol';

const port = parentPort;
if (!port) throw new Error('sync-thread.ts runs as a worker thread only');
const start = workerData as SyncThreadStart;

function post(message: FromSyncThread): void {
  port?.postMessage(message);
}

const log = (line: string): void => post({ type: 'log', line });
let sessionSigners: LedgerSigner[] = [];
const fixed = fixedSignerOf(start.settings);
let operations = new Set(start.operations);
const records = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
let nextRecord = 0;

function recordOnMain(row: OutboxRow, outcome: Outcome): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = ++nextRecord;
    records.set(id, { resolve, reject });
    post({ type: 'record', id, row, outcome });
  });
}

/**
 * Tells the main thread the counts changed, at most every 50 ms: a drain changes them hundreds of
 * times a second, and the status bar's push is throttled there anyway (250 ms).
 */
let changedTimer: NodeJS.Timeout | null = null;
function changedSoon(): void {
  if (changedTimer) return;
  changedTimer = setTimeout(() => {
    changedTimer = null;
    post({ type: 'changed' });
  }, 50);
}

async function main(): Promise<void> {
  const key = Buffer.from(start.key);
  let db: CacheDatabase;
  try {
    db = await CacheDatabase.open(start.file, key, { create: false, expectedKeyCheck: keyCheckValue(key) });
  } finally {
    key.fill(0);
    start.key.fill(0);
  }
  db.onDamaged((cause) => post({ type: 'damaged', message: cause instanceof Error ? cause.message : String(cause) }));
  // This thread's own copy of the date module: the appliers' sentences use the workstation's style.
  setWorkstationDates(start.dates);
  const connection = new LedgerConnection(start.settings);
  const signers = (): LedgerSigner[] => [...fixed, ...sessionSigners];
  const worker = new OutboxWorker({
    db,
    connection,
    signers,
    ...(start.window !== undefined ? { window: start.window } : {}),
    recordElsewhere: (operation) => (operations.has(operation) ? recordOnMain : undefined),
    onChange: changedSoon,
    log,
  });
  const inbox = start.appliers
    ? new Inbox({
        db,
        connection,
        signer: () => signers()[0] ?? null,
        appliers: APPLIER_SETS[start.appliers],
        onApplied: () => {
          changedSoon();
          // An applier may queue a ledger write (an automatic suspension): send it.
          worker.wake();
        },
        log,
      })
    : null;
  connection.onChange((status, problem) => {
    inbox?.wake();
    post({ type: 'connection', status, problem });
  });
  let stopping = false;
  port?.on('message', (message: ToSyncThread) => {
    switch (message.type) {
      case 'signers':
        sessionSigners = message.signers.map((s) => signerFromKey({ identityId: s.identityId, mspId: s.mspId, certificatePem: s.certificatePem }, s.privateKey));
        worker.wake();
        inbox?.wake();
        break;
      case 'operations':
        operations = new Set(message.operations);
        break;
      case 'wake':
        worker.wake();
        inbox?.wake();
        break;
      case 'dates':
        setWorkstationDates(message.preferences);
        break;
      case 'online':
        // The main thread's connection found the gateway again; ours may still be backing off.
        void connection.waitForReady(2_000).then((ready) => {
          if (ready) connection.reportSuccess();
          worker.wake();
          inbox?.wake();
        });
        break;
      case 'whenIdle':
        void worker.whenIdle().then(() => post({ type: 'idle', id: message.id }));
        break;
      case 'recorded': {
        const waiting = records.get(message.id);
        records.delete(message.id);
        if (message.error === null) waiting?.resolve();
        else waiting?.reject(new Error(message.error));
        break;
      }
      case 'stop':
        if (stopping) break;
        stopping = true;
        void (async () => {
          await Promise.all([worker.stop(), inbox?.stop()]);
          if (changedTimer) clearTimeout(changedTimer);
          post({ type: 'changed' });
          connection.close();
          await db.close();
          post({ type: 'stopped' });
          port?.close();
        })().catch((err: unknown) => {
          log(`sync thread: stopping: ${(err as Error).message}`);
          post({ type: 'stopped' });
          port?.close();
        });
        break;
    }
  });
  void connection.start();
  worker.start();
  inbox?.start();
  post({ type: 'ready' });
}

main().catch((err: unknown) => {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
});
