import { ledger } from '@hyperledger/fabric-protos';
import type { Version } from '../simulation.js';
import { compareKeys, sha256 } from './keys.js';

const { kvrwset } = ledger.rwset;

/** One range query as the validator re-runs it for phantom detection. */
export interface RangeQueryRecord {
  startKey: string;
  endKey: string;
  itrExhausted: boolean;
  /** Keys the iterator handed out, with their committed versions (raw reads, in key order). */
  reads: Array<{ key: string; version: Version | undefined }>;
}

interface PrivateWrite {
  value: Uint8Array | null;
  purge: boolean;
}

interface CollectionSets {
  /** By cleartext key: Fabric orders hashed entries by the key, not by its hash. */
  hashedReads: Map<string, Version | undefined>;
  writes: Map<string, PrivateWrite>;
  metadataWrites: Map<string, Map<string, Uint8Array>>;
}

export interface BuiltRwSet {
  /** rwset.TxReadWriteSet bytes for ChaincodeAction.results. */
  results: Uint8Array;
  privateWrites: Array<{ namespace: string; collection: string; key: string; value: Uint8Array | null }>;
  privatePurges: Array<{ namespace: string; collection: string; key: string }>;
}

/**
 * Collects what one transaction read and wrote in one chaincode namespace, with Fabric's rules:
 * a key read twice is recorded once, the last write to a key wins, a put of an empty value is a
 * delete, and everything is sorted (keys by UTF-8 bytes, hashed entries by their cleartext key,
 * collections by name)
 * so that every endorser produces byte-identical results for the same simulation.
 */
export class RwSetBuilder {
  private readonly reads = new Map<string, Version | undefined>();
  private readonly writes = new Map<string, Uint8Array | null>();
  private readonly metadataWrites = new Map<string, Map<string, Uint8Array>>();
  private readonly rangeQueries: RangeQueryRecord[] = [];
  private readonly collections = new Map<string, CollectionSets>();
  /** Fabric adds the namespace as soon as the chaincode touches state, even with no reads. */
  private touched = false;

  constructor(readonly namespace: string) {}

  addRead(key: string, version: Version | undefined): void {
    this.touched = true;
    this.reads.set(key, version);
  }

  addWrite(key: string, value: Uint8Array | null): void {
    this.touched = true;
    this.writes.set(key, value === null || value.length === 0 ? null : value);
  }

  addMetadataWrite(key: string, metadata: Map<string, Uint8Array>): void {
    this.touched = true;
    this.metadataWrites.set(key, metadata);
  }

  /** Range queries are recorded when the simulation ends, in the order their iterators were opened. */
  addRangeQuery(record: RangeQueryRecord): void {
    this.touched = true;
    const duplicate = this.rangeQueries.some(
      (q) => q.startKey === record.startKey && q.endKey === record.endKey && q.itrExhausted === record.itrExhausted,
    );
    if (!duplicate) this.rangeQueries.push(record);
  }

  addHashedRead(collection: string, key: string, version: Version | undefined): void {
    this.collection(collection).hashedReads.set(key, version);
  }

  addPrivateWrite(collection: string, key: string, value: Uint8Array | null): void {
    this.collection(collection).writes.set(key, { value: value === null || value.length === 0 ? null : value, purge: false });
  }

  addPrivatePurge(collection: string, key: string): void {
    this.collection(collection).writes.set(key, { value: null, purge: true });
  }

  addPrivateMetadataWrite(collection: string, key: string, metadata: Map<string, Uint8Array>): void {
    this.collection(collection).metadataWrites.set(key, metadata);
  }

  build(): BuiltRwSet {
    const privateWrites: BuiltRwSet['privateWrites'] = [];
    const privatePurges: BuiltRwSet['privatePurges'] = [];
    const txRwSet = new ledger.rwset.TxReadWriteSet();
    txRwSet.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);

    if (this.touched || this.collections.size > 0) {
      const ns = new ledger.rwset.NsReadWriteSet();
      ns.setNamespace(this.namespace);
      ns.setRwset(this.buildPublicKvRwSet().serializeBinary());
      const hashed = [...this.collections.keys()].sort(compareKeys).map((name) => {
        const sets = this.collections.get(name) as CollectionSets;
        for (const [key, write] of sets.writes) {
          if (write.purge) privatePurges.push({ namespace: this.namespace, collection: name, key });
          else privateWrites.push({ namespace: this.namespace, collection: name, key, value: write.value });
        }
        return buildCollectionHashedRwSet(name, sets);
      });
      ns.setCollectionHashedRwsetList(hashed);
      txRwSet.setNsRwsetList([ns]);
    }
    privateWrites.sort((a, b) => compareKeys(a.collection, b.collection) || compareKeys(a.key, b.key));
    privatePurges.sort((a, b) => compareKeys(a.collection, b.collection) || compareKeys(a.key, b.key));
    return { results: txRwSet.serializeBinary(), privateWrites, privatePurges };
  }

  private buildPublicKvRwSet(): InstanceType<typeof kvrwset.KVRWSet> {
    const set = new kvrwset.KVRWSet();
    set.setReadsList(sortedKeys(this.reads).map((key) => kvRead(key, this.reads.get(key))));
    set.setRangeQueriesInfoList(this.rangeQueries.map(rangeQueryInfo));
    set.setWritesList(sortedKeys(this.writes).map((key) => kvWrite(key, this.writes.get(key) ?? null)));
    set.setMetadataWritesList(
      sortedKeys(this.metadataWrites).map((key) => kvMetadataWrite(key, this.metadataWrites.get(key) ?? new Map<string, Uint8Array>())),
    );
    return set;
  }

  private collection(name: string): CollectionSets {
    let sets = this.collections.get(name);
    if (!sets) {
      sets = { hashedReads: new Map(), writes: new Map(), metadataWrites: new Map() };
      this.collections.set(name, sets);
    }
    return sets;
  }
}

function sortedKeys(map: Map<string, unknown>): string[] {
  return [...map.keys()].sort(compareKeys);
}

function version(v: Version | undefined): InstanceType<typeof kvrwset.Version> | undefined {
  if (!v) return undefined;
  const pb = new kvrwset.Version();
  pb.setBlockNum(v.blockNum);
  pb.setTxNum(v.txNum);
  return pb;
}

function kvRead(key: string, v: Version | undefined): InstanceType<typeof kvrwset.KVRead> {
  const read = new kvrwset.KVRead();
  read.setKey(key);
  read.setVersion(version(v));
  return read;
}

function kvWrite(key: string, value: Uint8Array | null): InstanceType<typeof kvrwset.KVWrite> {
  const write = new kvrwset.KVWrite();
  write.setKey(key);
  write.setIsDelete(value === null);
  if (value !== null) write.setValue(value);
  return write;
}

function metadataEntries(metadata: Map<string, Uint8Array>): Array<InstanceType<typeof kvrwset.KVMetadataEntry>> {
  return sortedKeys(metadata).map((name) => {
    const entry = new kvrwset.KVMetadataEntry();
    entry.setName(name);
    entry.setValue(metadata.get(name) ?? new Uint8Array());
    return entry;
  });
}

function kvMetadataWrite(key: string, metadata: Map<string, Uint8Array>): InstanceType<typeof kvrwset.KVMetadataWrite> {
  const write = new kvrwset.KVMetadataWrite();
  write.setKey(key);
  write.setEntriesList(metadataEntries(metadata));
  return write;
}

function rangeQueryInfo(record: RangeQueryRecord): InstanceType<typeof kvrwset.RangeQueryInfo> {
  const info = new kvrwset.RangeQueryInfo();
  info.setStartKey(record.startKey);
  info.setEndKey(record.endKey);
  info.setItrExhausted(record.itrExhausted);
  const reads = new kvrwset.QueryReads();
  reads.setKvReadsList(record.reads.map((r) => kvRead(r.key, r.version)));
  info.setRawReads(reads);
  return info;
}

function buildCollectionHashedRwSet(name: string, sets: CollectionSets): InstanceType<typeof ledger.rwset.CollectionHashedReadWriteSet> {
  const hashed = new kvrwset.HashedRWSet();
  hashed.setHashedReadsList(
    sortedKeys(sets.hashedReads).map((key) => {
      const read = new kvrwset.KVReadHash();
      read.setKeyHash(sha256(key));
      read.setVersion(version(sets.hashedReads.get(key)));
      return read;
    }),
  );
  hashed.setHashedWritesList(
    sortedKeys(sets.writes).map((key) => {
      const w = sets.writes.get(key) as PrivateWrite;
      const write = new kvrwset.KVWriteHash();
      write.setKeyHash(sha256(key));
      write.setIsDelete(w.value === null);
      if (w.value !== null) write.setValueHash(sha256(w.value));
      write.setIsPurge(w.purge);
      return write;
    }),
  );
  hashed.setMetadataWritesList(
    sortedKeys(sets.metadataWrites).map((key) => {
      const write = new kvrwset.KVMetadataWriteHash();
      write.setKeyHash(sha256(key));
      write.setEntriesList(metadataEntries(sets.metadataWrites.get(key) ?? new Map<string, Uint8Array>()));
      return write;
    }),
  );

  const collection = new ledger.rwset.CollectionHashedReadWriteSet();
  collection.setCollectionName(name);
  collection.setHashedRwset(hashed.serializeBinary());
  // Peers check the private data they receive by gossip against this hash of the cleartext set.
  if (sets.writes.size > 0 || sets.metadataWrites.size > 0) {
    const pvt = new kvrwset.KVRWSet();
    pvt.setWritesList(sortedKeys(sets.writes).map((key) => kvWrite(key, sets.writes.get(key)?.value ?? null)));
    // The cleartext set names only the key of a metadata write: the metadata itself lives with the hashes.
    pvt.setMetadataWritesList(sortedKeys(sets.metadataWrites).map((key) => kvMetadataWrite(key, new Map<string, Uint8Array>())));
    collection.setPvtRwsetHash(sha256(pvt.serializeBinary()));
  }
  return collection;
}
