// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { abbreviate, verifyJwtSignedByIssuer } from '../lib/did-jws';
import { sha256Hex } from '../lib/encoding';
import { LedgerError } from '../lib/errors';
import { canonicalBytes } from '../lib/canonical-json';
import { emit, key, result, txTime } from '../lib/ledger';
import { authorise, getOrganisation, organisationByDid } from '../lib/organisations';
import { HOSPITAL_READER_ROLES, allPrivateByPartialKey, getPrivateJson, mustGetPrivateJson, pagePrivateByPartialKey, putPrivateIndex, putPrivateJson, transientText } from '../lib/private';
import {
  PURPOSES_OF_USE,
  type PurposeOfUse,
  RECORD_CATEGORIES,
  type RecordCategory,
  arrayOf,
  didWeb,
  mspId,
  oneOf,
  optionalTimeArg,
  pageArgs,
  parseJsonArg,
  personDid,
  str,
} from '../lib/validate';

export interface Consent {
  consentId: string;
  patientDid: string;
  granteeDid: string;
  granteeMspId: string;
  purposes: PurposeOfUse[];
  categories: RecordCategory[];
  from: string;
  until: string;
  status: 'active' | 'revoked';
  /** SHA-256 of the patient's signed JWT as presented; the JWT itself stays off-chain. */
  jwtSha256: string;
  recordedAt: string;
  recordedByMspId: string;
  revocation?: { at: string; revocationId: string; jwtSha256: string; signedAt: string };
}

export type ConsentDecision = { decision: 'permit'; consentId: string; reason: string } | { decision: 'deny'; consentId?: string; reason: string } | { decision: 'no-consent'; reason: string };

/**
 * Who records consents and revocations the patient signed: desk, ward, privacy office, and the
 * hospital's record gatekeeper, which posts them for a patient acting from home. The patient's
 * signature is verified here whoever submits, so none of them can forge or widen a consent.
 */
const CONSENT_ROLES = ['admissions', 'clinician', 'privacy', 'gatekeeper'] as const;
const UUID_URN = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function consentKey(ctx: Context, consentId: string): string {
  return key(ctx, 'consent', [consentId]);
}

/** Whether the hospital `mspId` may read this consent: it names that hospital, or that hospital recorded it. */
export function consentConcerns(consent: Consent, mspId: string): boolean {
  return consent.granteeMspId === mspId || consent.recordedByMspId === mspId;
}

/** Whether the patient has ever consented to the hospital with DID `granteeDid` (any status): a patient it serves. */
export async function servesPatient(ctx: Context, patientDid: string, granteeDid: string): Promise<boolean> {
  return (await allPrivateByPartialKey(ctx, 'consent~patient', [patientDid, granteeDid])).length > 0;
}

/** What a consent transaction returns and announces: ids and the stored value's hash, nothing about the patient. */
function receipt(consent: Consent, sha256: string): { consentId: string; status: Consent['status']; sha256: string } {
  return { consentId: consent.consentId, status: consent.status, sha256 };
}

function secondsToIso(value: unknown, name: string): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new LedgerError('CONSENT_INVALID', `The consent's ${name} must be a NumericDate (whole seconds).`);
  return new Date(value * 1000).toISOString();
}

function consentInvalid(message: string): LedgerError {
  return new LedgerError('CONSENT_INVALID', message);
}

/** Decision for one stored consent; undefined when it is for another grantee. */
function decide(consent: Consent, purpose: PurposeOfUse, category: RecordCategory, at: string): ConsentDecision {
  if (consent.status === 'revoked' && consent.revocation && consent.revocation.at <= at) return { decision: 'deny', consentId: consent.consentId, reason: 'revoked' };
  if (at < consent.from) return { decision: 'deny', consentId: consent.consentId, reason: 'not-yet-valid' };
  if (at >= consent.until) return { decision: 'deny', consentId: consent.consentId, reason: 'expired' };
  if (!consent.purposes.includes(purpose)) return { decision: 'deny', consentId: consent.consentId, reason: 'purpose-not-covered' };
  if (!consent.categories.includes(category)) return { decision: 'deny', consentId: consent.consentId, reason: 'category-not-covered' };
  return { decision: 'permit', consentId: consent.consentId, reason: 'covered' };
}

/** The answer for (patient, grantee org DID, purpose, category, time) over every consent on the ledger. */
export async function consentDecision(ctx: Context, patientDid: string, granteeDid: string, purpose: PurposeOfUse, category: RecordCategory, at: string): Promise<ConsentDecision> {
  const entries = await allPrivateByPartialKey(ctx, 'consent~patient', [patientDid, granteeDid]);
  if (entries.length === 0) return { decision: 'no-consent', reason: 'no consent from this patient for this organisation' };
  let denial: ConsentDecision | undefined;
  for (const entry of entries) {
    const consent = await getPrivateJson<Consent>(ctx, consentKey(ctx, entry.attributes[2] ?? ''));
    if (!consent) continue;
    const decision = decide(consent, purpose, category, at);
    if (decision.decision === 'permit') return decision;
    denial ??= decision;
  }
  return denial ?? { decision: 'no-consent', reason: 'no consent from this patient for this organisation' };
}

/** The grantee's did:web from an MSP ID or a did:web argument; undefined for an unregistered MSP ID. */
async function granteeDidOf(ctx: Context, grantee: string): Promise<string | undefined> {
  if (typeof grantee === 'string' && grantee.startsWith('did:')) return didWeb()(grantee, 'grantee');
  return (await getOrganisation(ctx, mspId()(grantee, 'grantee')))?.did;
}

/** A single consent's decision (for access entries that cite their consent). */
export function consentDecisionFor(consent: Consent, granteeDid: string, purpose: PurposeOfUse, category: RecordCategory, at: string): ConsentDecision {
  if (consent.granteeDid !== granteeDid) return { decision: 'deny', consentId: consent.consentId, reason: 'other-grantee' };
  return decide(consent, purpose, category, at);
}

/**
 * Consent grants and revocations, each a JWT the patient signed with their own did:key or
 * did:jwk. The chaincode verifies the signature, so the stored scope is exactly what the
 * patient signed: no hospital can forge or widen it. Consents live in the hospitals-only
 * collection: the JWT comes in the transient map, and events and results carry ids and hashes.
 */
@Info({ title: 'Consent', description: 'Patient-signed consent grants and revocations' })
export class ConsentContract extends Contract {
  constructor() {
    super('Consent');
  }

  /**
   * Records a ConsentGrantCredential (VC-JWT) signed by the patient, passed in the transient map
   * under `consentJwt`. Re-recording the same JWT returns the receipt without a write.
   * Returns `{ consentId, status, sha256 }`. Caller: a hospital, role admissions, clinician or privacy.
   * @throws LedgerError SIGNATURE_INVALID, CONSENT_INVALID, ALREADY_EXISTS, FORBIDDEN, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async recordConsent(ctx: Context): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: CONSENT_ROLES, action: 'record consents' });
    const consentJwt = transientText(ctx, 'consentJwt', 'The consent JWT');
    const { payload } = verifyJwtSignedByIssuer(consentJwt, 'The consent');
    const jwtSha256 = sha256Hex(consentJwt);
    const patientDid = payload.iss as string;
    if (payload.sub !== patientDid) throw consentInvalid('The consent subject (sub) must be the patient who signed it (iss).');
    if (typeof payload.jti !== 'string' || !UUID_URN.test(payload.jti)) throw consentInvalid("The consent id (jti) must be 'urn:uuid:<uuid>'.");
    const consentId = payload.jti;
    const from = secondsToIso(payload.nbf, 'start (nbf)');
    const until = secondsToIso(payload.exp, 'end (exp)');
    secondsToIso(payload.iat, 'signing time (iat)');
    if (until <= from) throw consentInvalid('The consent ends (exp) before it starts (nbf).');
    const vc = payload.vc as Record<string, unknown> | undefined;
    if (!vc || typeof vc !== 'object') throw consentInvalid('The consent JWT carries no credential (vc).');
    const context = vc['@context'];
    if (!Array.isArray(context) || context[0] !== 'https://www.w3.org/2018/credentials/v1') throw consentInvalid("The credential's @context must start with https://www.w3.org/2018/credentials/v1.");
    const types = vc.type;
    if (!Array.isArray(types) || !types.includes('VerifiableCredential') || !types.includes('ConsentGrantCredential')) throw consentInvalid('The credential is not a ConsentGrantCredential.');
    const subject = vc.credentialSubject as Record<string, unknown> | undefined;
    if (!subject || typeof subject !== 'object') throw consentInvalid('The credential has no credentialSubject.');
    if (subject.id !== patientDid) throw consentInvalid('The credentialSubject.id must be the patient who signed the consent.');
    const granteeDid = didWeb()(subject.grantee, 'credentialSubject.grantee');
    const purposes = arrayOf(oneOf(PURPOSES_OF_USE), { min: 1, max: PURPOSES_OF_USE.length, unique: true })(subject.purposeOfUse, 'credentialSubject.purposeOfUse');
    const categories = arrayOf(oneOf(RECORD_CATEGORIES), { min: 1, max: RECORD_CATEGORIES.length, unique: true })(subject.categories, 'credentialSubject.categories');
    const grantee = await organisationByDid(ctx, granteeDid);
    if (!grantee || grantee.kind !== 'hospital') throw consentInvalid(`The grantee ${granteeDid} is not a hospital registered on the ledger.`);
    const now = txTime(ctx);
    if (until <= now) throw consentInvalid(`This consent already expired on ${until}; ask the patient for a new one.`);

    const existing = await getPrivateJson<Consent>(ctx, consentKey(ctx, consentId));
    if (existing) {
      if (existing.jwtSha256 === jwtSha256) return result(receipt(existing, sha256Hex(canonicalBytes(existing))));
      throw new LedgerError('ALREADY_EXISTS', `A different consent with id ${consentId} is already on the ledger.`);
    }
    const consent: Consent = {
      consentId,
      patientDid,
      granteeDid,
      granteeMspId: grantee.mspId,
      purposes: [...purposes].sort(),
      categories: [...categories].sort(),
      from,
      until,
      status: 'active',
      jwtSha256,
      recordedAt: now,
      recordedByMspId: who.mspId,
    };
    const sha256 = await putPrivateJson(ctx, consentKey(ctx, consentId), consent);
    await putPrivateIndex(ctx, 'consent~patient', [patientDid, granteeDid, consentId]);
    emit(ctx, 'Consent.Granted', receipt(consent, sha256));
    return result(receipt(consent, sha256));
  }

  /**
   * Records a ConsentRevocation JWT signed by the same patient DID as the grant, passed in the
   * transient map under `revocationJwt`. Returns `{ consentId, status, sha256 }`.
   * Caller: a hospital, role admissions, clinician or privacy.
   * @throws LedgerError SIGNATURE_INVALID, CONSENT_INVALID, NOT_FOUND, INVALID_STATE, FORBIDDEN, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async revokeConsent(ctx: Context): Promise<string> {
    await authorise(ctx, { kinds: ['hospital'], roles: CONSENT_ROLES, action: 'record consent revocations' });
    const revocationJwt = transientText(ctx, 'revocationJwt', 'The revocation JWT');
    const { payload } = verifyJwtSignedByIssuer(revocationJwt, 'The revocation');
    if (payload.type !== 'ConsentRevocation') throw consentInvalid("The JWT is not a consent revocation (type must be 'ConsentRevocation').");
    if (typeof payload.jti !== 'string' || !UUID_URN.test(payload.jti)) throw consentInvalid("The revocation id (jti) must be 'urn:uuid:<uuid>'.");
    if (typeof payload.consentId !== 'string') throw consentInvalid('The revocation does not say which consent it revokes (consentId).');
    const signedAt = secondsToIso(payload.iat, 'signing time (iat)');
    const current = await mustGetPrivateJson<Consent>(ctx, consentKey(ctx, payload.consentId), `Consent ${payload.consentId}`);
    if (current.patientDid !== payload.iss) {
      throw new LedgerError('SIGNATURE_INVALID', `Consent ${current.consentId} was granted by another patient; only ${abbreviate(current.patientDid)} may revoke it.`);
    }
    if (current.status === 'revoked') throw new LedgerError('INVALID_STATE', `Consent ${current.consentId} was already revoked on ${current.revocation?.at ?? 'an earlier date'}.`);
    const consent: Consent = { ...current, status: 'revoked', revocation: { at: txTime(ctx), revocationId: payload.jti, jwtSha256: sha256Hex(revocationJwt), signedAt } };
    const sha256 = await putPrivateJson(ctx, consentKey(ctx, consent.consentId), consent);
    emit(ctx, 'Consent.Revoked', receipt(consent, sha256));
    return result(receipt(consent, sha256));
  }

  /**
   * permit / deny / no-consent for (patient, grantee, purpose, category, time). `grantee` is the
   * hospital's MSP ID or did:web; `time` empty = transaction time.
   * Returns `{ decision, consentId?, reason }`. Caller: hospital staff (on a hospital's peer).
   */
  @Transaction(false)
  @Returns('string')
  public async checkConsent(ctx: Context, patientDid: string, grantee: string, purpose: string, category: string, time: string): Promise<string> {
    await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'check consents' });
    const patient = personDid()(patientDid, 'patientDid');
    const purposeOfUse = oneOf(PURPOSES_OF_USE)(purpose, 'purpose');
    const recordCategory = oneOf(RECORD_CATEGORIES)(category, 'category');
    const at = optionalTimeArg(time, 'time', txTime(ctx));
    const granteeDid = await granteeDidOf(ctx, grantee);
    if (granteeDid === undefined) return result({ decision: 'no-consent', reason: `organisation ${grantee} is not registered` });
    return result(await consentDecision(ctx, patient, granteeDid, purposeOfUse, recordCategory, at));
  }

  /**
   * The decisions for several categories in one evaluate: `{ decisions: { <category>: { decision,
   * consentId?, reason } } }` for (patient, grantee, purpose, categories, time). `categories` is a
   * JSON list; `grantee` the hospital's MSP ID or did:web; `time` empty = transaction time.
   * Caller: hospital staff or the hospital's gatekeeper. @throws LedgerError INVALID_ARGUMENT, FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async checkConsents(ctx: Context, patientDid: string, grantee: string, purpose: string, categoriesJson: string, time: string): Promise<string> {
    await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'check consents' });
    const patient = personDid()(patientDid, 'patientDid');
    const purposeOfUse = oneOf(PURPOSES_OF_USE)(purpose, 'purpose');
    const categories = parseJsonArg(categoriesJson, 'categories', arrayOf(oneOf(RECORD_CATEGORIES), { min: 1, max: RECORD_CATEGORIES.length, unique: true }));
    const at = optionalTimeArg(time, 'time', txTime(ctx));
    const granteeDid = await granteeDidOf(ctx, grantee);
    const decisions: Record<string, ConsentDecision> = {};
    for (const category of categories) {
      decisions[category] = granteeDid === undefined ? { decision: 'no-consent', reason: `organisation ${grantee} is not registered` } : await consentDecision(ctx, patient, granteeDid, purposeOfUse, category, at);
    }
    return result({ decisions, at });
  }

  /**
   * One consent (no names: ids, scope, period, status). Caller: staff of the hospital it names
   * or that recorded it. @throws LedgerError NOT_FOUND, FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async getConsent(ctx: Context, consentId: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read consents' });
    const checked = str({ max: 128, pattern: UUID_URN, expected: 'urn:uuid:<uuid>' })(consentId, 'consentId');
    const consent = await mustGetPrivateJson<Consent>(ctx, consentKey(ctx, checked), `Consent ${checked}`);
    if (!consentConcerns(consent, who.mspId)) throw new LedgerError('FORBIDDEN', `Consent ${checked} names another hospital; only that hospital and the one that recorded it may read it.`);
    return result(consent);
  }

  /**
   * A patient's consents that name the caller's hospital or that it recorded, one page at a time
   * (the page may hold fewer records than it read). Caller: hospital staff. @throws LedgerError FORBIDDEN
   */
  @Transaction(false)
  @Returns('string')
  public async listConsentsForPatient(ctx: Context, patientDid: string, pageSize: string, bookmark: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_READER_ROLES, action: 'read consents' });
    const patient = personDid()(patientDid, 'patientDid');
    const page = await pagePrivateByPartialKey(ctx, 'consent~patient', [patient], pageArgs(pageSize, bookmark), async (kv) => {
      const consent = await getPrivateJson<Consent>(ctx, consentKey(ctx, kv.attributes[2] ?? ''));
      return consent && consentConcerns(consent, who.mspId) ? consent : undefined;
    });
    return result(page);
  }
}
