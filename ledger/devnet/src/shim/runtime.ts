import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { peer } from '@hyperledger/fabric-protos';
import type { ChaincodeRuntime, SimulationRequest, SimulationResult, WorldStateReader } from '../simulation.js';
import { ShimRuntimeError } from './errors.js';
import { TransactionSimulation, timestampMessage, typeName } from './tx-simulation.js';

export { ShimRuntimeError, ChaincodeRequestError, type ShimRuntimeErrorCode } from './errors.js';
export type { PrivateRangeReader } from './tx-simulation.js';

export interface ShimRuntimeOptions {
  chaincodeName: string;
  /** Second half of the chaincode ID the process registers with (`name:version`); default '1.0'. */
  chaincodeVersion?: string;
  /** The chaincode package: its package.json and its own node_modules (with fabric-shim). */
  packageDir: string;
  /** Receives the runtime's own messages and every line the chaincode process prints. */
  log?: (msg: string) => void;
  /** Extra environment for the chaincode process (e.g. CORE_CHAINCODE_LOGGING_LEVEL). */
  env?: Record<string, string>;
  /** How long one transaction may run; Fabric's chaincode.executetimeout, default 30 s. */
  executeTimeoutMs?: number;
  /** How long start() waits for the chaincode to register; default 60 s. */
  startTimeoutMs?: number;
  /**
   * Start the chaincode again on the next simulate() after it crashed (default false). The
   * transaction running when it crashed still fails with CHAINCODE_CRASHED; after stop() the
   * runtime never restarts by itself.
   */
  autoRestart?: boolean;
}

type ChaincodeMessage = InstanceType<typeof peer.ChaincodeMessage>;
type ShimStream = grpc.ServerDuplexStream<ChaincodeMessage, ChaincodeMessage>;

const Type = peer.ChaincodeMessage.Type;

interface InFlight {
  simulation: TransactionSimulation;
  settle: (outcome: { message: ChaincodeMessage } | { error: ShimRuntimeError }) => void;
}

/** Last lines the chaincode printed: quoted when it fails to start or dies. */
const LOG_TAIL_LINES = 20;

/**
 * Creates the devnet's chaincode runtime: a ChaincodeSupport gRPC server on 127.0.0.1 and the
 * chaincode package running as a child process that dials it, as a Fabric peer in dev mode does.
 *
 * @throws ShimRuntimeError (from start/simulate) with codes CHAINCODE_PACKAGE_INVALID,
 *   CHAINCODE_START_FAILED, CHAINCODE_NOT_RUNNING, CHAINCODE_CRASHED, CHAINCODE_TIMEOUT,
 *   DUPLICATE_TXID, PROPOSAL_INVALID, RUNTIME_STOPPED.
 */
export function createShimRuntime(options: ShimRuntimeOptions): ChaincodeRuntime {
  return new ShimRuntime(options);
}

class ShimRuntime implements ChaincodeRuntime {
  private readonly chaincodeId: string;
  private readonly log: (msg: string) => void;
  private readonly executeTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private server: grpc.Server | undefined;
  private port = 0;
  private child: ChildProcess | undefined;
  private stream: ShimStream | undefined;
  private ready = false;
  private starting: Promise<void> | undefined;
  private onRegistered: (() => void) | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly logTail: string[] = [];
  /** start() succeeded once (autoRestart only brings back a chaincode that ran). */
  private hasStarted = false;
  /** stop() was called and no start() since. */
  private stopped = false;

  constructor(private readonly options: ShimRuntimeOptions) {
    this.chaincodeId = `${options.chaincodeName}:${options.chaincodeVersion ?? '1.0'}`;
    this.log = options.log ?? (() => undefined);
    this.executeTimeoutMs = options.executeTimeoutMs ?? 30_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
  }

  start(): Promise<void> {
    this.stopped = false;
    if (this.ready && this.child) return Promise.resolve();
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async simulate(request: SimulationRequest, state: WorldStateReader): Promise<SimulationResult> {
    if (request.chaincodeName !== this.options.chaincodeName) {
      throw new ShimRuntimeError(
        'CHAINCODE_NOT_RUNNING',
        `This runtime runs chaincode "${this.options.chaincodeName}", not "${request.chaincodeName}".`,
      );
    }
    if (this.options.autoRestart && this.hasStarted && !this.stopped && !this.ready) {
      this.log(`[shim] restarting chaincode ${this.chaincodeId} before transaction ${request.txId}`);
      await this.start();
    }
    const stream = this.stream;
    if (!this.ready || !stream) {
      throw new ShimRuntimeError(
        'CHAINCODE_NOT_RUNNING',
        `Chaincode ${this.chaincodeId} is not running, so transaction ${request.txId} cannot be endorsed. Start the runtime (start()) and retry.`,
      );
    }
    const contextId = txContextId(request.channelId, request.txId);
    if (this.inFlight.has(contextId)) {
      throw new ShimRuntimeError(
        'DUPLICATE_TXID',
        `txid: ${request.txId}(${request.channelId}) exists: this transaction is already being simulated.`,
      );
    }
    let simulation: TransactionSimulation;
    let transaction: ChaincodeMessage;
    try {
      simulation = new TransactionSimulation(request, state, this.options.chaincodeName);
      transaction = transactionMessage(request);
    } catch (err) {
      throw new ShimRuntimeError(
        'PROPOSAL_INVALID',
        `The proposal of transaction ${request.txId} could not be decoded (${err instanceof Error ? err.message : String(err)}); the chaincode was not called.`,
        { cause: err },
      );
    }

    const outcome = await new Promise<{ message: ChaincodeMessage } | { error: ShimRuntimeError }>((resolve) => {
      const timer = setTimeout(() => {
        settle({
          error: new ShimRuntimeError(
            'CHAINCODE_TIMEOUT',
            `timeout expired while executing transaction ${request.txId}: chaincode ${this.chaincodeId} gave no answer within ${this.executeTimeoutMs} ms. ` +
              'The transaction was not endorsed; retry it, and if it keeps happening make the chaincode function faster or raise executeTimeoutMs.',
          ),
        });
      }, this.executeTimeoutMs);
      const settle = (result: { message: ChaincodeMessage } | { error: ShimRuntimeError }): void => {
        clearTimeout(timer);
        // A late COMPLETED or state request for this txid is answered as unknown from now on.
        this.inFlight.delete(contextId);
        resolve(result);
      };
      this.inFlight.set(contextId, { simulation, settle });
      stream.write(transaction);
    });

    if ('error' in outcome) {
      simulation.finish();
      throw outcome.error;
    }
    const built = simulation.finish();
    const message = outcome.message;
    let response: SimulationResult['response'];
    if (message.getType() === Type.COMPLETED) {
      const decoded = peer.Response.deserializeBinary(message.getPayload_asU8());
      response = { status: decoded.getStatus(), message: decoded.getMessage(), payload: decoded.getPayload_asU8() };
    } else {
      response = {
        status: 500,
        message: `transaction returned with failure: ${Buffer.from(message.getPayload_asU8()).toString('utf8')}`,
        payload: new Uint8Array(),
      };
    }
    const result: SimulationResult = {
      response,
      results: built.results,
      privateWrites: built.privateWrites,
      privatePurges: built.privatePurges,
    };
    const event = message.getChaincodeEvent();
    if (message.getType() === Type.COMPLETED && event && event.getEventName() !== '') {
      // The shim sends only name and payload; the peer stamps which chaincode and transaction.
      event.setChaincodeId(this.options.chaincodeName);
      event.setTxId(request.txId);
      result.event = event.serializeBinary();
    }
    return result;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.failInFlight('RUNTIME_STOPPED', 'The chaincode runtime was stopped while this transaction was running.');
    this.ready = false;
    const child = this.child;
    this.child = undefined;
    this.stream?.end();
    this.stream = undefined;
    if (child) await terminate(child);
    await this.shutdownServer();
  }

  private async shutdownServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      // Open streams keep tryShutdown waiting; the chaincode is gone, so cut them.
      setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000).unref();
    });
  }

  private async launch(): Promise<void> {
    const cli = this.resolveShimCli();
    if (this.child) await terminate(this.child);
    this.child = undefined;
    this.ready = false;
    await this.ensureServer();
    if (this.stopped) {
      await this.shutdownServer();
      throw new ShimRuntimeError('RUNTIME_STOPPED', `Chaincode ${this.chaincodeId} was stopped while it was starting.`);
    }

    const peerAddress = `127.0.0.1:${this.port}`;
    this.log(
      `[shim] starting chaincode ${this.chaincodeId} from ${this.options.packageDir}, peer address ${peerAddress}`,
    );
    // A minimal environment: the chaincode must not inherit test-runner loaders or secrets.
    const env: Record<string, string> = {
      ...passThroughEnv(),
      // Inside Electron, process.execPath is the Electron binary: make it behave as plain Node.
      ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
      CORE_CHAINCODE_ID_NAME: this.chaincodeId,
      CORE_PEER_TLS_ENABLED: 'false',
      CORE_CHAINCODE_LOGGING_LEVEL: 'info',
      CORE_CHAINCODE_LOGGING_SHIM: 'warning',
      ...this.options.env,
    };
    // The child's stdin is a pipe nobody writes to: when this process dies, even by kill -9,
    // the kernel closes its end and the chaincode exits instead of living on with ppid 1.
    const child = spawn(
      process.execPath,
      [
        '-e',
        exitWhenParentDies(cli),
        'start',
        '--peer.address',
        peerAddress,
        '--chaincode-id-name',
        this.chaincodeId,
        '--module-path',
        this.options.packageDir,
      ],
      { cwd: this.options.packageDir, env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stdin?.on('error', () => undefined); // EPIPE once the child is gone: nothing to do
    this.child = child;
    this.logTail.length = 0;
    for (const output of [child.stdout, child.stderr]) {
      createInterface({ input: output }).on('line', (line) => {
        this.logTail.push(line);
        if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
        this.log(`[${this.options.chaincodeName}] ${line}`);
      });
    }

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(`it did not register within ${this.startTimeoutMs} ms`);
        void terminate(child);
      }, this.startTimeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.onRegistered = undefined;
        child.off('exit', onEarlyExit);
        child.off('error', onSpawnError);
      };
      const fail = (why: string): void => {
        cleanup();
        if (this.stopped) {
          reject(
            new ShimRuntimeError('RUNTIME_STOPPED', `Chaincode ${this.chaincodeId} was stopped while it was starting.`),
          );
          return;
        }
        reject(
          new ShimRuntimeError(
            'CHAINCODE_START_FAILED',
            `Chaincode ${this.chaincodeId} could not start: ${why}. Its last output:\n${this.logTail.join('\n') || '(nothing)'}`,
          ),
        );
      };
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        // Let the last output lines arrive before quoting them.
        setImmediate(() => fail(`the process exited (${exitDescription(code, signal)}) before registering`));
      };
      const onSpawnError = (err: Error): void => fail(`the process could not be spawned (${err.message})`);
      this.onRegistered = () => {
        cleanup();
        resolve();
      };
      child.once('exit', onEarlyExit);
      child.once('error', onSpawnError);
    });

    if (this.stopped) {
      // stop() ran while this start was waiting for the registration.
      await terminate(child);
      await this.shutdownServer();
      throw new ShimRuntimeError('RUNTIME_STOPPED', `Chaincode ${this.chaincodeId} was stopped while it was starting.`);
    }
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.ready = false;
      const description = exitDescription(code, signal);
      this.log(`[shim] chaincode ${this.chaincodeId} exited (${description})`);
      this.failInFlight(
        'CHAINCODE_CRASHED',
        `Chaincode ${this.chaincodeId} stopped (${description}) while running this transaction. Restart the runtime (start()) and retry.`,
      );
    });
    this.hasStarted = true;
    this.log(`[shim] chaincode ${this.chaincodeId} is ready`);
  }

  /** The shim's CLI script, read from the package's own node_modules (works where .bin holds .cmd shims too). */
  private resolveShimCli(): string {
    const shimDir = path.join(this.options.packageDir, 'node_modules', 'fabric-shim');
    const invalid = (why: string): ShimRuntimeError =>
      new ShimRuntimeError(
        'CHAINCODE_PACKAGE_INVALID',
        `${this.options.packageDir} is not an installed chaincode package (${why}). Run "npm ci" in that folder.`,
      );
    if (!existsSync(path.join(this.options.packageDir, 'package.json'))) throw invalid('no package.json');
    let bin: unknown;
    try {
      bin = (JSON.parse(readFileSync(path.join(shimDir, 'package.json'), 'utf8')) as { bin?: unknown }).bin;
    } catch {
      throw invalid('fabric-shim is not in its node_modules');
    }
    const script =
      typeof bin === 'object' && bin !== null ? (bin as Record<string, unknown>)['fabric-chaincode-node'] : undefined;
    if (typeof script !== 'string' || !existsSync(path.join(shimDir, script)))
      throw invalid('fabric-shim has no fabric-chaincode-node command');
    return path.join(shimDir, script);
  }

  private async ensureServer(): Promise<void> {
    if (this.server) return;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
      'grpc.max_send_message_length': 100 * 1024 * 1024,
      // The shim pings every 110 s by default; do not treat its keepalives as abuse.
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    server.addService(peer.ChaincodeSupportService, {
      register: (call: ShimStream) => this.acceptStream(call),
    });
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    this.server = server;
  }

  private acceptStream(call: ShimStream): void {
    let registered = false;
    call.on('data', (message: ChaincodeMessage) => {
      if (!registered) {
        registered = this.register(call, message);
        return;
      }
      this.onChaincodeMessage(call, message);
    });
    const closed = (): void => {
      if (this.stream !== call) return;
      this.stream = undefined;
      this.ready = false;
      this.failInFlight(
        'CHAINCODE_CRASHED',
        `Chaincode ${this.chaincodeId} closed its connection while running this transaction. Restart the runtime (start()) and retry.`,
      );
    };
    call.on('end', closed);
    call.on('error', closed);
    call.on('close', closed);
  }

  /** REGISTER -> REGISTERED, READY; anything else first, or another chaincode's name, is refused. */
  private register(call: ShimStream, message: ChaincodeMessage): boolean {
    const reply = (type: ChaincodeMessage['getType'] extends () => infer T ? T : never, payload?: Uint8Array): void => {
      const out = new peer.ChaincodeMessage();
      out.setType(type);
      if (payload) out.setPayload(payload);
      call.write(out);
    };
    if (message.getType() !== Type.REGISTER) {
      reply(Type.ERROR, Buffer.from(`expected REGISTER as the first message, got ${typeName(message.getType())}`));
      call.end();
      return false;
    }
    const name = peer.ChaincodeID.deserializeBinary(message.getPayload_asU8()).getName();
    if (name !== this.chaincodeId || !this.onRegistered) {
      this.log(`[shim] refused registration of chaincode "${name}" (expected "${this.chaincodeId}")`);
      reply(Type.ERROR, Buffer.from(`this devnet peer expects chaincode "${this.chaincodeId}", not "${name}"`));
      call.end();
      return false;
    }
    reply(Type.REGISTERED);
    reply(Type.READY);
    this.stream = call;
    this.ready = true;
    this.onRegistered();
    return true;
  }

  private onChaincodeMessage(call: ShimStream, message: ChaincodeMessage): void {
    const type = message.getType();
    if (type === Type.KEEPALIVE) return;
    const contextId = txContextId(message.getChannelId(), message.getTxid());
    const inFlight = this.inFlight.get(contextId);
    if (type === Type.COMPLETED || type === Type.ERROR) {
      if (inFlight) inFlight.settle({ message });
      else
        this.log(
          `[shim] ignored ${typeName(type)} for transaction ${message.getTxid()}: it already finished or timed out`,
        );
      return;
    }
    const reply = new peer.ChaincodeMessage();
    reply.setTxid(message.getTxid());
    reply.setChannelId(message.getChannelId());
    if (!inFlight) {
      reply.setType(Type.ERROR);
      reply.setPayload(
        Buffer.from(
          `[${message.getChannelId()}-${message.getTxid()}] no transaction is running with this id (it finished or timed out); ${typeName(type)} refused`,
        ),
      );
    } else {
      const answer = inFlight.simulation.handle(type, message.getPayload_asU8());
      reply.setType(answer.type);
      reply.setPayload(answer.payload);
    }
    call.write(reply);
  }

  private failInFlight(code: ShimRuntimeError['code'], message: string): void {
    for (const inFlight of [...this.inFlight.values()]) {
      inFlight.settle({ error: new ShimRuntimeError(code, message) });
    }
  }
}

function txContextId(channelId: string, txId: string): string {
  return `${channelId}\u0000${txId}`;
}

function transactionMessage(request: SimulationRequest): ChaincodeMessage {
  const input = new peer.ChaincodeInput();
  input.setArgsList(request.args);
  input.setIsInit(request.isInit);
  const message = new peer.ChaincodeMessage();
  message.setType(request.isInit ? Type.INIT : Type.TRANSACTION);
  message.setPayload(input.serializeBinary());
  message.setTxid(request.txId);
  message.setChannelId(request.channelId);
  message.setProposal(request.decoded?.signedProposal ?? peer.SignedProposal.deserializeBinary(request.signedProposal));
  (message as unknown as { setTimestamp(value: ReturnType<typeof timestampMessage>): void }).setTimestamp(
    timestampMessage(request.timestamp),
  );
  return message;
}

/** What a Node process needs from the parent's environment on Linux, macOS and Windows. */
function passThroughEnv(): Record<string, string> {
  const names = ['PATH', 'Path', 'HOME', 'USERPROFILE', 'SystemRoot', 'SYSTEMROOT', 'TEMP', 'TMP', 'TMPDIR', 'LANG'];
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code ?? 'unknown'}`;
}

/**
 * The program a chaincode child runs: it watches its stdin (a pipe from the devnet) and exits
 * when that closes, then runs the shim's CLI as if it had been started as the script
 * (process.argv[1] is the CLI, as with `node cli.js start …`). The watch does not keep the
 * process alive by itself.
 */
export function exitWhenParentDies(cli: string): string {
  return [
    "process.stdin.on('end', () => process.exit(0));",
    "process.stdin.on('error', () => process.exit(0));",
    'process.stdin.resume();',
    "if (typeof process.stdin.unref === 'function') process.stdin.unref();",
    `process.argv.splice(1, 0, ${JSON.stringify(cli)});`,
    `require(${JSON.stringify(cli)});`,
  ].join('\n');
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
