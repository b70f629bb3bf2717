/**
 * The drain on the sync thread (what the workstation runs, src-main/sync/sync-thread.ts): the
 * thread has its own cache connection and gRPC channel; outcomes whose settlement handler is
 * registered on the main thread are recorded there, in one transaction with the handler.
 * Exactly once holds as inline: through a normal drain, a chaincode refusal, and a workstation
 * process killed (SIGKILL) mid-drain and restarted. A thread that cannot start leaves the drain
 * to the main thread.
 */
import { spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import type { LedgerConnection, LedgerSigner } from '../../../src-main/ledger/connection';
import { queueLedgerWrite, type LedgerWrite } from '../../../src-main/ledger/outbox';
import { SyncService, type SigningSession } from '../../../src-main/sync/sync-service';
import type { RunningDevnet } from '../../../ledger/devnet/src/index';
import { offThreadSession, recordSettlement, SETTLED_TABLE } from './off-thread-support';
import { evaluateSigned, freePort, openSyncLedger, openTestCache, removeDir, settingsFor, startAssetDevnet, tempDir, waitFor, type SyncLedger, type TestCache } from './support';

const CHILD = fileURLToPath(new URL('./off-thread-child.ts', import.meta.url));
const UPDATES = 2;

let ledger: SyncLedger<RunningDevnet>;
let devnet: RunningDevnet;
let signer: LedgerSigner;
let connection: LedgerConnection;

beforeAll(async () => {
  ledger = await openSyncLedger('off-thread', async (devnetDir) => startAssetDevnet(devnetDir, await freePort()));
  ({ devnet, signer, connection } = ledger);
});

afterAll(() => ledger.close());

function clerk(): SigningSession {
  const who = devnet.bundle.identities.find((i) => i.name === 'hospital-a-admissions');
  if (!who) throw new Error('no admissions identity');
  return offThreadSession(who, createPrivateKey(who.privateKeyPem));
}

function threadedSync(): SyncService {
  return new SyncService({ settings: settingsFor(devnet.bundle), offThread: true, appliers: [], session: clerk() });
}

/** Queues, per asset, a create (with a main-thread settlement handler) and UPDATES updates (without). */
async function queueAssets(cache: TestCache, sync: SyncService | null, prefix: string, count: number): Promise<void> {
  const writes = async (queue: (write: LedgerWrite) => Promise<number>): Promise<void> => {
    for (let i = 0; i < count; i++) await queue({ operation: 'asset.create', orderKey: `${prefix}-${i}`, transaction: 'CreateAsset', args: [`${prefix}-${i}`, 'ward-5', '0'], retryOnConflict: false });
    for (let u = 1; u <= UPDATES; u++) {
      for (let i = 0; i < count; i++) await queue({ operation: 'asset.update', orderKey: `${prefix}-${i}`, transaction: 'UpdateAsset', args: [`${prefix}-${i}`, 'ward-5', String(u)], retryOnConflict: false });
    }
  };
  if (sync) await sync.transact((_w, queue) => writes(queue));
  else {
    await cache.db.write((w) => writes((write) => queueLedgerWrite(w, { identityId: 'clerk', mspId: signer.mspId, certificatePem: signer.certificatePem }, write)));
  }
}

/** Every asset's history on the ledger: one commit per queued write, in order, none twice. */
async function expectEachWriteOnceOnTheLedger(prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const history = JSON.parse(await evaluateSigned(connection, signer, 'GetAssetHistory', `${prefix}-${i}`)) as Array<{ txId: string; value: string }>;
    expect(history.map((h) => (JSON.parse(h.value) as { value: number }).value)).toEqual([UPDATES, ...Array.from({ length: UPDATES }, (_, k) => UPDATES - 1 - k)]);
    expect(new Set(history.map((h) => h.txId)).size).toBe(history.length);
  }
}

it('drains on the sync thread: each write once on the ledger, main-thread handlers run once in the recording transaction', async () => {
  const dir = tempDir('off-thread-drain');
  const cache = await openTestCache(dir);
  await cache.db.write((w) => w.run(SETTLED_TABLE).then(() => undefined));
  const sync = threadedSync();
  sync.onSettled('asset.create', recordSettlement);
  sync.onSettled('asset.refused', recordSettlement);
  await sync.start(cache.db);
  expect(sync.offThread).toBe(true);

  await queueAssets(cache, sync, 'thr', 12);
  // Refused by the chaincode (no such asset): recorded as failed on the main thread, with its handler.
  await sync.transact((_w, queue) => queue({ operation: 'asset.refused', orderKey: 'thr-missing', transaction: 'UpdateAsset', args: ['thr-missing', 'ward-5', '1'], retryOnConflict: false }));
  await waitFor(async () => (await sync.state()).queued === 0, 60_000, 'the drain on the sync thread');
  await sync.whenIdle();

  const states = await cache.db.read((r) => r.all<{ state: string; n: number }>(sql`SELECT state, count(*) AS n FROM outbox GROUP BY state ORDER BY state`));
  expect(states).toEqual([
    { state: 'committed', n: 12 * (1 + UPDATES) },
    { state: 'failed', n: 1 },
  ]);
  const settled = await cache.db.read((r) => r.all<{ kind: string; n: number }>(sql`SELECT kind, count(*) AS n FROM test_settled GROUP BY kind ORDER BY kind`));
  expect(settled).toEqual([
    { kind: 'committed', n: 12 },
    { kind: 'failed', n: 1 },
  ]);
  const state = await sync.state();
  expect(state).toMatchObject({ connection: 'online', queued: 0, failed: 1 });
  expect((await sync.problems())[0]).toMatchObject({ operation: 'asset.refused', reasonCode: 'CHAINCODE_REFUSED' });
  await expectEachWriteOnceOnTheLedger('thr', 12);

  await sync.close();
  await cache.db.close();
  await removeDir(dir);
});

it('a workstation killed mid-drain (SIGKILL) resumes on the sync thread without sending or settling anything twice', async () => {
  const dir = tempDir('off-thread-kill');
  const cache = await openTestCache(dir);
  const count = 30;
  await cache.db.write((w) => w.run(SETTLED_TABLE).then(() => undefined));
  await queueAssets(cache, null, 'kill', count);
  await cache.db.close();
  const total = count * (1 + UPDATES);

  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, SYNC_CACHE_FILE: cache.file, SYNC_CACHE_KEY: cache.key.toString('hex'), SYNC_BUNDLE_FILE: devnet.bundlePath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Kill once part of the backlog is through and part is still going out.
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const pending = [...out.matchAll(/PENDING (\d+)\n/g)].map((m) => Number(m[1]));
      if (pending.some((n) => n < total - 10 && n > 10)) resolve();
    });
    void exited.then(() => reject(new Error(`the child exited before the kill: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;

  const db = await cache.reopen();
  const cut = await db.read((r) => r.all<{ state: string }>(sql`SELECT state FROM outbox`));
  expect(cut.filter((r) => r.state === 'committed').length).toBeLessThan(total);
  const sync = threadedSync();
  sync.onSettled('asset.create', recordSettlement);
  await sync.start(db);
  await waitFor(async () => (await sync.state()).queued === 0, 90_000, 'the resumed drain');
  await sync.whenIdle();
  const states = await db.read((r) => r.all<{ state: string; n: number }>(sql`SELECT state, count(*) AS n FROM outbox GROUP BY state`));
  expect(states).toEqual([{ state: 'committed', n: total }]);
  // The handler ran once per create, across the kill: the primary key would have refused a second run.
  expect(await db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_settled WHERE kind = 'committed'`))).toEqual({ n: count });
  await expectEachWriteOnceOnTheLedger('kill', count);
  await sync.close();
  await db.close();
  await removeDir(dir);
});

it('when the sync thread cannot open its own connection, the drain runs inline and nothing is lost', async () => {
  const dir = tempDir('off-thread-fallback');
  const cache = await openTestCache(dir);
  const logged: string[] = [];
  const sync = new SyncService({ settings: settingsFor(devnet.bundle), offThread: true, appliers: [], session: clerk(), log: (line) => logged.push(line) });
  // The thread opens the cache file by name; this connection keeps working on its open handle.
  rmSync(cache.file);
  await sync.start(cache.db);
  await queueAssets(cache, sync, 'fallback', 3);
  await waitFor(async () => (await sync.state()).queued === 0, 60_000, 'the inline drain after the thread failed');
  expect(sync.offThread).toBe(false);
  expect(logged.some((line) => /sync thread could not start.*sending inline/.test(line))).toBe(true);
  expect(await cache.db.read((r) => r.all(sql`SELECT state, count(*) AS n FROM outbox GROUP BY state`))).toEqual([{ state: 'committed', n: 3 * (1 + UPDATES) }]);
  await expectEachWriteOnceOnTheLedger('fallback', 3);
  await sync.close();
  await cache.db.close();
  await removeDir(dir);
});
