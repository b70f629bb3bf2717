/**
 * A workstation process for the off-thread kill test: opens the cache and starts the
 * SyncService with its drain on the sync thread (as the workstation does), signing as the
 * bundle's admissions clerk through a session, with a settlement handler on the main thread.
 * Prints `PENDING <n>` as the queue shrinks, so the parent can SIGKILL it mid-drain.
 *
 * env: SYNC_CACHE_FILE, SYNC_CACHE_KEY (hex), SYNC_BUNDLE_FILE
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { SyncService } from '../../../src-main/sync/sync-service';
import { offThreadSession, recordSettlement } from './off-thread-support';
import { settingsFor } from './support';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const key = Buffer.from(env('SYNC_CACHE_KEY'), 'hex');
const db = await CacheDatabase.open(env('SYNC_CACHE_FILE'), key, { create: false, expectedKeyCheck: keyCheckValue(key) });
const bundle = JSON.parse(readFileSync(env('SYNC_BUNDLE_FILE'), 'utf8')) as NetworkBundle;
const who = bundle.identities.find((i) => i.name === 'hospital-a-admissions');
if (!who) throw new Error('no admissions identity in the bundle');
const sync = new SyncService({ settings: settingsFor(bundle), offThread: true, appliers: [], window: 8, session: offThreadSession(who, createPrivateKey(who.privateKeyPem)) });
sync.onSettled('asset.create', recordSettlement);
await sync.start(db);
if (!sync.offThread) throw new Error('the drain did not start on the sync thread');
setInterval(() => {
  void sync.state().then((s) => process.stdout.write(`PENDING ${s.queued}\n`));
}, 20);
