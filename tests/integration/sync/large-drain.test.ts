/**
 * A large backlog queued offline drains completely, in order per key, with nothing twice.
 * 2,000 writes here (200 keys x 10) to keep CI time reasonable on two shared cores; the
 * benchmark (tools/bench/suites/sync.ts) drains 5,000 and, with BENCH_SYNC_KEYS=2000, 10,000.
 * The devnet runs in its own process with the in-process asset double (ledger-double.ts), so
 * the figure is about the workstation and the devnet core, not the chaincode container.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import type { LedgerConnection, LedgerSigner } from '../../../src-main/ledger/connection';
import { countOutbox, queueLedgerWrite, type OutboxRow } from '../../../src-main/ledger/outbox';
import { OutboxWorker } from '../../../src-main/ledger/outbox-worker';
import { evaluateSigned, openSyncLedger, openTestCache, startChildDevnet, tempDir, waitFor, type ChildDevnet, type SyncLedger } from './support';

const KEYS = 200;
const PER_KEY = 10;

let ledger: SyncLedger<ChildDevnet>;
let signer: LedgerSigner;
let connection: LedgerConnection;

beforeAll(async () => {
  ledger = await openSyncLedger('large', (devnetDir) => startChildDevnet(devnetDir, { blockTimeoutMs: 100 }));
  ({ signer, connection } = ledger);
});

afterAll(() => ledger.close());

it(`drains ${KEYS * PER_KEY} queued writes completely, in order per key`, async () => {
  const cache = await openTestCache(tempDir('large-cache'));
  await cache.db.write(async (w) => {
    // Interleaved across keys, as a busy desk would queue them.
    for (let n = 0; n < PER_KEY; n++) {
      for (let k = 0; k < KEYS; k++) {
        await queueLedgerWrite(w, signer, {
          operation: n === 0 ? 'asset.create' : 'asset.update',
          orderKey: `key-${k}`,
          transaction: n === 0 ? 'CreateAsset' : 'UpdateAsset',
          args: [`big-${k}`, 'ward-9', String(n)],
          retryOnConflict: false,
        });
      }
    }
  });
  const worker = new OutboxWorker({ db: cache.db, connection, signers: () => [signer] });
  worker.start();
  await waitFor(async () => (await cache.db.read((r) => countOutbox(r))).pending === 0, 170_000, 'the backlog to drain');
  await worker.stop();

  const rows = await cache.db.read((r) => r.all<OutboxRow>(sql`SELECT * FROM outbox ORDER BY seq`));
  expect(rows.filter((r) => r.state !== 'committed')).toEqual([]);
  // In order per key: each write of a key committed in a later (or the same) block than the one before.
  const lastBlock = new Map<string, number>();
  for (const row of rows) {
    const previous = lastBlock.get(row.order_key) ?? -1;
    expect(row.block_number ?? -1).toBeGreaterThan(previous);
    lastBlock.set(row.order_key, row.block_number ?? -1);
  }
  // The ledger: every key has its writes exactly once, in the queued order.
  for (const k of [0, 1, Math.floor(KEYS / 2), KEYS - 1]) {
    const history = (JSON.parse(await evaluateSigned(connection, signer, 'GetAssetHistory', `big-${k}`)) as Array<{ value: string }>).reverse();
    expect(history.map((h) => (JSON.parse(h.value) as { value: number }).value)).toEqual(Array.from({ length: PER_KEY }, (_, n) => n));
  }
  for (let k = 0; k < KEYS; k += 17) {
    expect(JSON.parse(await evaluateSigned(connection, signer, 'ReadAsset', `big-${k}`))).toMatchObject({ value: PER_KEY - 1 });
  }
  await cache.db.close();
});
