/**
 * A ledger that goes away while the workstation sends nothing: the connection must say so by
 * itself (and tell its listeners, which push it to the status bar), not wait for the next write.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LedgerConnection, type ConnectionStatus } from '../../../src-main/ledger/connection';
import type { RunningDevnet } from '../../../ledger/devnet/src/index';
import { freePort, removeDir, settingsFor, startAssetDevnet, tempDir, waitFor } from './support';

let dir: string;
let port: number;
let devnet: RunningDevnet | null = null;
let connection: LedgerConnection;

beforeAll(async () => {
  dir = tempDir('idle-outage');
  port = await freePort();
  devnet = await startAssetDevnet(`${dir}/devnet`, port);
  connection = new LedgerConnection(settingsFor(devnet.bundle), { backoff: { initialMs: 100, maxMs: 500 } });
});

afterAll(async () => {
  connection.close();
  await devnet?.stop();
  await removeDir(dir);
});

it('goes offline when an idle ledger stops, and online again when it is back, telling its listeners', async () => {
  const seen: ConnectionStatus[] = [];
  connection.onChange((status) => seen.push(status));
  await connection.start();
  expect(connection.status()).toBe('online');

  await devnet?.stop();
  devnet = null;
  await waitFor(() => connection.status() === 'offline', 15_000, 'the connection to notice the stopped ledger');
  expect(connection.problem()).toMatch(/stopped answering|cannot be reached/);

  devnet = await startAssetDevnet(`${dir}/devnet`, port);
  await waitFor(() => connection.status() === 'online', 30_000, 'the connection to notice the ledger is back');
  expect(seen).toEqual(['online', 'offline', 'online']);
});
