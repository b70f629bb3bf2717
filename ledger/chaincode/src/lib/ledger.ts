/**
 * Thin helpers over the stub: deterministic time, canonical JSON state, composite keys,
 * paginated list queries and the one chaincode event a transaction may carry.
 */
import { type Context } from 'fabric-contract-api';
import { canonicalBytes, canonicalJson } from './canonical-json';
import { LedgerError } from './errors';

/** The transaction time (the client's proposal timestamp, identical on every endorser) as ISO text. */
export function txTime(ctx: Context): string {
  const ts = ctx.stub.getTxTimestamp();
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : ts.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor(ts.nanos / 1_000_000)).toISOString();
}

export function key(ctx: Context, objectType: string, attributes: string[]): string {
  return ctx.stub.createCompositeKey(objectType, attributes);
}

/** A stored JSON value, or undefined for a missing (or deleted: empty) key. */
export function storedJson<T>(bytes: Uint8Array | undefined): T | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** @throws LedgerError NOT_FOUND when the value is missing. */
export function mustExist<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new LedgerError('NOT_FOUND', `${what} is not on the ledger.`);
  return value;
}

export async function getJson<T>(ctx: Context, stateKey: string): Promise<T | undefined> {
  return storedJson<T>(await ctx.stub.getState(stateKey));
}

export async function mustGetJson<T>(ctx: Context, stateKey: string, what: string): Promise<T> {
  return mustExist(await getJson<T>(ctx, stateKey), what);
}

export async function putJson(ctx: Context, stateKey: string, value: unknown): Promise<void> {
  await ctx.stub.putState(stateKey, canonicalBytes(value));
}

/**
 * Index entries carry no data of their own (the main key is the truth); Fabric treats an
 * empty value as a delete, hence one NUL byte.
 */
export const INDEX_VALUE = Buffer.from([0]);

export async function putIndex(ctx: Context, objectType: string, attributes: string[]): Promise<void> {
  await ctx.stub.putState(key(ctx, objectType, attributes), INDEX_VALUE);
}

export async function exists(ctx: Context, stateKey: string): Promise<boolean> {
  const bytes = await ctx.stub.getState(stateKey);
  return !!bytes && bytes.length > 0;
}

/**
 * Sets the transaction's chaincode event. Fabric keeps one event per transaction, so each
 * transaction calls this exactly once, after its writes.
 */
export function emit(ctx: Context, name: string, payload: unknown): void {
  ctx.stub.setEvent(name, canonicalBytes(payload));
}

export function result(value: unknown): string {
  return canonicalJson(value);
}

export interface Page<T> {
  records: T[];
  /** Pass back to get the next page; empty when there is none. */
  bookmark: string;
  fetchedRecordsCount: number;
}

/**
 * One page of a partial composite key query. Fabric allows paginated queries only in
 * read-only transactions (`@Transaction(false)`), which is where every list query lives.
 */
export async function pageByPartialKey<T>(
  ctx: Context,
  objectType: string,
  attributes: string[],
  page: { pageSize: number; bookmark: string },
  map: (kv: { key: string; attributes: string[]; value: Uint8Array }) => Promise<T | undefined> | T | undefined,
): Promise<Page<T>> {
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(objectType, attributes, page.pageSize, page.bookmark);
  const records: T[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const { attributes: keyAttributes } = ctx.stub.splitCompositeKey(next.value.key);
      const mapped = await map({ key: next.value.key, attributes: keyAttributes, value: next.value.value });
      if (mapped !== undefined) records.push(mapped);
    }
  } finally {
    await iterator.close();
  }
  return { records, bookmark: metadata.bookmark, fetchedRecordsCount: metadata.fetchedRecordsCount };
}

/** Every key under a partial composite key (for bounded in-transaction scans, e.g. duplicates). */
export async function allByPartialKey(ctx: Context, objectType: string, attributes: string[]): Promise<KeyedValue[]> {
  return drainKeys(ctx, await ctx.stub.getStateByPartialCompositeKey(objectType, attributes));
}

/** A composite key with its attributes and value, as a range scan yields it. */
export interface KeyedValue {
  key: string;
  attributes: string[];
  value: Uint8Array;
}

/** What a public or private range query yields: read to the end, then closed. */
export interface KeyIterator {
  next(): Promise<{ value: { key: string; value: Uint8Array }; done?: boolean }>;
  close(): Promise<void>;
}

/** Reads a range iterator to the end (closing it even on failure), splitting each composite key. */
export async function drainKeys(ctx: Context, iterator: KeyIterator): Promise<KeyedValue[]> {
  const out: KeyedValue[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      out.push({ key: next.value.key, attributes: ctx.stub.splitCompositeKey(next.value.key).attributes, value: next.value.value });
    }
  } finally {
    await iterator.close();
  }
  return out;
}

export function parseJsonBytes<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}
