/**
 * One gRPC channel to the gateway peer, with a Fabric Gateway per signing identity on top of
 * it, per-call deadlines, and what the status bar needs: are we online, and why not.
 *
 * "Online" is the gRPC channel being READY and the last call not having failed for a
 * connectivity reason. When offline, a probe reconnects with backoff and jitter and tells the
 * listeners as soon as the gateway answers again.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { Backoff, type BackoffOptions } from './backoff';
import type { ConnectionSettings } from './connection-file';

export type ConnectionStatus = 'online' | 'offline' | 'connecting';

/**
 * Who signs: a certificate (public) and a function that signs with the matching key.
 * `sign` receives the MESSAGE (the gateways here are connected with `hash.none`) and returns
 * Fabric's signature over it: ECDSA with SHA-256, DER, low-S.
 */
export interface LedgerSigner {
  /** The staff identity id on this workstation (or a fixed name for a connection-file identity). */
  identityId: string;
  mspId: string;
  certificatePem: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The certificate of a signer, enough to rebuild a gateway for already-signed bytes. */
export type LedgerIdentityRef = Pick<LedgerSigner, 'identityId' | 'mspId' | 'certificatePem'>;

/** Curve orders, for the low-S rule Fabric enforces on ECDSA signatures. */
const CURVE_ORDER: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

function derInteger(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let v = bytes.subarray(i);
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02, v.length]), v]);
}

/** r||s (IEEE P1363) -> DER, with s folded into the lower half of the group order. */
export function lowSDer(p1363: Buffer, order: bigint): Buffer {
  const half = p1363.length / 2;
  const r = p1363.subarray(0, half);
  let s = BigInt(`0x${p1363.subarray(half).toString('hex')}`);
  if (s > order / 2n) s = order - s;
  const sBytes = Buffer.from(s.toString(16).padStart(half * 2, '0'), 'hex');
  const body = Buffer.concat([derInteger(r), derInteger(sBytes)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/**
 * A signer over Node's native crypto (OpenSSL). fabric-gateway's own signer is pure
 * JavaScript, about 30 times slower, and runs on the main thread: three signatures per
 * transaction made a backlog drain freeze the event loop for hundreds of milliseconds.
 */
export function signerFromKey(identity: LedgerIdentityRef, privateKey: KeyObject | string): LedgerSigner {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType === 'ec') {
    const order = CURVE_ORDER[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (order !== undefined) {
      return { ...identity, sign: (message) => Promise.resolve(lowSDer(sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }), order)) };
    }
  }
  // Anything else: fabric-gateway's signer (Ed25519 signs the message itself, ECDSA its SHA-256).
  const fallback = signers.newPrivateKeySigner(key);
  return { ...identity, sign: (message) => fallback(key.asymmetricKeyType === 'ed25519' ? message : hash.sha256(message)) };
}

/** gRPC status codes that mean "the gateway could not be reached", not "the gateway said no". */
const CONNECTIVITY_CODES = new Set<number>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.RESOURCE_EXHAUSTED]);

export function isConnectivityCode(code: unknown): boolean {
  return typeof code === 'number' && CONNECTIVITY_CODES.has(code);
}

export interface LedgerConnectionOptions {
  backoff?: BackoffOptions;
}

export class LedgerConnection {
  readonly settings: ConnectionSettings;
  readonly #client: grpc.Client;
  readonly #gateways = new Map<string, Gateway>();
  readonly #listeners = new Set<(status: ConnectionStatus, problem: string | null) => void>();
  readonly #backoff: Backoff;
  #status: ConnectionStatus = 'connecting';
  #problem: string | null = null;
  #probing = false;
  #closed = false;
  #probeTimer: NodeJS.Timeout | null = null;
  #watching = false;

  constructor(settings: ConnectionSettings, options: LedgerConnectionOptions = {}) {
    this.settings = settings;
    this.#backoff = new Backoff(options.backoff);
    const credentials = settings.tlsCaCertificatePem ? grpc.credentials.createSsl(Buffer.from(settings.tlsCaCertificatePem)) : grpc.credentials.createInsecure();
    this.#client = new grpc.Client(settings.endpoint, credentials, {
      ...(settings.hostnameOverride ? { 'grpc.ssl_target_name_override': settings.hostnameOverride, 'grpc.default_authority': settings.hostnameOverride } : {}),
      // Our own probe does the backing off; gRPC's default (up to 2 minutes) would leave the
      // queue idle long after the gateway is back.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
      // Notice a peer that vanished without closing the connection (cable pulled).
      'grpc.keepalive_time_ms': 15_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
    });
  }

  status(): ConnectionStatus {
    return this.#status;
  }

  problem(): string | null {
    return this.#problem;
  }

  onChange(listener: (status: ConnectionStatus, problem: string | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(status: ConnectionStatus, problem: string | null): void {
    if (status === this.#status && problem === this.#problem) return;
    this.#status = status;
    this.#problem = problem;
    for (const l of this.#listeners) l(status, problem);
  }

  /** The gateway for this signer (one per identity, all sharing the one gRPC channel). */
  gateway(identity: LedgerIdentityRef): Gateway {
    const existing = this.#gateways.get(identity.identityId);
    if (existing) return existing;
    const d = this.settings.deadlines;
    const deadline = (ms: number) => (): grpc.CallOptions => ({ deadline: Date.now() + ms });
    const gateway = connect({
      client: this.#client,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificatePem) },
      // No signer: the gateway signs nothing by itself. The outbox and the inbox sign each
      // request explicitly (offline-signing flow), so what was signed can be persisted.
      // The signer hashes (natively): see signerFromKey.
      hash: hash.none,
      evaluateOptions: deadline(d.evaluateMs),
      endorseOptions: deadline(d.endorseMs),
      submitOptions: deadline(d.submitMs),
      commitStatusOptions: deadline(d.commitStatusMs),
    });
    this.#gateways.set(identity.identityId, gateway);
    return gateway;
  }

  network(identity: LedgerIdentityRef): Network {
    return this.gateway(identity).getNetwork(this.settings.channel);
  }

  /** A call got through: we are online. */
  reportSuccess(): void {
    this.#backoff.reset();
    this.#set('online', null);
    this.#watchChannel();
  }

  /**
   * Notices a gateway that goes away while nothing is being sent. Without this, an idle
   * workstation keeps showing "online" until its next ledger call fails, and the desk
   * would admit patients believing their writes go straight out.
   *
   * Whenever the channel leaves READY while we say online, check once whether it can be
   * ready again within two seconds (an idle timeout reconnects; a stopped peer does not).
   */
  #watchChannel(): void {
    if (this.#watching || this.#closed) return;
    this.#watching = true;
    const channel = this.#client.getChannel();
    const watch = (): void => {
      if (this.#closed) return;
      const state = channel.getConnectivityState(false);
      // No deadline: grpc-js then sets no timer (nothing keeps the process alive); the callback
      // fires on the next state change, including SHUTDOWN when we close.
      channel.watchConnectivityState(state, Infinity, () => {
        if (this.#closed) return;
        const next = channel.getConnectivityState(false);
        if (this.#status === 'online' && state === grpc.connectivityState.READY && next !== grpc.connectivityState.READY) {
          void this.waitForReady(2_000).then((ready) => {
            if (!ready && this.#status === 'online') {
              this.reportUnreachable(`The ledger gateway at ${this.settings.endpoint} stopped answering. Work continues offline; changes will be sent when it is back.`);
            }
          });
        }
        watch();
      });
    };
    watch();
  }

  /**
   * A call failed because the gateway could not be reached: go offline and start probing.
   * `problem` is a sentence for the status bar.
   */
  reportUnreachable(problem: string): void {
    if (this.#closed) return;
    this.#set('offline', problem);
    this.#probe();
  }

  /** Resolves when the channel is ready, or false after `timeoutMs`. Starts connecting if idle. */
  waitForReady(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.#client.waitForReady(Date.now() + timeoutMs, (err) => resolve(!err));
    });
  }

  /**
   * Tries to reach the gateway after a growing, jittered pause, until it answers or we close.
   * The pause comes first, and only a real call's success resets it: a gateway whose channel
   * is up but which keeps failing calls (shutting down) must not be hammered in a tight loop.
   */
  #probe(): void {
    if (this.#probing || this.#closed) return;
    this.#probing = true;
    const attempt = async (): Promise<void> => {
      if (this.#closed) return;
      const ready = await this.waitForReady(2_000);
      if (this.#closed) return;
      if (ready) {
        this.#probing = false;
        this.#set('online', null);
        this.#watchChannel();
        return;
      }
      schedule();
    };
    const schedule = (): void => {
      this.#probeTimer = setTimeout(() => void attempt(), this.#backoff.next());
      this.#probeTimer.unref();
    };
    schedule();
  }

  /** Checks the channel once at start: online, or offline with probing. */
  async start(): Promise<void> {
    const ready = await this.waitForReady(2_000);
    if (ready) this.reportSuccess();
    else this.reportUnreachable(`The ledger gateway at ${this.settings.endpoint} cannot be reached. Work continues offline; changes will be sent when it is back.`);
  }

  close(): void {
    this.#closed = true;
    if (this.#probeTimer) clearTimeout(this.#probeTimer);
    for (const g of this.#gateways.values()) g.close();
    this.#gateways.clear();
    this.#client.close();
  }
}
