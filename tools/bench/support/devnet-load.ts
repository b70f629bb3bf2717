/**
 * What the devnet bench (and its profile runs) drive the ledger with: the real fabric-gateway
 * client with a native (node:crypto) signer, a devnet started as its own process (as a peer
 * is, so its CPU is not the client's), and a no-op gRPC server speaking the Gateway service
 * with the devnet's own answers, which measures the client's own cost (the floor).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { type Contract, type Gateway, type Identity, type Signer, connect, hash } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos, peer } from '@hyperledger/fabric-protos';
import { toLowS } from '../../../ledger/devnet/src/identity';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const assetChaincodeDir = path.join(repoRoot, 'ledger/devnet/fixtures/asset-chaincode');
export const careledgerChaincodeDir = path.join(repoRoot, 'ledger/chaincode');
const devnetCli = path.join(repoRoot, 'ledger/devnet/src/cli.ts');
const defaultConfig = path.join(repoRoot, 'ledger/devnet/devnet.config.json');

/**
 * ECDSA P-256 signing with node:crypto (OpenSSL) instead of the gateway's pure-JS signer, in
 * the low-S form Fabric requires. The gateway hashes with `hash.none` so the signer sees the
 * message and hashes it natively while signing.
 */
export function nativeSigner(privateKeyPem: string): { signer: Signer; hash: (message: Uint8Array) => Uint8Array } {
  const key = createPrivateKey(privateKeyPem);
  return {
    signer: (message) => Promise.resolve(toLowS(nodeSign('sha256', message, key))),
    hash: hash.none,
  };
}

export interface DevnetProcess {
  bundle: NetworkBundle;
  pid: number;
  dataDir: string;
  /** Stops it (SIGTERM: clean stop, last block committed) and resolves when it exited. */
  stop(): Promise<void>;
}

export interface DevnetProcessOptions {
  dataDir: string;
  chaincodes: { name: string; packageDir: string; endorsementPolicy?: string; collectionsConfigPath?: string }[];
  bundleChaincode: string;
  blockMaxTx?: number;
  blockTimeoutMs?: number;
  /** node --cpu-prof into this folder. */
  cpuProfDir?: string;
  /** Another copy of the devnet's cli.ts (e.g. an earlier version, to compare in one run). */
  cli?: string;
  log?: (line: string) => void;
}

/** Starts `ledger/devnet/src/cli.ts` as a child process on random ports, with its own config file. */
export async function spawnDevnet(options: DevnetProcessOptions): Promise<DevnetProcess> {
  rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const base = JSON.parse(readFileSync(defaultConfig, 'utf8')) as Record<string, unknown>;
  const configPath = path.join(options.dataDir, '..', `${path.basename(options.dataDir)}.config.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      ...base,
      bundleChaincode: options.bundleChaincode,
      chaincodes: options.chaincodes,
      blockMaxTx: options.blockMaxTx ?? base.blockMaxTx,
      blockTimeoutMs: options.blockTimeoutMs ?? base.blockTimeoutMs,
    }),
  );
  const args = [
    ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []),
    '--import',
    'tsx',
    options.cli ?? devnetCli,
    '--data-dir',
    options.dataDir,
    '--port',
    '0',
    '--log-level',
    'warn',
    '--config',
    configPath,
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const onLine = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 50) output.shift();
      options.log?.(`devnet: ${line}`);
    }
  };
  child.stdout?.on('data', onLine);
  child.stderr?.on('data', onLine);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bundlePath = path.join(options.dataDir, 'bundle.json');
  const started = Date.now();
  // The bundle is written once the gateway listens (startDevnet writes it last).
  while (!existsSync(bundlePath)) {
    if (child.exitCode !== null) throw new Error(`the devnet process exited while starting:\n${output.join('\n')}`);
    if (Date.now() - started > 120_000) {
      child.kill('SIGKILL');
      throw new Error(`the devnet did not start within 120 s:\n${output.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as NetworkBundle;
  return {
    bundle,
    pid: child.pid ?? 0,
    dataDir: options.dataDir,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * CPU time (user + system, ms) a process and, separately, its children have used so far, from
 * /proc (Linux; undefined elsewhere). CPU per transaction is what a loaded machine cannot
 * distort much, unlike wall-clock rates.
 */
export function processCpuMs(pid: number): { self: number; children: number } | undefined {
  const ticks = 100; // USER_HZ on Linux
  const read = (p: number): number | undefined => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
    } catch {
      return undefined;
    }
  };
  const self = read(pid);
  if (self === undefined) return undefined;
  let children = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean))
        children += read(Number(c)) ?? 0;
    }
  } catch {
    return { self, children: 0 };
  }
  return { self, children };
}

export interface ClientConnection {
  contract: Contract;
  gateway: Gateway;
  close(): void;
}

/** The real client over TLS to `endpoint` as one of the bundle's identities, signing natively. */
export function connectClient(
  bundle: NetworkBundle,
  identityName: string,
  chaincode: string,
  endpoint = bundle.endpoint,
  tlsCaPem = bundle.tlsCaCertificatePem,
): ClientConnection {
  const who = bundle.identities.find((i) => i.name === identityName);
  if (!who || !tlsCaPem) throw new Error(`the bundle has no ${identityName} identity or TLS CA`);
  const client = new grpc.Client(endpoint, grpc.credentials.createSsl(Buffer.from(tlsCaPem)), {
    'grpc.ssl_target_name_override': bundle.hostnameOverride ?? 'localhost',
  });
  const identity: Identity = { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) };
  const { signer, hash: none } = nativeSigner(who.privateKeyPem);
  const gw = connect({ client, identity, signer, hash: none });
  const contract = gw.getNetwork(bundle.channel).getContract(chaincode);
  return {
    contract,
    gateway: gw,
    close: () => {
      gw.close();
      client.close();
    },
  };
}

export interface LoadResult {
  committed: number;
  failed: number;
  seconds: number;
  latencies: number[];
  firstError?: string;
}

/** `submitters` loops of submitTransaction (endorse, submit, wait for commit) for `durationMs`. */
export async function submitLoad(
  contract: Contract,
  submitters: number,
  durationMs: number,
  tx: (worker: number, i: number) => { fn: string; args: string[]; transient?: Record<string, string> },
): Promise<LoadResult> {
  const started = performance.now();
  const end = Date.now() + durationMs;
  const latencies: number[] = [];
  let committed = 0;
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: submitters }, async (_, worker) => {
      for (let i = 0; Date.now() < end; i++) {
        const t = tx(worker, i);
        const begin = performance.now();
        try {
          await contract.submit(t.fn, { arguments: t.args, ...(t.transient ? { transientData: t.transient } : {}) });
          latencies.push(performance.now() - begin);
          committed++;
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  return {
    committed,
    failed,
    seconds: (performance.now() - started) / 1000,
    latencies,
    ...(firstError ? { firstError } : {}),
  };
}

/** `count` evaluations one after another; each latency in ms. */
export async function sequentialEvaluate(
  contract: Contract,
  count: number,
  fn: string,
  args: string[],
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const begin = performance.now();
    await contract.evaluateTransaction(fn, ...args);
    latencies.push(performance.now() - begin);
  }
  return latencies;
}

/** The devnet's TLS server certificate and key (network material), for the echo server. */
export function devnetTlsServer(dataDir: string): { certificatePem: string; privateKeyPem: string } {
  const material = JSON.parse(readFileSync(path.join(dataDir, 'network', 'material.json'), 'utf8')) as {
    tlsServer: { certificatePem: string; privateKeyPem: string };
  };
  return material.tlsServer;
}

/** startEchoGateway in a child process (echo-gateway.ts); answers as startEchoGateway's. */
export async function spawnEchoGateway(
  workDir: string,
  tls: { certificatePem: string; privateKeyPem: string },
  answers: { evaluateResult: Uint8Array; preparedTransaction: Uint8Array },
): Promise<EchoGateway & { pid: number }> {
  mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, 'echo-answers.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...tls,
      evaluateResult: Buffer.from(answers.evaluateResult).toString('base64'),
      preparedTransaction: Buffer.from(answers.preparedTransaction).toString('base64'),
    }),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'tools/bench/support/echo-gateway.ts'), file],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`the echo gateway exited while starting:\n${output}`)));
  });
  return {
    endpoint,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface EchoGateway {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * A gRPC server speaking `gateway.Gateway` that does no work: Evaluate answers a fixed result,
 * Endorse a fixed prepared transaction (one the devnet endorsed, so the client signs and sends
 * the same bytes as against the devnet), Submit accepts, CommitStatus answers VALID at once.
 * The same client against it costs what the client itself costs: the floor for the devnet rows.
 * Same TLS server certificate as the devnet.
 */
export async function startEchoGateway(
  tls: { certificatePem: string; privateKeyPem: string },
  answers: { evaluateResult: Uint8Array; preparedTransaction: Uint8Array },
): Promise<EchoGateway> {
  const server = new grpc.Server();
  const evaluate = new gatewayProtos.EvaluateResponse();
  const result = new peer.Response();
  result.setStatus(200);
  result.setPayload(answers.evaluateResult);
  evaluate.setResult(result);
  const status = new gatewayProtos.CommitStatusResponse();
  status.setResult(peer.TxValidationCode.VALID);
  status.setBlockNumber(1);
  server.addService(gatewayProtos.GatewayService, {
    evaluate: (_call: unknown, cb: grpc.sendUnaryData<gatewayProtos.EvaluateResponse>) => cb(null, evaluate),
    endorse: (_call: unknown, cb: grpc.sendUnaryData<gatewayProtos.EndorseResponse>) => {
      // A fresh envelope each time: the client writes its signature into the one it gets.
      const out = new gatewayProtos.EndorseResponse();
      out.setPreparedTransaction(
        gatewayProtos.PreparedTransaction.deserializeBinary(answers.preparedTransaction).getEnvelope(),
      );
      cb(null, out);
    },
    submit: (_call: unknown, cb: grpc.sendUnaryData<gatewayProtos.SubmitResponse>) =>
      cb(null, new gatewayProtos.SubmitResponse()),
    commitStatus: (_call: unknown, cb: grpc.sendUnaryData<gatewayProtos.CommitStatusResponse>) => cb(null, status),
    chaincodeEvents: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
  } satisfies grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      grpc.ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(tls.certificatePem), private_key: Buffer.from(tls.privateKeyPem) },
      ]),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
