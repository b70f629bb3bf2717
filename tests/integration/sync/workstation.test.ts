/**
 * The sync engine inside the workstation (src-main/services.ts): the signed-in staff member's
 * enrolled key signs the queued writes; while the workstation is locked they wait, with a
 * sentence saying so; `sync` events reach the event bus; the dispatcher's sync channels
 * answer with the live state.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PushEvent, SyncState } from '../../../src-shared/ipc/contract';
import { sql } from '../../../src-main/cache/sql';
import { createWorkstation, type Workstation } from '../../../src-main/services';
import type { RunningDevnet } from '../../../ledger/devnet/src/index';
import { FAST_SCRYPT } from '../../unit/foundation/support';
import { LedgerConnection } from '../../../src-main/ledger/connection';
import { queueLedgerWrite } from '../../../src-main/ledger/outbox';
import { bundleSigner, evaluateSigned, freePort, removeDir, settingsFor, startAssetDevnet, tempDir, waitFor } from './support';

let dir: string;
let devnet: RunningDevnet;
let ws: Workstation;
const pushed: SyncState[] = [];

beforeAll(async () => {
  dir = tempDir('workstation');
  devnet = await startAssetDevnet(path.join(dir, 'devnet'), await freePort());
  // The devnet's bundle names its default chaincode; this devnet runs the asset test chaincode.
  const bundleFile = path.join(dir, 'bundle.json');
  writeFileSync(bundleFile, JSON.stringify({ ...devnet.bundle, chaincode: 'asset' }));
  ws = createWorkstation({ dataDir: path.join(dir, 'ws'), keychain: null, scrypt: FAST_SCRYPT, ledger: { devnetBundleFile: bundleFile } });
  ws.events.subscribe((e: PushEvent) => {
    if (e.type === 'sync') pushed.push(e.state);
  });
  await ws.start();
  await ws.cache.setUp({ passphrase: 'a passphrase for tests', recoveryPassphrase: 'a recovery passphrase for tests' });
});

afterAll(async () => {
  await ws.close();
  await devnet.stop();
  await removeDir(dir);
});

it('signs queued writes as the signed-in person, holds them while locked, and shows it', async () => {
  const who = devnet.bundle.identities.find((i) => i.name === 'hospital-a-admissions');
  if (!who) throw new Error('no admissions identity');
  const summary = await ws.session.importIdentity({ certificatePem: who.certificatePem, privateKeyPem: who.privateKeyPem, pin: '2468', setupPassphrase: 'a recovery passphrase for tests' });
  await expect(ws.sync.transact((_w, queue) => queue({ operation: 'x', orderKey: 'k', transaction: 'CreateAsset', args: ['k'], retryOnConflict: false }))).rejects.toMatchObject({
    code: 'NOT_SIGNED_IN',
  });

  await ws.session.signIn({ identityId: summary.id, pin: '2468' });
  await ws.sync.transact((_w, queue) => queue({ operation: 'asset.create', orderKey: 'ws-1', transaction: 'CreateAsset', args: ['ws-1', 'ward-2', '1'], retryOnConflict: false }));
  await waitFor(async () => (await ws.sync.state()).queued === 0, 30_000, 'the write to be sent');
  // The drain runs on the sync thread: its "online" may reach the status just after its rows do.
  await waitFor(async () => (await ws.sync.state()).connection === 'online', 10_000, 'the status to show the ledger online');
  const online = await ws.sync.state();
  expect(online).toMatchObject({ connection: 'online', queued: 0, failed: 0, problem: null });
  expect(online.lastSyncAt).not.toBeNull();

  // Locked: the key is gone from memory, so the next write waits for its author.
  await ws.session.lock();
  await ws.sync.whenIdle();
  await ws.cache.database().write(async (w) => {
    await queueLedgerWrite(w, { identityId: summary.id, mspId: who.mspId, certificatePem: who.certificatePem }, { operation: 'asset.update', orderKey: 'ws-1', transaction: 'UpdateAsset', args: ['ws-1', 'ward-2', '2'], retryOnConflict: false });
  });
  ws.sync.signersChanged();
  await ws.sync.whenIdle();
  const locked = await ws.sync.state();
  expect(locked).toMatchObject({ queued: 1, connection: 'online' });
  expect(locked.problem).toMatch(/sign in/i);

  await ws.session.unlock({ pin: '2468' });
  await waitFor(async () => (await ws.sync.state()).queued === 0, 30_000, 'the held write to be sent after unlock');
  const rows = await ws.cache.database().read((r) => r.all<{ state: string; identity_id: string }>(sql`SELECT state, identity_id FROM outbox ORDER BY seq`));
  expect(rows).toEqual([
    { state: 'committed', identity_id: summary.id },
    { state: 'committed', identity_id: summary.id },
  ]);

  const reader = new LedgerConnection(settingsFor(devnet.bundle));
  expect(JSON.parse(await evaluateSigned(reader, bundleSigner(devnet.bundle), 'ReadAsset', 'ws-1'))).toMatchObject({ value: 2 });
  reader.close();

  // The status bar heard about it through the event channel, and the dispatcher answers.
  await waitFor(() => pushed.some((s) => s.connection === 'online' && s.queued === 0), 20_000, 'a pushed sync event');
  const viaHandler = await ws.sync.problems();
  expect(viaHandler).toEqual([]);
});
