/**
 * Record anchors on released resources (docs/formats/record-exchange.md §9): the record id and
 * salt travel in one `meta.extension`; the salted hash is SHA-256(salt ‖ JCS(resource without
 * that extension)), compared with `Records:verifyRecord`. Pure code and Web Crypto only, so the
 * gatekeeper (which anchors) and the workstation (which checks) compute the same bytes.
 */
import { fromBase64, sha256, toHex, utf8 } from './bytes';
import { EXCHANGE_SYSTEMS } from './vocab';

/** RFC 8785 (JCS) canonical JSON: members sorted by UTF-16 code units, ECMAScript number and string forms, no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortMembers(value));
}

function sortMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortMembers(item)));
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    // Array.prototype.sort without a comparator orders by UTF-16 code units, as JCS requires.
    for (const name of Object.keys(source).sort()) {
      const member = source[name];
      if (member !== undefined) sorted[name] = sortMembers(member);
    }
    return sorted;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('Canonical JSON cannot hold a non-finite number.');
  return value;
}

export interface RecordAnchorFields {
  /** The ledger record id (Records contract), stable across versions of one resource. */
  recordId: string;
  /** base64url of 16 bytes, one per resource version. */
  salt: string;
}

interface MetaExtension {
  url?: string;
  extension?: { url?: string; valueString?: string }[];
}

interface WithMeta {
  meta?: { extension?: MetaExtension[]; [member: string]: unknown };
  [member: string]: unknown;
}

/** The anchor fields of a released resource; undefined when it carries none (or a malformed one). */
export function anchorOf(resource: object): RecordAnchorFields | undefined {
  const ext = (resource as WithMeta).meta?.extension?.find((e) => e.url === EXCHANGE_SYSTEMS.anchorExtension);
  const recordId = ext?.extension?.find((e) => e.url === 'recordId')?.valueString;
  const salt = ext?.extension?.find((e) => e.url === 'salt')?.valueString;
  if (typeof recordId !== 'string' || typeof salt !== 'string' || recordId === '' || fromBase64(salt)?.length !== 16) return undefined;
  return { recordId, salt };
}

/** A copy of the resource without the anchor extension (and without `meta.extension` if it is then empty). */
export function withoutAnchor<T extends object>(resource: T): T {
  const copy = structuredClone(resource) as WithMeta;
  const meta = copy.meta;
  if (meta?.extension) {
    meta.extension = meta.extension.filter((e) => e.url !== EXCHANGE_SYSTEMS.anchorExtension);
    if (meta.extension.length === 0) delete meta.extension;
  }
  return copy as T;
}

/** A copy of the resource carrying the anchor fields (replacing any it had). */
export function withAnchor<T extends object>(resource: T, anchor: RecordAnchorFields): T {
  const copy = withoutAnchor(resource) as WithMeta;
  copy.meta = { ...(copy.meta ?? {}) };
  copy.meta.extension = [
    ...(copy.meta.extension ?? []),
    { url: EXCHANGE_SYSTEMS.anchorExtension, extension: [{ url: 'recordId', valueString: anchor.recordId }, { url: 'salt', valueString: anchor.salt }] },
  ];
  return copy as T;
}

/**
 * The salted hash of a resource (given without its anchor extension): lower-case hex of
 * SHA-256(salt bytes ‖ UTF-8(JCS(resource))).
 * @throws Error when the salt is not base64url of 16 bytes
 */
export async function saltedHash(resourceWithoutAnchor: object, salt: string): Promise<string> {
  const saltBytes = fromBase64(salt);
  if (saltBytes?.length !== 16) throw new Error('The anchor salt must be base64url of 16 bytes.');
  const body = utf8(canonicalJson(resourceWithoutAnchor));
  const input = new Uint8Array(saltBytes.length + body.length);
  input.set(saltBytes, 0);
  input.set(body, saltBytes.length);
  return toHex(await sha256(input));
}

/**
 * What the receiver checks with `Records:verifyRecord`: the record id and the salted hash it
 * recomputes from a released resource; undefined when the resource carries no anchor.
 */
export async function anchorCheckOf(released: object): Promise<{ recordId: string; saltedHash: string } | undefined> {
  const anchor = anchorOf(released);
  if (!anchor) return undefined;
  return { recordId: anchor.recordId, saltedHash: await saltedHash(withoutAnchor(released), anchor.salt) };
}

/** `Records:verifyRecord`'s answer in the receiver's words. */
export type AnchorVerdict = 'genuine' | 'superseded' | 'tampered' | 'not-anchored';

export function anchorVerdict(match: 'latest' | 'older-version' | 'no-match' | 'not-found'): AnchorVerdict {
  if (match === 'latest') return 'genuine';
  if (match === 'older-version') return 'superseded';
  if (match === 'no-match') return 'tampered';
  return 'not-anchored';
}
