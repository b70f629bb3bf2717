// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../lib/canonical-json';
import { sha256Hex } from '../lib/encoding';
import { LedgerError, invalid } from '../lib/errors';
import { emit, key, result, txTime } from '../lib/ledger';
import { authorise, getOrganisation } from '../lib/organisations';
import { HOSPITAL_READER_ROLES, deletePrivate, getPrivateJson, mustGetPrivateJson, pagePrivateByPartialKey, privateExists, purgePrivate, putPrivateIndex, putPrivateJson, transientJson } from '../lib/private';
import { PURPOSES_OF_USE, RECORD_CATEGORIES, SENSITIVE_CATEGORIES, arrayOf, code, id, int, isoTime, mspId, object, oneOf, optional, pageArgs, parseJsonArg, personDid, requestId, sha256, str } from '../lib/validate';
import { type Encounter, encounterKey } from './admissions';
import { type Consent, consentDecisionFor, consentKey, servesPatient } from './consent';

/** Break-the-glass reasons are codes; a free-text note stays in the hospital, only its hash is here. */
export const BREAK_GLASS_REASONS = ['emergency-unconscious', 'emergency-life-threatening', 'emergency-incapacitated', 'emergency-other', 'legal-obligation'] as const;

const entryArg = object({
  entryId: id(),
  patientDid: personDid(),
  categories: arrayOf(oneOf(RECORD_CATEGORIES), { min: 1, max: RECORD_CATEGORIES.length, unique: true }),
  purpose: oneOf(PURPOSES_OF_USE),
  decision: oneOf(['allowed', 'refused'] as const),
  consentId: optional(id()),
  breakGlass: optional(object({ reasonCode: oneOf(BREAK_GLASS_REASONS), noteSha256: optional(sha256()) })),
  accessedAt: isoTime(),
  /** The request id of a record-gatekeeper request this view came from: links it to the gatekeeper's release entry. */
  requestId: optional(requestId()),
  /**
   * A view of the hospital's own records during the patient's open admission (no consent needed
   * for TREAT): the encounter it relies on. The chaincode checks that the encounter is the
   * caller's hospital's and was open at `accessedAt`.
   */
  encounterId: optional(id()),
});

const categoryList = (min: number): ReturnType<typeof arrayOf<(typeof RECORD_CATEGORIES)[number]>> => arrayOf(oneOf(RECORD_CATEGORIES), { min, max: RECORD_CATEGORIES.length, unique: true });

/** A record gatekeeper's release decision (docs/formats/record-exchange.md §7). */
const releaseArg = object({
  entryId: id(),
  requestId: requestId(),
  patientDid: personDid(),
  purpose: oneOf(PURPOSES_OF_USE),
  categories: categoryList(1),
  released: categoryList(0),
  withheld: categoryList(0),
  decision: oneOf(['released', 'refused'] as const),
  basis: oneOf(['consent', 'own-admission', 'break-glass', 'none'] as const),
  /**
   * The consents the gatekeeper relied on (from Consent:checkConsents). Cited, not searched: a
   * Fabric transaction that range-queries private data may not write, so the chaincode re-checks
   * exactly these by key.
   */
  consentIds: optional(arrayOf(id(), { max: 20, unique: true })),
  encounterId: optional(id()),
  breakGlass: optional(object({ reasonCode: oneOf(BREAK_GLASS_REASONS), noteSha256: optional(sha256()) })),
  requester: object({ mspId: mspId(), id: str({ max: 1024 }), role: code() }),
  refusalCode: optional(code()),
  accessedAt: isoTime(),
});
type ReleaseInput = ReturnType<typeof releaseArg>;

const batchArg = object({
  batchId: id(),
  batchSha256: sha256(),
  count: int({ min: 1, max: 1_000_000 }),
  firstAccessAt: isoTime(),
  lastAccessAt: isoTime(),
});

const reviewArg = object({ outcome: oneOf(['justified', 'unjustified'] as const), reasonCode: optional(code()), noteSha256: optional(sha256()) });

type EntryInput = ReturnType<typeof entryArg>;

export interface AccessEntry extends EntryInput {
  staff: { mspId: string; id: string; role: string };
  /** The chaincode's own check of the cited consent at `accessedAt`. */
  consentCheck: 'confirmed' | 'not-covered' | 'unknown-consent' | 'own-admission' | 'none';
  consentCheckReason?: string;
  loggedAt: string;
  /** Hash of the entry as submitted, so a retried submission is recognised. */
  inputSha256: string;
  review?: { outcome: 'justified' | 'unjustified'; reasonCode?: string; noteSha256?: string; reviewedAt: string; reviewer: { mspId: string; id: string } };
  /** When the break-the-glass note kept with the entry was purged (the hash stays in `breakGlass.noteSha256`). */
  notePurgedAt?: string;
  /** Set on a record gatekeeper's release entry: what it released to whom, on which basis. */
  release?: Pick<ReleaseInput, 'released' | 'withheld' | 'basis' | 'encounterId' | 'requester' | 'refusalCode'> & { consentIds: string[] };
  /** The requesting hospital's privacy officer's review of a break-the-glass release (the releasing hospital's is `review`). */
  requesterReview?: { outcome: 'justified' | 'unjustified'; reasonCode?: string; noteSha256?: string; reviewedAt: string; reviewer: { mspId: string; id: string } };
}

/** The longest break-the-glass note kept on the ledger: a few sentences, not a record. */
const MAX_NOTE_BYTES = 4096;

function noteKey(ctx: Context, entryId: string): string {
  return key(ctx, 'access-note', [entryId]);
}

export interface OfflineBatch {
  batchId: string;
  mspId: string;
  staffId: string;
  batchSha256: string;
  count: number;
  firstAccessAt: string;
  lastAccessAt: string;
  anchoredAt: string;
}

const ACCESS_ROLES = ['clinician', 'admissions', 'claims', 'privacy'] as const;
/** How far ahead of the transaction time an access may be dated (clock skew between workstation and client). */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

function entryKey(ctx: Context, entryId: string): string {
  return key(ctx, 'access', [entryId]);
}

/**
 * Whether a hospital may read an access entry: its own staff's, or one about a patient who has
 * consented to it (a patient it serves: the patient's access report is asked for there).
 */
async function mayReadEntry(ctx: Context, entry: AccessEntry, reader: { mspId: string; organisation: { did: string } }): Promise<boolean> {
  return entry.staff.mspId === reader.mspId || entry.release?.requester.mspId === reader.mspId || (await servesPatient(ctx, entry.patientDid, reader.organisation.did));
}

/** Purposes under which break-the-glass may release records. */
const BREAK_GLASS_PURPOSES: readonly string[] = ['TREAT', 'ETREAT'];

function notCovered(message: string): LedgerError {
  return new LedgerError('CONSENT_NOT_COVERED', message);
}

/**
 * The chaincode's own check of a release, before it is logged (and so before anything is
 * released): each released category must be covered, for the REQUESTING hospital, by the
 * patient's consent, by an open admission at the releasing hospital (own staff, TREAT, never a
 * sensitive category), or by break-the-glass. Returns the consents relied on.
 * @throws LedgerError CONSENT_NOT_COVERED, INVALID_ARGUMENT, FORBIDDEN
 */
async function checkRelease(ctx: Context, input: ReleaseInput, releasingMspId: string): Promise<string[]> {
  const asked = new Set(input.categories);
  const split = [...input.released, ...input.withheld];
  if (split.length !== asked.size || !split.every((c) => asked.has(c)) || new Set(split).size !== split.length) {
    throw invalid('release.released and release.withheld must split release.categories: every category asked for is either released or withheld, once.');
  }
  if (input.decision === 'released' && input.released.length === 0) throw invalid("A release with decision 'released' must release at least one category.");
  if (input.decision === 'refused' && input.released.length > 0) throw invalid("A release with decision 'refused' must release nothing.");
  if (input.basis === 'none' && input.decision !== 'refused') throw invalid("Only a refusal may have basis 'none'.");
  const requester = await getOrganisation(ctx, input.requester.mspId);
  if (!requester || requester.kind !== 'hospital') throw new LedgerError('FORBIDDEN', `The requesting organisation ${input.requester.mspId} is not a hospital registered on the ledger; records are released to hospitals only.`);
  if (input.decision === 'refused') return [];
  if (input.basis === 'break-glass') {
    if (!input.breakGlass) throw invalid('A break-the-glass release needs release.breakGlass with its reason code.');
    if (!BREAK_GLASS_PURPOSES.includes(input.purpose)) throw invalid('Break-the-glass releases records for treatment (TREAT or ETREAT) only.');
    return [];
  }
  if (input.basis === 'own-admission') {
    if (input.requester.mspId !== releasingMspId) throw notCovered(`An open admission covers ${releasingMspId}'s own clinicians only; ${input.requester.mspId} needs the patient's consent.`);
    if (input.purpose !== 'TREAT') throw notCovered('An open admission covers treatment (TREAT) only; any other purpose needs the patient\'s consent.');
    if (input.encounterId === undefined) throw invalid('A release on an open admission must name the encounter (release.encounterId).');
    const encounter = await getPrivateJson<Encounter>(ctx, key(ctx, 'encounter', [input.encounterId]));
    if (!encounter || encounter.mspId !== releasingMspId || encounter.status !== 'admitted') throw notCovered(`Encounter ${input.encounterId} is not an open admission at ${releasingMspId}.`);
    // Sensitive records are never covered by the admission, even for the hospital's own clinicians: only a consent naming them.
    const sensitive = input.released.filter((c) => (SENSITIVE_CATEGORIES as readonly string[]).includes(c));
    return coveredByCitedConsents(ctx, input, requester.did, sensitive, (category, reason) => `Sensitive records (${category}) are released only under a consent that names them, even to the hospital's own clinicians (${reason}).`);
  }
  return coveredByCitedConsents(ctx, input, requester.did, input.released, (category, reason) => `The patient's consent does not cover ${category} for ${input.purpose} by ${input.requester.mspId} (${reason}); nothing may be released for it.`);
}

/** Each category must be permitted by one of the consents the release cites; returns those relied on. */
async function coveredByCitedConsents(ctx: Context, input: ReleaseInput, requesterDid: string, categories: readonly string[], sentence: (category: string, reason: string) => string): Promise<string[]> {
  const cited: Consent[] = [];
  for (const consentId of input.consentIds ?? []) {
    const consent = await getPrivateJson<Consent>(ctx, consentKey(ctx, consentId));
    if (consent && consent.patientDid === input.patientDid) cited.push(consent);
  }
  const used = new Set<string>();
  for (const category of categories) {
    let reason = cited.length === 0 ? 'no consent cited' : '';
    const permit = cited.find((consent) => {
      const decision = consentDecisionFor(consent, requesterDid, input.purpose, category as (typeof RECORD_CATEGORIES)[number], input.accessedAt);
      if (decision.decision !== 'permit') reason ||= decision.reason;
      return decision.decision === 'permit';
    });
    if (!permit) throw notCovered(sentence(category, reason));
    used.add(permit.consentId);
  }
  return [...used].sort();
}

/** What an access transaction returns and announces: the id and the stored value's hash. */
function entryReceipt(entry: AccessEntry, sha256: string): { entryId: string; sha256: string } {
  return { entryId: entry.entryId, sha256 };
}

/**
 * The append-only access log. Every record access, allowed or refused, is logged with the
 * caller's identity; an allowed access must cite a consent or a break-the-glass reason.
 * The chaincode re-checks a cited consent and flags an entry it does not cover for review
 * instead of refusing it, because an access that happened must never be lost from the log.
 * Entries and batches live in the hospitals-only collection; their inputs come in the transient
 * map, and events and results carry ids and hashes only.
 */
@Info({ title: 'Access', description: 'Append-only record access log' })
export class AccessContract extends Contract {
  constructor() {
    super('Access');
  }

  /**
   * Logs one access, passed in the transient map under `entry`. Caller: a hospital, role
   * clinician, admissions, claims or privacy (the staff member who accessed). A retry with
   * identical content changes nothing. Returns `{ entryId, sha256 }`.
   * @throws LedgerError INVALID_ARGUMENT, ALREADY_EXISTS, FORBIDDEN
   */
  @Transaction()
  @Returns('string')
  public async logAccess(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: ACCESS_ROLES, action: 'log record access' });
    const input = transientJson(ctx, 'entry', 'The access entry', entryArg);
    const now = txTime(ctx);
    if (Date.parse(input.accessedAt) > Date.parse(now) + FUTURE_SKEW_MS) throw invalid(`entry.accessedAt (${input.accessedAt}) is in the future; check the workstation clock.`);
    if (input.decision === 'allowed' && input.consentId === undefined && input.breakGlass === undefined && input.encounterId === undefined) {
      throw invalid('An allowed access must cite the consentId that covers it, the open encounter of its own hospital (encounterId), or a breakGlass reason.');
    }
    const inputSha256 = sha256Hex(canonicalJson(input));
    const existing = await getPrivateJson<AccessEntry>(ctx, entryKey(ctx, input.entryId));
    if (existing) {
      if (existing.inputSha256 === inputSha256 && existing.staff.id === who.id) return result(entryReceipt(existing, sha256Hex(canonicalJson(existing))));
      throw new LedgerError('ALREADY_EXISTS', `Access entry ${input.entryId} is already logged with different content.`);
    }
    let consentCheck: AccessEntry['consentCheck'] = 'none';
    let consentCheckReason: string | undefined;
    if (input.consentId !== undefined) {
      const consent = await getPrivateJson<Consent>(ctx, consentKey(ctx, input.consentId));
      if (!consent || consent.patientDid !== input.patientDid) {
        consentCheck = 'unknown-consent';
      } else {
        const reasons = input.categories.map((category) => consentDecisionFor(consent, who.organisation.did, input.purpose, category, input.accessedAt)).filter((d) => d.decision !== 'permit');
        consentCheck = reasons.length === 0 ? 'confirmed' : 'not-covered';
        consentCheckReason = reasons[0]?.reason;
      }
    }
    if (input.consentId === undefined && input.encounterId !== undefined) {
      // Own records during an open admission: TREAT only, never a sensitive category, and only
      // while the caller's own hospital has that encounter open.
      const encounter = await getPrivateJson<Encounter>(ctx, encounterKey(ctx, input.encounterId));
      const open = encounter !== undefined && encounter.mspId === who.mspId && encounter.admittedAt <= input.accessedAt && (encounter.dischargedAt === undefined || input.accessedAt < encounter.dischargedAt);
      const scope = input.purpose === 'TREAT' && input.categories.every((c) => !(SENSITIVE_CATEGORIES as readonly string[]).includes(c));
      consentCheck = open && scope ? 'own-admission' : 'not-covered';
      consentCheckReason = !open ? 'encounter-not-open' : scope ? undefined : 'own-admission-scope';
    }
    const entry: AccessEntry = {
      ...input,
      staff: { mspId: who.mspId, id: who.id, role: who.role ?? '' },
      consentCheck,
      consentCheckReason,
      loggedAt: now,
      inputSha256,
    };
    // A break-the-glass note may travel too (transient `breakGlassNote`): personal, so it lives on
    // its own key of the collection, where purgeBreakGlassNote can erase it; the entry keeps its hash.
    const note = ctx.stub.getTransient().get('breakGlassNote');
    if (note && note.length > 0) {
      if (note.length > MAX_NOTE_BYTES) throw invalid(`The break-the-glass note is longer than ${MAX_NOTE_BYTES} bytes; keep the full account in the hospital's record.`);
      if (input.breakGlass?.noteSha256 !== sha256Hex(Buffer.from(note))) throw invalid('A break-the-glass note needs breakGlass.noteSha256 = the SHA-256 of the note, so the log keeps its hash after the note is purged.');
      await putPrivateJson(ctx, noteKey(ctx, entry.entryId), { entryId: entry.entryId, note: Buffer.from(note).toString('utf8') });
    }
    const sha256 = await putPrivateJson(ctx, entryKey(ctx, entry.entryId), entry);
    await putPrivateIndex(ctx, 'access~patient', [entry.patientDid, entry.accessedAt, entry.entryId]);
    if (entry.requestId !== undefined) await putPrivateIndex(ctx, 'access~request', [entry.requestId, entry.entryId]);
    // Break-the-glass, and allowed accesses the cited consent does not cover, wait for the privacy officer.
    const needsReview = entry.decision === 'allowed' && (entry.breakGlass !== undefined || (consentCheck !== 'confirmed' && consentCheck !== 'own-admission' && consentCheck !== 'none'));
    if (needsReview) await putPrivateIndex(ctx, 'access~review', [who.mspId, entry.entryId]);
    emit(ctx, 'Access.Logged', entryReceipt(entry, sha256));
    return result(entryReceipt(entry, sha256));
  }

  /**
   * Logs a record gatekeeper's decision (release or refusal), passed in the transient map under
   * `release` (docs/formats/record-exchange.md §7), BEFORE anything is released: the chaincode
   * re-checks each released category for the requesting hospital and refuses the entry when
   * nothing covers it, so an uncovered release cannot be logged and must not happen.
   * Break-the-glass releases wait for review at both hospitals. A retry with identical content
   * changes nothing. Returns `{ entryId, sha256, consentIds }`. Caller: a hospital, role gatekeeper.
   * @throws LedgerError CONSENT_NOT_COVERED, INVALID_ARGUMENT, ALREADY_EXISTS, FORBIDDEN
   */
  @Transaction()
  @Returns('string')
  public async logRelease(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: ['gatekeeper'], action: 'log record releases' });
    const input = transientJson(ctx, 'release', 'The release entry', releaseArg);
    const now = txTime(ctx);
    if (Date.parse(input.accessedAt) > Date.parse(now) + FUTURE_SKEW_MS) throw invalid(`release.accessedAt (${input.accessedAt}) is in the future; check the gatekeeper's clock.`);
    const inputSha256 = sha256Hex(canonicalJson(input));
    const existing = await getPrivateJson<AccessEntry>(ctx, entryKey(ctx, input.entryId));
    if (existing) {
      if (existing.inputSha256 === inputSha256 && existing.staff.id === who.id) return result({ ...entryReceipt(existing, sha256Hex(canonicalJson(existing))), consentIds: existing.release?.consentIds ?? [] });
      throw new LedgerError('ALREADY_EXISTS', `Access entry ${input.entryId} is already logged with different content.`);
    }
    const consentIds = await checkRelease(ctx, input, who.mspId);
    const entry: AccessEntry = {
      entryId: input.entryId,
      requestId: input.requestId,
      patientDid: input.patientDid,
      categories: input.categories,
      purpose: input.purpose,
      decision: input.decision === 'released' ? 'allowed' : 'refused',
      consentId: consentIds[0],
      breakGlass: input.breakGlass,
      accessedAt: input.accessedAt,
      staff: { mspId: who.mspId, id: who.id, role: who.role ?? '' },
      consentCheck: input.decision === 'released' && input.basis === 'consent' ? 'confirmed' : 'none',
      loggedAt: now,
      inputSha256,
      release: { released: input.released, withheld: input.withheld, basis: input.basis, encounterId: input.encounterId, requester: input.requester, refusalCode: input.refusalCode, consentIds },
    };
    const sha256 = await putPrivateJson(ctx, entryKey(ctx, entry.entryId), entry);
    await putPrivateIndex(ctx, 'access~patient', [entry.patientDid, entry.accessedAt, entry.entryId]);
    await putPrivateIndex(ctx, 'access~request', [input.requestId, entry.entryId]);
    if (input.decision === 'released' && input.basis === 'break-glass') {
      // Flagged at both hospitals: the one that released and the one whose clinician asked.
      await putPrivateIndex(ctx, 'access~review', [who.mspId, entry.entryId]);
      if (input.requester.mspId !== who.mspId) await putPrivateIndex(ctx, 'access~review', [input.requester.mspId, entry.entryId]);
    }
    emit(ctx, 'Access.Logged', entryReceipt(entry, sha256));
    return result({ ...entryReceipt(entry, sha256), consentIds });
  }

  /**
   * Anchors a batch of accesses made offline: the SHA-256 of the canonical batch and its count,
   * passed in the transient map under `batch`. Returns `{ batchId, mspId, sha256 }`.
   * Caller: a hospital, role clinician, admissions, claims or privacy.
   * @throws LedgerError INVALID_ARGUMENT, ALREADY_EXISTS, FORBIDDEN
   */
  @Transaction()
  @Returns('string')
  public async anchorOfflineBatch(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: [...ACCESS_ROLES, 'gatekeeper'], action: 'anchor offline access batches' });
    const input = transientJson(ctx, 'batch', 'The offline batch', batchArg);
    if (input.lastAccessAt < input.firstAccessAt) throw invalid('batch.lastAccessAt must not be before batch.firstAccessAt.');
    const batchKey = key(ctx, 'access-batch', [who.mspId, input.batchId]);
    const existing = await getPrivateJson<OfflineBatch>(ctx, batchKey);
    if (existing) {
      if (existing.batchSha256 === input.batchSha256 && existing.count === input.count) return result({ batchId: existing.batchId, mspId: existing.mspId, sha256: sha256Hex(canonicalJson(existing)) });
      throw new LedgerError('ALREADY_EXISTS', `Offline batch ${input.batchId} is already anchored with a different hash.`);
    }
    const batch: OfflineBatch = { ...input, mspId: who.mspId, staffId: who.id, anchoredAt: txTime(ctx) };
    const sha256 = await putPrivateJson(ctx, batchKey, batch);
    emit(ctx, 'Access.BatchAnchored', { batchId: batch.batchId, mspId: batch.mspId, sha256 });
    return result({ batchId: batch.batchId, mspId: batch.mspId, sha256 });
  }

  /**
   * Closes the review of a break-the-glass (or not-covered) access of the caller's own hospital.
   * Caller: the entry's hospital, role privacy. @throws LedgerError NOT_FOUND, INVALID_STATE, FORBIDDEN
   */
  @Transaction()
  @Returns('string')
  public async reviewAccess(ctx: Context, entryId: string, reviewJson: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: ['privacy'], action: 'review break-the-glass access' });
    const checkedId = id()(entryId, 'entryId');
    const review = parseJsonArg(reviewJson, 'review', reviewArg);
    const entry = await mustGetPrivateJson<AccessEntry>(ctx, entryKey(ctx, checkedId), `Access entry ${checkedId}`);
    // A break-the-glass release is reviewed by both hospitals: the releasing one (`review`) and the requesting one (`requesterReview`).
    const asRequester = entry.staff.mspId !== who.mspId && entry.release?.requester.mspId === who.mspId;
    if (entry.staff.mspId !== who.mspId && !asRequester) throw new LedgerError('FORBIDDEN', `Access entry ${checkedId} belongs to ${entry.staff.mspId}; only its own privacy officers review it.`);
    const reviewIndex = key(ctx, 'access~review', [who.mspId, checkedId]);
    if (!(await privateExists(ctx, reviewIndex))) {
      throw new LedgerError('INVALID_STATE', `Access entry ${checkedId} is not awaiting review.`);
    }
    const closed = { ...review, reviewedAt: txTime(ctx), reviewer: { mspId: who.mspId, id: who.id } };
    const updated: AccessEntry = asRequester ? { ...entry, requesterReview: closed } : { ...entry, review: closed };
    const sha256 = await putPrivateJson(ctx, entryKey(ctx, checkedId), updated);
    await deletePrivate(ctx, reviewIndex);
    emit(ctx, 'Access.Reviewed', entryReceipt(updated, sha256));
    return result(entryReceipt(updated, sha256));
  }

  /**
   * Erases the break-the-glass note kept with an entry (and its history, on every hospital peer);
   * the entry keeps the note's hash and records `notePurgedAt`. Returns `{ entryId, sha256 }`.
   * Caller: the entry's hospital, role privacy. @throws LedgerError NOT_FOUND, INVALID_STATE, FORBIDDEN
   */
  @Transaction()
  @Returns('string')
  public async purgeBreakGlassNote(ctx: Context, entryId: string): Promise<string> {
    const { entry, checkedId } = await this.ownEntryForPrivacy(ctx, entryId, 'purge break-the-glass notes');
    if (entry.notePurgedAt !== undefined) throw new LedgerError('INVALID_STATE', `The note of access entry ${checkedId} was already purged on ${entry.notePurgedAt}.`);
    if (!(await privateExists(ctx, noteKey(ctx, checkedId)))) throw new LedgerError('INVALID_STATE', `Access entry ${checkedId} has no note on the ledger.`);
    await purgePrivate(ctx, noteKey(ctx, checkedId));
    const updated: AccessEntry = { ...entry, notePurgedAt: txTime(ctx) };
    const sha256 = await putPrivateJson(ctx, entryKey(ctx, checkedId), updated);
    emit(ctx, 'Access.NotePurged', entryReceipt(updated, sha256));
    return result(entryReceipt(updated, sha256));
  }

  /** The break-the-glass note kept with an entry: `{ entryId, note }`. Caller: the entry's hospital, role privacy. @throws LedgerError NOT_FOUND, FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async getBreakGlassNote(ctx: Context, entryId: string): Promise<string> {
    const { entry, checkedId } = await this.ownEntryForPrivacy(ctx, entryId, 'read break-the-glass notes');
    const stored = await getPrivateJson<{ entryId: string; note: string }>(ctx, noteKey(ctx, checkedId));
    if (!stored) throw new LedgerError('NOT_FOUND', entry.notePurgedAt ? `The note of access entry ${checkedId} was purged on ${entry.notePurgedAt}.` : `Access entry ${checkedId} has no note on the ledger.`);
    return result(stored);
  }

  private async ownEntryForPrivacy(ctx: Context, entryId: string, action: string): Promise<{ entry: AccessEntry; checkedId: string }> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: ['privacy'], action });
    const checkedId = id()(entryId, 'entryId');
    const entry = await mustGetPrivateJson<AccessEntry>(ctx, entryKey(ctx, checkedId), `Access entry ${checkedId}`);
    if (entry.staff.mspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Access entry ${checkedId} belongs to ${entry.staff.mspId}; only its own privacy officers may ${action}.`);
    return { entry, checkedId };
  }

  /**
   * One entry. Caller: staff of the hospital whose staff logged it, or of a hospital the patient
   * consented to. @throws LedgerError NOT_FOUND, FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async getAccessEntry(ctx: Context, entryId: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read the access log' });
    const checkedId = id()(entryId, 'entryId');
    const entry = await mustGetPrivateJson<AccessEntry>(ctx, entryKey(ctx, checkedId), `Access entry ${checkedId}`);
    if (!(await mayReadEntry(ctx, entry, who))) throw new LedgerError('FORBIDDEN', `Access entry ${checkedId} is another hospital's, about a patient who has not consented to yours.`);
    return result(entry);
  }

  /**
   * A patient's access history, oldest first, one page at a time: every hospital's entries when
   * the patient has consented to the caller's hospital (the access report), else the caller's
   * own hospital's only. Caller: hospital staff. @throws LedgerError FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async listAccessForPatient(ctx: Context, patientDid: string, pageSize: string, bookmark: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read the access log' });
    const patient = personDid()(patientDid, 'patientDid');
    const served = await servesPatient(ctx, patient, who.organisation.did);
    return result(
      await pagePrivateByPartialKey(ctx, 'access~patient', [patient], pageArgs(pageSize, bookmark), async (kv) => {
        const entry = await getPrivateJson<AccessEntry>(ctx, entryKey(ctx, kv.attributes[2] ?? ''));
        return entry && (served || entry.staff.mspId === who.mspId || entry.release?.requester.mspId === who.mspId) ? entry : undefined;
      }),
    );
  }

  /**
   * The entries sharing one request id: the gatekeeper's release entry and the viewer's access
   * entry, which the patient's access report shows as one access. Only the entries the caller may
   * read. Returns `{ records }`. Caller: hospital staff. @throws LedgerError FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async listAccessForRequest(ctx: Context, requestIdArg: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read the access log' });
    const checked = requestId()(requestIdArg, 'requestId');
    const page = await pagePrivateByPartialKey(ctx, 'access~request', [checked], { pageSize: 20, bookmark: '' }, async (kv) => {
      const entry = await getPrivateJson<AccessEntry>(ctx, entryKey(ctx, kv.attributes[1] ?? ''));
      return entry && (await mayReadEntry(ctx, entry, who)) ? entry : undefined;
    });
    return result({ records: page.records });
  }

  /** Accesses of the caller's own hospital awaiting the privacy officer's review, one page at a time. Caller: hospital staff. @throws LedgerError FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async listAccessAwaitingReview(ctx: Context, hospitalMspId: string, pageSize: string, bookmark: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read the access log' });
    const msp = mspId()(hospitalMspId, 'hospitalMspId');
    if (msp !== who.mspId) throw new LedgerError('FORBIDDEN', `Only ${msp}'s own staff may read its review queue.`);
    return result(await pagePrivateByPartialKey(ctx, 'access~review', [msp], pageArgs(pageSize, bookmark), (kv) => getPrivateJson<AccessEntry>(ctx, entryKey(ctx, kv.attributes[1] ?? ''))));
  }

  /** One anchored offline batch. Caller: hospital staff. @throws LedgerError NOT_FOUND, FORBIDDEN */
  @Transaction(false)
  @Returns('string')
  public async getOfflineBatch(ctx: Context, hospitalMspId: string, batchId: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read the access log' });
    const msp = mspId()(hospitalMspId, 'hospitalMspId');
    if (msp !== who.mspId) throw new LedgerError('FORBIDDEN', `Only ${msp}'s own staff may read its offline batches.`);
    const checkedId = id()(batchId, 'batchId');
    return result(await mustGetPrivateJson<OfflineBatch>(ctx, key(ctx, 'access-batch', [msp, checkedId]), `Offline batch ${checkedId} of ${msp}`));
  }
}
