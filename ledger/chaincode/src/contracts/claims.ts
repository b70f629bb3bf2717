// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { canonicalBytes, canonicalJson } from '../lib/canonical-json';
import { sha256Hex } from '../lib/encoding';
import { LedgerError, invalid } from '../lib/errors';
import { allByPartialKey, emit, getJson, key, mustGetJson, pageByPartialKey, putIndex, putJson, result, txTime } from '../lib/ledger';
import { type AuthorisedCaller, authorise, getOrganisation } from '../lib/organisations';
import { arrayOf, code, id, int, mspId, object, oneOf, optional, pageArgs, parseJsonArg, str } from '../lib/validate';

export type ClaimStatus = 'submitted' | 'pended' | 'adjudicated' | 'paid' | 'withdrawn' | 'resubmitted';
export type ClaimOutcome = 'approved' | 'partial' | 'denied';

/** Public state of a claim: ids, status, amounts and hashes only. The FHIR Claim is private data. */
export interface ClaimRecord {
  claimId: string;
  hospitalMspId: string;
  insurerMspId: string;
  /** The private data collection holding the FHIR Claim. */
  collection: string;
  status: ClaimStatus;
  outcome?: ClaimOutcome;
  currency: string;
  /** Amounts in hundredths of the currency unit (cents). */
  totalAmount: number;
  approvedAmount?: number;
  paidAmount?: number;
  paymentRef?: string;
  /** Outcome or pend reason codes (e.g. CARC codes), never free text. */
  reasonCodes: string[];
  /** Salted SHA-256 of patient, provider, service dates and codes, for duplicate detection. */
  fingerprint: string;
  repeatService: boolean;
  /** SHA-256 of the private detail as stored in the collection. */
  detailSha256: string;
  /** SHA-256 of the insurer's FHIR ClaimResponse for the current submission, kept beside the claim in the collection. */
  responseSha256?: string;
  submissionCount: number;
  /** When the private detail was purged from the collection, if it was. */
  detailPurgedAt?: string;
  version: number;
  submittedAt: string;
  updatedAt: string;
}

/** CPT/HCPCS modifiers for a repeat procedure or service by the same or another physician. */
export const REPEAT_SERVICE_MODIFIERS = ['76', '77'] as const;

const HOSPITAL_CLAIM_ROLES = ['claims'] as const;
/** Insurer staff: the claims clerk and the adjudicator (the devnet issues both). */
const INSURER_CLAIM_ROLES = ['claims', 'adjudicator'] as const;
const MAX_CLAIM_BYTES = 256 * 1024;
const MAX_RESPONSE_BYTES = 256 * 1024;
const SALT_KEY = 'fingerprint-salt';

const submitArg = object({ claimId: id(), insurerMspId: mspId() });
const pendArg = object({ reasonCodes: arrayOf(code(), { min: 1, max: 20, unique: true }) });
const adjudicateArg = object({ outcome: oneOf(['approved', 'partial', 'denied'] as const), approvedAmount: int({ min: 0 }), reasonCodes: arrayOf(code(), { max: 20, unique: true }) });
const payArg = object({ paidAmount: int({ min: 1 }), paymentRef: id() });
const withdrawArg = object({ reasonCode: optional(code()) });

/**
 * The collection shared by one hospital and one insurer. Collections are static in Fabric, so
 * the name is derived from the two MSP IDs by a convention the deployment follows when it
 * writes collections_config.json (see README); characters a collection name cannot hold become '_'.
 */
export function claimsCollectionName(hospitalMspId: string, insurerMspId: string): string {
  const part = (msp: string): string => msp.replace(/[^A-Za-z0-9]/g, '_');
  return `claims-${part(hospitalMspId)}-${part(insurerMspId)}`;
}

interface ClaimFacts {
  currency: string;
  totalAmount: number;
  fingerprintInput: { patient: string; provider: string; serviceDates: string[]; codes: string[] };
  repeatService: boolean;
}

function toMinorUnits(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`${path} must be a non-negative amount.`);
  const minor = Math.round(value * 100);
  if (Math.abs(value * 100 - minor) > 1e-6 || !Number.isSafeInteger(minor)) throw invalid(`${path} must have at most two decimals.`);
  return minor;
}

function referenceText(value: unknown, path: string): string {
  const ref = value as { reference?: unknown; identifier?: { system?: unknown; value?: unknown } } | undefined;
  if (ref && typeof ref.reference === 'string' && ref.reference.length > 0) return ref.reference;
  if (ref && ref.identifier && typeof ref.identifier.value === 'string' && ref.identifier.value.length > 0) {
    return `${typeof ref.identifier.system === 'string' ? ref.identifier.system : ''}|${ref.identifier.value}`;
  }
  throw invalid(`${path} must have a reference or an identifier value.`);
}

const DATE = /^\d{4}-\d{2}-\d{2}/;

/** Reads what the ledger needs from a FHIR R4 Claim; refuses a claim that is not one. */
export function readClaimFacts(claimBytes: Uint8Array): { claim: Record<string, unknown>; facts: ClaimFacts } {
  if (claimBytes.length > MAX_CLAIM_BYTES) throw invalid(`The claim detail is larger than ${MAX_CLAIM_BYTES} bytes.`);
  let claim: unknown;
  try {
    claim = JSON.parse(Buffer.from(claimBytes).toString('utf8'));
  } catch {
    throw invalid('The claim detail (transient "claim") is not valid JSON.');
  }
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) throw invalid('The claim detail must be a FHIR Claim object.');
  const c = claim as Record<string, unknown>;
  if (c.resourceType !== 'Claim') throw invalid("The claim detail must be a FHIR Claim (resourceType 'Claim').");
  const patient = referenceText(c.patient, 'Claim.patient');
  const provider = referenceText(c.provider, 'Claim.provider');
  const total = c.total as { value?: unknown; currency?: unknown } | undefined;
  if (!total) throw invalid('Claim.total is required.');
  const totalAmount = toMinorUnits(total.value, 'Claim.total.value');
  const currency = str({ min: 3, max: 3, pattern: /^[A-Z]{3}$/, expected: 'an ISO 4217 currency code' })(total.currency, 'Claim.total.currency');
  const items = c.item;
  if (!Array.isArray(items) || items.length === 0) throw invalid('Claim.item must list at least one service.');
  if (items.length > 500) throw invalid('Claim.item must have at most 500 services.');
  const billableStart = (c.billablePeriod as { start?: unknown } | undefined)?.start;
  const codes: string[] = [];
  const serviceDates = new Set<string>();
  let repeatService = false;
  let netSum = 0;
  let allNet = true;
  items.forEach((raw: unknown, index: number) => {
    const path = `Claim.item[${index}]`;
    const item = raw as Record<string, unknown>;
    if (!item || typeof item !== 'object') throw invalid(`${path} must be an object.`);
    const coding = (item.productOrService as { coding?: unknown } | undefined)?.coding;
    if (!Array.isArray(coding) || coding.length === 0) throw invalid(`${path}.productOrService.coding must name the service code.`);
    for (const [ci, cc] of (coding as Array<{ system?: unknown; code?: unknown }>).entries()) {
      const codeText = str({ max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9.\-_]*$/, expected: 'a service code' })(cc?.code, `${path}.productOrService.coding[${ci}].code`);
      codes.push(`${typeof cc.system === 'string' ? cc.system : ''}|${codeText}`);
    }
    const date = typeof item.servicedDate === 'string' ? item.servicedDate : typeof billableStart === 'string' ? billableStart : undefined;
    if (date === undefined || !DATE.test(date)) throw invalid(`${path}.servicedDate (or Claim.billablePeriod.start) must give the service date as YYYY-MM-DD.`);
    serviceDates.add(date.slice(0, 10));
    const modifiers = Array.isArray(item.modifier) ? (item.modifier as Array<{ coding?: Array<{ code?: unknown }> }>) : [];
    if (modifiers.some((m) => (m.coding ?? []).some((mc) => (REPEAT_SERVICE_MODIFIERS as readonly unknown[]).includes(mc.code)))) repeatService = true;
    const net = (item.net as { value?: unknown } | undefined)?.value;
    if (net === undefined) allNet = false;
    else netSum += toMinorUnits(net, `${path}.net.value`);
  });
  if (allNet && netSum !== totalAmount) throw invalid(`Claim.total (${totalAmount / 100}) is not the sum of the item net amounts (${netSum / 100}).`);
  return {
    claim: c,
    facts: { currency, totalAmount, repeatService, fingerprintInput: { patient, provider, serviceDates: [...serviceDates].sort(), codes: [...new Set(codes)].sort() } },
  };
}

/** Per-item adjudication read from a FHIR ClaimResponse: what the public record must agree with. */
interface ResponseFacts {
  benefitTotal: number | undefined;
  reasonCodes: string[];
}

function money(value: unknown, path: string): number {
  const amount = (value as { value?: unknown } | undefined)?.value;
  return toMinorUnits(amount, path);
}

/**
 * Reads the insurer's FHIR ClaimResponse (transient `claimResponse`): it must answer this claim
 * (`request` names it), and its per-item adjudication must agree with the public decision:
 * the 'benefit' amounts add up to the approved amount, and every item reason code is one of the
 * public reason codes. Only then does it go to the collection.
 */
export function readClaimResponse(bytes: Uint8Array, claimId: string): { response: Record<string, unknown>; facts: ResponseFacts } {
  if (bytes.length > MAX_RESPONSE_BYTES) throw invalid(`The claim response is larger than ${MAX_RESPONSE_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid('The claim response (transient "claimResponse") is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('The claim response must be a FHIR ClaimResponse object.');
  const r = parsed as Record<string, unknown>;
  if (r.resourceType !== 'ClaimResponse') throw invalid("The claim response must be a FHIR ClaimResponse (resourceType 'ClaimResponse').");
  const request = r.request as { reference?: unknown; identifier?: { value?: unknown } } | undefined;
  if (request?.reference !== `Claim/${claimId}` && request?.identifier?.value !== claimId) throw invalid(`ClaimResponse.request must name claim ${claimId}.`);
  const items = r.item;
  if (items !== undefined && (!Array.isArray(items) || items.length > 500)) throw invalid('ClaimResponse.item must be a list of at most 500 items.');
  const reasonCodes = new Set<string>();
  let benefitTotal: number | undefined;
  for (const [index, raw] of ((items as unknown[] | undefined) ?? []).entries()) {
    const item = raw as { itemSequence?: unknown; adjudication?: unknown };
    const path = `ClaimResponse.item[${index}]`;
    int({ min: 1 })(item?.itemSequence, `${path}.itemSequence`);
    if (!Array.isArray(item.adjudication) || item.adjudication.length === 0) throw invalid(`${path}.adjudication must give the decision on the item.`);
    for (const [ai, adj] of (item.adjudication as Array<{ category?: { coding?: Array<{ code?: unknown }> }; reason?: { coding?: Array<{ code?: unknown }> }; amount?: unknown }>).entries()) {
      if (adj?.category?.coding?.[0]?.code === 'benefit') benefitTotal = (benefitTotal ?? 0) + money(adj.amount, `${path}.adjudication[${ai}].amount`);
      const reason = adj?.reason?.coding?.[0]?.code;
      if (reason !== undefined) reasonCodes.add(code()(reason, `${path}.adjudication[${ai}].reason`));
    }
  }
  return { response: r, facts: { benefitTotal, reasonCodes: [...reasonCodes].sort() } };
}

function responseKey(ctx: Context, claimId: string, submission: number): string {
  return key(ctx, 'claim-response', [claimId, String(submission).padStart(4, '0')]);
}

function claimKey(ctx: Context, claimId: string): string {
  return key(ctx, 'claim', [claimId]);
}

/**
 * Claims between a hospital and an insurer. The hospital submits, withdraws and resubmits;
 * the insurer pends, adjudicates and pays. Each claim key carries a state-based endorsement
 * policy requiring peers of both organisations, so neither can move a claim alone.
 */
@Info({ title: 'Claims', description: 'Insurance claims: public status, private FHIR detail' })
export class ClaimsContract extends Contract {
  constructor() {
    super('Claims');
  }

  /**
   * Submits a claim. Arguments: `{ claimId, insurerMspId }`; transient `claim` = the FHIR Claim
   * JSON; transient `fingerprintSalt` = 32 random bytes as hex, needed only for the first claim
   * between this hospital and insurer. Caller: a hospital, role claims.
   * @throws LedgerError FORBIDDEN, DUPLICATE_CLAIM, ALREADY_EXISTS, PRIVATE_DATA_MISSING, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async submitClaim(ctx: Context, claimJson: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_CLAIM_ROLES, action: 'submit claims' });
    const input = parseJsonArg(claimJson, 'claim', submitArg);
    const insurer = await getOrganisation(ctx, input.insurerMspId);
    if (!insurer || insurer.kind !== 'insurer') throw invalid(`${input.insurerMspId} is not an insurer registered on the ledger.`);
    if (await getJson<ClaimRecord>(ctx, claimKey(ctx, input.claimId))) throw new LedgerError('ALREADY_EXISTS', `Claim ${input.claimId} was already submitted; use resubmitClaim to send a corrected claim.`);
    const collection = claimsCollectionName(who.mspId, insurer.mspId);
    const { detail, facts, fingerprint } = await this.readDetail(ctx, collection, input.claimId);
    await this.refuseDuplicate(ctx, fingerprint, facts.repeatService, input.claimId);
    const now = txTime(ctx);
    const record: ClaimRecord = {
      claimId: input.claimId,
      hospitalMspId: who.mspId,
      insurerMspId: insurer.mspId,
      collection,
      status: 'submitted',
      currency: facts.currency,
      totalAmount: facts.totalAmount,
      reasonCodes: [],
      fingerprint,
      repeatService: facts.repeatService,
      detailSha256: sha256Hex(detail),
      submissionCount: 1,
      version: 1,
      submittedAt: now,
      updatedAt: now,
    };
    await this.writeClaim(ctx, record, detail);
    await putIndex(ctx, 'claim~fingerprint', [fingerprint, record.claimId]);
    await putIndex(ctx, 'claim~hospital', [record.hospitalMspId, record.claimId]);
    await putIndex(ctx, 'claim~insurer', [record.insurerMspId, record.claimId]);
    // Key-level endorsement: from now on this claim changes only with both organisations' peers.
    const policy = new KeyEndorsementPolicy();
    policy.addOrgs('PEER', record.hospitalMspId, record.insurerMspId);
    await ctx.stub.setStateValidationParameter(claimKey(ctx, record.claimId), policy.getPolicy());
    await ctx.stub.setPrivateDataValidationParameter(collection, claimKey(ctx, record.claimId), policy.getPolicy());
    emit(ctx, 'Claims.Submitted', { claim: record });
    return result(record);
  }

  /**
   * Withdraws a claim that is not yet paid. Arguments: claimId, `{ reasonCode? }`.
   * Caller: the submitting hospital, role claims. @throws LedgerError FORBIDDEN, INVALID_STATE, NOT_FOUND
   */
  @Transaction()
  @Returns('string')
  public async withdrawClaim(ctx: Context, claimId: string, withdrawJson: string): Promise<string> {
    const { record } = await this.claimForHospital(ctx, claimId, 'withdraw claims');
    const input = parseJsonArg(withdrawJson || '{}', 'withdrawal', withdrawArg);
    const allowed: ClaimStatus[] = ['submitted', 'pended', 'resubmitted', 'adjudicated'];
    if (!allowed.includes(record.status) || (record.status === 'adjudicated' && record.outcome !== 'denied' && record.outcome !== 'partial')) {
      throw new LedgerError('INVALID_STATE', `Claim ${record.claimId} is ${describe(record)}; it can no longer be withdrawn.`);
    }
    const updated = this.next(ctx, record, { status: 'withdrawn', reasonCodes: input.reasonCode !== undefined ? [input.reasonCode] : [] });
    await putJson(ctx, claimKey(ctx, updated.claimId), updated);
    emit(ctx, 'Claims.Withdrawn', { claim: updated });
    return result(updated);
  }

  /**
   * Sends a corrected claim after a pend or a denial/partial approval. Arguments: claimId;
   * transient `claim` = the corrected FHIR Claim. Caller: the submitting hospital, role claims.
   * @throws LedgerError FORBIDDEN, INVALID_STATE, DUPLICATE_CLAIM, NOT_FOUND
   */
  @Transaction()
  @Returns('string')
  public async resubmitClaim(ctx: Context, claimId: string): Promise<string> {
    const { record } = await this.claimForHospital(ctx, claimId, 'resubmit claims');
    const resubmittable = record.status === 'pended' || (record.status === 'adjudicated' && (record.outcome === 'denied' || record.outcome === 'partial'));
    if (!resubmittable) throw new LedgerError('INVALID_STATE', `Claim ${record.claimId} is ${describe(record)}; only a pended, denied or partially approved claim can be resubmitted.`);
    const { detail, facts, fingerprint } = await this.readDetail(ctx, record.collection, record.claimId);
    await this.refuseDuplicate(ctx, fingerprint, facts.repeatService, record.claimId);
    if (fingerprint !== record.fingerprint) {
      await ctx.stub.deleteState(key(ctx, 'claim~fingerprint', [record.fingerprint, record.claimId]));
      await putIndex(ctx, 'claim~fingerprint', [fingerprint, record.claimId]);
    }
    const updated = this.next(ctx, record, {
      status: 'resubmitted',
      outcome: undefined,
      approvedAmount: undefined,
      responseSha256: undefined,
      reasonCodes: [],
      currency: facts.currency,
      totalAmount: facts.totalAmount,
      fingerprint,
      repeatService: facts.repeatService,
      detailSha256: sha256Hex(detail),
      submissionCount: record.submissionCount + 1,
    });
    await this.writeClaim(ctx, updated, detail);
    emit(ctx, 'Claims.Resubmitted', { claim: updated });
    return result(updated);
  }

  /**
   * Asks the hospital for more information. Arguments: claimId, `{ reasonCodes }`.
   * Caller: the claim's insurer, role claims. @throws LedgerError FORBIDDEN, INVALID_STATE, NOT_FOUND
   */
  @Transaction()
  @Returns('string')
  public async pendClaim(ctx: Context, claimId: string, pendJson: string): Promise<string> {
    const { record } = await this.claimForInsurer(ctx, claimId, 'pend claims');
    const input = parseJsonArg(pendJson, 'pend', pendArg);
    if (record.status !== 'submitted' && record.status !== 'resubmitted') throw new LedgerError('INVALID_STATE', `Claim ${record.claimId} is ${describe(record)}; only a submitted or resubmitted claim can be pended.`);
    const updated = this.next(ctx, record, { status: 'pended', reasonCodes: [...input.reasonCodes].sort() });
    await putJson(ctx, claimKey(ctx, updated.claimId), updated);
    emit(ctx, 'Claims.Pended', { claim: updated });
    return result(updated);
  }

  /**
   * Decides a claim. Arguments: claimId, `{ outcome: approved|partial|denied, approvedAmount
   * (cents), reasonCodes }`: approved = the full total; partial = more than 0 and less than the
   * total, with reason codes; denied = 0, with reason codes. Optional transient `claimResponse`:
   * the insurer's FHIR ClaimResponse with the per-item adjudication; it is checked against the
   * decision (benefit amounts add up to `approvedAmount`, item reasons are among `reasonCodes`)
   * and kept in the pair's collection beside the claim, its hash on the public record.
   * Caller: the claim's insurer, role claims or adjudicator.
   * @throws LedgerError FORBIDDEN, INVALID_STATE, INVALID_ARGUMENT, NOT_FOUND
   */
  @Transaction()
  @Returns('string')
  public async adjudicateClaim(ctx: Context, claimId: string, adjudicationJson: string): Promise<string> {
    const { record } = await this.claimForInsurer(ctx, claimId, 'adjudicate claims');
    const input = parseJsonArg(adjudicationJson, 'adjudication', adjudicateArg);
    if (!['submitted', 'resubmitted', 'pended'].includes(record.status)) throw new LedgerError('INVALID_STATE', `Claim ${record.claimId} is ${describe(record)}; it cannot be adjudicated now.`);
    if (input.outcome === 'approved' && input.approvedAmount !== record.totalAmount) throw invalid(`An approved claim is approved in full (${record.totalAmount}); use 'partial' for less.`);
    if (input.outcome === 'partial' && (input.approvedAmount <= 0 || input.approvedAmount >= record.totalAmount)) throw invalid(`A partial approval must be more than 0 and less than the claimed ${record.totalAmount}.`);
    if (input.outcome === 'denied' && input.approvedAmount !== 0) throw invalid('A denied claim has an approvedAmount of 0.');
    if (input.outcome !== 'approved' && input.reasonCodes.length === 0) throw invalid(`A ${input.outcome} decision needs at least one reason code.`);
    const responseBytes = ctx.stub.getTransient().get('claimResponse');
    let responseDetail: Buffer | undefined;
    if (responseBytes && responseBytes.length > 0) {
      const { response, facts } = readClaimResponse(responseBytes, record.claimId);
      if (facts.benefitTotal !== undefined && facts.benefitTotal !== input.approvedAmount) {
        throw invalid(`The ClaimResponse items approve ${facts.benefitTotal} in total but the decision approves ${input.approvedAmount}.`);
      }
      const unlisted = facts.reasonCodes.filter((c) => !input.reasonCodes.includes(c));
      if (unlisted.length > 0) throw invalid(`The ClaimResponse gives reason codes ${unlisted.join(', ')} that the decision's reasonCodes do not list.`);
      responseDetail = canonicalBytes({ claimId: record.claimId, submission: record.submissionCount, claimResponse: response });
    }
    const updated = this.next(ctx, record, {
      status: 'adjudicated',
      outcome: input.outcome,
      approvedAmount: input.approvedAmount,
      reasonCodes: [...input.reasonCodes].sort(),
      responseSha256: responseDetail ? sha256Hex(responseDetail) : undefined,
    });
    await putJson(ctx, claimKey(ctx, updated.claimId), updated);
    if (responseDetail) {
      const rKey = responseKey(ctx, record.claimId, record.submissionCount);
      await ctx.stub.putPrivateData(record.collection, rKey, responseDetail);
      const policy = new KeyEndorsementPolicy();
      policy.addOrgs('PEER', record.hospitalMspId, record.insurerMspId);
      await ctx.stub.setPrivateDataValidationParameter(record.collection, rKey, policy.getPolicy());
    }
    emit(ctx, 'Claims.Adjudicated', { claim: updated });
    return result(updated);
  }

  /**
   * Records payment of an approved or partially approved claim. Arguments: claimId,
   * `{ paidAmount (cents, = approvedAmount), paymentRef }`. Caller: the claim's insurer, role claims.
   * @throws LedgerError FORBIDDEN, INVALID_STATE, INVALID_ARGUMENT, NOT_FOUND
   */
  @Transaction()
  @Returns('string')
  public async payClaim(ctx: Context, claimId: string, paymentJson: string): Promise<string> {
    const { record } = await this.claimForInsurer(ctx, claimId, 'pay claims');
    const input = parseJsonArg(paymentJson, 'payment', payArg);
    if (record.status !== 'adjudicated' || record.outcome === 'denied') throw new LedgerError('INVALID_STATE', `Claim ${record.claimId} is ${describe(record)}; only an approved or partially approved claim can be paid.`);
    if (input.paidAmount !== record.approvedAmount) throw invalid(`The payment (${input.paidAmount}) must equal the approved amount (${record.approvedAmount ?? 0}).`);
    const updated = this.next(ctx, record, { status: 'paid', paidAmount: input.paidAmount, paymentRef: input.paymentRef });
    await putJson(ctx, claimKey(ctx, updated.claimId), updated);
    emit(ctx, 'Claims.Paid', { claim: updated });
    return result(updated);
  }

  /**
   * Purges the FHIR Claim (and its history) from the collection once the claim is settled
   * (paid or withdrawn); the public record keeps `detailSha256` and records `detailPurgedAt`.
   * Caller: the claim's hospital or insurer, claims staff. @throws LedgerError FORBIDDEN, INVALID_STATE
   */
  @Transaction()
  @Returns('string')
  public async purgeClaimDetail(ctx: Context, claimId: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital', 'insurer'], roles: [...HOSPITAL_CLAIM_ROLES, ...INSURER_CLAIM_ROLES], action: 'purge claim details' });
    const checked = id()(claimId, 'claimId');
    const record = await mustGetJson<ClaimRecord>(ctx, claimKey(ctx, checked), `Claim ${checked}`);
    if (who.mspId !== record.hospitalMspId && who.mspId !== record.insurerMspId) throw new LedgerError('FORBIDDEN', `Claim ${checked} is between ${record.hospitalMspId} and ${record.insurerMspId}.`);
    if (record.status !== 'paid' && record.status !== 'withdrawn') throw new LedgerError('INVALID_STATE', `Claim ${checked} is ${describe(record)}; its detail can be purged once it is paid or withdrawn.`);
    if (record.detailPurgedAt !== undefined) throw new LedgerError('INVALID_STATE', `The detail of claim ${checked} was already purged on ${record.detailPurgedAt}.`);
    await ctx.stub.purgePrivateData(record.collection, claimKey(ctx, checked));
    // The insurer's responses to every submission go with it.
    for (let n = 1; n <= record.submissionCount; n++) await ctx.stub.purgePrivateData(record.collection, responseKey(ctx, checked, n));
    const updated = this.next(ctx, record, { detailPurgedAt: txTime(ctx) });
    await putJson(ctx, claimKey(ctx, checked), updated);
    emit(ctx, 'Claims.DetailPurged', { claim: updated });
    return result(updated);
  }

  /** A claim's public state. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getClaim(ctx: Context, claimId: string): Promise<string> {
    const checked = id()(claimId, 'claimId');
    return result(await mustGetJson<ClaimRecord>(ctx, claimKey(ctx, checked), `Claim ${checked}`));
  }

  /**
   * The FHIR Claim from the private collection: `{ claimId, claim, detailSha256 }`. Works only on
   * a peer of the hospital or the insurer. Caller: the claim's hospital or insurer, role claims.
   * @throws LedgerError FORBIDDEN, PRIVATE_DATA_MISSING, NOT_FOUND
   */
  @Transaction(false)
  @Returns('string')
  public async getClaimDetail(ctx: Context, claimId: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital', 'insurer'], roles: [...HOSPITAL_CLAIM_ROLES, ...INSURER_CLAIM_ROLES], action: 'read claim details' });
    const checked = id()(claimId, 'claimId');
    const record = await mustGetJson<ClaimRecord>(ctx, claimKey(ctx, checked), `Claim ${checked}`);
    if (who.mspId !== record.hospitalMspId && who.mspId !== record.insurerMspId) throw new LedgerError('FORBIDDEN', `Claim ${checked} is between ${record.hospitalMspId} and ${record.insurerMspId}.`);
    const bytes = await ctx.stub.getPrivateData(record.collection, claimKey(ctx, checked));
    // Only the purged (or blockToLive-expired) case reaches here: on Fabric a peer outside the
    // collection fails earlier, in GET_STATE ("private data matching public hash version is not available").
    if (!bytes || bytes.length === 0) throw new LedgerError('PRIVATE_DATA_MISSING', `The detail of claim ${checked} is no longer on the ledger: it was purged${record.detailPurgedAt ? ` at ${record.detailPurgedAt}` : ' (purgeClaimDetail, or the collection\'s blockToLive)'}; the public record and its detailSha256 remain.`);
    const stored = JSON.parse(Buffer.from(bytes).toString('utf8')) as { claim: unknown };
    return result({ claimId: checked, claim: stored.claim, detailSha256: sha256Hex(bytes) });
  }

  /**
   * The insurer's FHIR ClaimResponse to the current submission, from the private collection:
   * `{ claimId, submission, claimResponse, responseSha256 }`. Caller: the claim's hospital or
   * insurer, claims staff. @throws LedgerError FORBIDDEN, NOT_FOUND (no response to this submission), PRIVATE_DATA_MISSING
   */
  @Transaction(false)
  @Returns('string')
  public async getClaimResponse(ctx: Context, claimId: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['hospital', 'insurer'], roles: [...HOSPITAL_CLAIM_ROLES, ...INSURER_CLAIM_ROLES], action: 'read claim responses' });
    const checked = id()(claimId, 'claimId');
    const record = await mustGetJson<ClaimRecord>(ctx, claimKey(ctx, checked), `Claim ${checked}`);
    if (who.mspId !== record.hospitalMspId && who.mspId !== record.insurerMspId) throw new LedgerError('FORBIDDEN', `Claim ${checked} is between ${record.hospitalMspId} and ${record.insurerMspId}.`);
    if (record.detailPurgedAt !== undefined) throw new LedgerError('PRIVATE_DATA_MISSING', `The details of claim ${checked} were purged at ${record.detailPurgedAt}; the public record remains.`);
    if (record.responseSha256 === undefined) throw new LedgerError('NOT_FOUND', `Claim ${checked} has no claim response for its current submission.`);
    const bytes = await ctx.stub.getPrivateData(record.collection, responseKey(ctx, checked, record.submissionCount));
    if (!bytes || bytes.length === 0) throw new LedgerError('PRIVATE_DATA_MISSING', `The claim response of claim ${checked} is not on this peer.`);
    const stored = JSON.parse(Buffer.from(bytes).toString('utf8')) as { submission: number; claimResponse: unknown };
    return result({ claimId: checked, submission: stored.submission, claimResponse: stored.claimResponse, responseSha256: sha256Hex(bytes) });
  }

  /** Claims of one hospital or insurer (`party` = its MSP ID), one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listClaims(ctx: Context, party: string, pageSize: string, bookmark: string): Promise<string> {
    const msp = mspId()(party, 'party');
    const org = await getOrganisation(ctx, msp);
    const index = org?.kind === 'insurer' ? 'claim~insurer' : 'claim~hospital';
    return result(await pageByPartialKey(ctx, index, [msp], pageArgs(pageSize, bookmark), (kv) => getJson<ClaimRecord>(ctx, claimKey(ctx, kv.attributes[1] ?? ''))));
  }

  private async claimForHospital(ctx: Context, claimId: string, action: string): Promise<{ who: AuthorisedCaller; record: ClaimRecord }> {
    const who = await authorise(ctx, { kinds: ['hospital'], roles: HOSPITAL_CLAIM_ROLES, action });
    const checked = id()(claimId, 'claimId');
    const record = await mustGetJson<ClaimRecord>(ctx, claimKey(ctx, checked), `Claim ${checked}`);
    if (record.hospitalMspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Claim ${checked} was submitted by ${record.hospitalMspId}; only that hospital may ${action}.`);
    return { who, record };
  }

  private async claimForInsurer(ctx: Context, claimId: string, action: string): Promise<{ who: AuthorisedCaller; record: ClaimRecord }> {
    const who = await authorise(ctx, { kinds: ['insurer'], roles: INSURER_CLAIM_ROLES, action });
    const checked = id()(claimId, 'claimId');
    const record = await mustGetJson<ClaimRecord>(ctx, claimKey(ctx, checked), `Claim ${checked}`);
    if (record.insurerMspId !== who.mspId) throw new LedgerError('FORBIDDEN', `Claim ${checked} is addressed to ${record.insurerMspId}; only that insurer may ${action}.`);
    return { who, record };
  }

  private next(ctx: Context, record: ClaimRecord, changes: Partial<ClaimRecord>): ClaimRecord {
    return { ...record, ...changes, version: record.version + 1, updatedAt: txTime(ctx) };
  }

  /** Reads the transient claim, the pair's fingerprint salt (storing a new one on first use) and computes the fingerprint. */
  private async readDetail(ctx: Context, collection: string, claimId: string): Promise<{ detail: Buffer; facts: ClaimFacts; fingerprint: string }> {
    const transient = ctx.stub.getTransient();
    const claimBytes = transient.get('claim');
    if (!claimBytes || claimBytes.length === 0) throw new LedgerError('PRIVATE_DATA_MISSING', 'The FHIR Claim must be passed in the transient map under "claim" (it never goes in the arguments).');
    const { claim, facts } = readClaimFacts(claimBytes);
    let salt = await ctx.stub.getPrivateData(collection, SALT_KEY);
    if (!salt || salt.length === 0) {
      const offered = transient.get('fingerprintSalt');
      const saltHex = offered ? Buffer.from(offered).toString('utf8') : '';
      if (!/^[0-9a-f]{64}$/.test(saltHex)) {
        throw new LedgerError('PRIVATE_DATA_MISSING', `No fingerprint salt is set up between this hospital and insurer yet: pass 32 random bytes as hex in the transient map under "fingerprintSalt" with this first claim.`);
      }
      salt = Buffer.from(saltHex, 'hex');
      await ctx.stub.putPrivateData(collection, SALT_KEY, salt);
    }
    const fingerprint = sha256Hex(Buffer.concat([Buffer.from(salt), Buffer.from(canonicalJson(facts.fingerprintInput), 'utf8')]));
    const detail = canonicalBytes({ claimId, claim });
    return { detail, facts, fingerprint };
  }

  private async refuseDuplicate(ctx: Context, fingerprint: string, repeatService: boolean, claimId: string): Promise<void> {
    if (repeatService) return;
    for (const kv of await allByPartialKey(ctx, 'claim~fingerprint', [fingerprint])) {
      const otherId = kv.attributes[1];
      if (otherId === undefined || otherId === claimId) continue;
      const other = await getJson<ClaimRecord>(ctx, claimKey(ctx, otherId));
      if (other && other.status !== 'withdrawn') {
        throw new LedgerError('DUPLICATE_CLAIM', `This claim duplicates claim ${otherId} (same patient, provider, service date and codes). If the service really was repeated, add modifier 76 or 77 to the repeated item.`);
      }
    }
  }

  private async writeClaim(ctx: Context, record: ClaimRecord, detail: Buffer): Promise<void> {
    await putJson(ctx, claimKey(ctx, record.claimId), record);
    await ctx.stub.putPrivateData(record.collection, claimKey(ctx, record.claimId), detail);
  }
}

function describe(record: ClaimRecord): string {
  return record.status === 'adjudicated' ? `adjudicated (${record.outcome ?? 'unknown'})` : record.status;
}
