/**
 * Recording how a write ended (recordOutcome), which the sync thread and the main thread both
 * use: the row changes only from the state its sender last persisted, and the settlement
 * handler runs in that same transaction, once. And the status bar's counts (statusCounts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';
import { countOutbox, discardWrite, queueLedgerWrite, recordOutcome, retryWrite, statusCounts, type OutboxRow, type Settlement } from '../../../src-main/ledger/outbox';

const clerk = { identityId: 'clerk', mspId: 'HospitalAMSP', certificatePem: '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n' };
let dir: string;
let db: CacheDatabase;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-outcome-'));
  const key = randomBytes(32);
  db = await CacheDatabase.open(path.join(dir, 'cache.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
  await migrate(db);
});

afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function queued(orderKey: string, state: OutboxRow['state']): Promise<OutboxRow> {
  const seq = await db.write(async (w) => {
    const s = await queueLedgerWrite(w, clerk, { operation: 'asset.create', orderKey, transaction: 'CreateAsset', args: [orderKey], transient: { secret: 'private' }, retryOnConflict: false });
    await w.run(sql`UPDATE outbox SET state = ${state}, tx_id = ${`tx-${s}`} WHERE seq = ${s}`);
    return s;
  });
  const row = await db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox WHERE seq = ${seq}`));
  if (!row) throw new Error('row missing');
  return row;
}

describe('recordOutcome', () => {
  it('moves "last synced" to the commit time, and gives the handler the chaincode result the row carries or the cache holds', async () => {
    const lastSync = (): Promise<string | undefined> => db.read(async (r) => (await r.get<{ value: string }>(sql`SELECT value FROM sync_meta WHERE key = 'lastSyncAt'`))?.value);
    expect(await lastSync()).toBeUndefined();
    const results: Array<string | null> = [];
    const handler = (_w: unknown, s: Settlement): Promise<void> => {
      if (s.kind === 'committed') results.push(s.result ? Buffer.from(s.result).toString() : null);
      return Promise.resolve();
    };
    // Read back from the cache (a row resumed by an older caller without the column).
    const stored = await queued('r1', 'submitted');
    await db.write((w) => w.run(sql`UPDATE outbox SET result = ${Buffer.from('from-cache')} WHERE seq = ${stored.seq}`));
    const { result: _dropped, ...withoutResult } = stored;
    await db.write((w) => recordOutcome(w, withoutResult, { kind: 'committed', blockNumber: 3, at: '2026-12-07T02:00:00.000Z' }, handler));
    expect(await lastSync()).toBe('2026-12-07T02:00:00.000Z');
    // Carried by the row (what the worker endorsed), no read needed.
    const live = { ...(await queued('r2', 'submitted')), result: Buffer.from('endorsed') };
    await db.write((w) => recordOutcome(w, live, { kind: 'committed', blockNumber: 4, at: '2026-12-07T02:05:00.000Z' }, handler));
    expect(results).toEqual(['from-cache', 'endorsed']);
    expect(await lastSync()).toBe('2026-12-07T02:05:00.000Z');
    // A failure is not a sync.
    const failing = await queued('r3', 'submitted');
    await db.write((w) => recordOutcome(w, failing, { kind: 'failed', code: 'ENDORSEMENT_POLICY_FAILURE', reason: 'no', blockNumber: 5, at: '2026-12-07T02:10:00.000Z' }, handler));
    expect(await lastSync()).toBe('2026-12-07T02:05:00.000Z');
  });

  it('commits a submitted write once: the handler runs in the same transaction, a second report changes nothing', async () => {
    const row = await queued('a', 'submitted');
    const seen: Settlement[] = [];
    const handler = (_w: unknown, s: Settlement): Promise<void> => {
      seen.push(s);
      return Promise.resolve();
    };
    const at = '2026-12-07T01:00:00.000Z';
    expect(await db.write((w) => recordOutcome(w, row, { kind: 'committed', blockNumber: 7, at }, handler))).toBe(true);
    expect(await db.write((w) => recordOutcome(w, row, { kind: 'committed', blockNumber: 7, at }, handler))).toBe(false);
    expect(seen.map((s) => s.kind)).toEqual(['committed']);
    const stored = await db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox WHERE seq = ${row.seq}`));
    expect(stored).toMatchObject({ state: 'committed', block_number: 7 });
    // Nothing private is kept once the ledger has it.
    expect(JSON.parse(stored?.payload ?? '{}')).not.toHaveProperty('transient');
  });

  it('a handler that throws undoes the whole record: the write stays submitted and is asked about again', async () => {
    const row = await queued('b', 'submitted');
    await expect(db.write((w) => recordOutcome(w, row, { kind: 'committed', blockNumber: 3, at: '2026-12-07T01:00:00.000Z' }, () => Promise.reject(new Error('domain table locked'))))).rejects.toThrow('domain table locked');
    expect(await db.read((r) => r.get(sql`SELECT state FROM outbox WHERE seq = ${row.seq}`))).toEqual({ state: 'submitted' });
  });

  it('fails a write only from the state its sender last saw', async () => {
    const row = await queued('c', 'signed');
    const outcome = { kind: 'failed', code: 'CHAINCODE_REFUSED', reason: 'No such asset.', blockNumber: null, at: '2026-12-07T01:00:00.000Z' } as const;
    // Meanwhile someone else moved it on (e.g. the user discarded it): the stale report is ignored.
    await db.write((w) => w.run(sql`UPDATE outbox SET state = 'discarded' WHERE seq = ${row.seq}`).then(() => undefined));
    expect(await db.write((w) => recordOutcome(w, row, outcome, undefined))).toBe(false);
    expect(await db.read((r) => r.get(sql`SELECT state FROM outbox WHERE seq = ${row.seq}`))).toEqual({ state: 'discarded' });
    const fresh = await queued('d', 'signed');
    expect(await db.write((w) => recordOutcome(w, fresh, outcome, undefined))).toBe(true);
    expect(await db.read((r) => r.get(sql`SELECT state, error_code, error_message FROM outbox WHERE seq = ${fresh.seq}`))).toEqual({ state: 'failed', error_code: 'CHAINCODE_REFUSED', error_message: 'No such asset.' });
  });
});

describe('statusCounts', () => {
  it('counts what waits and what needs the user, as countOutbox does, without the committed history', async () => {
    for (const [key, state] of [
      ['q', 'queued'],
      ['s', 'signed'],
      ['e', 'endorsed'],
      ['u', 'submitted'],
      ['f', 'failed'],
      ['x', 'quarantined'],
      ['c1', 'committed'],
      ['c2', 'committed'],
      ['d', 'discarded'],
    ] as const) {
      await queued(key, state);
    }
    const all = await db.read((r) => countOutbox(r));
    expect(await db.read((r) => statusCounts(r))).toEqual({ pending: all.pending, failed: all.failed, quarantined: all.quarantined });
    expect(all).toEqual({ pending: 4, failed: 1, quarantined: 1, committed: 2 });
  });

  /** The kept counts against the rows themselves. */
  async function expectCountsTrue(): Promise<void> {
    const all = await db.read((r) => countOutbox(r));
    expect(await db.read((r) => statusCounts(r))).toEqual({ pending: all.pending, failed: all.failed, quarantined: all.quarantined });
  }

  it('stays equal to the rows through retry, discard, deletion and a transaction that rolls back', async () => {
    const failed = await queued('f1', 'failed');
    await queued('f2', 'failed');
    await queued('q1', 'queued');
    await expectCountsTrue();
    await db.write((w) => retryWrite(w, failed.seq, new Date()));
    await expectCountsTrue();
    const second = await db.read((r) => r.get<{ seq: number }>(sql`SELECT seq FROM outbox WHERE order_key = 'f2'`));
    await db.write((w) => discardWrite(w, second?.seq ?? 0, new Date()).then(() => undefined));
    await expectCountsTrue();
    await expect(
      db.write(async (w) => {
        await w.run(sql`UPDATE outbox SET state = 'committed'`);
        throw new Error('the domain change failed');
      }),
    ).rejects.toThrow('the domain change failed');
    await expectCountsTrue();
    expect((await db.read((r) => statusCounts(r))).pending).toBe(2);
    await db.write((w) => w.run(sql`DELETE FROM outbox WHERE order_key = 'q1'`).then(() => undefined));
    await expectCountsTrue();
    expect(await db.read((r) => statusCounts(r))).toEqual({ pending: 1, failed: 0, quarantined: 0 });
  });

  it('starts from the rows already there when an older cache is brought up to date', async () => {
    const key = randomBytes(32);
    const old = await CacheDatabase.open(path.join(dir, 'old.db'), key, { create: true, expectedKeyCheck: keyCheckValue(key) });
    try {
      await migrate(old, 11);
      await old.write(async (w) => {
        for (const [i, state] of (['queued', 'submitted', 'failed', 'committed', 'committed'] as const).entries()) {
          const seq = await queueLedgerWrite(w, clerk, { operation: 'asset.create', orderKey: `k${i}`, transaction: 'CreateAsset', args: [`k${i}`], retryOnConflict: false });
          await w.run(sql`UPDATE outbox SET state = ${state} WHERE seq = ${seq}`);
        }
      });
      await migrate(old);
      expect(await old.read((r) => statusCounts(r))).toEqual({ pending: 2, failed: 1, quarantined: 0 });
      expect(await old.read((r) => r.get<{ n: number }>(sql`SELECT n FROM outbox_state_count WHERE state = 'committed'`))).toEqual({ n: 2 });
    } finally {
      await old.close();
    }
  });
});
