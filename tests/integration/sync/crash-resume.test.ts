/**
 * The workstation process killed (SIGKILL, in a child process) after a transaction was
 * submitted and before its commit was recorded: after a restart the worker submits the same
 * persisted signed bytes again, and the ledger holds exactly one commit of that transaction. Killed
 * after the endorsement and before the signed transaction was persisted: nothing reached the
 * orderer, and after a restart the write goes as a new transaction, committed once.
 */
import { spawn } from 'node:child_process';
import type { Gateway, Proposal } from '@hyperledger/fabric-gateway';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../src-main/cache/sql';
import type { LedgerConnection, LedgerSigner } from '../../../src-main/ledger/connection';
import { queueLedgerWrite, type OutboxRow } from '../../../src-main/ledger/outbox';
import { OutboxWorker } from '../../../src-main/ledger/outbox-worker';
import type { RunningDevnet } from '../../../ledger/devnet/src/index';
import { evaluateSigned, freePort, openSyncLedger, openTestCache, removeDir, startAssetDevnet, tempDir, waitFor, type SyncLedger } from './support';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

let ledger: SyncLedger<RunningDevnet>;
let devnet: RunningDevnet;
let signer: LedgerSigner;
let connection: LedgerConnection;

beforeAll(async () => {
  ledger = await openSyncLedger('crash', async (devnetDir) => startAssetDevnet(devnetDir, await freePort()));
  ({ devnet, signer, connection } = ledger);
});

afterAll(() => ledger.close());

async function history(id: string): Promise<Array<{ txId: string; value: string | null }>> {
  try {
    return JSON.parse(await evaluateSigned(connection, signer, 'GetAssetHistory', id)) as Array<{ txId: string; value: string | null }>;
  } catch {
    return [];
  }
}

/** A fresh cache holding one queued CreateAsset of `assetId`, as a clerk leaves it. */
async function cacheWithQueuedCreate(assetId: string): Promise<{ cacheDir: string; cache: Awaited<ReturnType<typeof openTestCache>> }> {
  const cacheDir = tempDir(assetId);
  const cache = await openTestCache(cacheDir);
  await cache.db.write((w) =>
    queueLedgerWrite(w, signer, { operation: 'asset.create', orderKey: `asset:${assetId}`, transaction: 'CreateAsset', args: [assetId, 'ward-3', '42'], retryOnConflict: false }),
  );
  return { cacheDir, cache };
}

/** The same CreateAsset as a signed proposal, made the way earlier versions made it before persisting. */
async function signedCreateProposal(assetId: string): Promise<{ gateway: Gateway; proposal: Proposal }> {
  const gateway = connection.gateway(signer);
  const unsigned = gateway.getNetwork(connection.settings.channel).getContract(connection.settings.chaincode).newProposal('CreateAsset', { arguments: [assetId, 'ward-3', '42'] });
  return { gateway, proposal: gateway.newSignedProposal(unsigned.getBytes(), await signer.sign(unsigned.getDigest())) };
}

/** Runs the child until it reaches the hook, then SIGKILLs it; returns the transaction id it had submitted. */
async function runChildUntilKilled(cacheFile: string, key: Buffer, killAt: 'afterEndorse' | 'afterSubmit'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, SYNC_CACHE_FILE: cacheFile, SYNC_CACHE_KEY: key.toString('hex'), SYNC_BUNDLE_FILE: devnet.bundlePath, SYNC_KILL_AT: killAt },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const txId = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /HOOK (\S+)\n/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`the child exited before the hook: ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return txId;
}

describe('killed at afterSubmit', () => {
  it('resumes after restart with the same transaction, and the ledger has exactly one commit of it', async () => {
    const killAt = 'afterSubmit';
    const assetId = `crash-${killAt}`;
    const { cacheDir, cache } = await cacheWithQueuedCreate(assetId);
    await cache.db.close();

    const txId = await runChildUntilKilled(cache.file, cache.key, killAt);

    // The submit reached the orderer before the kill: the transaction commits without us.
    await waitFor(async () => (await history(assetId)).some((h) => h.txId === txId), 10_000, 'the killed workstation transaction to commit');
    const db = await cache.reopen();
    const before = await db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox`));
    expect(before).toMatchObject({ state: 'endorsed', tx_id: txId });

    // Restart: the worker resumes from the persisted bytes, same transaction id.
    const worker = new OutboxWorker({ db, connection, signers: () => [signer] });
    worker.start();
    await worker.whenIdle();
    await worker.stop();

    const after = await db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox`));
    expect(after).toMatchObject({ state: 'committed', tx_id: txId, attempts: 1 });
    const entries = await history(assetId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.txId).toBe(txId);
    await db.close();
    await removeDir(cacheDir);
  });
});

describe('killed after the endorsement, before the signed transaction is persisted', () => {
  it('nothing is on the ledger; after restart the write is endorsed afresh and committed exactly once', async () => {
    const assetId = 'crash-afterEndorse';
    const { cacheDir, cache } = await cacheWithQueuedCreate(assetId);
    await cache.db.close();

    const lostTxId = await runChildUntilKilled(cache.file, cache.key, 'afterEndorse');

    const db = await cache.reopen();
    const before = await db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox`));
    expect(before).toMatchObject({ state: 'queued', tx_id: null, transaction_bytes: null });
    // Endorsing is a simulation: the killed attempt left nothing on the ledger.
    expect(await history(assetId)).toEqual([]);

    const worker = new OutboxWorker({ db, connection, signers: () => [signer] });
    worker.start();
    await worker.whenIdle();
    await worker.stop();

    const after = await db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox`));
    expect(after).toMatchObject({ state: 'committed', attempts: 1 });
    expect(after?.tx_id).not.toBe(lostTxId);
    const entries = await history(assetId);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.txId).toBe(after?.tx_id);
    await db.close();
    await removeDir(cacheDir);
  });
});

describe('a proposal persisted before endorsing (state `signed`, as earlier versions wrote)', () => {
  it('is endorsed from its persisted bytes with its own transaction id and committed exactly once', async () => {
    const assetId = 'crash-signed';
    const { cacheDir, cache } = await cacheWithQueuedCreate(assetId);
    const { proposal } = await signedCreateProposal(assetId);
    const txId = proposal.getTransactionId();
    await cache.db.write((w) => w.run(sql`UPDATE outbox SET state = 'signed', tx_id = ${txId}, proposal_bytes = ${Buffer.from(proposal.getBytes())}, attempts = 1`));

    const worker = new OutboxWorker({ db: cache.db, connection, signers: () => [signer] });
    worker.start();
    await worker.whenIdle();
    await worker.stop();

    const after = await cache.db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox`));
    expect(after).toMatchObject({ state: 'committed', tx_id: txId, attempts: 1 });
    const entries = await history(assetId);
    expect(entries.map((e) => e.txId)).toEqual([txId]);
    await cache.db.close();
    await removeDir(cacheDir);
  });
});

describe('a commit request persisted after submit (state `submitted`, as earlier versions wrote)', () => {
  it('is asked as it is, with nobody signed in, and the write is committed exactly once', async () => {
    const assetId = 'crash-submitted';
    const { cacheDir, cache } = await cacheWithQueuedCreate(assetId);
    // What an earlier version left after submitting: the signed transaction and commit request.
    const { gateway, proposal } = await signedCreateProposal(assetId);
    const endorsed = await proposal.endorse();
    const transaction = gateway.newSignedTransaction(endorsed.getBytes(), await signer.sign(endorsed.getDigest()));
    const submitted = await transaction.submit();
    const commit = gateway.newSignedCommit(submitted.getBytes(), await signer.sign(submitted.getDigest()));
    const txId = transaction.getTransactionId();
    await cache.db.write((w) =>
      w.run(sql`UPDATE outbox SET state = 'submitted', tx_id = ${txId}, transaction_bytes = ${Buffer.from(transaction.getBytes())}, commit_bytes = ${Buffer.from(commit.getBytes())}, attempts = 1`),
    );

    const worker = new OutboxWorker({ db: cache.db, connection, signers: () => [] });
    worker.start();
    await worker.whenIdle();
    await worker.stop();

    const after = await cache.db.read((r) => r.get<OutboxRow>(sql`SELECT * FROM outbox`));
    expect(after).toMatchObject({ state: 'committed', tx_id: txId, attempts: 1 });
    expect((await history(assetId)).map((e) => e.txId)).toEqual([txId]);
    await cache.db.close();
    await removeDir(cacheDir);
  });
});
