import type { CollectionConfig, HistoryEntry, Version, VersionedValue, WorldStateReader } from '../../../ledger/devnet/src/simulation.js';
import type { PrivateRangeReader } from '../../../ledger/devnet/src/shim/runtime.js';
import { compareKeys, keyInRange, sha256, toHex } from '../../../ledger/devnet/src/shim/keys.js';

/**
 * A small committed ledger state for the runtime tests: public keys with versions and
 * metadata, key history (newest first, as Fabric returns it), collections, and private data
 * kept per member org with its hash visible to every peer, as Fabric stores them.
 */
export class MemoryWorldState implements WorldStateReader, PrivateRangeReader {
  private readonly publicState = new Map<string, Map<string, VersionedValue>>();
  private readonly historyByKey = new Map<string, HistoryEntry[]>();
  private readonly collectionConfigs = new Map<string, Map<string, CollectionConfig>>();
  private readonly privateState = new Map<string, VersionedValue>();
  private readonly privateHashes = new Map<string, { valueHash: Uint8Array; version: Version }>();

  /** Commit a public write (value null = delete) as transaction txNum of block blockNum. */
  commit(namespace: string, key: string, value: Uint8Array | string | null, version: Version, txId = `tx-${version.blockNum}-${version.txNum}`): void {
    const ns = this.publicState.get(namespace) ?? new Map<string, VersionedValue>();
    this.publicState.set(namespace, ns);
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    if (bytes === null) ns.delete(key);
    else ns.set(key, { value: bytes, version, metadata: ns.get(key)?.metadata });
    const history = this.historyByKey.get(`${namespace}\u0000${key}`) ?? [];
    history.unshift({ txId, value: bytes, isDelete: bytes === null, timestamp: { seconds: 1_700_000_000 + version.blockNum, nanos: 0 } });
    this.historyByKey.set(`${namespace}\u0000${key}`, history);
  }

  commitMetadata(namespace: string, key: string, metadata: Map<string, Uint8Array>): void {
    const current = this.publicState.get(namespace)?.get(key);
    if (!current) throw new Error(`no key ${key} to attach metadata to`);
    current.metadata = metadata;
  }

  defineCollection(namespace: string, config: CollectionConfig): void {
    const configs = this.collectionConfigs.get(namespace) ?? new Map<string, CollectionConfig>();
    configs.set(config.name, config);
    this.collectionConfigs.set(namespace, configs);
  }

  /** Commit private data: members keep the cleartext, every peer keeps the hashes. */
  commitPrivate(namespace: string, collection: string, key: string, value: string, version: Version): void {
    const bytes = Buffer.from(value);
    this.privateState.set(`${namespace}\u0000${collection}\u0000${key}`, { value: bytes, version });
    this.privateHashes.set(`${namespace}\u0000${collection}\u0000${toHex(sha256(key))}`, { valueHash: sha256(bytes), version });
  }

  get(namespace: string, key: string): VersionedValue | undefined {
    return this.publicState.get(namespace)?.get(key);
  }

  range(namespace: string, startKey: string, endKey: string): Iterable<{ key: string; value: VersionedValue }> {
    const ns = this.publicState.get(namespace) ?? new Map<string, VersionedValue>();
    return [...ns.entries()]
      .filter(([key]) => keyInRange(key, startKey, endKey))
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, value]) => ({ key, value }));
  }

  history(namespace: string, key: string): Iterable<HistoryEntry> {
    return this.historyByKey.get(`${namespace}\u0000${key}`) ?? [];
  }

  private isMember(namespace: string, collection: string, peerMspId: string): boolean {
    return this.collectionConfigs.get(namespace)?.get(collection)?.memberMspIds.includes(peerMspId) ?? false;
  }

  getPrivate(namespace: string, collection: string, key: string, peerMspId: string): VersionedValue | undefined {
    if (!this.isMember(namespace, collection, peerMspId)) return undefined;
    return this.privateState.get(`${namespace}\u0000${collection}\u0000${key}`);
  }

  getPrivateHash(namespace: string, collection: string, keyHash: Uint8Array): { valueHash: Uint8Array; version: Version } | undefined {
    return this.privateHashes.get(`${namespace}\u0000${collection}\u0000${toHex(keyHash)}`);
  }

  privateRange(namespace: string, collection: string, startKey: string, endKey: string, peerMspId: string): Iterable<{ key: string; value: VersionedValue }> {
    if (!this.isMember(namespace, collection, peerMspId)) return [];
    const prefix = `${namespace}\u0000${collection}\u0000`;
    return [...this.privateState.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, value]) => ({ key: k.slice(prefix.length), value }))
      .filter(({ key }) => keyInRange(key, startKey, endKey))
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  collections(namespace: string): ReadonlyMap<string, CollectionConfig> {
    return this.collectionConfigs.get(namespace) ?? new Map();
  }
}
