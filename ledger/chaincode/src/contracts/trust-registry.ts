// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { LedgerError } from '../lib/errors';
import { emit, getJson, key, mustGetJson, pageByPartialKey, parseJsonBytes, putJson, result, txTime } from '../lib/ledger';
import { authoriseGovernance, getOrganisation } from '../lib/organisations';
import { arrayOf, did, isoTime, mspId, object, optional, optionalTimeArg, pageArgs, parseJsonArg, str } from '../lib/validate';

export interface TrustedIssuer {
  issuerDid: string;
  operatorMspId: string;
  credentialTypes: string[];
  validFrom: string;
  validUntil?: string;
  removed?: { at: string; reason: string };
  updatedAt: string;
}

const credentialType = (): ReturnType<typeof str> => str({ max: 100, pattern: /^[A-Za-z][A-Za-z0-9._-]*$/, expected: 'a credential type name, e.g. MedicalLicenseCredential' });
const issuerArg = object({
  issuerDid: did(),
  operatorMspId: mspId(),
  credentialTypes: arrayOf(credentialType(), { min: 1, max: 50, unique: true }),
  validFrom: isoTime(),
  validUntil: optional(isoTime()),
});

export function issuerKey(ctx: Context, issuerDid: string): string {
  return key(ctx, 'issuer', [issuerDid]);
}

/** Whether an entry allows `credentialType` at `at` (ISO time); the reason when it does not. */
export function issuerTrustAt(entry: TrustedIssuer | undefined, credentialTypeName: string | undefined, at: string): { trusted: boolean; reason: string } {
  if (!entry) return { trusted: false, reason: 'not-in-registry' };
  if (entry.removed && entry.removed.at <= at) return { trusted: false, reason: 'removed' };
  if (at < entry.validFrom) return { trusted: false, reason: 'not-yet-valid' };
  if (entry.validUntil !== undefined && at >= entry.validUntil) return { trusted: false, reason: 'expired' };
  if (credentialTypeName !== undefined && !entry.credentialTypes.includes(credentialTypeName)) return { trusted: false, reason: 'credential-type-not-allowed' };
  return { trusted: true, reason: 'trusted' };
}

/** Which issuer DIDs may issue which credential types, and when. Written by governance only. */
@Info({ title: 'TrustRegistry', description: 'Trusted credential issuers' })
export class TrustRegistryContract extends Contract {
  constructor() {
    super('TrustRegistry');
  }

  /**
   * Adds an issuer (or re-adds a removed one). Caller: governance, role governance-admin.
   * @throws LedgerError FORBIDDEN, ALREADY_EXISTS, NOT_FOUND (operator org), INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async addIssuer(ctx: Context, issuerJson: string): Promise<string> {
    await authoriseGovernance(ctx, 'add trusted issuers');
    const input = parseJsonArg(issuerJson, 'issuer', issuerArg);
    const current = await getJson<TrustedIssuer>(ctx, issuerKey(ctx, input.issuerDid));
    if (current && !current.removed) throw new LedgerError('ALREADY_EXISTS', `Issuer ${input.issuerDid} is already trusted; use updateIssuer to change it.`);
    const entry = await this.buildEntry(ctx, input);
    await putJson(ctx, issuerKey(ctx, entry.issuerDid), entry);
    emit(ctx, 'TrustRegistry.IssuerAdded', { issuer: entry });
    return result(entry);
  }

  /**
   * Replaces an active issuer's operator, credential types and validity.
   * Caller: governance, role governance-admin. @throws LedgerError FORBIDDEN, NOT_FOUND, INVALID_STATE
   */
  @Transaction()
  @Returns('string')
  public async updateIssuer(ctx: Context, issuerJson: string): Promise<string> {
    await authoriseGovernance(ctx, 'update trusted issuers');
    const input = parseJsonArg(issuerJson, 'issuer', issuerArg);
    const current = await mustGetJson<TrustedIssuer>(ctx, issuerKey(ctx, input.issuerDid), `Issuer ${input.issuerDid}`);
    if (current.removed) throw new LedgerError('INVALID_STATE', `Issuer ${input.issuerDid} was removed on ${current.removed.at}; add it again with addIssuer.`);
    const entry = await this.buildEntry(ctx, input);
    await putJson(ctx, issuerKey(ctx, entry.issuerDid), entry);
    emit(ctx, 'TrustRegistry.IssuerUpdated', { issuer: entry });
    return result(entry);
  }

  /**
   * Removes an issuer from the registry with a reason; its entry stays, marked removed.
   * Caller: governance, role governance-admin. @throws LedgerError FORBIDDEN, NOT_FOUND, INVALID_STATE
   */
  @Transaction()
  @Returns('string')
  public async removeIssuer(ctx: Context, issuerDid: string, reason: string): Promise<string> {
    await authoriseGovernance(ctx, 'remove trusted issuers');
    const checkedDid = did()(issuerDid, 'issuerDid');
    const checkedReason = str({ max: 500 })(reason, 'reason');
    const current = await mustGetJson<TrustedIssuer>(ctx, issuerKey(ctx, checkedDid), `Issuer ${checkedDid}`);
    if (current.removed) throw new LedgerError('INVALID_STATE', `Issuer ${checkedDid} was already removed on ${current.removed.at}.`);
    const now = txTime(ctx);
    const entry: TrustedIssuer = { ...current, removed: { at: now, reason: checkedReason }, updatedAt: now };
    await putJson(ctx, issuerKey(ctx, checkedDid), entry);
    emit(ctx, 'TrustRegistry.IssuerRemoved', { issuer: entry });
    return result(entry);
  }

  /** One registry entry. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getIssuer(ctx: Context, issuerDid: string): Promise<string> {
    const checkedDid = did()(issuerDid, 'issuerDid');
    return result(await mustGetJson<TrustedIssuer>(ctx, issuerKey(ctx, checkedDid), `Issuer ${checkedDid}`));
  }

  /** Every entry (removed ones too), one page at a time, for the workstation's mirror. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listIssuers(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return result(await pageByPartialKey(ctx, 'issuer', [], pageArgs(pageSize, bookmark), (kv) => parseJsonBytes<TrustedIssuer>(kv.value)));
  }

  /**
   * Whether `issuerDid` may issue `credentialType` at `at` (ISO time; empty = transaction time).
   * Returns `{ trusted, reason, issuer }`. Caller: anyone.
   */
  @Transaction(false)
  @Returns('string')
  public async checkIssuer(ctx: Context, issuerDid: string, credentialType: string, at: string): Promise<string> {
    const checkedDid = did()(issuerDid, 'issuerDid');
    const type = credentialType === '' ? undefined : str({ max: 100 })(credentialType, 'credentialType');
    const when = optionalTimeArg(at, 'at', txTime(ctx));
    const entry = await getJson<TrustedIssuer>(ctx, issuerKey(ctx, checkedDid));
    return result({ ...issuerTrustAt(entry, type, when), issuer: entry ?? null, at: when });
  }

  private async buildEntry(ctx: Context, input: { issuerDid: string; operatorMspId: string; credentialTypes: string[]; validFrom: string; validUntil?: string }): Promise<TrustedIssuer> {
    if (!(await getOrganisation(ctx, input.operatorMspId))) throw new LedgerError('NOT_FOUND', `The operating organisation ${input.operatorMspId} is not registered; register it first.`);
    if (input.validUntil !== undefined && input.validUntil <= input.validFrom) throw new LedgerError('INVALID_ARGUMENT', 'issuer.validUntil must be after issuer.validFrom.');
    return { ...input, credentialTypes: [...input.credentialTypes].sort(), updatedAt: txTime(ctx) };
  }
}
