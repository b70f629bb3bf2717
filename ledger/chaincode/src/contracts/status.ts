// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { sha256Hex } from '../lib/encoding';
import { LedgerError, invalid } from '../lib/errors';
import { emit, getJson, key, mustGetJson, pageByPartialKey, parseJsonBytes, putJson, result, txTime } from '../lib/ledger';
import { STATUS_PUBLISHER_ROLES, authorise } from '../lib/organisations';
import { decodeStatusList, statusBit } from '../lib/status-list';
import { did, id, object, oneOf, pageArgs, parseJsonArg, str } from '../lib/validate';
import { type TrustedIssuer, issuerKey, issuerTrustAt } from './trust-registry';

export interface StatusList {
  listId: string;
  issuerDid: string;
  operatorMspId: string;
  statusPurpose: 'revocation' | 'suspension';
  encodedList: string;
  bitLength: number;
  /** SHA-256 of encodedList, so a mirror can tell whether it is current. */
  sha256: string;
  version: number;
  updatedAt: string;
}

const publishArg = object({
  listId: id(),
  issuerDid: did(),
  statusPurpose: oneOf(['revocation', 'suspension'] as const),
  encodedList: str({ max: 1024 * 1024 + 1 }),
});

const URN_PREFIX = 'urn:careledger:statuslist:';

function statusListKey(ctx: Context, listId: string): string {
  return key(ctx, 'statuslist', [listId]);
}

/** Accepts a bare list id or the `statusListCredential` URN of a credentialStatus entry. */
function listIdFrom(raw: string): string {
  const text = raw.startsWith(URN_PREFIX) ? raw.slice(URN_PREFIX.length) : raw;
  return id()(text, 'listId');
}

/**
 * Bitstring status lists. The operating organisation of a list's issuer publishes the whole
 * encoded list; no one else may change it.
 */
@Info({ title: 'Status', description: 'Bitstring status lists (revocation, suspension)' })
export class StatusContract extends Contract {
  constructor() {
    super('Status');
  }

  /**
   * Creates or replaces a status list. Caller: the operating org of `issuerDid` (per the trust
   * registry), role issuer; the issuer must be trusted now; an existing list keeps its issuer
   * and purpose. @throws LedgerError FORBIDDEN, UNTRUSTED_ISSUER, STATUS_LIST_INVALID, INVALID_STATE
   */
  @Transaction()
  @Returns('string')
  public async publishStatusList(ctx: Context, listJson: string): Promise<string> {
    const who = await authorise(ctx, { kinds: ['governance', 'hospital', 'insurer', 'medical-board'], roles: STATUS_PUBLISHER_ROLES, action: 'publish status lists' });
    const input = parseJsonArg(listJson, 'statusList', publishArg, 1024 * 1024 + 4096);
    const now = txTime(ctx);
    const issuer = await getJson<TrustedIssuer>(ctx, issuerKey(ctx, input.issuerDid));
    const trust = issuerTrustAt(issuer, undefined, now);
    if (!issuer || !trust.trusted) throw new LedgerError('UNTRUSTED_ISSUER', `Issuer ${input.issuerDid} is not trusted now (${trust.reason}); only trusted issuers publish status lists.`);
    if (issuer.operatorMspId !== who.mspId) {
      throw new LedgerError('FORBIDDEN', `Issuer ${input.issuerDid} is operated by ${issuer.operatorMspId}; ${who.mspId} may not publish its status lists.`);
    }
    const current = await getJson<StatusList>(ctx, statusListKey(ctx, input.listId));
    if (current && current.issuerDid !== input.issuerDid) {
      throw new LedgerError('FORBIDDEN', `Status list ${input.listId} belongs to issuer ${current.issuerDid}; an issuer may only change its own lists.`);
    }
    if (current && current.statusPurpose !== input.statusPurpose) {
      throw new LedgerError('INVALID_STATE', `Status list ${input.listId} is a ${current.statusPurpose} list; its purpose cannot change.`);
    }
    const bits = decodeStatusList(input.encodedList);
    const list: StatusList = {
      listId: input.listId,
      issuerDid: input.issuerDid,
      operatorMspId: issuer.operatorMspId,
      statusPurpose: input.statusPurpose,
      encodedList: input.encodedList,
      bitLength: bits.length * 8,
      sha256: sha256Hex(input.encodedList),
      version: (current?.version ?? 0) + 1,
      updatedAt: now,
    };
    await putJson(ctx, statusListKey(ctx, list.listId), list);
    emit(ctx, 'Status.ListPublished', { statusList: list });
    return result({ ...list, encodedList: undefined });
  }

  /** One list, whole. `listId` may be the `statusListCredential` URN. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getStatusList(ctx: Context, listId: string): Promise<string> {
    const idText = listIdFrom(listId);
    return result(await mustGetJson<StatusList>(ctx, statusListKey(ctx, idText), `Status list ${idText}`));
  }

  /** All lists, one page at a time, for the workstation's mirror. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listStatusLists(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return result(await pageByPartialKey(ctx, 'statuslist', [], pageArgs(pageSize, bookmark), (kv) => parseJsonBytes<StatusList>(kv.value)));
  }

  /**
   * The bit at `index` of a list: `{ listId, index, statusPurpose, set, version, updatedAt }`.
   * Caller: anyone. @throws LedgerError NOT_FOUND, INVALID_ARGUMENT
   */
  @Transaction(false)
  @Returns('string')
  public async checkStatus(ctx: Context, listId: string, index: string): Promise<string> {
    const idText = listIdFrom(listId);
    if (!/^(0|[1-9][0-9]{0,8})$/.test(index)) throw invalid('index must be a whole number (the statusListIndex).');
    const position = Number(index);
    const list = await mustGetJson<StatusList>(ctx, statusListKey(ctx, idText), `Status list ${idText}`);
    const set = statusBit(decodeStatusList(list.encodedList), position);
    return result({ listId: idText, index: position, statusPurpose: list.statusPurpose, set, version: list.version, updatedAt: list.updatedAt });
  }
}
