/**
 * Shared set-up for the sync engine's integration tests: a devnet running the asset test
 * chaincode through the real shim runtime, a real SQLCipher cache with every migration, and
 * signers from the devnet's bundle.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Contract } from '@hyperledger/fabric-gateway';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate } from '../../../src-main/cache/migrations';
import { LedgerConnection, signerFromKey, type LedgerSigner } from '../../../src-main/ledger/connection';
import { settingsFromDevnetBundle, type ConnectionSettings } from '../../../src-main/ledger/connection-file';
import { type NetworkBundle, type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';

export const ASSET_CHAINCODE_DIR = fileURLToPath(new URL('../../../ledger/devnet/fixtures/asset-chaincode', import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `careledger-sync-${prefix}-`));
}

function listenOn(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closeAll(servers: net.Server[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((done) => s.close(() => done())))).then(() => undefined);
}

/**
 * A port for a devnet that must come back on the same port after a restart. The devnet also
 * listens on the ports just after it (one gateway per organisation), so the whole run of
 * `span` ports must be free, not only the first (a clean CI run once met a busy fourth port).
 */
export async function freePort(span = 8): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listenOn(0);
    if (!first) continue;
    const address = first.address();
    const base = typeof address === 'object' && address ? address.port : 0;
    const held: net.Server[] = [first];
    let free = base > 0 && base + span < 65536;
    for (let i = 1; free && i < span; i++) {
      const next = await listenOn(base + i);
      if (next) held.push(next);
      else free = false;
    }
    await closeAll(held);
    if (free) return base;
  }
  throw new Error(`No run of ${span} free ports found on 127.0.0.1.`);
}

/** A devnet on a fixed port (so a restart comes back where clients expect it). */
export function startAssetDevnet(dataDir: string, port: number, options: { blockTimeoutMs?: number; blockMaxTx?: number } = {}): Promise<RunningDevnet> {
  return startDevnet({
    dataDir,
    port,
    blockTimeoutMs: options.blockTimeoutMs ?? 50,
    blockMaxTx: options.blockMaxTx ?? 100,
    chaincodes: [{ name: 'asset', packageDir: ASSET_CHAINCODE_DIR }],
  });
}

export interface TestCache {
  db: CacheDatabase;
  file: string;
  key: Buffer;
  reopen(): Promise<CacheDatabase>;
}

export async function openTestCache(dir: string, key: Buffer = randomBytes(32)): Promise<TestCache> {
  const file = path.join(dir, 'cache.db');
  const open = async (create: boolean): Promise<CacheDatabase> => {
    const db = await CacheDatabase.open(file, key, { create, expectedKeyCheck: keyCheckValue(key) });
    await migrate(db);
    return db;
  };
  const db = await open(true);
  return { db, file, key, reopen: () => open(false) };
}

export function settingsFor(bundle: NetworkBundle, deadlines?: Partial<ConnectionSettings['deadlines']>): ConnectionSettings {
  return { ...settingsFromDevnetBundle(bundle, { mspId: 'HospitalAMSP', ...(deadlines ? { deadlines } : {}) }), chaincode: 'asset' };
}

export function bundleSigner(bundle: NetworkBundle, name = 'hospital-a-admissions'): LedgerSigner {
  const who = bundle.identities.find((i) => i.name === name);
  if (!who) throw new Error(`no ${name} in the bundle`);
  return signerFromKey({ identityId: name, mspId: who.mspId, certificatePem: who.certificatePem }, who.privateKeyPem);
}

/** A raw fabric-gateway contract (no sync engine) to read the ledger's truth in assertions. */
export function rawContract(connection: LedgerConnection, signer: LedgerSigner): Contract {
  return connection.gateway(signer).getNetwork(connection.settings.channel).getContract('asset');
}

export async function evaluateSigned(connection: LedgerConnection, signer: LedgerSigner, fn: string, ...args: string[]): Promise<string> {
  const gateway = connection.gateway(signer);
  const proposal = gateway.getNetwork(connection.settings.channel).getContract('asset').newProposal(fn, { arguments: args });
  const signed = gateway.newSignedProposal(proposal.getBytes(), await signer.sign(proposal.getDigest()));
  return Buffer.from(await signed.evaluate()).toString('utf8');
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A devnet the tests started (in this process or a child), connected to as the admissions clerk. */
export interface SyncLedger<D extends { bundle: NetworkBundle; stop(): Promise<void> }> {
  devnet: D;
  signer: LedgerSigner;
  connection: LedgerConnection;
  /** Closes the connection, stops the devnet and removes its directory. */
  close(): Promise<void>;
}

/**
 * The set-up the outbox suites share: a temp directory, a devnet started in it by `start`,
 * the bundle's admissions signer and a started connection; `close` undoes all of it.
 */
export async function openSyncLedger<D extends { bundle: NetworkBundle; stop(): Promise<void> }>(
  prefix: string,
  start: (devnetDir: string) => Promise<D>,
): Promise<SyncLedger<D>> {
  const dir = tempDir(prefix);
  const devnet = await start(`${dir}/devnet`);
  const signer = bundleSigner(devnet.bundle);
  const connection = new LedgerConnection(settingsFor(devnet.bundle));
  await connection.start();
  return {
    devnet,
    signer,
    connection,
    close: async () => {
      connection.close();
      await devnet.stop();
      await removeDir(dir);
    },
  };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ChildDevnet {
  bundle: NetworkBundle;
  bundlePath: string;
  /** The devnet process (benches read its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts tests/integration/sync/devnet-child.ts in its own process. */
export async function startChildDevnet(dataDir: string, options: { runtime?: 'double' | 'shim'; blockTimeoutMs?: number; blockMaxTx?: number } = {}): Promise<ChildDevnet> {
  const { spawn } = await import('node:child_process');
  const { readFile } = await import('node:fs/promises');
  const script = fileURLToPath(new URL('./devnet-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, '0', options.runtime ?? 'double', String(options.blockTimeoutMs ?? 250), String(options.blockMaxTx ?? 100)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bundlePath = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)\n/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`the devnet child exited: ${stderr}`)));
  });
  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as NetworkBundle;
  return {
    bundle,
    bundlePath,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
