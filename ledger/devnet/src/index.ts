/**
 * startDevnet: one process that is a whole development Fabric network on one channel: a gateway
 * peer, one logical endorsing peer per org, a block cutter and a committer with durable storage.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { DevnetError } from './errors';
import { buildChannelConfig, readOrgCrls } from './channel-config';
import { GatewayServer, type EndorsingPeer } from './gateway';
import { Membership, Signer } from './identity';
import { type ChaincodeDefinition, Ledger, validationCodeName } from './ledger';
import {
  type ChaincodeConfig,
  type DevnetConfig,
  type NetworkBundle,
  buildBundle,
  ensureNetworkMaterial,
  loadCollections,
  loadConfig,
  writeFileAtomic,
} from './network';
import { Orderer } from './orderer';
import { type RepairReport, repairLedger } from './repair';
import { describePolicy, policyFromConfig } from './policy';
import { createShimRuntime } from './shim/runtime';
import type { ChaincodeRuntime } from './simulation';

export type { NetworkBundle, DevnetConfig, ChaincodeConfig } from './network';
export { verifyBlockFile } from './blockstore';
export type { RepairReport } from './repair';
export { DevnetError } from './errors';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type RuntimeFactory = (chaincode: {
  name: string;
  version: string;
  packageDir: string;
  log: (message: string) => void;
}) => ChaincodeRuntime | Promise<ChaincodeRuntime>;

export interface StartDevnetOptions {
  dataDir: string;
  /**
   * The shared gateway endpoint; 0 = a free port chosen by the system; default 7051. Each
   * organisation's own gateway listens on the ports after it (organisation i on port + 1 + i).
   */
  port?: number;
  /** One gateway endpoint per organisation (bundle `orgs[].endpoint`); default true. */
  orgEndpoints?: boolean;
  host?: '127.0.0.1';
  /** TLS with the devnet's TLS CA; default true. */
  tls?: boolean;
  /** Devnet config file (orgs, chaincodes); default ledger/devnet/devnet.config.json. */
  configPath?: string;
  /** Chaincodes to run; default those of the config file whose package exists. */
  chaincodes?: ChaincodeConfig[];
  blockMaxTx?: number;
  blockTimeoutMs?: number;
  /** Remove the data dir first. */
  reset?: boolean;
  /** Receives log lines; default: none. */
  log?: (line: string) => void;
  logLevel?: LogLevel;
  /** How chaincode runs; default: the shim runtime (ledger/devnet/src/shim). Tests may pass a double. */
  runtimeFactory?: RuntimeFactory;
}

export interface RunningDevnet {
  endpoint: string;
  bundle: NetworkBundle;
  bundlePath: string;
  config: DevnetConfig;
  stop(): Promise<void>;
}

const levels: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function defaultRuntimeFactory(chaincode: {
  name: string;
  version: string;
  packageDir: string;
  log: (message: string) => void;
}): ChaincodeRuntime {
  return createShimRuntime({
    chaincodeName: chaincode.name,
    chaincodeVersion: chaincode.version,
    packageDir: chaincode.packageDir,
    log: chaincode.log,
    // As a peer relaunches a chaincode on the next invocation after it died.
    autoRestart: true,
  });
}

/**
 * Starts a devnet: creates the network on first start, replays the ledger, starts the
 * chaincodes and serves the gateway.
 * @throws DevnetError BAD_CONFIG, STORAGE_CORRUPT, or a chaincode start error
 */
export async function startDevnet(options: StartDevnetOptions): Promise<RunningDevnet> {
  const dataDir = path.resolve(options.dataDir);
  assertDataDirFree(dataDir);
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  try {
    const running = await startLocked(options, dataDir);
    return {
      ...running,
      stop: async () => {
        try {
          await running.stop();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * `npm run devnet -- repair`: cuts a damaged or short ledger back to its last good block, keeps
 * what it cuts aside, and logs it (see repair.ts). Refused while a devnet uses the data dir.
 * @throws DevnetError DATA_DIR_IN_USE
 */
export function repairDevnet(dataDirOption: string, log: (line: string) => void = () => {}): RepairReport {
  const dataDir = path.resolve(dataDirOption);
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  try {
    return repairLedger(path.join(dataDir, 'ledger'), log);
  } finally {
    release();
  }
}

const LOCK_FILE = 'devnet.lock';
/** Data dirs held by devnets of this process (a pid check alone cannot tell them apart). */
const heldDataDirs = new Set<string>();

function lockHolder(dataDir: string): number | undefined {
  if (heldDataDirs.has(dataDir)) return process.pid;
  try {
    const pid = Number(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
    process.kill(pid, 0); // throws when no such process: a stale lock from a crash
    return pid;
  } catch {
    return undefined;
  }
}

/** @throws DevnetError DATA_DIR_IN_USE: two devnets on one data dir would corrupt its ledger */
function assertDataDirFree(dataDir: string): void {
  const pid = lockHolder(dataDir);
  if (pid !== undefined) {
    throw new DevnetError(
      'DATA_DIR_IN_USE',
      `Another devnet (process ${pid}) is using ${dataDir}; stop it first or choose another --data-dir.`,
    );
  }
}

function lockDataDir(dataDir: string): () => void {
  assertDataDirFree(dataDir);
  writeFileSync(path.join(dataDir, LOCK_FILE), String(process.pid));
  heldDataDirs.add(dataDir);
  return () => {
    heldDataDirs.delete(dataDir);
    rmSync(path.join(dataDir, LOCK_FILE), { force: true });
  };
}

async function startLocked(options: StartDevnetOptions, dataDir: string): Promise<RunningDevnet> {
  const threshold = levels[options.logLevel ?? 'info'];
  const log = (level: LogLevel, message: string): void => {
    if (levels[level] <= threshold)
      options.log?.(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`);
  };
  const config = loadConfig(options.configPath);
  const material = await ensureNetworkMaterial(dataDir, config);
  const orgIds = material.orgs.map((o) => o.mspId);
  const membership = new Membership(
    material.orgs.map((o) => ({ mspId: o.mspId, caCertificatePem: o.ca.certificatePem })),
  );
  const peers = new Map<string, EndorsingPeer>(
    material.orgs.map((o) => [
      o.mspId,
      {
        mspId: o.mspId,
        address: `peer0.${o.mspId.toLowerCase()}`,
        signer: new Signer(o.mspId, o.peer.certificatePem, o.peer.privateKeyPem),
      },
    ]),
  );

  const chaincodeConfigs =
    options.chaincodes ??
    config.chaincodes.filter((c) => {
      const present = existsSync(path.join(c.packageDir, 'package.json'));
      if (!present) log('warn', `chaincode ${c.name}: no package at ${c.packageDir}; not started`);
      return present;
    });
  const definitions = new Map<string, ChaincodeDefinition>();
  for (const c of chaincodeConfigs) {
    const policy = policyFromConfig(c.endorsementPolicy, orgIds);
    definitions.set(c.name, {
      name: c.name,
      version: c.version ?? '1.0',
      policy,
      collections: loadCollections(c.collectionsConfigPath, orgIds),
    });
  }

  const ledger = new Ledger({
    dir: path.join(dataDir, 'ledger'),
    channelId: config.channel,
    membership,
    orgs: material.orgs.map((o) => ({ mspId: o.mspId, caCertificatePem: o.ca.certificatePem })),
    chaincodes: definitions,
    log: (m) => log('debug', m),
    warn: (m) => log('warn', m),
  });
  log('info', `ledger ${config.channel} at height ${ledger.height} (${dataDir})`);

  const runtimes = new Map<string, ChaincodeDefinition & { runtime: ChaincodeRuntime }>();
  const factory = options.runtimeFactory ?? defaultRuntimeFactory;
  const stopRuntimes = async (): Promise<void> => {
    await Promise.allSettled([...runtimes.values()].map((r) => r.runtime.stop()));
  };
  try {
    for (const c of chaincodeConfigs) {
      const definition = definitions.get(c.name);
      if (!definition) continue;
      const runtime = await factory({
        name: c.name,
        version: definition.version,
        packageDir: c.packageDir,
        log: (m) => log('debug', `[${c.name}] ${m}`),
      });
      runtimes.set(c.name, { ...definition, runtime });
      await runtime.start();
      log(
        'info',
        `chaincode ${c.name} ${definition.version} ready; endorsement policy ${describePolicy(definition.policy)}; collections: ${definition.collections.map((x) => x.name).join(', ') || 'none'}`,
      );
    }
  } catch (err) {
    await stopRuntimes();
    ledger.close();
    throw err;
  }

  const orderer = new Orderer(ledger, {
    maxTx: options.blockMaxTx ?? config.blockMaxTx,
    timeoutMs: options.blockTimeoutMs ?? config.blockTimeoutMs,
    onBlock: (summary) => {
      for (const tx of summary.txs) {
        const what = tx.chaincodeName ? `${tx.chaincodeName}.${tx.functionName}` : 'config';
        log(
          tx.code === 0 ? 'info' : 'warn',
          `tx ${tx.txId || '-'} ${what} ${validationCodeName(tx.code)} block ${summary.number}`,
        );
      }
    },
    onError: (err) => log('error', `block commit failed: ${(err as Error).stack ?? String(err)}`),
  });

  const newServer = (localMspId?: string): grpc.Server => {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
      'grpc.max_send_message_length': 100 * 1024 * 1024,
    });
    new GatewayServer({
      channelId: config.channel,
      membership,
      ledger,
      orderer,
      peers,
      chaincodes: runtimes,
      log: (level, m) => log(level, m),
      ...(localMspId ? { localMspId } : {}),
      channelConfig: () =>
        buildChannelConfig(
          material.orgs.map((o) => ({
            mspId: o.mspId,
            rootCertificatesPem: [o.ca.certificatePem],
            intermediateCertificatesPem: [],
            crlsPem: readOrgCrls(dataDir, o.mspId),
          })),
        ),
    }).register(server);
    return server;
  };
  const tls = options.tls ?? true;
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [
          {
            cert_chain: Buffer.from(material.tlsServer.certificatePem),
            private_key: Buffer.from(material.tlsServer.privateKeyPem),
          },
        ],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const host = options.host ?? '127.0.0.1';
  const bind = (server: grpc.Server, port: number): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  // The shared endpoint on `port`, and one gateway per organisation on the ports right after it
  // (organisation i of the config on port + 1 + i), so that a restart on the same port brings
  // every organisation's endpoint back where its clients expect it.
  const requested = options.port ?? 7051;
  const perOrg = options.orgEndpoints ?? true;
  const orgEndpoints = new Map<string, string>();
  let servers: grpc.Server[] = [];
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    servers = [newServer()];
    orgEndpoints.clear();
    try {
      port = await bind(servers[0] as grpc.Server, requested);
      if (perOrg) {
        for (const [i, mspId] of orgIds.entries()) {
          const server = newServer(mspId);
          servers.push(server);
          orgEndpoints.set(mspId, `${host}:${await bind(server, port + 1 + i)}`);
        }
      }
      break;
    } catch (err) {
      for (const server of servers) server.forceShutdown();
      if (requested === 0 && attempt < 20) continue; // a random port whose neighbours are taken: draw again
      await orderer.close();
      await stopRuntimes();
      ledger.close();
      throw new DevnetError(
        'BAD_CONFIG',
        `Cannot listen on ${host}:${requested}${perOrg ? ` and the ${orgIds.length} ports after it (one gateway per organisation)` : ''}: ${(err as Error).message}. Is another devnet running? Use --port.`,
      );
    }
  }
  const endpoint = `${host}:${port}`;
  const bundle = buildBundle(material, { endpoint, tls, chaincode: config.bundleChaincode, orgEndpoints });
  const bundlePath = path.join(dataDir, 'bundle.json');
  writeFileAtomic(bundlePath, JSON.stringify(bundle, null, 2), 0o600);
  log(
    'info',
    `gateway listening on ${endpoint} (${tls ? 'TLS' : 'plaintext'})${perOrg ? `; per organisation: ${[...orgEndpoints].map(([m, e]) => `${m} ${e}`).join(', ')}` : ''}; bundle: ${bundlePath}`,
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      log('info', 'stopping: refusing new transactions, committing what is queued');
      await orderer.close();
      ledger.close(); // ends event streams waiting for new blocks
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.tryShutdown(() => resolve());
              setTimeout(() => {
                server.forceShutdown();
                resolve();
              }, 2000).unref();
            }),
        ),
      );
      await stopRuntimes();
      log('info', 'stopped');
    })();
    return stopped;
  };
  return { endpoint, bundle, bundlePath, config, stop };
}
