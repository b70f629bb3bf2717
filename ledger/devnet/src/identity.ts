/**
 * Membership checks as a peer's MSP does them: a creator is a SerializedIdentity (MSP ID +
 * PEM certificate); the certificate must be issued by the configured CA of that MSP ID and
 * be valid now; signatures are ECDSA P-256 over SHA-256, DER-encoded, and must be low-S
 * (Fabric refuses high-S signatures so that a signature cannot be malleated). NodeOUs are
 * enabled, as on the production network: a certificate must carry exactly one node OU
 * (client, peer, admin or orderer), and what it may do depends on it (`requireNodeOU`: only
 * clients and admins may propose and submit, the channel's Writers; peers may also read).
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { msp } from '@hyperledger/fabric-protos';
import { DevnetError } from './errors';

/** Order of the P-256 group; low-S means s <= n/2. */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P256_HALF_N = P256_N >> 1n;

export interface OrgTrust {
  mspId: string;
  caCertificatePem: string;
}

/** An identity that passed the MSP checks. */
export interface VerifiedIdentity {
  mspId: string;
  certificatePem: string;
  /** Node OU from the subject (client, peer, admin, orderer), '' if none. */
  ou: string;
  commonName: string;
  publicKey: KeyObject;
  notAfter: Date;
  notBefore: Date;
}

/** At most this many (creator, data, signature) triples are remembered as verified. */
const VERIFIED_CACHE_SIZE = 20_000;

const verifyOnThreadPool = promisify(
  (data: Uint8Array, key: KeyObject, signature: Uint8Array, callback: (err: Error | null, ok: boolean) => void): void =>
    nodeVerify('sha256', data, key, signature, callback),
);

const signOnThreadPool = promisify(
  (data: Uint8Array, key: KeyObject, callback: (err: Error | null, signature: Buffer) => void): void =>
    nodeSign('sha256', data, key, callback),
);

export class Membership {
  readonly #cas = new Map<string, X509Certificate>();
  /** Cache of parsed, chain-checked certificates keyed by creator bytes; validity dates are re-checked on each use. */
  readonly #cache = new Map<string, VerifiedIdentity>();
  /**
   * Signatures already verified (or made by this devnet's own peers), keyed by a digest of
   * creator, signature and data: an ECDSA check gives the same answer every time for the same
   * three, so each distinct one is checked once (the orderer's check of an envelope and the
   * committer's; the endorsements the devnet signed itself). Only successes are kept; the
   * identity checks (CA, validity dates, node OU) still run on every use.
   */
  readonly #verified = new Set<string>();

  constructor(orgs: readonly OrgTrust[]) {
    for (const org of orgs) this.#cas.set(org.mspId, new X509Certificate(org.caCertificatePem));
  }

  mspIds(): string[] {
    return [...this.#cas.keys()];
  }

  /**
   * Checks a serialized identity (SerializedIdentity bytes).
   * @throws DevnetError UNKNOWN_MSP, MALFORMED_IDENTITY, UNTRUSTED_CERTIFICATE, EXPIRED_CERTIFICATE
   */
  deserialize(creator: Uint8Array, now: Date = new Date()): VerifiedIdentity {
    const cacheKey = Buffer.from(creator).toString('base64');
    let identity = this.#cache.get(cacheKey);
    if (!identity) {
      identity = this.#check(creator);
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(cacheKey, identity);
    }
    if (now < identity.notBefore || now > identity.notAfter) {
      throw new DevnetError(
        'EXPIRED_CERTIFICATE',
        `access denied: the certificate of ${identity.commonName} (${identity.mspId}) is not valid now (valid ${identity.notBefore.toISOString()} to ${identity.notAfter.toISOString()}); enrol a new identity.`,
      );
    }
    return identity;
  }

  #check(creator: Uint8Array): VerifiedIdentity {
    let sid: msp.SerializedIdentity;
    try {
      sid = msp.SerializedIdentity.deserializeBinary(creator);
    } catch {
      throw new DevnetError('MALFORMED_IDENTITY', 'access denied: the creator is not a serialized Fabric identity.');
    }
    const mspId = sid.getMspid();
    const ca = this.#cas.get(mspId);
    if (!ca) {
      throw new DevnetError(
        'UNKNOWN_MSP',
        `access denied: organisation "${mspId}" is not a member of this channel; use an identity issued by one of ${[...this.#cas.keys()].join(', ')}.`,
      );
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(sid.getIdBytes_asU8()));
    } catch {
      throw new DevnetError(
        'MALFORMED_IDENTITY',
        `access denied: the creator of ${mspId} does not hold a readable X.509 certificate.`,
      );
    }
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
      throw new DevnetError(
        'UNTRUSTED_CERTIFICATE',
        `access denied: the certificate "${cert.subject.replace(/\n/g, ', ')}" was not issued by the CA of ${mspId}; it is not trusted.`,
      );
    }
    if (cert.ca) {
      throw new DevnetError(
        'MALFORMED_IDENTITY',
        `access denied: a CA certificate cannot sign transactions for ${mspId}.`,
      );
    }
    const fields = subjectFields(cert.subject);
    const nodeOus = subjectValues(cert.subject, 'OU').filter((ou) => (NODE_OUS as readonly string[]).includes(ou));
    if (nodeOus.length !== 1) {
      throw new DevnetError(
        'MALFORMED_IDENTITY',
        `access denied: the certificate "${cert.subject.replace(/\n/g, ', ')}" of ${mspId} carries ${nodeOus.length === 0 ? 'no node OU' : `${nodeOus.length} node OUs (${nodeOus.join(', ')})`}; with NodeOUs enabled an identity must be exactly one of client, peer, admin or orderer.`,
      );
    }
    return {
      mspId,
      certificatePem: cert.toString(),
      ou: nodeOus[0] ?? '',
      commonName: fields.get('CN') ?? '',
      publicKey: cert.publicKey,
      notAfter: new Date(cert.validTo),
      notBefore: new Date(cert.validFrom),
    };
  }

  /**
   * Checks `signature` over `data` by `creator`, returning the verified identity.
   * @throws DevnetError as deserialize, and BAD_SIGNATURE
   */
  verify(creator: Uint8Array, data: Uint8Array, signature: Uint8Array, now?: Date): VerifiedIdentity {
    const identity = this.deserialize(creator, now);
    const key = verifiedKey(creator, data, signature);
    if (this.#verified.has(key)) return identity;
    if (!verifySignature(identity.publicKey, data, signature)) throw badSignature(identity);
    this.#remember(key);
    return identity;
  }

  /**
   * As verify; with `pool`, the ECDSA check runs on libuv's thread pool, so that under load the
   * event loop serves other requests meanwhile and several checks run at once on a multi-core
   * machine. Without it (a lone request), the check runs inline, which answers sooner than a
   * hop to another thread.
   * @throws DevnetError as verify
   */
  async verifyAsync(
    creator: Uint8Array,
    data: Uint8Array,
    signature: Uint8Array,
    now?: Date,
    options: { pool?: boolean } = {},
  ): Promise<VerifiedIdentity> {
    if (!options.pool) return this.verify(creator, data, signature, now);
    const identity = this.deserialize(creator, now);
    const key = verifiedKey(creator, data, signature);
    if (this.#verified.has(key)) return identity;
    if (!lowS(signature)) throw badSignature(identity);
    let ok: boolean;
    try {
      ok = await verifyOnThreadPool(data, identity.publicKey, signature);
    } catch {
      ok = false;
    }
    if (!ok) throw badSignature(identity);
    this.#remember(key);
    return identity;
  }

  /**
   * Checks many signatures at once on the thread pool and remembers the good ones, so that the
   * verify calls that follow (e.g. the committer's, in block order) find them done. Returns
   * nothing: a bad signature is reported by the verify call that follows.
   */
  async preverify(items: readonly { creator: Uint8Array; data: Uint8Array; signature: Uint8Array }[]): Promise<void> {
    await Promise.all(
      items.map((item) =>
        this.verifyAsync(item.creator, item.data, item.signature, undefined, { pool: true }).then(
          () => undefined,
          () => undefined,
        ),
      ),
    );
  }

  /** Records a signature this devnet made itself with the key of `creator` (a peer's endorsement). */
  signedBy(creator: Uint8Array, data: Uint8Array, signature: Uint8Array): void {
    this.#remember(verifiedKey(creator, data, signature));
  }

  #remember(key: string): void {
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      // Oldest first (a Set iterates in insertion order).
      const oldest = this.#verified.values().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
    this.#verified.add(key);
  }
}

function badSignature(identity: VerifiedIdentity): DevnetError {
  return new DevnetError(
    'BAD_SIGNATURE',
    `access denied: the signature does not match the certificate of ${identity.commonName} (${identity.mspId}); the request was altered or signed with another key.`,
  );
}

/** Digest naming one (creator, data, signature) triple; lengths first, so no two triples share the bytes hashed. */
function verifiedKey(creator: Uint8Array, data: Uint8Array, signature: Uint8Array): string {
  const lengths = Buffer.alloc(12);
  lengths.writeUInt32BE(creator.length, 0);
  lengths.writeUInt32BE(signature.length, 4);
  lengths.writeUInt32BE(data.length, 8);
  return createHash('sha256').update(lengths).update(creator).update(signature).update(data).digest('base64');
}

function lowS(signature: Uint8Array): boolean {
  const rs = parseDerSignature(signature);
  return rs !== undefined && rs.s <= P256_HALF_N && rs.s > 0n && rs.r > 0n;
}

/** The node OUs of Fabric's NodeOUs configuration. */
export const NODE_OUS = ['client', 'peer', 'admin', 'orderer'] as const;
export type NodeOU = (typeof NODE_OUS)[number];

/** The channel's Writers (propose, submit) and Readers (events, commit status, blocks), by node OU. */
export const WRITERS: readonly NodeOU[] = ['client', 'admin'];
export const READERS: readonly NodeOU[] = ['client', 'admin', 'peer'];

/**
 * Refuses an identity whose node OU is not in `allowed`, as the channel's ACL policies do
 * (e.g. a peer's enrolment certificate used as a client).
 * @throws DevnetError ACCESS_DENIED
 */
export function requireNodeOU(
  identity: VerifiedIdentity,
  allowed: readonly NodeOU[],
  policy: 'Writers' | 'Readers',
): void {
  if ((allowed as readonly string[]).includes(identity.ou)) return;
  throw new DevnetError(
    'ACCESS_DENIED',
    `failed evaluating policy on signed data during check policy [/Channel/Application/${policy}]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the '${policy}' sub-policies to be satisfied]`,
  );
}

function subjectValues(subject: string, field: string): string[] {
  return subject
    .split('\n')
    .filter((line) => line.startsWith(`${field}=`))
    .flatMap((line) => line.slice(field.length + 1).split('+')); // multi-valued RDNs
}

function subjectFields(subject: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) result.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return result;
}

/** ECDSA-SHA256 verification that also refuses high-S signatures, as Fabric does. */
export function verifySignature(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (!lowS(signature)) return false;
  try {
    return nodeVerify('sha256', data, publicKey, signature);
  } catch {
    return false;
  }
}

function parseDerSignature(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  // SEQUENCE { INTEGER r, INTEGER s }, short-form lengths (a P-256 signature is < 128 bytes).
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return undefined;
  let offset = 2;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (sig[offset] !== 0x02) return undefined;
    const len = sig[offset + 1] ?? 0;
    const bytes = sig.subarray(offset + 2, offset + 2 + len);
    if (bytes.length !== len || len === 0) return undefined;
    ints.push(BigInt('0x' + Buffer.from(bytes).toString('hex')));
    offset += 2 + len;
  }
  if (offset !== sig.length) return undefined;
  return { r: ints[0] ?? 0n, s: ints[1] ?? 0n };
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** Rewrites a DER ECDSA signature to its low-S form. */
export function toLowS(signature: Uint8Array): Uint8Array {
  const rs = parseDerSignature(signature);
  if (!rs) throw new Error('Not a DER ECDSA signature.');
  if (rs.s <= P256_HALF_N) return signature;
  const body = Buffer.concat([derInteger(rs.r), derInteger(P256_N - rs.s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A peer's (or any node's) signing identity. */
export class Signer {
  readonly serializedIdentity: Uint8Array;
  readonly #key: KeyObject;

  constructor(
    readonly mspId: string,
    readonly certificatePem: string,
    privateKeyPem: string,
  ) {
    const sid = new msp.SerializedIdentity();
    sid.setMspid(mspId);
    sid.setIdBytes(Buffer.from(certificatePem));
    this.serializedIdentity = sid.serializeBinary();
    this.#key = createPrivateKey(privateKeyPem);
    // Fail early if the key does not belong to the certificate.
    const probe = Buffer.from('devnet-key-check');
    if (
      !nodeVerify(
        'sha256',
        probe,
        createPublicKey(new X509Certificate(certificatePem).publicKey.export({ format: 'pem', type: 'spki' })),
        nodeSign('sha256', probe, this.#key),
      )
    ) {
      throw new Error(`The private key of ${mspId} does not match its certificate.`);
    }
  }

  sign(data: Uint8Array): Uint8Array {
    return toLowS(nodeSign('sha256', data, this.#key));
  }

  /** As sign; with `pool`, on libuv's thread pool (see Membership.verifyAsync). */
  async signAsync(data: Uint8Array, options: { pool?: boolean } = {}): Promise<Uint8Array> {
    if (!options.pool) return this.sign(data);
    return toLowS(await signOnThreadPool(data, this.#key));
  }
}

export function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}
