/**
 * A workstation process for the crash test: opens the cache, runs the outbox worker, and at
 * the named step prints `HOOK <txId>` and stops there, so the parent can SIGKILL it exactly
 * there: between "endorsed" and "signed transaction persisted", or between "submitted to the
 * orderer" and "commit recorded in the cache".
 *
 * env: SYNC_CACHE_FILE, SYNC_CACHE_KEY (hex), SYNC_BUNDLE_FILE, SYNC_KILL_AT (afterEndorse | afterSubmit)
 */
import { readFileSync } from 'node:fs';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { LedgerConnection } from '../../../src-main/ledger/connection';
import { OutboxWorker } from '../../../src-main/ledger/outbox-worker';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { bundleSigner, settingsFor } from './support';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const key = Buffer.from(env('SYNC_CACHE_KEY'), 'hex');
const db = await CacheDatabase.open(env('SYNC_CACHE_FILE'), key, { create: false, expectedKeyCheck: keyCheckValue(key) });
await migrate(db);
const bundle = JSON.parse(readFileSync(env('SYNC_BUNDLE_FILE'), 'utf8')) as NetworkBundle;
const connection = new LedgerConnection(settingsFor(bundle));
const signer = bundleSigner(bundle);
const killAt = env('SYNC_KILL_AT');
const stopHere = (txId: string): Promise<void> => {
  process.stdout.write(`HOOK ${txId}\n`);
  return new Promise<void>(() => undefined); // never continues: the parent kills us here
};
const worker = new OutboxWorker({
  db,
  connection,
  signers: () => [signer],
  hooks: { [killAt]: (_row: unknown, txId: string) => stopHere(txId) },
});
worker.start();
