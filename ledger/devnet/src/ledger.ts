/**
 * The committing peer: validates each ordered transaction in block order (creator signature,
 * transaction id, duplicates, endorsement policy incl. state-based endorsement, MVCC and
 * phantom reads), writes the block durably, then applies only the valid writes.
 *
 * Durability: the block file is the source of truth for public state, key history and the
 * transaction index (all rebuilt from it at start, using each block's TRANSACTIONS_FILTER);
 * cleartext private data, which never goes into blocks, has its own fsync'ed log that is
 * written before the block it belongs to.
 */
import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { common, ledger as ledgerProtos, msp as mspProtos, orderer, peer } from '@hyperledger/fabric-protos';
import { BlockStore, blockDataHash, blockHeaderHash, commitHash } from './blockstore';
import { DevnetError } from './errors';
import { type Membership, sha256 } from './identity';
import { type Policy, evaluatePolicy, policyFromEnvelope, type Signatory } from './policy';
import { computeTxId, parseTransaction, type ParsedTransaction } from './proposal';
import type { CollectionConfig, Version } from './simulation';
import { type StateSnapshot, WorldState, compareUtf8, privateKeyHash } from './state';

const { kvrwset } = ledgerProtos.rwset;
const rwset = ledgerProtos.rwset;
const Codes = peer.TxValidationCode;
export const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

export function validationCodeName(code: number): string {
  for (const [name, value] of Object.entries(Codes)) if (value === code) return name;
  return String(code);
}

export interface ChaincodeDefinition {
  name: string;
  version: string;
  policy: Policy;
  collections: CollectionConfig[];
}

export interface TxSummary {
  txId: string;
  txNum: number;
  code: number;
  type: number;
  chaincodeName: string;
  functionName: string;
  event?: peer.ChaincodeEvent;
}

export interface BlockSummary {
  number: number;
  txs: TxSummary[];
}

export interface PendingPrivateData {
  writes: Array<{ namespace: string; collection: string; key: string; value: Uint8Array | null }>;
  purges: Array<{ namespace: string; collection: string; key: string }>;
  receivedAt: number;
}

interface PublicUpdate {
  ns: string;
  key: string;
  value?: Uint8Array | null;
  metadata?: Map<string, Uint8Array>;
  version: Version;
  txId: string;
  timestamp: { seconds: number; nanos: number };
}

interface HashUpdate {
  ns: string;
  coll: string;
  keyHash: Uint8Array;
  valueHash?: Uint8Array | null;
  metadata?: Map<string, Uint8Array>;
  version: Version;
}

interface PrivateRecord {
  ns: string;
  coll: string;
  key: string;
  value: string | null;
  version: Version;
}

interface PrivateLogEntry {
  block: number;
  puts: PrivateRecord[];
  purges: Array<{ ns: string; coll: string; key: string }>;
}

/** The updates of one block, visible to later transactions of the same block during validation. */
class BlockBatch {
  readonly publicUpdates = new Map<string, PublicUpdate>();
  readonly hashUpdates = new Map<string, HashUpdate>();
  readonly history: PublicUpdate[] = [];
  readonly privatePuts: PrivateRecord[] = [];
  readonly privatePurges: Array<{ ns: string; coll: string; key: string }> = [];
}

const pk = (ns: string, key: string): string => `${ns}\u0000${key}`;
const hk = (ns: string, coll: string, keyHash: Uint8Array): string =>
  `${ns}\u0000${coll}\u0000${Buffer.from(keyHash).toString('hex')}`;

function versionEquals(a: Version | undefined, b: ledgerProtos.rwset.kvrwset.Version | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.blockNum === b.getBlockNum() && a.txNum === b.getTxNum();
}

function metadataMap(entries: ledgerProtos.rwset.kvrwset.KVMetadataEntry[]): Map<string, Uint8Array> {
  return new Map(entries.map((e) => [e.getName(), e.getValue_asU8()]));
}

/** Readers-writer lock: simulations share it; applying a block takes it alone, so a simulation sees one committed state. */
class StateLock {
  #readers = 0;
  #writerWaiting = false;
  #waiters: Array<() => void> = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#writerWaiting) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#readers++;
    try {
      return await fn();
    } finally {
      this.#readers--;
      this.#wake();
    }
  }

  async write(fn: () => void): Promise<void> {
    while (this.#writerWaiting) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#writerWaiting = true;
    try {
      while (this.#readers > 0) await new Promise<void>((resolve) => this.#waiters.push(resolve));
      fn();
    } finally {
      this.#writerWaiting = false;
      this.#wake();
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

const fsyncOnThreadPool = promisify(fsync);

/** Blocks between two snapshots while running; one is also written at clean stop. */
const SNAPSHOT_EVERY_BLOCKS = 500;

interface LedgerSnapshot {
  version: 1;
  /** Number of blocks the snapshot covers (blocks 0..height-1). */
  height: number;
  lastHeaderHash: string;
  state: StateSnapshot;
  /** [txId, blockNumber, txNum, code] */
  txIndex: Array<[string, number, number, number]>;
}

export interface LedgerOptions {
  dir: string;
  channelId: string;
  membership: Membership;
  chaincodes: ReadonlyMap<string, ChaincodeDefinition>;
  /** The channel's orgs, written into the genesis block's configuration. */
  orgs?: ReadonlyArray<{ mspId: string; caCertificatePem: string }>;
  log?: (message: string) => void;
  /** Receives warnings (a torn block write cut at open); default `log`. */
  warn?: (message: string) => void;
}

export class Ledger {
  readonly state = new WorldState();
  readonly lock = new StateLock();
  readonly #opts: LedgerOptions;
  readonly #blocks: BlockStore;
  readonly #txIndex = new Map<string, { blockNumber: number; txNum: number; code: number }>();
  /** Per-block transaction summaries for events; computed from the block file on first use. */
  readonly #summaries = new Map<number, BlockSummary>();
  readonly #pending = new Map<string, PendingPrivateData>();
  readonly #pvtLogFile: string;
  #pvtFd = -1;
  readonly #snapshotFile: string;
  /** Cleartext private writes per block, for DeliverWithPrivateData. */
  readonly #pvtByBlock = new Map<number, PrivateRecord[]>();
  #blocksSinceSnapshot = 0;
  #blockWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: LedgerOptions) {
    this.#opts = options;
    for (const cc of options.chaincodes.values()) this.state.setCollections(cc.name, cc.collections);
    this.#pvtLogFile = path.join(options.dir, 'pvtdata.log');
    this.#snapshotFile = path.join(options.dir, 'state.snapshot.json');
    const snapshot = this.#readSnapshot();
    // The snapshot's height was acknowledged too: a block file shorter than it is refused, not cut.
    this.#blocks = new BlockStore(options.dir, {
      acknowledgedHeight: snapshot?.height ?? 0,
      warn: (m) => (options.warn ?? options.log)?.(m),
    });
    this.#replay(snapshot);
    this.#pvtFd = openSync(this.#pvtLogFile, 'a');
    if (this.#blocks.height === 0) this.#writeGenesis();
  }

  get height(): number {
    return this.#blocks.height;
  }

  get channelId(): string {
    return this.#opts.channelId;
  }

  getBlock(number: number): common.Block | undefined {
    return this.#blocks.get(number);
  }

  getSummary(number: number): BlockSummary | undefined {
    let summary = this.#summaries.get(number);
    if (!summary) {
      const block = this.#blocks.get(number);
      if (!block) return undefined;
      summary = this.#summaryOf(block);
      this.#summaries.set(number, summary);
    }
    return summary;
  }

  txStatus(txId: string): { blockNumber: number; code: number } | undefined {
    return this.#txIndex.get(txId);
  }

  /** Resolves when the ledger height exceeds `number` (or at once), or rejects when closed/aborted. */
  async waitForBlock(number: number, signal?: AbortSignal): Promise<void> {
    while (this.#blocks.height <= number) {
      if (this.#closed) throw new DevnetError('STOPPED', 'The devnet is stopping; try again when it is back.');
      if (signal?.aborted) throw new Error('Cancelled.');
      await new Promise<void>((resolve) => {
        // Remove the abort listener once a block arrives: a long event stream waits many times.
        const onAbort = (): void => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#blockWaiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  async waitForTx(txId: string, signal?: AbortSignal): Promise<{ blockNumber: number; code: number }> {
    for (;;) {
      const status = this.#txIndex.get(txId);
      if (status) return status;
      await this.waitForBlock(this.#blocks.height, signal);
    }
  }

  /** Cleartext private writes of an endorsed transaction, held until it commits. */
  holdPrivateData(txId: string, data: Omit<PendingPrivateData, 'receivedAt'>): void {
    if (data.writes.length === 0 && data.purges.length === 0) return;
    this.#pending.set(txId, { ...data, receivedAt: Date.now() });
    // Like Fabric's transient store, drop what was never submitted (here: after an hour).
    if (this.#pending.size > 1000) {
      const cutoff = Date.now() - 3_600_000;
      for (const [id, p] of this.#pending) if (p.receivedAt < cutoff) this.#pending.delete(id);
    }
  }

  /**
   * The private data of a block's transactions that `mspId` is a member of and that has not been
   * purged since, keyed by transaction number (BlockAndPrivateData.private_data_map).
   */
  privateDataFor(blockNumber: number, mspId: string): Map<number, ledgerProtos.rwset.TxPvtReadWriteSet> {
    const byTx = new Map<number, Map<string, Map<string, ledgerProtos.rwset.kvrwset.KVWrite[]>>>();
    for (const record of this.#pvtByBlock.get(blockNumber) ?? []) {
      const config = this.state.collections(record.ns).get(record.coll);
      if (!config?.memberMspIds.includes(mspId)) continue;
      if (record.value !== null && !this.state.getPrivate(record.ns, record.coll, record.key, mspId)) continue;
      const write = new kvrwset.KVWrite();
      write.setKey(record.key);
      if (record.value === null) write.setIsDelete(true);
      else write.setValue(Buffer.from(record.value, 'base64'));
      const namespaces =
        byTx.get(record.version.txNum) ?? new Map<string, Map<string, ledgerProtos.rwset.kvrwset.KVWrite[]>>();
      byTx.set(record.version.txNum, namespaces);
      const collections = namespaces.get(record.ns) ?? new Map<string, ledgerProtos.rwset.kvrwset.KVWrite[]>();
      namespaces.set(record.ns, collections);
      collections.set(record.coll, [...(collections.get(record.coll) ?? []), write]);
    }
    const result = new Map<number, ledgerProtos.rwset.TxPvtReadWriteSet>();
    for (const [txNum, namespaces] of byTx) {
      const tx = new rwset.TxPvtReadWriteSet();
      tx.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
      for (const [ns, collections] of namespaces) {
        const nsSet = new rwset.NsPvtReadWriteSet();
        nsSet.setNamespace(ns);
        for (const [coll, writes] of collections) {
          const kv = new kvrwset.KVRWSet();
          kv.setWritesList(writes);
          const collSet = new rwset.CollectionPvtReadWriteSet();
          collSet.setCollectionName(coll);
          collSet.setRwset(kv.serializeBinary());
          nsSet.addCollectionPvtRwset(collSet);
        }
        tx.addNsPvtRwset(nsSet);
      }
      result.set(txNum, tx);
    }
    return result;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writeSnapshot();
    this.#blocks.close();
    if (this.#pvtFd >= 0) closeSync(this.#pvtFd);
    this.#pvtFd = -1;
    this.#notify();
  }

  #notify(): void {
    const waiters = this.#blockWaiters;
    this.#blockWaiters = [];
    for (const w of waiters) w();
  }

  // ---------- genesis and replay ----------

  #writeGenesis(): void {
    const channelHeader = new common.ChannelHeader();
    channelHeader.setType(common.HeaderType.CONFIG);
    channelHeader.setChannelId(this.#opts.channelId);
    channelHeader.setEpoch(0);
    const header = new common.Header();
    header.setChannelHeader(channelHeader.serializeBinary());
    header.setSignatureHeader(new common.SignatureHeader().serializeBinary());
    const config = new common.Config();
    config.setSequence(0);
    config.setChannelGroup(this.#channelGroup());
    const configEnvelope = new common.ConfigEnvelope();
    configEnvelope.setConfig(config);
    const payload = new common.Payload();
    payload.setHeader(header);
    payload.setData(configEnvelope.serializeBinary());
    const envelope = new common.Envelope();
    envelope.setPayload(payload.serializeBinary());
    const data = [envelope.serializeBinary()];
    const block = this.#buildBlock(0, data, [Codes.VALID]);
    this.#blocks.append(block);
  }

  /**
   * A minimal channel configuration for block 0: an Application group with one group per org
   * holding its MSP definition (root CA, node OUs), so tools reading the genesis block see the
   * orgs. Policies and orderer settings are not modelled (see README).
   */
  #channelGroup(): common.ConfigGroup {
    type GroupMap = { set(key: string, value: common.ConfigGroup): unknown };
    type ValueMap = { set(key: string, value: common.ConfigValue): unknown };
    const application = new common.ConfigGroup();
    for (const org of this.#opts.orgs ?? []) {
      const ou = (name: string): mspProtos.FabricOUIdentifier => {
        const id = new mspProtos.FabricOUIdentifier();
        id.setCertificate(Buffer.from(org.caCertificatePem));
        id.setOrganizationalUnitIdentifier(name);
        return id;
      };
      const nodeOUs = new mspProtos.FabricNodeOUs();
      nodeOUs.setEnable(true);
      nodeOUs.setClientOuIdentifier(ou('client'));
      nodeOUs.setPeerOuIdentifier(ou('peer'));
      nodeOUs.setAdminOuIdentifier(ou('admin'));
      nodeOUs.setOrdererOuIdentifier(ou('orderer'));
      const cryptoConfig = new mspProtos.FabricCryptoConfig();
      cryptoConfig.setSignatureHashFamily('SHA2');
      cryptoConfig.setIdentityIdentifierHashFunction('SHA256');
      const fabricMsp = new mspProtos.FabricMSPConfig();
      fabricMsp.setName(org.mspId);
      fabricMsp.setRootCertsList([Buffer.from(org.caCertificatePem)]);
      fabricMsp.setCryptoConfig(cryptoConfig);
      fabricMsp.setFabricNodeOus(nodeOUs);
      const mspConfig = new mspProtos.MSPConfig();
      mspConfig.setType(0); // FABRIC
      mspConfig.setConfig(fabricMsp.serializeBinary());
      const value = new common.ConfigValue();
      value.setValue(mspConfig.serializeBinary());
      const orgGroup = new common.ConfigGroup();
      (orgGroup.getValuesMap() as unknown as ValueMap).set('MSP', value);
      (application.getGroupsMap() as unknown as GroupMap).set(org.mspId, orgGroup);
    }
    const channel = new common.ConfigGroup();
    (channel.getGroupsMap() as unknown as GroupMap).set('Application', application);
    return channel;
  }

  #summaryOf(block: common.Block): BlockSummary {
    const number = block.getHeader()?.getNumber() ?? 0;
    const filter = this.#filterOf(block);
    const txs = (block.getData()?.getDataList_asU8() ?? []).map((envBytes, txNum): TxSummary => {
      const code = filter[txNum] ?? Codes.INVALID_OTHER_REASON;
      const parsed = parseTransaction(envBytes);
      if ('invalid' in parsed)
        return { txId: parsed.txId, txNum, code, type: parsed.type, chaincodeName: '', functionName: '' };
      return this.#summarise(parsed, txNum, code);
    });
    return { number, txs };
  }

  // ---------- snapshot (savepoint) ----------

  /**
   * Writes the derived state (world state, history, private data, tx index) with the height and
   * header hash it corresponds to, atomically; at start it saves replaying the whole block file.
   */
  #writeSnapshot(): void {
    const height = this.#blocks.height;
    if (height === 0) return;
    const snapshot: LedgerSnapshot = {
      version: 1,
      height,
      lastHeaderHash: this.#blocks.lastHeaderHash.toString('hex'),
      state: this.state.toSnapshot(),
      txIndex: [...this.#txIndex].map(([txId, s]) => [txId, s.blockNumber, s.txNum, s.code]),
    };
    const tmp = `${this.#snapshotFile}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(snapshot));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#snapshotFile);
    this.#blocksSinceSnapshot = 0;
  }

  #readSnapshot(): LedgerSnapshot | undefined {
    if (!existsSync(this.#snapshotFile)) return undefined;
    try {
      const snapshot = JSON.parse(readFileSync(this.#snapshotFile, 'utf8')) as LedgerSnapshot;
      return snapshot.version === 1 && Number.isInteger(snapshot.height) ? snapshot : undefined;
    } catch {
      return undefined; // unreadable: rebuild from the blocks
    }
  }

  /** Loads the snapshot if it matches the block file; returns the height it covers (0 = none). */
  #loadSnapshot(snapshot: LedgerSnapshot | undefined): number {
    if (!snapshot) return 0;
    const last = snapshot.height > 0 ? this.#blocks.get(snapshot.height - 1)?.getHeader() : undefined;
    // Only a snapshot of exactly these blocks is trusted (the block file may have been replaced or reset).
    if (!last || blockHeaderHash(last).toString('hex') !== snapshot.lastHeaderHash) return 0;
    this.state.loadSnapshot(snapshot.state);
    for (const [txId, blockNumber, txNum, code] of snapshot.txIndex)
      this.#txIndex.set(txId, { blockNumber, txNum, code });
    return snapshot.height;
  }

  #replay(snapshot: LedgerSnapshot | undefined): void {
    const pvtByBlock = new Map<number, PrivateLogEntry>();
    if (existsSync(this.#pvtLogFile)) {
      const kept: string[] = [];
      let beyond = 0;
      for (const line of readFileSync(this.#pvtLogFile, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as PrivateLogEntry;
          // Written before a block that was never appended (crash): dropped, or it would be
          // applied to the different block that later gets the same number.
          if (entry.block >= this.#blocks.height) {
            beyond++;
            continue;
          }
          kept.push(line);
          pvtByBlock.set(entry.block, entry); // the last entry for a block wins (a crash may have left an earlier attempt)
          if (entry.puts.length > 0) this.#pvtByBlock.set(entry.block, entry.puts);
        } catch {
          // A torn last line from a crash mid-write: its block was never appended.
          beyond++;
        }
      }
      if (beyond > 0) {
        writeFileSync(`${this.#pvtLogFile}.tmp`, kept.length > 0 ? kept.join('\n') + '\n' : '');
        renameSync(`${this.#pvtLogFile}.tmp`, this.#pvtLogFile);
      }
    }
    for (let n = this.#loadSnapshot(snapshot); n < this.#blocks.height; n++) {
      const block = this.#blocks.get(n);
      if (!block) break;
      const filter = this.#filterOf(block);
      const data = block.getData()?.getDataList_asU8() ?? [];
      const batch = new BlockBatch();
      const txs: TxSummary[] = [];
      data.forEach((envBytes, txNum) => {
        const code = filter[txNum] ?? Codes.INVALID_OTHER_REASON;
        const parsed = parseTransaction(envBytes);
        if ('invalid' in parsed) {
          txs.push({ txId: parsed.txId, txNum, code, type: parsed.type, chaincodeName: '', functionName: '' });
          if (parsed.txId && !this.#txIndex.has(parsed.txId))
            this.#txIndex.set(parsed.txId, { blockNumber: n, txNum, code });
          return;
        }
        txs.push(this.#summarise(parsed, txNum, code));
        if (!this.#txIndex.has(parsed.txId)) this.#txIndex.set(parsed.txId, { blockNumber: n, txNum, code });
        if (code === Codes.VALID) this.#collectWrites(parsed, this.#readRwset(parsed), n, txNum, batch, undefined);
      });
      const pvt = pvtByBlock.get(n);
      if (pvt) {
        batch.privatePuts.push(...pvt.puts);
        batch.privatePurges.push(...pvt.purges);
      }
      this.#apply(batch, n);
      this.#summaries.set(n, { number: n, txs });
    }
  }

  #filterOf(block: common.Block): Uint8Array {
    return (
      block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0)
    );
  }

  #summarise(parsed: ParsedTransaction, txNum: number, code: number): TxSummary {
    let event: peer.ChaincodeEvent | undefined;
    const eventBytes = parsed.action.getEvents_asU8();
    if (eventBytes.length > 0) {
      try {
        event = peer.ChaincodeEvent.deserializeBinary(eventBytes);
        if (!event.getEventName()) event = undefined;
      } catch {
        event = undefined;
      }
    }
    let functionName = '';
    try {
      const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(
        peer.Transaction.deserializeBinary(common.Payload.deserializeBinary(parsed.payloadBytes).getData_asU8())
          .getActionsList()[0]
          ?.getPayload_asU8() ?? new Uint8Array(0),
      );
      const cpp = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
      const args =
        peer.ChaincodeInvocationSpec.deserializeBinary(cpp.getInput_asU8())
          .getChaincodeSpec()
          ?.getInput()
          ?.getArgsList_asU8() ?? [];
      functionName = args[0] ? Buffer.from(args[0]).toString('utf8') : '';
    } catch {
      functionName = '';
    }
    return {
      txId: parsed.txId,
      txNum,
      code,
      type: parsed.type,
      chaincodeName: parsed.chaincodeName,
      functionName,
      ...(event ? { event } : {}),
    };
  }

  #readRwset(parsed: ParsedTransaction): ledgerProtos.rwset.TxReadWriteSet {
    return rwset.TxReadWriteSet.deserializeBinary(parsed.action.getResults_asU8());
  }

  // ---------- commit ----------

  /**
   * Validates and commits one block of ordered envelopes; returns its summary.
   * Validation reads committed state plus the updates of earlier valid transactions in the block.
   */
  async commitBlock(envelopes: Uint8Array[]): Promise<BlockSummary> {
    const number = this.#blocks.height;
    const batch = new BlockBatch();
    const filter: number[] = [];
    const txs: TxSummary[] = [];
    const seen = new Set<string>();
    const privateFromPending = new Set<string>();
    const parsedAll = envelopes.map((envBytes) => parseTransaction(envBytes));
    await this.#preverify(parsedAll);
    parsedAll.forEach((parsed, txNum) => {
      if ('invalid' in parsed) {
        filter.push(parsed.invalid);
        txs.push({
          txId: parsed.txId,
          txNum,
          code: parsed.invalid,
          type: parsed.type,
          chaincodeName: '',
          functionName: '',
        });
        return;
      }
      let verdict: { code: number; reason?: string; rw?: ledgerProtos.rwset.TxReadWriteSet };
      try {
        verdict = this.#validate(parsed, seen, batch);
      } catch (err) {
        // e.g. a key's validation parameter that is not a policy: this transaction fails, not the block.
        verdict = { code: Codes.INVALID_OTHER_REASON, reason: (err as Error).message };
      }
      const { code, reason, rw } = verdict;
      seen.add(parsed.txId);
      filter.push(code);
      txs.push(this.#summarise(parsed, txNum, code));
      if (reason) this.#opts.log?.(`tx ${parsed.txId} invalid: ${validationCodeName(code)}: ${reason}`);
      if (code === Codes.VALID && rw) {
        this.#collectWrites(parsed, rw, number, txNum, batch, this.#pending.get(parsed.txId));
        privateFromPending.add(parsed.txId);
      }
    });
    this.#expirePrivate(number, batch);
    const block = this.#buildBlock(number, envelopes, filter);
    // Private data first: if we crash before the block is appended, the entry is ignored at replay.
    if (batch.privatePuts.length > 0) this.#pvtByBlock.set(number, batch.privatePuts);
    if (batch.privatePuts.length > 0 || batch.privatePurges.length > 0) {
      const line = Buffer.from(
        JSON.stringify({
          block: number,
          puts: batch.privatePuts,
          purges: batch.privatePurges,
        } satisfies PrivateLogEntry) + '\n',
      );
      let written = 0;
      while (written < line.length) written += writeSync(this.#pvtFd, line, written);
      await fsyncOnThreadPool(this.#pvtFd);
    }
    // Durable before anything of it is visible; the event loop keeps serving while the disk flushes.
    const publish = await this.#blocks.write(block);
    await this.lock.write(() => {
      publish();
      this.#apply(batch, number);
      txs.forEach((tx) => {
        if (tx.txId && !this.#txIndex.has(tx.txId))
          this.#txIndex.set(tx.txId, { blockNumber: number, txNum: tx.txNum, code: tx.code });
      });
      this.#summaries.set(number, { number, txs });
    });
    if (++this.#blocksSinceSnapshot >= SNAPSHOT_EVERY_BLOCKS) this.#writeSnapshot();
    for (const txId of privateFromPending) this.#pending.delete(txId);
    this.#notify();
    return { number, txs };
  }

  /**
   * Checks the creator and endorsement signatures of a whole block at once, on the thread pool;
   * the in-order validation that follows finds them done (Membership remembers good ones) and
   * still decides, one transaction after another, what each signature counts for.
   */
  async #preverify(parsedAll: ReturnType<typeof parseTransaction>[]): Promise<void> {
    const items: { creator: Uint8Array; data: Uint8Array; signature: Uint8Array }[] = [];
    for (const parsed of parsedAll) {
      if ('invalid' in parsed) continue;
      items.push({ creator: parsed.creatorBytes, data: parsed.payloadBytes, signature: parsed.signature });
      for (const endorsement of parsed.endorsements) {
        const endorser = endorsement.getEndorser_asU8();
        items.push({
          creator: endorser,
          data: Buffer.concat([parsed.prpBytes, endorser]),
          signature: endorsement.getSignature_asU8(),
        });
      }
    }
    await this.#opts.membership.preverify(items);
  }

  #buildBlock(number: number, data: Uint8Array[], filter: number[]): common.Block {
    const header = new common.BlockHeader();
    header.setNumber(number);
    header.setPreviousHash(this.#blocks.lastHeaderHash);
    header.setDataHash(blockDataHash(data));
    const blockData = new common.BlockData();
    blockData.setDataList(data);
    const lastConfig = new common.LastConfig();
    lastConfig.setIndex(0);
    const ordererMetadata = new common.OrdererBlockMetadata();
    ordererMetadata.setLastConfig(lastConfig);
    const signatures = new common.Metadata();
    signatures.setValue(ordererMetadata.serializeBinary());
    const filterBytes = Uint8Array.from(filter);
    const commit = new common.Metadata();
    commit.setValue(commitHash(this.#blocks.lastCommitHash, number, filterBytes, header.getDataHash_asU8()));
    const metadata = new common.BlockMetadata();
    const list: Uint8Array[] = [
      signatures.serializeBinary(),
      new Uint8Array(0),
      filterBytes,
      new Uint8Array(0),
      commit.serializeBinary(),
    ];
    metadata.setMetadataList(list);
    const block = new common.Block();
    block.setHeader(header);
    block.setData(blockData);
    block.setMetadata(metadata);
    return block;
  }

  #currentPublic(
    batch: BlockBatch | undefined,
    ns: string,
    key: string,
  ): { version?: Version; metadata?: Map<string, Uint8Array>; exists: boolean } {
    const update = batch?.publicUpdates.get(pk(ns, key));
    const committed = this.state.get(ns, key);
    if (update) {
      if (update.value === null) return { exists: false };
      const metadata = update.metadata ?? committed?.metadata;
      return { version: update.version, exists: true, ...(metadata && metadata.size > 0 ? { metadata } : {}) };
    }
    if (!committed) return { exists: false };
    return {
      version: committed.version,
      exists: true,
      ...(committed.metadata ? { metadata: committed.metadata } : {}),
    };
  }

  #currentHash(
    batch: BlockBatch | undefined,
    ns: string,
    coll: string,
    keyHash: Uint8Array,
  ): { version?: Version; metadata?: Map<string, Uint8Array> } {
    const update = batch?.hashUpdates.get(hk(ns, coll, keyHash));
    const committed = this.state.getPrivateHash(ns, coll, keyHash);
    if (update) {
      if (update.valueHash === null) return {};
      const metadata = update.metadata ?? committed?.metadata;
      return { version: update.version, ...(metadata && metadata.size > 0 ? { metadata } : {}) };
    }
    if (!committed) return {};
    return { version: committed.version, ...(committed.metadata ? { metadata: committed.metadata } : {}) };
  }

  #validate(
    parsed: ParsedTransaction,
    seenInBlock: Set<string>,
    batch: BlockBatch,
  ): { code: number; reason?: string; rw?: ledgerProtos.rwset.TxReadWriteSet } {
    if (parsed.channelId !== this.#opts.channelId)
      return { code: Codes.TARGET_CHAIN_NOT_FOUND, reason: `channel ${parsed.channelId}` };
    try {
      this.#opts.membership.verify(parsed.creatorBytes, parsed.payloadBytes, parsed.signature);
    } catch (err) {
      return { code: Codes.BAD_CREATOR_SIGNATURE, reason: (err as Error).message };
    }
    if (parsed.nonce.length === 0 || computeTxId(parsed.nonce, parsed.creatorBytes) !== parsed.txId)
      return { code: Codes.BAD_PROPOSAL_TXID, reason: 'tx id is not hex(sha256(nonce + creator))' };
    if (this.#txIndex.has(parsed.txId) || seenInBlock.has(parsed.txId))
      return { code: Codes.DUPLICATE_TXID, reason: 'this transaction id was already ordered' };
    const definition = this.#opts.chaincodes.get(parsed.chaincodeName);
    if (!definition)
      return { code: Codes.INVALID_CHAINCODE, reason: `chaincode ${parsed.chaincodeName} is not defined` };
    if (parsed.proposalHash.length === 0)
      return {
        code: Codes.BAD_RESPONSE_PAYLOAD,
        reason: 'the endorsed proposal hash does not match the transaction header and payload',
      };
    let rw: ledgerProtos.rwset.TxReadWriteSet;
    try {
      rw = this.#readRwset(parsed);
    } catch {
      return { code: Codes.BAD_RWSET, reason: 'the read-write set cannot be decoded' };
    }
    // Endorsements: a signature that does not verify simply does not count.
    const signatories: Signatory[] = [];
    const seenEndorsers = new Set<string>();
    for (const endorsement of parsed.endorsements) {
      const endorser = endorsement.getEndorser_asU8();
      const id = Buffer.from(endorser).toString('base64');
      if (seenEndorsers.has(id)) continue;
      try {
        const identity = this.#opts.membership.verify(
          endorser,
          Buffer.concat([parsed.prpBytes, endorser]),
          endorsement.getSignature_asU8(),
        );
        seenEndorsers.add(id);
        signatories.push({ mspId: identity.mspId, ou: identity.ou });
      } catch {
        // ignored, as Fabric's VSCC ignores endorsements it cannot verify
      }
    }
    // Namespaces other than the invoked chaincode are not writable by it.
    let needsChaincodePolicy = true;
    let wroteSomething = false;
    let writesWithoutKeyPolicy = false;
    const keyPolicies: Array<{ where: string; policy: Policy }> = [];
    for (const ns of rw.getNsRwsetList()) {
      const name = ns.getNamespace();
      let kv: ledgerProtos.rwset.kvrwset.KVRWSet;
      try {
        kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      } catch {
        return { code: Codes.BAD_RWSET, reason: `namespace ${name} rwset cannot be decoded` };
      }
      const writtenKeys = [
        ...kv.getWritesList().map((w) => w.getKey()),
        ...kv.getMetadataWritesList().map((w) => w.getKey()),
      ];
      if (writtenKeys.length > 0 && name !== parsed.chaincodeName)
        return { code: Codes.ILLEGAL_WRITESET, reason: `writes to namespace ${name}` };
      for (const key of writtenKeys) {
        wroteSomething = true;
        const vp = this.#currentPublic(batch, name, key).metadata?.get(VALIDATION_PARAMETER);
        if (vp && vp.length > 0) keyPolicies.push({ where: `key ${key}`, policy: policyFromEnvelope(vp) });
        else writesWithoutKeyPolicy = true;
      }
      for (const coll of ns.getCollectionHashedRwsetList()) {
        let hashed: ledgerProtos.rwset.kvrwset.HashedRWSet;
        try {
          hashed = kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
        } catch {
          return { code: Codes.BAD_RWSET, reason: `collection ${coll.getCollectionName()} rwset cannot be decoded` };
        }
        if (!definition.collections.some((c) => c.name === coll.getCollectionName()))
          return { code: Codes.INVALID_WRITESET, reason: `unknown collection ${coll.getCollectionName()}` };
        const hashes = [
          ...hashed.getHashedWritesList().map((w) => w.getKeyHash_asU8()),
          ...hashed.getMetadataWritesList().map((w) => w.getKeyHash_asU8()),
        ];
        for (const keyHash of hashes) {
          wroteSomething = true;
          const vp = this.#currentHash(batch, name, coll.getCollectionName(), keyHash).metadata?.get(
            VALIDATION_PARAMETER,
          );
          if (vp && vp.length > 0)
            keyPolicies.push({ where: `private key in ${coll.getCollectionName()}`, policy: policyFromEnvelope(vp) });
          else writesWithoutKeyPolicy = true;
        }
      }
    }
    // State-based endorsement: a key's own policy replaces the chaincode policy for that key.
    needsChaincodePolicy = !wroteSomething || writesWithoutKeyPolicy;
    if (needsChaincodePolicy && !evaluatePolicy(definition.policy, signatories)) {
      return {
        code: Codes.ENDORSEMENT_POLICY_FAILURE,
        reason: `endorsed by ${signatories.map((s) => s.mspId).join(', ') || 'nobody'}; the chaincode policy is not satisfied`,
      };
    }
    for (const kp of keyPolicies) {
      if (!evaluatePolicy(kp.policy, signatories))
        return {
          code: Codes.ENDORSEMENT_POLICY_FAILURE,
          reason: `the state-based endorsement policy of ${kp.where} is not satisfied`,
        };
    }
    // MVCC: every read must still be at the version the endorser saw.
    for (const ns of rw.getNsRwsetList()) {
      const name = ns.getNamespace();
      const kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const read of kv.getReadsList()) {
        const current = this.#currentPublic(batch, name, read.getKey());
        if (!versionEquals(current.exists ? current.version : undefined, read.getVersion()))
          return { code: Codes.MVCC_READ_CONFLICT, reason: `key ${read.getKey()} changed since it was read` };
      }
      for (const coll of ns.getCollectionHashedRwsetList()) {
        const hashed = kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
        for (const read of hashed.getHashedReadsList()) {
          const current = this.#currentHash(batch, name, coll.getCollectionName(), read.getKeyHash_asU8());
          if (!versionEquals(current.version, read.getVersion()))
            return {
              code: Codes.MVCC_READ_CONFLICT,
              reason: `a private key in ${coll.getCollectionName()} changed since it was read`,
            };
        }
      }
      for (const rq of kv.getRangeQueriesInfoList()) {
        if (!this.#rangeUnchanged(batch, name, rq))
          return {
            code: Codes.PHANTOM_READ_CONFLICT,
            reason: `range [${rq.getStartKey()}, ${rq.getEndKey()}) changed since it was read`,
          };
      }
    }
    return { code: Codes.VALID, rw };
  }

  #rangeUnchanged(batch: BlockBatch, ns: string, rq: ledgerProtos.rwset.kvrwset.RangeQueryInfo): boolean {
    const raw = rq.getRawReads();
    // A Merkle summary is only produced for very large ranges; the devnet re-checks raw reads only.
    if (!raw) return true;
    const reads = raw.getKvReadsList();
    const startKey = rq.getStartKey();
    let endKey = rq.getEndKey();
    let inclusiveEnd = false;
    if (!rq.getItrExhausted()) {
      const last = reads[reads.length - 1];
      if (!last) return true;
      endKey = last.getKey();
      inclusiveEnd = true;
    }
    const inRange = (key: string): boolean => {
      if (compareUtf8(key, startKey) < 0) return false;
      if (endKey === '') return true;
      const c = compareUtf8(key, endKey);
      return inclusiveEnd ? c <= 0 : c < 0;
    };
    const current = new Map<string, Version>();
    for (const { key, value } of this.state.range(ns, startKey, inclusiveEnd ? '' : endKey)) {
      if (!inRange(key)) break;
      current.set(key, value.version);
    }
    for (const update of batch.publicUpdates.values()) {
      if (update.ns !== ns || !inRange(update.key)) continue;
      if (update.value === null) current.delete(update.key);
      else current.set(update.key, update.version);
    }
    const keys = [...current.keys()].sort(compareUtf8);
    if (keys.length !== reads.length) return false;
    return keys.every((key, i) => {
      const read = reads[i];
      return read !== undefined && read.getKey() === key && versionEquals(current.get(key), read.getVersion());
    });
  }

  #collectWrites(
    parsed: ParsedTransaction,
    rw: ledgerProtos.rwset.TxReadWriteSet,
    blockNum: number,
    txNum: number,
    batch: BlockBatch,
    pending: PendingPrivateData | undefined,
  ): void {
    const version: Version = { blockNum, txNum };
    for (const ns of rw.getNsRwsetList()) {
      const name = ns.getNamespace();
      const kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const write of kv.getWritesList()) {
        const update: PublicUpdate = {
          ns: name,
          key: write.getKey(),
          value: write.getIsDelete() ? null : write.getValue_asU8(),
          version,
          txId: parsed.txId,
          timestamp: parsed.timestamp,
        };
        const previous = batch.publicUpdates.get(pk(name, write.getKey()));
        // Writing a value keeps the key's metadata unless this transaction changed it.
        if (previous?.metadata && update.value !== null) update.metadata = previous.metadata;
        batch.publicUpdates.set(pk(name, write.getKey()), update);
        batch.history.push(update);
      }
      for (const mw of kv.getMetadataWritesList()) {
        const key = mw.getKey();
        const existing = batch.publicUpdates.get(pk(name, key));
        const current = this.state.get(name, key);
        if (existing) {
          existing.metadata = metadataMap(mw.getEntriesList());
          existing.version = version;
        } else if (current) {
          batch.publicUpdates.set(pk(name, key), {
            ns: name,
            key,
            value: current.value,
            metadata: metadataMap(mw.getEntriesList()),
            version,
            txId: parsed.txId,
            timestamp: parsed.timestamp,
          });
        }
      }
      for (const coll of ns.getCollectionHashedRwsetList()) {
        const collName = coll.getCollectionName();
        const hashed = kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
        for (const write of hashed.getHashedWritesList()) {
          const keyHash = write.getKeyHash_asU8();
          const isDelete = write.getIsDelete() || write.getIsPurge();
          batch.hashUpdates.set(hk(name, collName, keyHash), {
            ns: name,
            coll: collName,
            keyHash,
            valueHash: isDelete ? null : write.getValueHash_asU8(),
            version,
          });
          // Cleartext only when this peer received it and it matches the endorsed hashes.
          const clear = pending?.writes.find(
            (w) =>
              w.namespace === name && w.collection === collName && privateKeyHash(w.key).equals(Buffer.from(keyHash)),
          );
          if (write.getIsPurge()) {
            const purge = pending?.purges.find(
              (p) =>
                p.namespace === name && p.collection === collName && privateKeyHash(p.key).equals(Buffer.from(keyHash)),
            );
            const key = purge?.key ?? clear?.key ?? this.#findPrivateKey(name, collName, keyHash);
            if (key !== undefined) batch.privatePurges.push({ ns: name, coll: collName, key });
          } else if (isDelete && !clear) {
            // A delete needs no cleartext: drop what this peer holds for the key.
            const key = this.#findPrivateKey(name, collName, keyHash);
            if (key !== undefined) batch.privatePuts.push({ ns: name, coll: collName, key, value: null, version });
          } else if (clear) {
            const matches = isDelete
              ? clear.value === null
              : clear.value !== null && sha256(clear.value).equals(Buffer.from(write.getValueHash_asU8()));
            if (matches)
              batch.privatePuts.push({
                ns: name,
                coll: collName,
                key: clear.key,
                value: clear.value === null ? null : Buffer.from(clear.value).toString('base64'),
                version,
              });
          }
        }
        for (const mw of hashed.getMetadataWritesList()) {
          const keyHash = mw.getKeyHash_asU8();
          const key = hk(name, collName, keyHash);
          const existing = batch.hashUpdates.get(key);
          if (existing) {
            existing.metadata = metadataMap(mw.getEntriesList());
            existing.version = version;
          } else {
            batch.hashUpdates.set(key, {
              ns: name,
              coll: collName,
              keyHash,
              metadata: metadataMap(mw.getEntriesList()),
              version,
            });
          }
        }
      }
    }
  }

  #findPrivateKey(ns: string, coll: string, keyHash: Uint8Array): string | undefined {
    for (const entry of this.state.privateEntries()) {
      if (entry.namespace === ns && entry.collection === coll && privateKeyHash(entry.key).equals(Buffer.from(keyHash)))
        return entry.key;
    }
    return undefined;
  }

  /** blockToLive: data committed at block b with blockToLive n is kept through block b+n, purged when b+n+1 commits. */
  #expirePrivate(blockNumber: number, batch: BlockBatch): void {
    for (const entry of this.state.privateEntries()) {
      const config = this.state.collections(entry.namespace).get(entry.collection);
      if (config && config.blockToLive > 0 && blockNumber > entry.committedBlock + config.blockToLive) {
        batch.privatePurges.push({ ns: entry.namespace, coll: entry.collection, key: entry.key });
      }
    }
  }

  #apply(batch: BlockBatch, blockNumber: number): void {
    for (const update of batch.history) {
      const entry = {
        txId: update.txId,
        value: update.value ?? null,
        isDelete: update.value === null,
        timestamp: update.timestamp,
      };
      if (update.value === null) this.state.deletePublic(update.ns, update.key, entry);
      else this.state.putPublic(update.ns, update.key, update.value ?? new Uint8Array(0), update.version, entry);
    }
    for (const update of batch.publicUpdates.values()) {
      if (update.value === null) continue;
      if (update.metadata !== undefined)
        this.state.setPublicMetadata(update.ns, update.key, update.metadata, update.version);
    }
    for (const update of batch.hashUpdates.values()) {
      if (update.valueHash !== undefined)
        this.state.putPrivateHash(update.ns, update.coll, update.keyHash, update.valueHash, update.version);
      if (update.metadata !== undefined) {
        this.state.setPrivateHashMetadata(update.ns, update.coll, update.keyHash, update.metadata, update.version);
        if (update.valueHash === undefined)
          this.state.setPrivateVersion(update.ns, update.coll, update.keyHash, update.version);
      }
    }
    for (const put of batch.privatePuts) {
      this.state.putPrivate(
        put.ns,
        put.coll,
        put.key,
        put.value === null ? null : Buffer.from(put.value, 'base64'),
        put.version,
        blockNumber,
      );
    }
    for (const purge of batch.privatePurges) {
      this.state.purgePrivate(purge.ns, purge.coll, purge.key);
      const config = this.state.collections(purge.ns).get(purge.coll);
      // Expiry (blockToLive) removes the hash too; an explicit purge already wrote a hash delete.
      if (config)
        this.state.putPrivateHash(purge.ns, purge.coll, privateKeyHash(purge.key), null, {
          blockNum: blockNumber,
          txNum: 0,
        });
    }
  }
}

/** Seek helpers shared by the Deliver and ChaincodeEvents services. */
export function resolveStart(position: orderer.SeekPosition | undefined, height: number): number {
  if (!position) return height;
  switch (position.getTypeCase()) {
    case orderer.SeekPosition.TypeCase.OLDEST:
      return 0;
    case orderer.SeekPosition.TypeCase.SPECIFIED:
      return position.getSpecified()?.getNumber() ?? 0;
    case orderer.SeekPosition.TypeCase.NEWEST:
      return Math.max(0, height - 1);
    default:
      return height;
  }
}
