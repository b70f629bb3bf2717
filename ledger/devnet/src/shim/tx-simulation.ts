import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import type { CollectionConfig, HistoryEntry, SimulationRequest, Version, VersionedValue, WorldStateReader } from '../simulation.js';
import { ChaincodeRequestError } from './errors.js';
import { compareKeys, sha256 } from './keys.js';
import { type RangeQueryRecord, RwSetBuilder } from './rwset-builder.js';

const Type = peer.ChaincodeMessage.Type;
type MessageType = (typeof Type)[keyof typeof Type];

/**
 * Optional extension of WorldStateReader: cleartext private data in a key range, for
 * GetPrivateDataByRange. Same bounds as range(); empty when `peerMspId` is not a member.
 * Without it, private range queries are refused with a clear message.
 */
export interface PrivateRangeReader {
  privateRange(
    namespace: string,
    collection: string,
    startKey: string,
    endKey: string,
    peerMspId: string,
  ): Iterable<{ key: string; value: VersionedValue }>;
}

/** The peer's answer to one chaincode request: RESPONSE with a payload, or ERROR with a message. */
export type PeerReply = { type: typeof Type.RESPONSE; payload: Uint8Array } | { type: typeof Type.ERROR; payload: Uint8Array };

/** Fabric peer defaults (core.yaml): results per QueryResponse batch and per query in total. */
export const QUERY_BATCH_SIZE = 100;
export const TOTAL_QUERY_LIMIT = 100_000;

// google.protobuf.Timestamp is only reachable through fabric-protos' own dependency; load it
// from there so the class is the one KeyModification expects.
interface TimestampMessage {
  setSeconds(value: number): void;
  setNanos(value: number): void;
}
const protosRequire = createRequire(createRequire(import.meta.url).resolve('@hyperledger/fabric-protos'));
const { Timestamp } = protosRequire('google-protobuf/google/protobuf/timestamp_pb.js') as {
  Timestamp: new () => TimestampMessage;
};

export function timestampMessage(ts: { seconds: number; nanos: number }): TimestampMessage {
  const pb = new Timestamp();
  pb.setSeconds(ts.seconds);
  pb.setNanos(ts.nanos);
  return pb;
}

type QueryItem = { kind: 'kv'; key: string; value: Uint8Array; version?: Version } | { kind: 'history'; entry: HistoryEntry };

/** An open iterator, as the peer keeps it between GET_STATE_BY_RANGE and QUERY_STATE_NEXT. */
interface QueryContext {
  items: QueryItem[];
  position: number;
  totalReturnCount: number;
  totalReturnLimit: number;
  paginated: boolean;
  pending: QueryItem[];
  /** Present for public range queries: what the validator re-checks for phantoms. */
  range?: RangeQueryRecord & { queryEndKey: string };
}

function versionString(v: Version | undefined): string {
  return v ? `{BlockNum: ${v.blockNum}, TxNum: ${v.txNum}}` : '<nil>';
}

function sameVersion(a: Version | undefined, b: Version | undefined): boolean {
  if (!a || !b) return a === b;
  return a.blockNum === b.blockNum && a.txNum === b.txNum;
}

/** The MSP ID of the client that signed the proposal (protos.Proposal bytes). */
export function creatorMspIdOf(proposal: Uint8Array): string {
  const header = common.Header.deserializeBinary(peer.Proposal.deserializeBinary(proposal).getHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  return msp.SerializedIdentity.deserializeBinary(signatureHeader.getCreator_asU8()).getMspid();
}

/**
 * The peer side of one transaction's simulation: answers the chaincode's state requests from
 * the committed state it was given, and records the read-write set as Fabric's transaction
 * simulator does. Fabric has no read-your-writes: a read always returns the committed value
 * and records its committed version, even after the transaction wrote the key.
 */
export class TransactionSimulation {
  readonly builder: RwSetBuilder;
  private readonly queries = new Map<string, QueryContext>();
  /** Every range iterator opened, in order: recorded in the rwset when the simulation ends. */
  private readonly rangeRecords: Array<RangeQueryRecord & { queryEndKey: string }> = [];
  private writePerformed = false;
  private paginatedQueryPerformed = false;
  private privateQueryPerformed = false;
  private readonly creatorMspId: string;

  constructor(
    private readonly request: SimulationRequest,
    private readonly state: WorldStateReader,
    private readonly namespace: string,
  ) {
    this.builder = new RwSetBuilder(namespace);
    this.creatorMspId = request.decoded?.creatorMspId ?? creatorMspIdOf(request.proposal);
  }

  /** Answer one request; refusals become ERROR replies the shim throws inside the contract. */
  handle(type: number, payload: Uint8Array): PeerReply {
    try {
      return { type: Type.RESPONSE, payload: this.dispatch(type as MessageType, payload) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { type: Type.ERROR, payload: Buffer.from(message, 'utf8') };
    }
  }

  /** Finish: close open iterators (recording their range info) and build the rwset. */
  finish(): ReturnType<RwSetBuilder['build']> {
    for (const record of this.rangeRecords) {
      this.builder.addRangeQuery({
        startKey: record.startKey,
        endKey: record.endKey,
        itrExhausted: record.itrExhausted,
        reads: record.reads,
      });
    }
    this.queries.clear();
    return this.builder.build();
  }

  private dispatch(type: MessageType, payload: Uint8Array): Uint8Array {
    switch (type) {
      case Type.GET_STATE: {
        const msg = peer.GetState.deserializeBinary(payload);
        return msg.getCollection() ? this.getPrivate(msg.getCollection(), msg.getKey()) : this.getPublic(msg.getKey());
      }
      case Type.PUT_STATE: {
        const msg = peer.PutState.deserializeBinary(payload);
        this.write(msg.getCollection(), msg.getKey(), msg.getValue_asU8());
        return new Uint8Array();
      }
      case Type.DEL_STATE: {
        const msg = peer.DelState.deserializeBinary(payload);
        this.write(msg.getCollection(), msg.getKey(), null);
        return new Uint8Array();
      }
      case Type.PURGE_PRIVATE_DATA: {
        const msg = peer.PurgePrivateState.deserializeBinary(payload);
        this.purge(msg.getCollection(), msg.getKey());
        return new Uint8Array();
      }
      case Type.GET_PRIVATE_DATA_HASH: {
        const msg = peer.GetState.deserializeBinary(payload);
        return this.getPrivateHash(msg.getCollection(), msg.getKey());
      }
      case Type.GET_STATE_METADATA: {
        const msg = peer.GetStateMetadata.deserializeBinary(payload);
        return this.getMetadata(msg.getCollection(), msg.getKey());
      }
      case Type.PUT_STATE_METADATA: {
        const msg = peer.PutStateMetadata.deserializeBinary(payload);
        this.putMetadata(msg);
        return new Uint8Array();
      }
      case Type.GET_STATE_BY_RANGE:
        return this.getStateByRange(peer.GetStateByRange.deserializeBinary(payload));
      case Type.QUERY_STATE_NEXT:
        return this.queryNext(peer.QueryStateNext.deserializeBinary(payload).getId());
      case Type.QUERY_STATE_CLOSE: {
        const id = peer.QueryStateClose.deserializeBinary(payload).getId();
        this.queries.delete(id);
        const response = new peer.QueryResponse();
        response.setHasMore(false);
        response.setId(id);
        return response.serializeBinary();
      }
      case Type.GET_HISTORY_FOR_KEY:
        return this.getHistory(peer.GetHistoryForKey.deserializeBinary(payload).getKey());
      case Type.GET_QUERY_RESULT:
        // Fabric's answer on a LevelDB peer; our state database behaves like LevelDB.
        throw new ChaincodeRequestError(
          'ExecuteQuery not supported for leveldb: rich queries (GetQueryResult) need CouchDB, and the devnet state ' +
            'database behaves like LevelDB. Use key ranges or composite keys instead.',
        );
      case Type.INVOKE_CHAINCODE:
        throw new ChaincodeRequestError('chaincode-to-chaincode calls (InvokeChaincode) are not supported by the devnet.');
      case Type.GET_STATE_MULTIPLE:
      case Type.WRITE_BATCH_STATE:
        throw new ChaincodeRequestError(
          `message ${typeName(type)} was not negotiated at registration: the devnet peer does not offer batched state calls.`,
        );
      default:
        throw new ChaincodeRequestError(`the devnet peer cannot handle message ${typeName(type)} during a transaction.`);
    }
  }

  private getPublic(key: string): Uint8Array {
    const committed = this.state.get(this.namespace, key);
    this.builder.addRead(key, committed?.version);
    return committed?.value ?? new Uint8Array();
  }

  private collectionConfig(collection: string): CollectionConfig {
    const collections = this.state.collections(this.namespace);
    if (collections.size === 0) {
      throw new ChaincodeRequestError(
        `collection config not defined for chaincode [${this.namespace}], pass the collection configuration upon chaincode definition/instantiation`,
      );
    }
    const config = collections.get(collection);
    if (!config) {
      throw new ChaincodeRequestError(`collection [${collection}] not defined in the collection config for chaincode [${this.namespace}]`);
    }
    return config;
  }

  /** Private-data checks a Fabric peer makes before touching a collection. */
  private checkPrivateAccess(collection: string, access: 'read' | 'write'): CollectionConfig {
    if (this.request.isInit) throw new ChaincodeRequestError('private data APIs are not allowed in chaincode Init()');
    const config = this.collectionConfig(collection);
    const memberOnly = access === 'read' ? config.memberOnlyRead : config.memberOnlyWrite;
    if (memberOnly && !config.memberMspIds.includes(this.creatorMspId)) {
      throw new ChaincodeRequestError(
        `tx creator does not have ${access} access permission on privatedata in chaincodeName:${this.namespace} collectionName: ${collection}`,
      );
    }
    return config;
  }

  private getPrivate(collection: string, key: string): Uint8Array {
    this.checkPrivateAccess(collection, 'read');
    const cleartext = this.state.getPrivate(this.namespace, collection, key, this.request.peerMspId);
    const hashed = this.state.getPrivateHash(this.namespace, collection, sha256(key));
    // A peer outside the collection holds only the hash: Fabric refuses rather than answer "absent".
    if (!sameVersion(hashed?.version, cleartext?.version)) {
      throw new ChaincodeRequestError(
        `private data matching public hash version is not available. Public hash version = ${versionString(hashed?.version)}, ` +
          `Private data version = ${versionString(cleartext?.version)} (peer ${this.request.peerMspId} is not a member of collection ${collection} or lacks the data)`,
      );
    }
    this.builder.addHashedRead(collection, key, cleartext?.version);
    return cleartext?.value ?? new Uint8Array();
  }

  private getPrivateHash(collection: string, key: string): Uint8Array {
    if (!collection) throw new ChaincodeRequestError('GetPrivateDataHash is only applicable to private data: name a collection');
    if (this.request.isInit) throw new ChaincodeRequestError('private data APIs are not allowed in chaincode Init()');
    this.collectionConfig(collection);
    const hashed = this.state.getPrivateHash(this.namespace, collection, sha256(key));
    this.builder.addHashedRead(collection, key, hashed?.version);
    return hashed?.valueHash ?? new Uint8Array();
  }

  private checkWrite(): void {
    const txId = this.request.txId;
    if (this.paginatedQueryPerformed) {
      throw new ChaincodeRequestError(`txid [${txId}]: Transaction has already performed a paginated query. Writes are not allowed`);
    }
    if (this.privateQueryPerformed) {
      throw new ChaincodeRequestError(`txid [${txId}]: Transaction has already performed queries on pvt data. Writes are not allowed`);
    }
    this.writePerformed = true;
  }

  private write(collection: string, key: string, value: Uint8Array | null): void {
    if (collection) {
      this.checkPrivateAccess(collection, 'write');
      this.checkWrite();
      this.builder.addPrivateWrite(collection, key, value);
    } else {
      this.checkWrite();
      this.builder.addWrite(key, value);
    }
  }

  private purge(collection: string, key: string): void {
    if (!collection) throw new ChaincodeRequestError('PurgePrivateData is only applicable to private data: name a collection');
    this.checkPrivateAccess(collection, 'write');
    this.checkWrite();
    this.builder.addPrivatePurge(collection, key);
  }

  private getMetadata(collection: string, key: string): Uint8Array {
    let metadata: Map<string, Uint8Array> | undefined;
    if (collection) {
      this.checkPrivateAccess(collection, 'read');
      const cleartext = this.state.getPrivate(this.namespace, collection, key, this.request.peerMspId);
      const hashed = this.state.getPrivateHash(this.namespace, collection, sha256(key));
      this.builder.addHashedRead(collection, key, hashed?.version);
      metadata = cleartext?.metadata;
    } else {
      const committed = this.state.get(this.namespace, key);
      this.builder.addRead(key, committed?.version);
      metadata = committed?.metadata;
    }
    const result = new peer.StateMetadataResult();
    for (const [name, value] of [...(metadata ?? new Map<string, Uint8Array>()).entries()].sort(([a], [b]) => compareKeys(a, b))) {
      const entry = new peer.StateMetadata();
      entry.setMetakey(name);
      entry.setValue(value);
      result.addEntries(entry);
    }
    return result.serializeBinary();
  }

  private putMetadata(msg: InstanceType<typeof peer.PutStateMetadata>): void {
    const entry = msg.getMetadata();
    if (!entry) throw new ChaincodeRequestError('PutStateMetadata needs a metadata entry (metakey and value)');
    // Like Fabric, the call sets the key's metadata to exactly this one entry.
    const metadata = new Map([[entry.getMetakey(), entry.getValue_asU8()]]);
    if (msg.getCollection()) {
      this.checkPrivateAccess(msg.getCollection(), 'write');
      this.checkWrite();
      this.builder.addPrivateMetadataWrite(msg.getCollection(), msg.getKey(), metadata);
    } else {
      this.checkWrite();
      this.builder.addMetadataWrite(msg.getKey(), metadata);
    }
  }

  private getStateByRange(msg: InstanceType<typeof peer.GetStateByRange>): Uint8Array {
    const collection = msg.getCollection();
    const metadataBytes = msg.getMetadata_asU8();
    const queryMetadata = metadataBytes.length > 0 ? peer.QueryMetadata.deserializeBinary(metadataBytes) : undefined;
    const id = randomUUID();

    if (collection) {
      this.checkPrivateAccess(collection, 'read');
      if (this.writePerformed) {
        throw new ChaincodeRequestError(`txid [${this.request.txId}]: Queries on pvt data is supported only in a read-only transaction`);
      }
      if (!hasPrivateRange(this.state)) {
        throw new ChaincodeRequestError('private data range queries are not available: the devnet state reader does not provide privateRange()');
      }
      this.privateQueryPerformed = true;
      // Fabric records no range info for private data: phantom reads are not detected there.
      const items: QueryItem[] = [...this.state.privateRange(this.namespace, collection, msg.getStartkey(), msg.getEndkey(), this.request.peerMspId)].map(
        ({ key, value }) => ({ kind: 'kv', key, value: value.value }),
      );
      this.queries.set(id, { items, position: 0, totalReturnCount: 0, totalReturnLimit: TOTAL_QUERY_LIMIT, paginated: false, pending: [] });
      return this.buildQueryResponse(id);
    }

    const pageSize = queryMetadata?.getPagesize() ?? 0;
    const bookmark = queryMetadata?.getBookmark() ?? '';
    const paginated = queryMetadata !== undefined && (pageSize > 0 || bookmark !== '');
    if (paginated) {
      if (this.writePerformed) {
        throw new ChaincodeRequestError(`txid [${this.request.txId}]: Paginated queries are supported only in a read-only transaction`);
      }
      this.paginatedQueryPerformed = true;
    }
    const startKey = paginated && bookmark !== '' ? bookmark : msg.getStartkey();
    const endKey = msg.getEndkey();
    const items: QueryItem[] = [...this.state.range(this.namespace, startKey, endKey)].map(({ key, value }) => ({
      kind: 'kv',
      key,
      value: value.value,
      version: value.version,
    }));
    const range = { startKey, endKey, queryEndKey: endKey, itrExhausted: false, reads: [] };
    this.rangeRecords.push(range);
    this.queries.set(id, {
      items,
      position: 0,
      totalReturnCount: 0,
      totalReturnLimit: paginated && pageSize > 0 ? Math.min(pageSize, TOTAL_QUERY_LIMIT) : TOTAL_QUERY_LIMIT,
      paginated,
      pending: [],
      range,
    });
    return this.buildQueryResponse(id);
  }

  private getHistory(key: string): Uint8Array {
    const id = randomUUID();
    const items: QueryItem[] = [...this.state.history(this.namespace, key)].map((entry) => ({ kind: 'history', entry }));
    this.queries.set(id, { items, position: 0, totalReturnCount: 0, totalReturnLimit: TOTAL_QUERY_LIMIT, paginated: false, pending: [] });
    return this.buildQueryResponse(id);
  }

  private queryNext(id: string): Uint8Array {
    if (!this.queries.has(id)) throw new ChaincodeRequestError(`query iterator not found: ${id} (it was closed or already exhausted)`);
    return this.buildQueryResponse(id);
  }

  /** The ledger iterator's Next(): also moves the range info, exactly as the peer's results iterator does. */
  private nextItem(ctx: QueryContext): QueryItem | undefined {
    const item = ctx.items[ctx.position];
    if (!item) {
      if (ctx.range) {
        ctx.range.itrExhausted = true;
        ctx.range.endKey = ctx.range.queryEndKey;
      }
      return undefined;
    }
    ctx.position++;
    if (ctx.range && item.kind === 'kv') {
      ctx.range.reads.push({ key: item.key, version: item.version });
      // The caller may never ask for more, so the range so far ends at the last key handed out.
      ctx.range.endKey = item.key;
    }
    return item;
  }

  /**
   * Cuts the next batch the way the peer's query response builder does: at most QUERY_BATCH_SIZE
   * results, reading one result ahead to know whether there are more; a paginated query answers
   * once, with its page and a bookmark (the key the next page starts at).
   */
  private buildQueryResponse(id: string): Uint8Array {
    const ctx = this.queries.get(id) as QueryContext;
    for (;;) {
      if (ctx.totalReturnCount >= ctx.totalReturnLimit) return this.finalResponse(id, ctx);
      const item = this.nextItem(ctx);
      if (!item) return this.finalResponse(id, ctx);
      if (ctx.pending.length === QUERY_BATCH_SIZE) {
        const batch = ctx.pending;
        ctx.pending = [item];
        ctx.totalReturnCount++;
        return this.queryResponse(id, batch, true);
      }
      ctx.pending.push(item);
      ctx.totalReturnCount++;
    }
  }

  private finalResponse(id: string, ctx: QueryContext): Uint8Array {
    const batch = ctx.pending;
    ctx.pending = [];
    this.queries.delete(id);
    if (!ctx.paginated) return this.queryResponse(id, batch, false);
    const metadata = new peer.QueryResponseMetadata();
    metadata.setFetchedRecordsCount(ctx.totalReturnCount);
    const next = ctx.items[ctx.position];
    metadata.setBookmark(next && next.kind === 'kv' ? next.key : '');
    return this.queryResponse(id, batch, false, metadata.serializeBinary());
  }

  private queryResponse(id: string, batch: QueryItem[], hasMore: boolean, metadata?: Uint8Array): Uint8Array {
    const response = new peer.QueryResponse();
    response.setId(id);
    response.setHasMore(hasMore);
    response.setResultsList(batch.map((item) => {
      const bytes = new peer.QueryResultBytes();
      bytes.setResultbytes(this.encodeItem(item));
      return bytes;
    }));
    if (metadata) response.setMetadata(metadata);
    return response.serializeBinary();
  }

  private encodeItem(item: QueryItem): Uint8Array {
    if (item.kind === 'kv') {
      const kv = new ledger.queryresult.KV();
      kv.setNamespace(this.namespace);
      kv.setKey(item.key);
      kv.setValue(item.value);
      return kv.serializeBinary();
    }
    const modification = new ledger.queryresult.KeyModification();
    modification.setTxId(item.entry.txId);
    modification.setIsDelete(item.entry.isDelete);
    if (item.entry.value) modification.setValue(item.entry.value);
    // KeyModification's typings name google-protobuf's Timestamp, which has no type package here.
    (modification as unknown as { setTimestamp(value: TimestampMessage): void }).setTimestamp(timestampMessage(item.entry.timestamp));
    return modification.serializeBinary();
  }
}

function hasPrivateRange(state: WorldStateReader): state is WorldStateReader & PrivateRangeReader {
  return typeof (state as Partial<PrivateRangeReader>).privateRange === 'function';
}

export function typeName(type: number): string {
  const entry = Object.entries(Type).find(([, value]) => value === type);
  return entry ? entry[0] : `UNKNOWN(${type})`;
}
