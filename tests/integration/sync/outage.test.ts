/**
 * Outages against a real devnet: the ledger down when the workstation starts, restarted in the
 * middle of a drain, restarted in the middle of an event stream. Nothing is lost, nothing is
 * applied twice; each test checks the ledger and the cache at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteHandle } from '../../../src-main/cache/database';
import { sql } from '../../../src-main/cache/sql';
import { LedgerConnection, type LedgerSigner } from '../../../src-main/ledger/connection';
import type { ConnectionSettings } from '../../../src-main/ledger/connection-file';
import { Inbox, type EventApplier } from '../../../src-main/ledger/inbox';
import { countOutbox, queueLedgerWrite, type LedgerWrite, type OutboxRow } from '../../../src-main/ledger/outbox';
import { SyncService } from '../../../src-main/sync/sync-service';
import type { RunningDevnet } from '../../../ledger/devnet/src/index';
import { bundleSigner, evaluateSigned, freePort, openTestCache, removeDir, settingsFor, startAssetDevnet, tempDir, waitFor, type TestCache } from './support';

let dir: string;
let devnetDir: string;
let port: number;
let devnet: RunningDevnet | null = null;
let settings: ConnectionSettings;
let signer: LedgerSigner;
let reader: LedgerConnection;

async function devnetUp(): Promise<void> {
  devnet = await startAssetDevnet(devnetDir, port, { blockTimeoutMs: 50, blockMaxTx: 50 });
}

async function devnetDown(): Promise<void> {
  await devnet?.stop();
  devnet = null;
}

beforeAll(async () => {
  dir = tempDir('outage');
  devnetDir = `${dir}/devnet`;
  port = await freePort();
  // Start once to create the network material (certificates), then take it down.
  await devnetUp();
  if (!devnet) throw new Error('no devnet');
  settings = settingsFor(devnet.bundle, { commitStatusMs: 5_000 });
  signer = bundleSigner(devnet.bundle);
  reader = new LedgerConnection(settings);
  await devnetDown();
});

afterAll(async () => {
  reader.close();
  await devnetDown();
  await removeDir(dir);
});

/** A test applier that counts every application, so an event applied twice shows up as 2. */
const assetSeen: EventApplier = {
  mirror: 'test-assets',
  events: ['AssetCreated'],
  async apply(w: WriteHandle, event) {
    const asset = event.payload as { id: string };
    await w.run(sql`INSERT INTO test_asset_seen (id, block_number, applied) VALUES (${asset.id}, ${event.blockNumber}, 1)
                    ON CONFLICT (id) DO UPDATE SET applied = applied + 1`);
  },
};

async function cacheWithTestTables(name: string): Promise<TestCache> {
  const cache = await openTestCache(tempDir(name));
  await cache.db.write(async (w) => {
    await w.run(sql`CREATE TABLE test_asset_seen (id TEXT PRIMARY KEY, block_number INTEGER NOT NULL, applied INTEGER NOT NULL)`);
    await w.run(sql`CREATE TABLE test_ward_note (id TEXT PRIMARY KEY, text TEXT NOT NULL)`);
  });
  return cache;
}

function service(): SyncService {
  return new SyncService({ settings, fixedSigners: [signer], appliers: [assetSeen], window: 16 });
}

const create = (id: string, value: number): LedgerWrite => ({ operation: 'asset.create', orderKey: `asset:${id}`, transaction: 'CreateAsset', args: [id, 'ward-1', String(value)], retryOnConflict: false });
const update = (id: string, value: number): LedgerWrite => ({ operation: 'asset.update', orderKey: `asset:${id}`, transaction: 'UpdateAsset', args: [id, 'ward-1', String(value)], retryOnConflict: false });

async function readValue(id: string): Promise<number | null> {
  try {
    return (JSON.parse(await evaluateSigned(reader, signer, 'ReadAsset', id)) as { value: number }).value;
  } catch {
    return null;
  }
}

async function historyLength(id: string): Promise<number> {
  return (JSON.parse(await evaluateSigned(reader, signer, 'GetAssetHistory', id)) as unknown[]).length;
}

async function pending(cache: TestCache): Promise<number> {
  return (await cache.db.read((r) => countOutbox(r))).pending;
}

describe('the ledger down when the workstation starts', () => {
  it('keeps local work going offline, then drains the queue once the ledger is up', async () => {
    const cache = await cacheWithTestTables('down-at-start');
    const sync = service();
    await sync.start(cache.db);
    await waitFor(() => sync.connection?.status() === 'offline', 10_000, 'the connection to be seen offline');

    // A desk keeps working: each local change commits with its ledger write, offline.
    for (let i = 0; i < 30; i++) {
      await sync.transact(async (w, queue) => {
        await w.run(sql`INSERT INTO test_ward_note (id, text) VALUES (${`note-${i}`}, 'admitted')`);
        await queue(create(`offline-${i}`, i));
      });
    }
    const offline = await sync.state();
    expect(offline).toMatchObject({ connection: 'offline', queued: 30, failed: 0 });
    expect(offline.problem).toMatch(/cannot be reached/);

    await devnetUp();
    await waitFor(async () => (await pending(cache)) === 0, 60_000, 'the queue to drain');
    const online = await sync.state();
    expect(online).toMatchObject({ connection: 'online', queued: 0, failed: 0, problem: null });
    expect(online.lastSyncAt).not.toBeNull();

    const rows = await cache.db.read((r) => r.all<OutboxRow>(sql`SELECT * FROM outbox ORDER BY seq`));
    expect(rows.every((r) => r.state === 'committed' && r.attempts === 1)).toBe(true);
    expect(await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_ward_note`))).toEqual({ n: 30 });
    for (let i = 0; i < 30; i++) expect(await readValue(`offline-${i}`)).toBe(i);
    // The inbox saw each creation exactly once.
    await waitFor(async () => (await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen WHERE id LIKE 'offline-%'`)))?.n === 30, 20_000, 'the events');
    expect(await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen WHERE applied <> 1`))).toEqual({ n: 0 });
    await sync.close();
    await cache.db.close();
  });
});

describe('the ledger restarted in the middle of a drain and of an event stream', () => {
  it('loses nothing and applies nothing twice', async () => {
    if (!devnet) await devnetUp();
    const cache = await cacheWithTestTables('restart');
    const keys = 40;
    const updates = 6;
    await cache.db.write(async (w) => {
      for (let k = 0; k < keys; k++) await queueLedgerWrite(w, signer, create(`r-${k}`, 0));
      for (let u = 1; u <= updates; u++) for (let k = 0; k < keys; k++) await queueLedgerWrite(w, signer, update(`r-${k}`, u));
    });
    const total = keys * (updates + 1);
    const sync = service();
    await sync.start(cache.db);
    // Let part of it through, then pull the plug.
    await waitFor(async () => (await pending(cache)) < total - keys, 60_000, 'part of the drain');
    await devnetDown();
    const leftAtOutage = await pending(cache);
    expect(leftAtOutage).toBeGreaterThan(0);
    await waitFor(() => sync.connection?.status() === 'offline', 20_000, 'the outage to be noticed');
    await new Promise((r) => setTimeout(r, 500));
    await devnetUp();
    await waitFor(async () => (await pending(cache)) === 0, 120_000, 'the rest of the drain');

    const rows = await cache.db.read((r) => r.all<OutboxRow>(sql`SELECT * FROM outbox ORDER BY seq`));
    expect(rows.filter((r) => r.state !== 'committed')).toEqual([]);
    expect(new Set(rows.map((r) => r.tx_id)).size).toBe(total);
    for (let k = 0; k < keys; k++) {
      expect(await readValue(`r-${k}`)).toBe(updates);
      // One create and each update exactly once: nothing lost, nothing twice.
      expect(await historyLength(`r-${k}`)).toBe(updates + 1);
    }
    await waitFor(async () => (await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen WHERE id LIKE 'r-%'`)))?.n === keys, 30_000, 'the creation events');

    // A second outage while events keep coming: more creations after the restart reach the mirror once.
    await devnetDown();
    await devnetUp();
    await sync.transact(async (_w, queue) => {
      for (let k = 0; k < 20; k++) await queue(create(`after-${k}`, 1));
    });
    await waitFor(async () => (await pending(cache)) === 0, 60_000, 'the post-restart writes');
    await waitFor(async () => (await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen WHERE id LIKE 'after-%'`)))?.n === 20, 30_000, 'the post-restart events');
    expect(await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen WHERE applied <> 1`))).toEqual({ n: 0 });
    await sync.close();

    // A restart of the workstation replays from the checkpoint: nothing is applied again.
    const before = await cache.db.read((r) => r.all<{ id: string; applied: number }>(sql`SELECT id, applied FROM test_asset_seen ORDER BY id`));
    const checkpoint = await cache.db.read((r) => r.get<{ block_number: number; tx_id: string }>(sql`SELECT block_number, tx_id FROM inbox_checkpoint`));
    expect(checkpoint?.tx_id).toBeTruthy();
    const again = service();
    await again.start(cache.db);
    await again.transact(async (_w, queue) => queue(create('after-restart', 1)));
    await waitFor(async () => (await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen WHERE id = 'after-restart'`)))?.n === 1, 30_000, 'the new event');
    const after = await cache.db.read((r) => r.all<{ id: string; applied: number }>(sql`SELECT id, applied FROM test_asset_seen WHERE id <> 'after-restart' ORDER BY id`));
    expect(after).toEqual(before);
    // This cache read the stream from block 0: the first test's 30 creations, then ours, each once.
    const createdOnLedger = 30 + keys + 20 + 1;
    expect(await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM inbox_event`))).toEqual({ n: createdOnLedger });
    expect(await cache.db.read((r) => r.get<{ n: number; total: number }>(sql`SELECT count(*) AS n, sum(applied) AS total FROM test_asset_seen`))).toEqual({ n: createdOnLedger, total: createdOnLedger });
    await again.close();
    await cache.db.close();
  });
});

describe('the ledger restarted in the middle of an event replay', () => {
  it('resumes from the checkpoint: every event applied exactly once', async () => {
    if (!devnet) await devnetUp();
    // A history to replay: 150 more creations on the ledger.
    const writer = await cacheWithTestTables('replay-writer');
    const producer = service();
    await producer.start(writer.db);
    await producer.transact(async (_w, queue) => {
      for (let k = 0; k < 150; k++) await queue(create(`replay-${k}`, k));
    });
    await waitFor(async () => (await pending(writer)) === 0, 60_000, 'the history to be written');
    await producer.close();
    await writer.db.close();

    // A fresh workstation replays everything from block 0, slowly (2 ms per event), so the
    // ledger can be restarted while the replay is under way.
    const cache = await cacheWithTestTables('replay-reader');
    const slow: EventApplier = {
      ...assetSeen,
      async apply(w, event, context) {
        await new Promise((r) => setTimeout(r, 2));
        await assetSeen.apply(w, event, context);
      },
    };
    const inbox = new Inbox({ db: cache.db, connection: reader, signer: () => signer, appliers: [slow], maxBatch: 20 });
    inbox.start();
    const seen = async (): Promise<number> => (await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM test_asset_seen`)))?.n ?? 0;
    await waitFor(async () => (await seen()) >= 40, 60_000, 'the replay to start');
    await devnetDown();
    const atOutage = await seen();
    await new Promise((r) => setTimeout(r, 300));
    await devnetUp();
    expect(await reader.waitForReady(20_000)).toBe(true);
    // Each asset on the ledger was created by one transaction with one AssetCreated event.
    const onLedger = (JSON.parse(await evaluateSigned(reader, signer, 'GetAssetsByRange', '', '')) as unknown[]).length;
    await waitFor(async () => (await seen()) === onLedger, 120_000, 'the replay to finish after the restart');
    await inbox.stop();
    expect(atOutage).toBeLessThan(onLedger);
    expect(await cache.db.read((r) => r.get<{ n: number; total: number }>(sql`SELECT count(*) AS n, sum(applied) AS total FROM test_asset_seen`))).toEqual({ n: onLedger, total: onLedger });
    expect(await cache.db.read((r) => r.get<{ n: number }>(sql`SELECT count(*) AS n FROM inbox_event`))).toEqual({ n: onLedger });
    await cache.db.close();
  });
});

