/**
 * The outbox against a real devnet (asset test chaincode, real shim runtime, real gateway
 * client): chaincode refusals, MVCC conflicts on a hot key, corrupt rows, order per key.
 * Every test checks the ledger's state AND the cache's state at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import type { LedgerConnection, LedgerSigner } from '../../../src-main/ledger/connection';
import { discardWrite, listProblems, queueLedgerWrite, retryWrite, type LedgerWrite, type OutboxRow } from '../../../src-main/ledger/outbox';
import { OutboxWorker } from '../../../src-main/ledger/outbox-worker';
import type { RunningDevnet } from '../../../ledger/devnet/src/index';
import { evaluateSigned, freePort, openSyncLedger, openTestCache, startAssetDevnet, tempDir, type SyncLedger, type TestCache } from './support';

let ledger: SyncLedger<RunningDevnet>;
let signer: LedgerSigner;
let connection: LedgerConnection;

beforeAll(async () => {
  ledger = await openSyncLedger('faults', async (devnetDir) => startAssetDevnet(devnetDir, await freePort()));
  ({ signer, connection } = ledger);
});

afterAll(() => ledger.close());

async function freshCache(name: string): Promise<TestCache> {
  return openTestCache(tempDir(name));
}

function worker(cache: TestCache, options: { window?: number } = {}): OutboxWorker {
  const w = new OutboxWorker({ db: cache.db, connection, signers: () => [signer], ...options });
  w.start();
  return w;
}

async function queue(cache: TestCache, writes: LedgerWrite[]): Promise<number[]> {
  return cache.db.write(async (w) => {
    const seqs: number[] = [];
    for (const write of writes) seqs.push(await queueLedgerWrite(w, signer, write));
    return seqs;
  });
}

const create = (id: string, value: number, retryOnConflict = false): LedgerWrite => ({
  operation: 'asset.create',
  orderKey: `asset:${id}`,
  transaction: 'CreateAsset',
  args: [id, 'ward-7', String(value)],
  retryOnConflict,
});

const update = (id: string, value: number): LedgerWrite => ({
  operation: 'asset.update',
  orderKey: `asset:${id}`,
  transaction: 'UpdateAsset',
  args: [id, 'ward-7', String(value)],
  retryOnConflict: false,
});

async function rows(cache: TestCache): Promise<OutboxRow[]> {
  return cache.db.read((r) => r.all<OutboxRow>(sql`SELECT * FROM outbox ORDER BY seq`));
}

async function readAsset(id: string): Promise<{ id: string; owner: string; value: number } | null> {
  try {
    return JSON.parse(await evaluateSigned(connection, signer, 'ReadAsset', id)) as { id: string; owner: string; value: number };
  } catch {
    return null;
  }
}

/** The key's committed writes, oldest first (Fabric's history query returns newest first). */
async function history(id: string): Promise<Array<{ txId: string; value: string | null }>> {
  return (JSON.parse(await evaluateSigned(connection, signer, 'GetAssetHistory', id)) as Array<{ txId: string; value: string | null }>).reverse();
}

describe('a chaincode refusal', () => {
  it('is failed with the chaincode reason, not retried, holds back later writes of its key, and can be corrected and resent', async () => {
    const cache = await freshCache('refusal');
    // The asset exists already on the ledger: creating it again is a business refusal.
    await queue(cache, [create('refused-1', 1)]);
    const w1 = worker(cache);
    await w1.whenIdle();
    const [seqDuplicate, seqBehind, seqOther] = await queue(cache, [create('refused-1', 2), update('refused-1', 3), create('refused-2', 4)]);
    await w1.whenIdle();
    // Let a few more loops pass: a refused write must not be sent again by itself.
    await new Promise((r) => setTimeout(r, 300));
    await w1.whenIdle();

    const after = await rows(cache);
    const duplicate = after.find((r) => r.seq === seqDuplicate);
    expect(duplicate).toMatchObject({ state: 'failed', error_code: 'CHAINCODE_REFUSED', attempts: 1 });
    expect(duplicate?.error_message).toContain('The asset refused-1 already exists');
    expect(after.find((r) => r.seq === seqBehind)?.state).toBe('queued');
    expect(after.find((r) => r.seq === seqOther)?.state).toBe('committed');
    const problems = await cache.db.read((r) => listProblems(r));
    expect(problems).toEqual([expect.objectContaining({ seq: seqDuplicate, state: 'failed', reasonCode: 'CHAINCODE_REFUSED', blockedBehind: 1 })]);
    expect(await readAsset('refused-1')).toMatchObject({ value: 1 });
    expect(await readAsset('refused-2')).toMatchObject({ value: 4 });

    // The user corrects it into an update and resends: it goes, then the write behind it.
    await cache.db.write((w) => retryWrite(w, seqDuplicate ?? 0, new Date(), { transaction: 'UpdateAsset', args: ['refused-1', 'ward-7', '2'] }));
    w1.wake();
    await w1.whenIdle();
    await w1.whenIdle();
    const final = await rows(cache);
    expect(final.map((r) => r.state)).toEqual(['committed', 'committed', 'committed', 'committed']);
    expect(await readAsset('refused-1')).toMatchObject({ value: 3 });
    expect((await history('refused-1')).map((h) => (JSON.parse(h.value ?? "{}") as { value: number }).value)).toEqual([1, 2, 3]);
    await w1.stop();
    await cache.db.close();
  });

  it('can be discarded, which lets the writes behind it go', async () => {
    const cache = await freshCache('discard');
    await queue(cache, [create('discard-1', 1)]);
    const w = worker(cache);
    await w.whenIdle();
    const [bad, behind] = await queue(cache, [create('discard-1', 9), update('discard-1', 5)]);
    await w.whenIdle();
    expect((await rows(cache)).find((r) => r.seq === bad)?.state).toBe('failed');
    await cache.db.write((wh) => discardWrite(wh, bad ?? 0, new Date()).then(() => undefined));
    w.wake();
    await w.whenIdle();
    await w.whenIdle();
    const final = await rows(cache);
    expect(final.find((r) => r.seq === bad)?.state).toBe('discarded');
    expect(final.find((r) => r.seq === behind)?.state).toBe('committed');
    expect(await readAsset('discard-1')).toMatchObject({ value: 5 });
    await w.stop();
    await cache.db.close();
  });
});

describe('an MVCC conflict on a hot key', () => {
  it('is retried as a fresh transaction when declared safe, and each write commits exactly once', async () => {
    const cache = await freshCache('mvcc');
    await queue(cache, [create('hot-1', 100)]);
    const w = worker(cache);
    await w.whenIdle();
    // Ten transfers of the same asset under different order keys: they are endorsed against
    // the same version at the same time, so all but one per block hit MVCC_READ_CONFLICT.
    const transfers: LedgerWrite[] = Array.from({ length: 10 }, (_, i) => ({
      operation: 'asset.transfer',
      orderKey: `transfer:${i}`,
      transaction: 'TransferAsset',
      args: ['hot-1', `owner-${i}`],
      retryOnConflict: true,
    }));
    await queue(cache, transfers);
    for (let i = 0; i < 20; i++) await w.whenIdle();
    await w.stop();

    const final = await rows(cache);
    expect(final.every((r) => r.state === 'committed')).toBe(true);
    expect(final.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    const owners = (await history('hot-1')).map((h) => (JSON.parse(h.value ?? '{}') as { owner: string }).owner);
    // The create, then each transfer exactly once (in whatever order the ledger took them).
    expect(owners).toHaveLength(11);
    expect([...owners.slice(1)].sort()).toEqual(transfers.map((t) => t.args[1]).sort());
    // Every committed row carries a distinct transaction id that is on the ledger.
    const ledgerTxIds = new Set((await history('hot-1')).map((h) => h.txId));
    expect(final.every((r) => r.tx_id !== null && ledgerTxIds.has(r.tx_id))).toBe(true);
    await cache.db.close();
  });

  it('is shown to the user, not retried, when the write is not declared safe to repeat', async () => {
    const cache = await freshCache('mvcc-unsafe');
    await queue(cache, [create('hot-2', 100)]);
    const w = worker(cache);
    await w.whenIdle();
    await queue(
      cache,
      Array.from({ length: 6 }, (_, i) => ({ operation: 'asset.transfer', orderKey: `t2:${i}`, transaction: 'TransferAsset', args: ['hot-2', `o-${i}`], retryOnConflict: false })),
    );
    for (let i = 0; i < 5; i++) await w.whenIdle();
    await w.stop();
    const final = (await rows(cache)).slice(1);
    const committed = final.filter((r) => r.state === 'committed');
    const failed = final.filter((r) => r.state === 'failed');
    expect(committed.length + failed.length).toBe(6);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.error_code === 'MVCC_READ_CONFLICT' && r.conflicts === 0)).toBe(true);
    const owners = (await history('hot-2')).slice(1).map((h) => (JSON.parse(h.value ?? '{}') as { owner: string }).owner);
    expect(owners.sort()).toEqual(committed.map((r) => r.payload && (JSON.parse(r.payload) as { args: string[] }).args[1]).sort());
    await cache.db.close();
  });
});

describe('a corrupt outbox row', () => {
  it('is quarantined with a clear error while the others drain', async () => {
    const cache = await freshCache('corrupt');
    const seqs = await queue(cache, [create('c-1', 1), create('c-2', 2), create('c-3', 3), create('c-4', 4)]);
    const corrupt = seqs[1] ?? 0;
    await cache.db.write((w) => w.run(sql`UPDATE outbox SET payload = ${'{"v":1,"transaction":'} WHERE seq = ${corrupt}`).then(() => undefined));
    const w = worker(cache);
    await w.whenIdle();
    await w.whenIdle();
    await w.stop();
    const final = await rows(cache);
    expect(final.map((r) => r.state)).toEqual(['committed', 'quarantined', 'committed', 'committed']);
    expect(final[1]).toMatchObject({ error_code: 'UNDECODABLE', tx_id: null });
    expect(final[1]?.error_message).toMatch(/not readable/);
    expect(await cache.db.read((r) => listProblems(r))).toEqual([expect.objectContaining({ seq: corrupt, state: 'quarantined', blockedBehind: 0 })]);
    expect(await readAsset('c-1')).toMatchObject({ value: 1 });
    expect(await readAsset('c-2')).toBeNull();
    expect(await readAsset('c-3')).toMatchObject({ value: 3 });
    expect(await readAsset('c-4')).toMatchObject({ value: 4 });
    await cache.db.close();
  });
});
