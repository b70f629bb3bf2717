/**
 * Whether the insurance card an admission was verified with has been revoked (or suspended)
 * since, from the ledger's status-list mirror in the cache: the claim checklist's "coverage
 * not revoked at the service date".
 *
 * The desk keeps the card's status-list entries with the admission (Eligibility.cardStatus).
 * The entry is checked with the identity pipeline's own status method (same issuer, purpose,
 * staleness and decoding rules), over the lists read in the caller's transaction. A list that
 * is missing, stale or damaged, or an admission without an entry, is 'unknown' with a sentence.
 */
import type { Coverage } from 'fhir/r4';
import type { Eligibility } from '../../src-shared/admission/schemas';
import { listIdFromUrn, statusListUrn } from '../../src-shared/identity/status-list';
import type { ReadHandle } from '../cache/database';
import { sql } from '../cache/sql';
import { BitstringStatusListPlugin, type StatusEntryOutcome } from '../identity/status-plugin';
import { MemoryStatusListMirror } from '../identity/mirrors';
import { MIRRORS } from '../ledger/mirrors';
import { CARD_STATUS_SYSTEM } from './fhir-claim';

export interface CardRevocation {
  revocation: 'active' | 'revoked' | 'unknown';
  /** The day the issuer last changed the list that revokes the card (YYYY-MM-DD), when revoked. */
  revokedOn: string | null;
  /** Why the state is what it is, for the checklist (unknown, suspended). */
  note: string | null;
}

function unknownWhy(e: StatusEntryOutcome): string {
  switch (e.reason) {
    case 'list-missing':
      return 'the insurer’s status list has not been received from the ledger on this workstation';
    case 'list-stale':
      return `the insurer’s status list was last confirmed against the ledger ${e.listFetchedAt ? `on ${e.listFetchedAt.slice(0, 10)}` : 'too long ago'}, too long ago to rely on`;
    case 'list-unreadable':
      return 'the insurer’s status list on this workstation is damaged';
    default:
      return 'the card’s status entry points to a list it cannot be checked against';
  }
}

/**
 * @param cardStatus the admission's kept entries (undefined for admissions made before they were kept)
 * @param now the time of the check; lists confirmed more than 24 h before are stale
 */
export async function cardRevocation(r: ReadHandle, cardStatus: Eligibility['cardStatus'], now: Date): Promise<CardRevocation> {
  if (!cardStatus || cardStatus.entries.length === 0) {
    return { revocation: 'unknown', revokedOn: null, note: 'the admission kept no status-list entry for the card (it was admitted before cards were kept, or the card has none)' };
  }
  const mirror = new MemoryStatusListMirror();
  const freshness = await r.get<{ as_of: string }>(sql`SELECT as_of FROM mirror_freshness WHERE mirror = ${MIRRORS.statusLists}`);
  for (const e of cardStatus.entries) {
    const row = await r.get<{ record: string; fetched_at: string }>(sql`SELECT record, fetched_at FROM mirror_status_list WHERE list_id = ${e.listId}`);
    if (!row) continue;
    const x = JSON.parse(row.record) as { issuerDid: string; statusPurpose: 'revocation' | 'suspension'; encodedList: string; updatedAt: string };
    // As the identity pipeline's mirror: a copy is confirmed up to the mirror's freshness.
    const fetchedAt = freshness && freshness.as_of > row.fetched_at ? freshness.as_of : row.fetched_at;
    mirror.set(e.listId, { issuerDid: x.issuerDid, purpose: x.statusPurpose, encodedList: x.encodedList, updatedAt: x.updatedAt, fetchedAt });
  }
  const checker = new BitstringStatusListPlugin({ mirror });
  const credential = {
    issuer: cardStatus.issuer,
    credentialStatus: cardStatus.entries.map((e) => ({
      id: `${statusListUrn(e.listId)}#${e.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: e.purpose,
      statusListIndex: String(e.index),
      statusListCredential: statusListUrn(e.listId),
    })),
  };
  const result = await checker.methods.checkCredentialStatus({ credential: credential as never, now });
  const set = result.entries.find((e) => e.state === 'set' && e.purpose === 'revocation') ?? result.entries.find((e) => e.state === 'set');
  if (set) {
    return {
      revocation: 'revoked',
      revokedOn: set.listUpdatedAt ? set.listUpdatedAt.slice(0, 10) : null,
      note: set.purpose === 'suspension' ? 'suspended' : null,
    };
  }
  const open = result.entries.find((e) => e.state !== 'clear');
  if (open) return { revocation: 'unknown', revokedOn: null, note: unknownWhy(open) };
  return { revocation: 'active', revokedOn: null, note: null };
}

/**
 * The card's status entries as a claim carries them (its contained Coverage's identifiers), to be
 * checked at the insurer against the insurer's own lists: `issuer` is the insurer's DID, so a
 * list owned by anyone else never clears or revokes the card. Undefined when the claim has none.
 */
export function cardStatusOfCoverage(cov: Coverage | undefined, issuer: string | null): Eligibility['cardStatus'] {
  if (!cov || !issuer) return undefined;
  const entries: NonNullable<Eligibility['cardStatus']>['entries'] = [];
  for (const id of cov.identifier ?? []) {
    const purpose = id.system === `${CARD_STATUS_SYSTEM}revocation` ? 'revocation' : id.system === `${CARD_STATUS_SYSTEM}suspension` ? 'suspension' : null;
    const m = /^(.+)#(0|[1-9][0-9]{0,11})$/.exec(id.value ?? '');
    const listId = m ? listIdFromUrn(m[1] ?? '') : undefined;
    if (purpose && listId && m) entries.push({ purpose, listId, index: Number(m[2]) });
  }
  return entries.length > 0 ? { issuer, entries } : undefined;
}
