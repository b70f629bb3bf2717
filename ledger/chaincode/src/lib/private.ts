/**
 * The hospitals-only private data collection (see docs/privacy-layout.md): consents, access
 * entries, record anchors and admissions live here, so an insurer's, a board's or the
 * governance body's peer receives only SHA-256 hashes of their keys and values. Their inputs
 * come through the transient map, because proposal arguments are written into every channel
 * member's blocks.
 */
import { type Context } from 'fabric-contract-api';
import { canonicalBytes } from './canonical-json';
import { sha256Hex } from './encoding';
import { invalid } from './errors';
import { drainKeys, INDEX_VALUE, key, mustExist, storedJson, type KeyedValue, type KeyIterator, type Page } from './ledger';
import { type Check } from './validate';

/** The collection's name in collections_config.json; its members are exactly the hospitals. */
export const HOSPITALS_COLLECTION = 'hospitals';

/**
 * Staff roles of a hospital that may read the collection through an evaluation; `gatekeeper` is
 * the hospital's record gatekeeper service (it checks consents, admissions and anchors).
 */
export const HOSPITAL_READER_ROLES = ['admissions', 'clinician', 'privacy', 'claims', 'credentialing', 'gatekeeper'] as const;

const MAX_TRANSIENT_BYTES = 64 * 1024;

/**
 * A private input from the transient map (never an argument: arguments are written into
 * every organisation's copy of the block for good; the transaction takes none).
 * @throws LedgerError INVALID_ARGUMENT
 */
export function transientText(ctx: Context, name: string, what: string): string {
  const bytes = ctx.stub.getTransient().get(name);
  if (!bytes || bytes.length === 0) throw invalid(`${what} is required in the transient map under "${name}" (never as an argument: arguments are in every organisation's copy of the block).`);
  if (bytes.length > MAX_TRANSIENT_BYTES) throw invalid(`${what} is larger than ${MAX_TRANSIENT_BYTES} bytes.`);
  return Buffer.from(bytes).toString('utf8');
}

/** A JSON private input from the transient map, checked like an argument. */
export function transientJson<T>(ctx: Context, name: string, what: string, check: Check<T>): T {
  const raw = transientText(ctx, name, what);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`${what} (transient "${name}") is not valid JSON.`);
  }
  return check(parsed, name);
}

export async function getPrivateJson<T>(ctx: Context, stateKey: string): Promise<T | undefined> {
  return storedJson<T>(await ctx.stub.getPrivateData(HOSPITALS_COLLECTION, stateKey));
}

export async function mustGetPrivateJson<T>(ctx: Context, stateKey: string, what: string): Promise<T> {
  return mustExist(await getPrivateJson<T>(ctx, stateKey), what);
}

/** Writes canonical JSON; returns its SHA-256 (the hash every channel member sees, and the event carries). */
export async function putPrivateJson(ctx: Context, stateKey: string, value: unknown): Promise<string> {
  const bytes = canonicalBytes(value);
  await ctx.stub.putPrivateData(HOSPITALS_COLLECTION, stateKey, bytes);
  return sha256Hex(bytes);
}

export async function putPrivateIndex(ctx: Context, objectType: string, attributes: string[]): Promise<void> {
  await ctx.stub.putPrivateData(HOSPITALS_COLLECTION, key(ctx, objectType, attributes), INDEX_VALUE);
}

export async function privateExists(ctx: Context, stateKey: string): Promise<boolean> {
  const bytes = await ctx.stub.getPrivateData(HOSPITALS_COLLECTION, stateKey);
  return !!bytes && bytes.length > 0;
}

/** Removes the key and its history from every member peer (Fabric 2.5 PurgePrivateData): for what may have to be erased. */
export async function purgePrivate(ctx: Context, stateKey: string): Promise<void> {
  await ctx.stub.purgePrivateData(HOSPITALS_COLLECTION, stateKey);
}

export async function deletePrivate(ctx: Context, stateKey: string): Promise<void> {
  await ctx.stub.deletePrivateData(HOSPITALS_COLLECTION, stateKey);
}


/**
 * fabric-shim 2.5 resolves a private range query to `{ iterator }` (its public range queries
 * to the iterator itself): accept both, so the code keeps working if the shim is fixed.
 */
async function privateRange(ctx: Context, startKey: string, endKey: string): Promise<KeyIterator> {
  const raw = (await ctx.stub.getPrivateDataByRange(HOSPITALS_COLLECTION, startKey, endKey)) as unknown as KeyIterator | { iterator: KeyIterator };
  return 'iterator' in raw && typeof (raw as { next?: unknown }).next !== 'function' ? raw.iterator : (raw as KeyIterator);
}

/** Every key of the collection under a partial composite key, in key order. */
export async function allPrivateByPartialKey(ctx: Context, objectType: string, attributes: string[]): Promise<KeyedValue[]> {
  const prefix = key(ctx, objectType, attributes);
  return drainKeys(ctx, await privateRange(ctx, prefix, `${prefix}\u{10ffff}`));
}

/**
 * One page of a partial composite key query over the collection. Fabric has no paginated
 * private data queries, so the bookmark is the next key to read (base64url), as Fabric's own
 * bookmarks are for public state.
 */
export async function pagePrivateByPartialKey<T>(
  ctx: Context,
  objectType: string,
  attributes: string[],
  page: { pageSize: number; bookmark: string },
  map: (kv: { key: string; attributes: string[]; value: Uint8Array }) => Promise<T | undefined> | T | undefined,
): Promise<Page<T>> {
  const prefix = key(ctx, objectType, attributes);
  const start = page.bookmark ? Buffer.from(page.bookmark, 'base64url').toString('utf8') : prefix;
  if (!start.startsWith(prefix)) throw invalid('The bookmark does not belong to this list; start again with an empty bookmark.');
  const iterator = await privateRange(ctx, start, `${prefix}\u{10ffff}`);
  const records: T[] = [];
  let fetched = 0;
  let bookmark = '';
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (fetched === page.pageSize) {
        bookmark = Buffer.from(next.value.key, 'utf8').toString('base64url');
        break;
      }
      fetched++;
      const mapped = await map({ key: next.value.key, attributes: ctx.stub.splitCompositeKey(next.value.key).attributes, value: next.value.value });
      if (mapped !== undefined) records.push(mapped);
    }
  } finally {
    await iterator.close();
  }
  return { records, bookmark, fetchedRecordsCount: fetched };
}
