/**
 * World state as the committer holds it: public keys with versions and metadata, key
 * history, private data hashes (every peer) and cleartext private data (held for collection
 * members only). Rebuilt at start from the block file and the private data log.
 */
import { createHash } from 'node:crypto';
import type { CollectionConfig, HistoryEntry, Version, VersionedValue, WorldStateReader } from './simulation';

/** Compares strings as their UTF-8 bytes (i.e. by code point), as Fabric's state databases do. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only when a surrogate is involved.
    if (x >= 0xd800 && x <= 0xdfff) {
      if (y >= 0xd800 && y <= 0xdfff) return x - y;
      return y >= 0xe000 ? 1 : x - y;
    }
    if (y >= 0xd800 && y <= 0xdfff) return x >= 0xe000 ? -1 : x - y;
    return x - y;
  }
  return a.length - b.length;
}

class SortedKeys {
  readonly values = new Map<string, VersionedValue>();
  #sorted: string[] | undefined;

  set(key: string, value: VersionedValue): void {
    if (!this.values.has(key)) this.#sorted = undefined;
    this.values.set(key, value);
  }

  delete(key: string): void {
    if (this.values.delete(key)) this.#sorted = undefined;
  }

  sortedKeys(): string[] {
    this.#sorted ??= [...this.values.keys()].sort(compareUtf8);
    return this.#sorted;
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareUtf8(keys[mid] ?? '', key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Plain-JSON form of the world state (see WorldState.toSnapshot). */
export interface StateSnapshot {
  /** [namespace, key, value, blockNum, txNum, metadata] */
  public: Array<[string, string, string, number, number, Array<[string, string]> | undefined]>;
  /** [namespace\0key, entries oldest first: [txId, value|null, isDelete, seconds, nanos]] */
  history: Array<[string, Array<[string, string | null, boolean, number, number]>]>;
  /** [namespace\0collection, key, value, blockNum, txNum, committedBlock] */
  private: Array<[string, string, string, number, number, number]>;
  /** [namespace\0collection, keyHash hex, valueHash, blockNum, txNum, metadata] */
  hashes: Array<[string, string, string, number, number, Array<[string, string]> | undefined]>;
}

const collKey = (ns: string, coll: string): string => `${ns}\u0000${coll}`;

export class WorldState implements WorldStateReader {
  readonly #public = new Map<string, SortedKeys>();
  readonly #history = new Map<string, HistoryEntry[]>();
  readonly #private = new Map<string, Map<string, VersionedValue & { committedBlock: number }>>();
  readonly #hashes = new Map<
    string,
    Map<string, { valueHash: Uint8Array; version: Version; metadata?: Map<string, Uint8Array> }>
  >();
  readonly #collections = new Map<string, Map<string, CollectionConfig>>();

  setCollections(namespace: string, configs: readonly CollectionConfig[]): void {
    this.#collections.set(namespace, new Map(configs.map((c) => [c.name, c])));
  }

  collections(namespace: string): ReadonlyMap<string, CollectionConfig> {
    return this.#collections.get(namespace) ?? new Map();
  }

  get(namespace: string, key: string): VersionedValue | undefined {
    return this.#public.get(namespace)?.values.get(key);
  }

  *range(namespace: string, startKey: string, endKey: string): Iterable<{ key: string; value: VersionedValue }> {
    const ns = this.#public.get(namespace);
    if (!ns) return;
    const keys = ns.sortedKeys();
    for (let i = lowerBound(keys, startKey); i < keys.length; i++) {
      const key = keys[i] ?? '';
      if (endKey !== '' && compareUtf8(key, endKey) >= 0) break;
      const value = ns.values.get(key);
      if (value) yield { key, value };
    }
  }

  /** Newest first, as Fabric 2.x returns GetHistoryForKey. */
  history(namespace: string, key: string): Iterable<HistoryEntry> {
    return [...(this.#history.get(collKey(namespace, key)) ?? [])].reverse();
  }

  getPrivate(namespace: string, collection: string, key: string, peerMspId: string): VersionedValue | undefined {
    const config = this.collections(namespace).get(collection);
    if (!config?.memberMspIds.includes(peerMspId)) return undefined;
    const entry = this.#private.get(collKey(namespace, collection))?.get(key);
    if (!entry) return undefined;
    const hash = this.getPrivateHash(namespace, collection, privateKeyHash(key));
    return { value: entry.value, version: entry.version, ...(hash?.metadata ? { metadata: hash.metadata } : {}) };
  }

  /**
   * Cleartext private data in [startKey, endKey) ('' = no end), in key order, for
   * GetPrivateDataByRange (the shim's PrivateRangeReader); nothing when `peerMspId` is not a member.
   */
  *privateRange(namespace: string, collection: string, startKey: string, endKey: string, peerMspId: string): Iterable<{ key: string; value: VersionedValue }> {
    const config = this.collections(namespace).get(collection);
    if (!config?.memberMspIds.includes(peerMspId)) return;
    const entries = this.#private.get(collKey(namespace, collection));
    if (!entries) return;
    const keys = [...entries.keys()].filter((k) => compareUtf8(k, startKey) >= 0 && (endKey === '' || compareUtf8(k, endKey) < 0)).sort(compareUtf8);
    for (const key of keys) {
      const value = this.getPrivate(namespace, collection, key, peerMspId);
      if (value) yield { key, value };
    }
  }

  getPrivateHash(
    namespace: string,
    collection: string,
    keyHash: Uint8Array,
  ): { valueHash: Uint8Array; version: Version; metadata?: Map<string, Uint8Array> } | undefined {
    return this.#hashes.get(collKey(namespace, collection))?.get(Buffer.from(keyHash).toString('hex'));
  }

  /** All cleartext private entries (for blockToLive purging). */
  *privateEntries(): Iterable<{ namespace: string; collection: string; key: string; committedBlock: number }> {
    for (const [ck, entries] of this.#private) {
      const [namespace = '', collection = ''] = ck.split('\u0000');
      for (const [key, value] of entries) yield { namespace, collection, key, committedBlock: value.committedBlock };
    }
  }

  // --- writes, used only by the committer ---

  putPublic(namespace: string, key: string, value: Uint8Array, version: Version, historyEntry: HistoryEntry): void {
    let ns = this.#public.get(namespace);
    if (!ns) {
      ns = new SortedKeys();
      this.#public.set(namespace, ns);
    }
    const previous = ns.values.get(key);
    ns.set(key, { value, version, ...(previous?.metadata ? { metadata: previous.metadata } : {}) });
    this.#addHistory(namespace, key, historyEntry);
  }

  deletePublic(namespace: string, key: string, historyEntry: HistoryEntry): void {
    this.#public.get(namespace)?.delete(key);
    this.#addHistory(namespace, key, historyEntry);
  }

  /** Replaces a key's metadata (state-based endorsement); an empty map clears it. */
  setPublicMetadata(namespace: string, key: string, metadata: Map<string, Uint8Array>, version: Version): void {
    const current = this.#public.get(namespace)?.values.get(key);
    if (!current) return;
    const next: VersionedValue = { value: current.value, version };
    if (metadata.size > 0) next.metadata = metadata;
    this.#public.get(namespace)?.set(key, next);
  }

  #addHistory(namespace: string, key: string, entry: HistoryEntry): void {
    const hk = collKey(namespace, key);
    let list = this.#history.get(hk);
    if (!list) {
      list = [];
      this.#history.set(hk, list);
    }
    list.push(entry);
  }

  putPrivateHash(
    namespace: string,
    collection: string,
    keyHash: Uint8Array,
    valueHash: Uint8Array | null,
    version: Version,
  ): void {
    const ck = collKey(namespace, collection);
    let map = this.#hashes.get(ck);
    if (!map) {
      map = new Map();
      this.#hashes.set(ck, map);
    }
    const hex = Buffer.from(keyHash).toString('hex');
    if (valueHash === null) map.delete(hex);
    else {
      const previous = map.get(hex);
      map.set(hex, { valueHash, version, ...(previous?.metadata ? { metadata: previous.metadata } : {}) });
    }
  }

  setPrivateHashMetadata(
    namespace: string,
    collection: string,
    keyHash: Uint8Array,
    metadata: Map<string, Uint8Array>,
    version: Version,
  ): void {
    const entry = this.#hashes.get(collKey(namespace, collection))?.get(Buffer.from(keyHash).toString('hex'));
    if (!entry) return;
    entry.version = version;
    if (metadata.size > 0) entry.metadata = metadata;
    else delete entry.metadata;
  }

  putPrivate(
    namespace: string,
    collection: string,
    key: string,
    value: Uint8Array | null,
    version: Version,
    committedBlock: number,
  ): void {
    const ck = collKey(namespace, collection);
    let map = this.#private.get(ck);
    if (!map) {
      map = new Map();
      this.#private.set(ck, map);
    }
    if (value === null) map.delete(key);
    else map.set(key, { value, version, committedBlock });
  }

  /** A metadata-only change of a private key moves the cleartext's version with its hash's, as on a peer. */
  setPrivateVersion(namespace: string, collection: string, keyHash: Uint8Array, version: Version): void {
    const entries = this.#private.get(collKey(namespace, collection));
    if (!entries) return;
    for (const [key, entry] of entries) {
      if (privateKeyHash(key).equals(Buffer.from(keyHash))) {
        entry.version = version;
        return;
      }
    }
  }

  purgePrivate(namespace: string, collection: string, key: string): void {
    this.#private.get(collKey(namespace, collection))?.delete(key);
  }

  /** Everything but the collection configs, as plain JSON (values base64). */
  toSnapshot(): StateSnapshot {
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
    const meta = (m: Map<string, Uint8Array> | undefined): Array<[string, string]> | undefined =>
      m && m.size > 0 ? [...m].map(([k, v]) => [k, b64(v)]) : undefined;
    const snapshot: StateSnapshot = { public: [], history: [], private: [], hashes: [] };
    for (const [ns, keys] of this.#public) {
      for (const [key, v] of keys.values)
        snapshot.public.push([ns, key, b64(v.value), v.version.blockNum, v.version.txNum, meta(v.metadata)]);
    }
    for (const [hk, entries] of this.#history) {
      snapshot.history.push([
        hk,
        entries.map((e) => [
          e.txId,
          e.value === null ? null : b64(e.value),
          e.isDelete,
          e.timestamp.seconds,
          e.timestamp.nanos,
        ]),
      ]);
    }
    for (const [ck, entries] of this.#private) {
      for (const [key, v] of entries)
        snapshot.private.push([ck, key, b64(v.value), v.version.blockNum, v.version.txNum, v.committedBlock]);
    }
    for (const [ck, entries] of this.#hashes) {
      for (const [hex, v] of entries)
        snapshot.hashes.push([ck, hex, b64(v.valueHash), v.version.blockNum, v.version.txNum, meta(v.metadata)]);
    }
    return snapshot;
  }

  /** Replaces the content with a snapshot taken by toSnapshot(). */
  loadSnapshot(snapshot: StateSnapshot): void {
    const bytes = (s: string): Buffer => Buffer.from(s, 'base64');
    const meta = (m: Array<[string, string]> | undefined): Map<string, Uint8Array> | undefined =>
      m ? new Map(m.map(([k, v]) => [k, bytes(v)])) : undefined;
    this.#public.clear();
    this.#history.clear();
    this.#private.clear();
    this.#hashes.clear();
    for (const [ns, key, value, blockNum, txNum, metadata] of snapshot.public) {
      let keys = this.#public.get(ns);
      if (!keys) {
        keys = new SortedKeys();
        this.#public.set(ns, keys);
      }
      const m = meta(metadata);
      keys.set(key, { value: bytes(value), version: { blockNum, txNum }, ...(m ? { metadata: m } : {}) });
    }
    for (const [hk, entries] of snapshot.history) {
      this.#history.set(
        hk,
        entries.map(([txId, value, isDelete, seconds, nanos]) => ({
          txId,
          value: value === null ? null : bytes(value),
          isDelete,
          timestamp: { seconds, nanos },
        })),
      );
    }
    for (const [ck, key, value, blockNum, txNum, committedBlock] of snapshot.private) {
      let map = this.#private.get(ck);
      if (!map) {
        map = new Map();
        this.#private.set(ck, map);
      }
      map.set(key, { value: bytes(value), version: { blockNum, txNum }, committedBlock });
    }
    for (const [ck, hex, valueHash, blockNum, txNum, metadata] of snapshot.hashes) {
      let map = this.#hashes.get(ck);
      if (!map) {
        map = new Map();
        this.#hashes.set(ck, map);
      }
      const m = meta(metadata);
      map.set(hex, { valueHash: bytes(valueHash), version: { blockNum, txNum }, ...(m ? { metadata: m } : {}) });
    }
  }

  publicKeyCount(): number {
    let n = 0;
    for (const ns of this.#public.values()) n += ns.values.size;
    return n;
  }
}

/** Fabric hashes private keys and values with sha256. */
export function privateKeyHash(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
