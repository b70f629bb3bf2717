/**
 * A Veramo credential-status method for `BitstringStatusListEntry`, reading the issuers'
 * status lists from the ledger mirror (never from the network).
 *
 * Fail closed: a list that is missing, unreadable or older than `maxAgeSeconds` gives
 * `unknown`, which Veramo sees as `verified: false` and the pipeline reports as "cannot
 * determine". Only a list we hold, fresh, owned by the credential's issuer and of the
 * entry's purpose can say "clear".
 */
import type { IAgentPlugin, IPluginMethodMap, VerifiableCredential } from '@veramo/core';
import {
  DEFAULT_STATUS_LIST_LIMITS,
  decodeStatusList,
  getStatusBit,
  listIdFromUrn,
  StatusListError,
  type StatusListLimits,
} from '../../src-shared/identity/status-list';
import type { StatusListMirror } from './mirrors';

export type StatusEntryState = 'clear' | 'set' | 'unknown' | 'malformed';

export type StatusEntryReason =
  | 'checked'
  | 'list-missing'
  | 'list-stale'
  | 'list-unreadable'
  | 'list-of-other-issuer'
  | 'list-of-other-purpose'
  | 'entry-malformed'
  | 'index-out-of-range';

export interface StatusEntryOutcome {
  /** The entry's statusPurpose (only 'revocation' and 'suspension' are well-formed). */
  purpose: string;
  listId: string | null;
  index: number | null;
  state: StatusEntryState;
  reason: StatusEntryReason;
  listUpdatedAt: string | null;
  listFetchedAt: string | null;
}

/** Veramo's CredentialStatus, with one outcome per status entry. */
export interface BitstringStatusResult {
  /** A revocation bit is set. */
  revoked: boolean;
  suspended: boolean;
  /** Every entry was checked against a fresh list and found clear. */
  verified: boolean;
  entries: StatusEntryOutcome[];
}

export interface CheckBitstringStatusArgs {
  credential: VerifiableCredential;
  /** The time the check is made at (default: now); staleness is measured from it. */
  now?: Date | string;
}

export interface IBitstringStatusListVerifier extends IPluginMethodMap {
  checkCredentialStatus(args: CheckBitstringStatusArgs): Promise<BitstringStatusResult>;
}

export interface BitstringStatusListOptions {
  mirror: StatusListMirror;
  /** Lists confirmed against the ledger longer ago than this are stale (default 24 h). */
  maxAgeSeconds?: number;
  limits?: StatusListLimits;
}

export const DEFAULT_STATUS_LIST_MAX_AGE_SECONDS = 24 * 60 * 60;
const MAX_INDEX_TEXT = 12;

/** Status entries of a credential (one object or an array), or [] when it has none. */
export function statusEntriesOf(credential: { credentialStatus?: unknown }): unknown[] {
  const s = credential.credentialStatus;
  if (s === undefined || s === null) return [];
  return Array.isArray(s) ? s : [s];
}

export class BitstringStatusListPlugin implements IAgentPlugin {
  readonly methods: IBitstringStatusListVerifier;
  private readonly maxAgeMs: number;
  private readonly limits: StatusListLimits;
  // Decoding costs a GZIP inflate; keep the last decoded copy of each list while its text is unchanged.
  private readonly decoded = new Map<string, { encodedList: string; bits: Uint8Array }>();

  constructor(private readonly options: BitstringStatusListOptions) {
    this.maxAgeMs = (options.maxAgeSeconds ?? DEFAULT_STATUS_LIST_MAX_AGE_SECONDS) * 1000;
    this.limits = options.limits ?? DEFAULT_STATUS_LIST_LIMITS;
    this.methods = { checkCredentialStatus: this.checkCredentialStatus.bind(this) };
  }

  async checkCredentialStatus(args: CheckBitstringStatusArgs): Promise<BitstringStatusResult> {
    const now = args.now === undefined ? Date.now() : new Date(args.now).getTime();
    const issuer = issuerOf(args.credential);
    const entries: StatusEntryOutcome[] = [];
    for (const entry of statusEntriesOf(args.credential)) {
      entries.push(await this.checkEntry(entry, issuer, now));
    }
    return {
      revoked: entries.some((e) => e.purpose === 'revocation' && e.state === 'set'),
      suspended: entries.some((e) => e.purpose === 'suspension' && e.state === 'set'),
      verified: entries.every((e) => e.state === 'clear'),
      entries,
    };
  }

  private async checkEntry(entry: unknown, issuer: string | null, now: number): Promise<StatusEntryOutcome> {
    const parsed = parseEntry(entry);
    const base: StatusEntryOutcome = {
      purpose: parsed.purpose,
      listId: parsed.listId,
      index: parsed.index,
      state: 'malformed',
      reason: 'entry-malformed',
      listUpdatedAt: null,
      listFetchedAt: null,
    };
    if (!parsed.ok || parsed.listId === null || parsed.index === null) return base;
    const record = await this.options.mirror.get(parsed.listId);
    if (record === undefined) return { ...base, state: 'unknown', reason: 'list-missing' };
    const withList = { ...base, listUpdatedAt: record.updatedAt, listFetchedAt: record.fetchedAt };
    // A credential may only be revoked or cleared by its own issuer's list of the same purpose.
    if (record.issuerDid !== issuer) return { ...withList, reason: 'list-of-other-issuer' };
    if (record.purpose !== parsed.purpose) return { ...withList, reason: 'list-of-other-purpose' };
    const fetchedAt = Date.parse(record.fetchedAt);
    if (!Number.isFinite(fetchedAt) || now - fetchedAt > this.maxAgeMs) return { ...withList, state: 'unknown', reason: 'list-stale' };
    let bits: Uint8Array;
    try {
      bits = this.decode(parsed.listId, record.encodedList);
    } catch (err) {
      if (err instanceof StatusListError) return { ...withList, state: 'unknown', reason: 'list-unreadable' };
      throw err;
    }
    if (parsed.index >= bits.length * 8) return { ...withList, reason: 'index-out-of-range' };
    return { ...withList, state: getStatusBit(bits, parsed.index) ? 'set' : 'clear', reason: 'checked' };
  }

  private decode(listId: string, encodedList: string): Uint8Array {
    const hit = this.decoded.get(listId);
    if (hit !== undefined && hit.encodedList === encodedList) return hit.bits;
    const bits = decodeStatusList(encodedList, this.limits);
    this.decoded.set(listId, { encodedList, bits });
    return bits;
  }
}

function issuerOf(credential: VerifiableCredential): string | null {
  const issuer: unknown = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  if (typeof issuer === 'object' && issuer !== null && typeof (issuer as { id?: unknown }).id === 'string') return (issuer as { id: string }).id;
  return null;
}

interface ParsedEntry {
  ok: boolean;
  purpose: string;
  listId: string | null;
  index: number | null;
}

/** Reads one entry exactly as agreed: `{ id: '<urn>#<n>', type, statusPurpose, statusListIndex: '<n>', statusListCredential: '<urn>' }`. */
function parseEntry(entry: unknown): ParsedEntry {
  const bad: ParsedEntry = { ok: false, purpose: 'unknown', listId: null, index: null };
  if (typeof entry !== 'object' || entry === null) return bad;
  const e = entry as Record<string, unknown>;
  const purpose = typeof e.statusPurpose === 'string' ? e.statusPurpose : 'unknown';
  const listId = typeof e.statusListCredential === 'string' ? (listIdFromUrn(e.statusListCredential) ?? null) : null;
  const indexText = e.statusListIndex;
  const index =
    typeof indexText === 'string' && indexText.length <= MAX_INDEX_TEXT && /^(0|[1-9][0-9]*)$/.test(indexText) ? Number(indexText) : null;
  const ok =
    e.type === 'BitstringStatusListEntry' &&
    (purpose === 'revocation' || purpose === 'suspension') &&
    listId !== null &&
    index !== null &&
    e.id === `${String(e.statusListCredential)}#${String(indexText)}`;
  return { ok, purpose, listId, index };
}
