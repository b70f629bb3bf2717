/**
 * An in-memory Fabric peer for unit tests: a map-backed ChaincodeStub with Fabric's own
 * composite key encoding (borrowed from fabric-shim's ChaincodeStub), UTF-8-ordered range
 * queries, bookmarks as Fabric returns them, per-transaction write sets (a transaction does
 * not read its own writes), one chaincode event per transaction, private data collections
 * read from collections_config.json, key-level endorsement checked at commit, and callers
 * read by fabric-shim's real ClientIdentity from real Fabric-CA-shaped certificates.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ChaincodeStub, ClientIdentity, KeyEndorsementPolicy } from 'fabric-shim';
import { type Context, type Contract } from 'fabric-contract-api';

type Identities = Record<string, { mspId: string; role: string | null; certificatePem: string }>;

/** The chaincode package folder, from the compiled tests (dist/test/support) or the sources (test/support, when the workstation's tests import this). */
function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'collections_config.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`collections_config.json not found above ${from}`);
    dir = parent;
  }
  return dir;
}

const packageRoot = findPackageRoot(__dirname);
const identities = JSON.parse(readFileSync(path.join(packageRoot, 'test', 'fixtures', 'identities.json'), 'utf8')) as Identities;

interface CollectionDefinition {
  name: string;
  policy: string;
  memberOnlyRead?: boolean;
  memberOnlyWrite?: boolean;
}

const collections = new Map<string, string[]>(
  (JSON.parse(readFileSync(path.join(packageRoot, 'collections_config.json'), 'utf8')) as CollectionDefinition[]).map((c) => [c.name, [...c.policy.matchAll(/'([^'.]+)\.member'/g)].map((m) => m[1] ?? '')]),
);

/** Fabric compares keys as UTF-8 bytes; JS string comparison is UTF-16, which differs above U+FFFF. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const compositeKeyOf = ChaincodeStub.prototype.createCompositeKey as (this: unknown, objectType: string, attributes: string[]) => string;
const splitKeyOf = ChaincodeStub.prototype.splitCompositeKey as (this: unknown, key: string) => { objectType: string; attributes: string[] };
const MAX_UNICODE_RUNE = '\u{10ffff}';

export class TransactionRefused extends Error {}

interface KV {
  key: string;
  value: Buffer;
  namespace: string;
}

function iteratorOver(items: KV[]): { next(): Promise<{ value: KV; done: boolean }>; close(): Promise<void>; [Symbol.asyncIterator](): AsyncIterator<KV> } {
  let index = 0;
  const next = async (): Promise<{ value: KV; done: boolean }> => {
    const item = items[index++];
    return item ? { value: item, done: false } : { value: undefined as unknown as KV, done: true };
  };
  return {
    next,
    close: async () => undefined,
    [Symbol.asyncIterator]: () => ({ next }),
  };
}

export interface InvokeOptions {
  /** Identity name from test/fixtures/identities.json, e.g. 'HospitalAMSP/claims'. */
  as: string;
  transient?: Record<string, string | Uint8Array>;
  /** Transaction time; defaults to the ledger clock. */
  at?: Date;
  /** MSP IDs whose peers endorse; defaults to every organisation (a well-behaved gateway). */
  endorsedBy?: string[];
}

export interface InvokeResult<T> {
  value: T;
  event?: { name: string; payload: Record<string, unknown> };
  txId: string;
}

class MemoryStub {
  readonly writes = new Map<string, Buffer | null>();
  readonly privateWrites = new Map<string, Map<string, Buffer | null>>();
  readonly validationParameters = new Map<string, Buffer>();
  event?: { name: string; payload: Buffer };
  private pagedQuery = false;

  constructor(
    private readonly ledger: MemoryLedger,
    readonly txId: string,
    private readonly creator: { mspid: string; idBytes: Uint8Array },
    private readonly transient: Map<string, Uint8Array>,
    private readonly at: Date,
  ) {}

  getTxID(): string {
    return this.txId;
  }
  getChannelID(): string {
    return 'careledger';
  }
  getCreator(): { mspid: string; idBytes: Uint8Array } {
    return this.creator;
  }
  getMspID(): string {
    return this.creator.mspid;
  }
  getTransient(): Map<string, Uint8Array> {
    return this.transient;
  }
  getTxTimestamp(): { seconds: { toNumber(): number }; nanos: number } {
    const ms = this.at.getTime();
    const seconds = Math.floor(ms / 1000);
    return { seconds: { toNumber: () => seconds }, nanos: (ms % 1000) * 1_000_000 };
  }
  getDateTimestamp(): Date {
    return new Date(this.at.getTime());
  }
  createCompositeKey(objectType: string, attributes: string[]): string {
    return compositeKeyOf.call(this, objectType, attributes);
  }
  splitCompositeKey(key: string): { objectType: string; attributes: string[] } {
    return splitKeyOf.call(this, key);
  }

  async getState(key: string): Promise<Buffer> {
    return Buffer.from(this.ledger.state.get(key) ?? Buffer.alloc(0));
  }
  async putState(key: string, value: Uint8Array): Promise<void> {
    this.checkWritable(key);
    // Fabric treats an empty value as a delete.
    this.writes.set(key, value.length === 0 ? null : Buffer.from(value));
  }
  async deleteState(key: string): Promise<void> {
    this.checkWritable(key);
    this.writes.set(key, null);
  }
  async setStateValidationParameter(key: string, ep: Uint8Array): Promise<void> {
    this.validationParameters.set(key, Buffer.from(ep));
  }
  async getStateValidationParameter(key: string): Promise<Buffer> {
    return this.ledger.validationParameters.get(key) ?? Buffer.alloc(0);
  }
  async setPrivateDataValidationParameter(collection: string, key: string, ep: Uint8Array): Promise<void> {
    this.collectionMembers(collection);
    this.validationParameters.set(`${collection}\u0000${key}`, Buffer.from(ep));
  }

  getStateByRange(startKey: string, endKey: string): Promise<ReturnType<typeof iteratorOver>> {
    return Promise.resolve(iteratorOver(this.range(startKey || '\u0001', endKey)));
  }
  async getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark = ''): Promise<{ iterator: ReturnType<typeof iteratorOver>; metadata: { fetchedRecordsCount: number; bookmark: string } }> {
    return this.paginate(startKey || '\u0001', endKey, pageSize, bookmark);
  }
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<ReturnType<typeof iteratorOver>> {
    const start = this.createCompositeKey(objectType, attributes);
    return Promise.resolve(iteratorOver(this.range(start, start + MAX_UNICODE_RUNE)));
  }
  async getStateByPartialCompositeKeyWithPagination(objectType: string, attributes: string[], pageSize: number, bookmark = ''): Promise<{ iterator: ReturnType<typeof iteratorOver>; metadata: { fetchedRecordsCount: number; bookmark: string } }> {
    const start = this.createCompositeKey(objectType, attributes);
    return this.paginate(start, start + MAX_UNICODE_RUNE, pageSize, bookmark);
  }
  getQueryResult(): never {
    throw new Error('Rich queries are not allowed in this chaincode (it must run on LevelDB).');
  }

  async getPrivateData(collection: string, key: string): Promise<Buffer> {
    const members = this.collectionMembers(collection);
    if (!members.includes(this.creator.mspid)) {
      throw new Error(`tx creator does not have read access permission on privatedata in chaincodeName:careledger collectionName: ${collection}`);
    }
    return Buffer.from(this.ledger.privateState.get(collection)?.get(key) ?? Buffer.alloc(0));
  }
  async putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    const members = this.collectionMembers(collection);
    if (!members.includes(this.creator.mspid)) throw new Error(`tx creator does not have write access permission on privatedata in chaincodeName:careledger collectionName: ${collection}`);
    if (value.length === 0) throw new Error('value cannot be empty');
    let writes = this.privateWrites.get(collection);
    if (!writes) this.privateWrites.set(collection, (writes = new Map()));
    writes.set(key, Buffer.from(value));
  }

  async deletePrivateData(collection: string, key: string): Promise<void> {
    const members = this.collectionMembers(collection);
    if (!members.includes(this.creator.mspid)) throw new Error(`tx creator does not have write access permission on privatedata in chaincodeName:careledger collectionName: ${collection}`);
    let writes = this.privateWrites.get(collection);
    if (!writes) this.privateWrites.set(collection, (writes = new Map()));
    writes.set(key, null);
  }

  /**
   * Private range queries, as on a member peer (memberOnlyRead: a non-member caller is refused).
   * Like fabric-shim 2.5, the promise resolves to `{ iterator }`, not to the iterator itself.
   */
  getPrivateDataByRange(collection: string, startKey: string, endKey: string): Promise<{ iterator: ReturnType<typeof iteratorOver> }> {
    const members = this.collectionMembers(collection);
    if (!members.includes(this.creator.mspid)) {
      return Promise.reject(new Error(`tx creator does not have read access permission on privatedata in chaincodeName:careledger collectionName: ${collection}`));
    }
    const entries = [...(this.ledger.privateState.get(collection)?.entries() ?? [])]
      .filter(([k]) => compareKeys(k, startKey) >= 0 && (endKey === '' || compareKeys(k, endKey) < 0))
      .sort(([x], [y]) => compareKeys(x, y))
      .map(([k, v]) => ({ key: k, value: Buffer.from(v), namespace: 'careledger' }));
    return Promise.resolve({ iterator: iteratorOver(entries) });
  }
  getPrivateDataByPartialCompositeKey(collection: string, objectType: string, attributes: string[]): Promise<{ iterator: ReturnType<typeof iteratorOver> }> {
    const start = this.createCompositeKey(objectType, attributes);
    return this.getPrivateDataByRange(collection, start, start + MAX_UNICODE_RUNE);
  }

  async purgePrivateData(collection: string, key: string): Promise<void> {
    this.collectionMembers(collection);
    let writes = this.privateWrites.get(collection);
    if (!writes) this.privateWrites.set(collection, (writes = new Map()));
    writes.set(key, null);
  }

  setEvent(name: string, payload: Uint8Array): void {
    if (!name) throw new Error('Event name must be a non-empty string');
    // Fabric keeps one event per transaction: a second call replaces the first.
    this.event = { name, payload: Buffer.from(payload) };
  }

  private collectionMembers(collection: string): string[] {
    const members = collections.get(collection);
    if (!members) throw new Error(`collection ${collection} not found in collections_config.json`);
    return members;
  }

  private checkWritable(key: string): void {
    if (this.pagedQuery) throw new Error(`txid [${this.txId}]: paginated queries are supported only in a read-only transaction (write to ${JSON.stringify(key)} after one)`);
  }

  private range(startKey: string, endKey: string): KV[] {
    return [...this.ledger.state.entries()]
      .filter(([k]) => compareKeys(k, startKey) >= 0 && (endKey === '' || compareKeys(k, endKey) < 0))
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([k, v]) => ({ key: k, value: Buffer.from(v), namespace: 'careledger' }));
  }

  private paginate(startKey: string, endKey: string, pageSize: number, bookmark: string): { iterator: ReturnType<typeof iteratorOver>; metadata: { fetchedRecordsCount: number; bookmark: string } } {
    if (this.writes.size > 0) throw new Error(`txid [${this.txId}]: paginated queries are supported only in a read-only transaction`);
    this.pagedQuery = true;
    const all = this.range(bookmark && compareKeys(bookmark, startKey) > 0 ? bookmark : startKey, endKey);
    const page = all.slice(0, pageSize);
    // Fabric's bookmark is the next key to read, or empty when the range is exhausted.
    const nextKey = all[pageSize]?.key ?? '';
    return { iterator: iteratorOver(page), metadata: { fetchedRecordsCount: page.length, bookmark: nextKey } };
  }
}

/** The world state of one in-memory channel, and the transactions run against it. */
export class MemoryLedger {
  readonly state = new Map<string, Buffer>();
  readonly privateState = new Map<string, Map<string, Buffer>>();
  readonly validationParameters = new Map<string, Buffer>();
  readonly events: Array<{ txId: string; name: string; payload: Record<string, unknown> }> = [];
  clock = new Date('2026-11-21T09:00:00.000Z');
  private txCounter = 0;

  static identity(name: string): { mspId: string; role: string | null; certificatePem: string } {
    const identity = identities[name];
    if (!identity) throw new Error(`No test identity '${name}' in test/fixtures/identities.json`);
    return identity;
  }

  /** Advances the ledger clock. */
  advance(ms: number): void {
    this.clock = new Date(this.clock.getTime() + ms);
  }

  /**
   * Runs `method` of `contract` as one transaction: parses the JSON result, and commits the
   * writes (and the event) only if it succeeded and the key-level endorsement policies are met.
   */
  async invoke<T = Record<string, unknown>>(contract: Contract, method: string, args: string[], options: InvokeOptions): Promise<InvokeResult<T>> {
    const identity = MemoryLedger.identity(options.as);
    const txId = `tx${(++this.txCounter).toString().padStart(6, '0')}`;
    const transient = new Map<string, Uint8Array>(Object.entries(options.transient ?? {}).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v]));
    const stub = new MemoryStub(this, txId, { mspid: identity.mspId, idBytes: Buffer.from(identity.certificatePem, 'utf8') }, transient, options.at ?? this.clock);
    const ctx = contract.createContext() as Context & { setChaincodeStub(stub: unknown): void; setClientIdentity(id: unknown): void };
    ctx.setChaincodeStub(stub);
    ctx.setClientIdentity(new ClientIdentity(stub as unknown as ChaincodeStub));
    const fn = (contract as unknown as Record<string, (ctx: Context, ...a: string[]) => Promise<string>>)[method];
    if (typeof fn !== 'function') throw new Error(`${contract.getName()} has no transaction ${method}`);
    const raw = await fn.call(contract, ctx, ...args);
    this.validateEndorsement(stub, options.endorsedBy);
    this.commit(stub);
    const event = stub.event ? { name: stub.event.name, payload: JSON.parse(stub.event.payload.toString('utf8')) as Record<string, unknown> } : undefined;
    if (event) this.events.push({ txId, ...event });
    return { value: JSON.parse(raw) as T, event, txId };
  }

  /** Raw public state value as JSON (for assertions on what is stored). */
  stored(key: string): Record<string, unknown> | undefined {
    const v = this.state.get(key);
    return v ? (JSON.parse(v.toString('utf8')) as Record<string, unknown>) : undefined;
  }

  private validateEndorsement(stub: MemoryStub, endorsedBy: string[] | undefined): void {
    if (!endorsedBy) return;
    const keys = [...stub.writes.keys()];
    for (const [collection, writes] of stub.privateWrites) for (const k of writes.keys()) keys.push(`${collection}\u0000${k}`);
    for (const k of keys) {
      const parameter = this.validationParameters.get(k);
      if (!parameter) continue;
      const required = new KeyEndorsementPolicy(parameter).listOrgs();
      const missing = required.filter((org) => !endorsedBy.includes(org));
      if (missing.length > 0) throw new TransactionRefused(`ENDORSEMENT_POLICY_FAILURE: key-level policy of ${JSON.stringify(k)} also needs ${missing.join(', ')}`);
    }
  }

  private commit(stub: MemoryStub): void {
    for (const [k, v] of stub.writes) {
      if (v === null) this.state.delete(k);
      else this.state.set(k, v);
    }
    for (const [collection, writes] of stub.privateWrites) {
      let target = this.privateState.get(collection);
      if (!target) this.privateState.set(collection, (target = new Map()));
      for (const [k, v] of writes) {
        if (v) target.set(k, v);
        else target.delete(k);
      }
    }
    for (const [k, v] of stub.validationParameters) this.validationParameters.set(k, v);
  }
}
