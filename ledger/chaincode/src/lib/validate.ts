/**
 * The validation layer: every transaction argument goes through one of these checks before
 * the contract looks at it. A check returns the typed, normalised value or throws an
 * INVALID_ARGUMENT error naming the field and what is expected. Objects are strict: an
 * unknown member is refused, so no one can slip extra data (PHI) onto public state.
 */
import { invalid } from './errors';

export type Check<T> = (value: unknown, path: string) => T;
export type Infer<C> = C extends Check<infer T> ? T : never;

/** Marks a member as optional; the object check recognises the marker. */
export interface OptionalCheck<T> extends Check<T | undefined> {
  optional: true;
}

export interface StringOptions {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Says in words what the pattern wants, for the error message. */
  expected?: string;
}

export function str(options: StringOptions = {}): Check<string> {
  const { min = 1, max = 256, pattern, expected } = options;
  return (value, path) => {
    if (typeof value !== 'string') throw invalid(`${path} must be text.`);
    const what = expected ? ` (${expected})` : '';
    if (value.length < min) throw invalid(min === 1 ? `${path} must not be empty${what}.` : `${path} must have at least ${min} characters${what}.`);
    if (value.length > max) throw invalid(`${path} must have at most ${max} characters${what}.`);
    if (pattern && !pattern.test(value)) throw invalid(`${path} must be ${expected ?? `text matching ${String(pattern)}`}; got '${value.slice(0, 80)}'.`);
    return value;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (value, path) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw invalid(`${path} must be one of ${values.map((v) => `'${v}'`).join(', ')}.`);
    }
    return value as T;
  };
}

export function int(options: { min?: number; max?: number } = {}): Check<number> {
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = options;
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(`${path} must be a whole number.`);
    if (value < min || value > max) throw invalid(`${path} must be between ${min} and ${max}.`);
    return value;
  };
}

export function bool(): Check<boolean> {
  return (value, path) => {
    if (typeof value !== 'boolean') throw invalid(`${path} must be true or false.`);
    return value;
  };
}

export function arrayOf<T>(item: Check<T>, options: { min?: number; max?: number; unique?: boolean } = {}): Check<T[]> {
  const { min = 0, max = 100, unique = false } = options;
  return (value, path) => {
    if (!Array.isArray(value)) throw invalid(`${path} must be a list.`);
    if (value.length < min) throw invalid(`${path} must have at least ${min} item${min === 1 ? '' : 's'}.`);
    if (value.length > max) throw invalid(`${path} must have at most ${max} items.`);
    const out = value.map((member, index) => item(member, `${path}[${index}]`));
    if (unique && new Set(out.map((member) => JSON.stringify(member))).size !== out.length) throw invalid(`${path} must not repeat an item.`);
    return out;
  };
}

export function optional<T>(check: Check<T>): OptionalCheck<T> {
  const wrapped = ((value: unknown, path: string) => (value === undefined || value === null ? undefined : check(value, path))) as OptionalCheck<T>;
  wrapped.optional = true;
  return wrapped;
}

type Shape = Record<string, Check<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalCheck<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalCheck<unknown> ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> };

export function object<S extends Shape>(shape: S): Check<ObjectOf<S>> {
  return (value, path) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${path} must be an object.`);
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) throw invalid(`${path}.${key} is not an accepted field (accepted: ${Object.keys(shape).join(', ')}).`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const member = check(source[key], `${path}.${key}`);
      if (member !== undefined) out[key] = member;
      else if (!(check as Partial<OptionalCheck<unknown>>).optional) throw invalid(`${path}.${key} is required.`);
    }
    return out as ObjectOf<S>;
  };
}

/** Parses a JSON transaction argument, then checks it. */
export function parseJsonArg<T>(raw: string, name: string, check: Check<T>, maxBytes = 64 * 1024): T {
  if (typeof raw !== 'string' || raw.length === 0) throw invalid(`${name} is required (a JSON text).`);
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) throw invalid(`${name} is larger than ${maxBytes} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`${name} is not valid JSON.`);
  }
  return check(parsed, name);
}

// ---- domain checks -------------------------------------------------------------------------

/** Identifiers chosen by clients (entry ids, claim ids, urn:uuid:...): safe inside composite keys. */
export const id = (): Check<string> => str({ max: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9._:~-]*$/, expected: 'an identifier (letters, digits, . _ : ~ -)' });
export const mspId = (): Check<string> => str({ max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, expected: 'an MSP ID (letters, digits, . _ -)' });
/** A request id shared by a gatekeeper's release entry and the viewer's access entry. */
export const requestId = (): Check<string> => str({ min: 45, max: 45, pattern: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, expected: "a request id 'urn:uuid:<lower-case uuid>'" });
export const code = (): Check<string> => str({ max: 32, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, expected: 'a code (letters, digits, . _ -), not free text' });
export const sha256 = (): Check<string> => str({ min: 64, max: 64, pattern: /^[0-9a-f]{64}$/, expected: 'a SHA-256 digest as 64 lower-case hex digits' });
export const did = (): Check<string> => str({ max: 4096, pattern: /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, expected: 'a DID (did:method:identifier)' });
export const didWeb = (): Check<string> => str({ max: 512, pattern: /^did:web:[A-Za-z0-9.%-]+(:[A-Za-z0-9._%-]+)*$/, expected: 'a did:web DID' });
/** Patients and doctors: did:key or did:jwk only (pseudonymous, resolvable offline). */
export const personDid = (): Check<string> => str({ max: 4096, pattern: /^did:(key:z[1-9A-HJ-NP-Za-km-z]+|jwk:[A-Za-z0-9_-]+)$/, expected: 'a did:key or did:jwk DID' });
/**
 * A hospital-scoped patient pseudonym: `hp<version>:` + base64url of an HMAC-SHA256 (43
 * characters) of the patient's DID under the hospital's secret of that version. The chaincode
 * never sees the secret; two hospitals' pseudonyms of one patient differ.
 */
export const patientPseudonym = (): Check<string> => str({ max: 64, pattern: /^hp[1-9][0-9]{0,5}:[A-Za-z0-9_-]{43}$/, expected: "a hospital-scoped pseudonym ('hp<version>:' + 43 base64url characters), never a DID" });

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date-time with zone; normalised to UTC `toISOString()` form so it sorts as text. */
export const isoTime = (): Check<string> => (value, path) => {
  const text = str({ max: 40, pattern: ISO_TIME, expected: 'an ISO 8601 date-time with a zone, e.g. 2026-11-21T10:00:00Z' })(value, path);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalid(`${path} is not a real date-time: '${text}'.`);
  return new Date(ms).toISOString();
};

export const PURPOSES_OF_USE = ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'HRESCH'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];
/**
 * The ten kinds of record, then the sensitive categories (security labels on records): a
 * consent releases a sensitive category only when it names it explicitly.
 */
export const RECORD_CATEGORIES = ['demographics', 'encounters', 'conditions', 'medications', 'allergies', 'observations', 'procedures', 'immunizations', 'documents', 'imaging', 'mental-health', 'substance-use', 'sexual-health', 'genetics'] as const;
export const SENSITIVE_CATEGORIES = ['mental-health', 'substance-use', 'sexual-health', 'genetics'] as const;
export type RecordCategory = (typeof RECORD_CATEGORIES)[number];
export const ORG_KINDS = ['hospital', 'insurer', 'medical-board', 'governance'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Page size and bookmark of a list query. */
export function pageArgs(pageSize: string, bookmark: string): { pageSize: number; bookmark: string } {
  const size = pageSize === '' || pageSize === undefined ? 50 : Number(pageSize);
  if (!Number.isSafeInteger(size) || size < 1 || size > 200) throw invalid('pageSize must be a whole number from 1 to 200.');
  if (typeof bookmark !== 'string' || bookmark.length > 4096) throw invalid('bookmark must be the bookmark text returned by the previous page, or empty.');
  return { pageSize: size, bookmark };
}

/** An optional time argument: empty means "now" (the transaction time). */
export function optionalTimeArg(raw: string, name: string, now: string): string {
  if (raw === '' || raw === undefined) return now;
  return isoTime()(raw, name);
}
