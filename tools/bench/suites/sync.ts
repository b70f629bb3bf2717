/**
 * The sync engine on a devnet in its own process (the devnet's default block settings; the
 * in-process asset double of tests/integration/sync/ledger-double.ts instead of the chaincode
 * container, whose own speed is the devnet suite's business):
 * - drain rate of a 5,000-write backlog queued offline (1,000 keys x 5 writes, in order per
 *   key), in committed transactions per second, and the main thread's event-loop delay
 *   meanwhile (what the UI would feel);
 * - event application rate: a fresh cache replaying the ledger's chaincode events from block 0;
 * - added latency: one write through the workstation (cache transaction + outbox + worker,
 *   until the commit is recorded) against the raw gateway client's submit-and-wait, sequential.
 * For scale: the raw gateway client's committed tx/s on the same devnet with 128 concurrent
 * submitters. `BENCH_SYNC_KEYS` scales the backlog (default 1000 keys = 5,000 writes; 2000 =
 * the 10,000-write drain of the issue).
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { LedgerConnection, signerFromKey, type LedgerSigner } from '../../../src-main/ledger/connection';
import { settingsFromDevnetBundle, type ConnectionSettings } from '../../../src-main/ledger/connection-file';
import { Inbox, type EventApplier } from '../../../src-main/ledger/inbox';
import { countOutbox, queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { OutboxWorker } from '../../../src-main/ledger/outbox-worker';
import { SyncService } from '../../../src-main/sync/sync-service';
import { startChildDevnet } from '../../../tests/integration/sync/support';
import { type BenchRow, type BenchSuite, percentile } from '../types';

const WRITES_PER_KEY = 5;
const LATENCY_SAMPLES = 40;

async function openCache(file: string): Promise<CacheDatabase> {
  const key = randomBytes(32);
  const db = await CacheDatabase.open(file, key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  await migrate(db);
  return db;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const suite: BenchSuite = async (ctx) => {
  const keys = Number(process.env.BENCH_SYNC_KEYS ?? 1000);
  const backlog = keys * WRITES_PER_KEY;
  const devnet = await startChildDevnet(path.join(ctx.workDir, 'devnet'));
  const rows: BenchRow[] = [];
  const who = devnet.bundle.identities.find((i) => i.name === 'hospital-a-admissions');
  if (!who) throw new Error('bench: no hospital-a-admissions in the bundle');
  const signer: LedgerSigner = signerFromKey({ identityId: who.name, mspId: who.mspId, certificatePem: who.certificatePem }, who.privateKeyPem);
  // Generous deadlines: on two shared cores a deep queue at the devnet takes a while to answer.
  const settings: ConnectionSettings = {
    ...settingsFromDevnetBundle(devnet.bundle, { mspId: who.mspId, deadlines: { endorseMs: 120_000, submitMs: 120_000, commitStatusMs: 300_000 } }),
    chaincode: 'asset',
  };
  const connection = new LedgerConnection(settings);
  await connection.start();
  try {
    // 0. What the devnet takes from the raw client, for scale.
    const gateway = connection.gateway(signer);
    const rawContract = gateway.getNetwork(settings.channel).getContract('asset');
    const rawWrite = async (id: string): Promise<void> => {
      const proposal = rawContract.newProposal('CreateAsset', { arguments: [id, 'ward', '1'] });
      const tx = await gateway.newSignedProposal(proposal.getBytes(), await signer.sign(proposal.getDigest())).endorse();
      const submitted = await gateway.newSignedTransaction(tx.getBytes(), await signer.sign(tx.getDigest())).submit();
      const status = await gateway.newSignedCommit(submitted.getBytes(), await signer.sign(submitted.getDigest())).getStatus();
      if (!status.successful) throw new Error('bench: raw write failed');
    };
    const rawStart = performance.now();
    for (let wave = 0; wave < 4; wave++) await Promise.all(Array.from({ length: 128 }, (_, i) => rawWrite(`scale-${wave}-${i}`)));
    rows.push({ name: 'raw gateway client, 512 writes, 128 concurrent (for scale)', value: 512 / ((performance.now() - rawStart) / 1000), unit: 'tx/s' });

    // 1. Drain a backlog queued while offline.
    const db = await openCache(path.join(ctx.workDir, `drain-${Date.now()}.db`));
    const queuedAt = Date.now();
    await db.write(async (w) => {
      for (let k = 0; k < keys; k++) {
        await queueLedgerWrite(w, signer, { operation: 'bench.create', orderKey: `k${k}`, transaction: 'CreateAsset', args: [`k${k}`, 'ward', '0'], retryOnConflict: false });
      }
      for (let u = 1; u < WRITES_PER_KEY; u++) {
        for (let k = 0; k < keys; k++) {
          await queueLedgerWrite(w, signer, { operation: 'bench.update', orderKey: `k${k}`, transaction: 'UpdateAsset', args: [`k${k}`, 'ward', String(u)], retryOnConflict: false });
        }
      }
    });
    rows.push({ name: `queue ${backlog} writes (one cache transaction)`, value: Date.now() - queuedAt, unit: 'ms' });
    // The machine's own event-loop delay with nothing running, as the baseline (shared cores).
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 3_000));
    idle.disable();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const worker = new OutboxWorker({ db, connection, signers: () => [signer] });
    const started = performance.now();
    worker.start();
    // What the status bar does during the drain: ask for the counts, and time the answer.
    const stateReads: number[] = [];
    for (;;) {
      const t = performance.now();
      const pendingNow = (await db.read((r) => countOutbox(r))).pending;
      stateReads.push(performance.now() - t);
      if (pendingNow === 0) break;
      if (performance.now() - started > 600_000) throw new Error('bench: the drain timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    lag.disable();
    await worker.stop();
    const committed = (await db.read((r) => countOutbox(r))).committed;
    if (committed !== backlog) throw new Error(`bench: ${committed} of ${backlog} committed`);
    rows.push({ name: `drain ${backlog}-write backlog (${keys} keys x ${WRITES_PER_KEY}, in order per key)`, value: backlog / seconds, unit: 'tx/s', note: `${seconds.toFixed(1)} s` });
    rows.push({ name: 'main-thread event-loop delay during drain, p99', value: lag.percentile(99) / 1e6, unit: 'ms', note: `max ${(lag.max / 1e6).toFixed(0)} ms; idle baseline p99 ${(idle.percentile(99) / 1e6).toFixed(0)} ms` });
    rows.push({ name: 'status-bar query (outbox counts) during drain, p95', value: percentile(stateReads, 95), unit: 'ms', note: `${stateReads.length} samples, max ${Math.max(...stateReads).toFixed(0)} ms` });
    await db.close();

    // 2. Replay every chaincode event into a fresh cache.
    const replayDb = await openCache(path.join(ctx.workDir, `replay-${Date.now()}.db`));
    await replayDb.write((w) => w.run(sql`CREATE TABLE bench_asset (id TEXT PRIMARY KEY, value INTEGER NOT NULL)`).then(() => undefined));
    const applier: EventApplier = {
      mirror: 'bench-assets',
      events: ['AssetCreated'],
      async apply(w, event) {
        const a = event.payload as { id: string; value: number };
        await w.run(sql`INSERT INTO bench_asset (id, value) VALUES (${a.id}, ${a.value}) ON CONFLICT (id) DO UPDATE SET value = excluded.value`);
      },
    };
    const inbox = new Inbox({ db: replayDb, connection, signer: () => signer, appliers: [applier] });
    const replayStart = performance.now();
    inbox.start();
    const events = keys + 512;
    await until(async () => (await replayDb.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM inbox_event`)))?.n === events, 300_000);
    const replaySeconds = (performance.now() - replayStart) / 1000;
    await inbox.stop();
    rows.push({ name: `apply ${events} chaincode events from block 0 (replay)`, value: events / replaySeconds, unit: 'events/s', note: `${replaySeconds.toFixed(2)} s incl. stream set-up` });
    await replayDb.close();

    // 3. Added latency of one write, sequentially: raw gateway vs the workstation.
    const raw: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t = performance.now();
      await rawWrite(`raw-${i}`);
      raw.push(performance.now() - t);
    }
    const wsDb = await openCache(path.join(ctx.workDir, `latency-${Date.now()}.db`));
    const sync = new SyncService({ settings, fixedSigners: [signer], appliers: [] });
    let settled: (() => void) | null = null;
    sync.onSettled('bench.latency', () => {
      // Runs inside the transaction that records the commit; resolve once it has committed.
      const done = settled;
      setImmediate(() => done?.());
      return Promise.resolve();
    });
    await sync.start(wsDb);
    await until(() => Promise.resolve(sync.connection?.status() === 'online'), 10_000);
    const ws: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t = performance.now();
      const committedNow = new Promise<void>((resolve) => (settled = resolve));
      await sync.transact((_w, queue) => queue({ operation: 'bench.latency', orderKey: `ws-${i}`, transaction: 'CreateAsset', args: [`ws-${i}`, 'ward', '1'], retryOnConflict: false }));
      await committedNow;
      ws.push(performance.now() - t);
    }
    await sync.close();
    await wsDb.close();
    const rawMedian = percentile(raw, 50);
    const wsMedian = percentile(ws, 50);
    rows.push({ name: 'one write, raw gateway client (endorse+submit+commit), median', value: rawMedian, unit: 'ms', note: `p95 ${percentile(raw, 95).toFixed(0)} ms` });
    rows.push({ name: 'one write through the workstation outbox, median', value: wsMedian, unit: 'ms', note: `p95 ${percentile(ws, 95).toFixed(0)} ms` });
    rows.push({ name: 'added latency of the workstation over the raw client, median', value: wsMedian - rawMedian, unit: 'ms' });
  } finally {
    connection.close();
    await devnet.stop();
  }
  return rows;
};

export default suite;
