// Context is imported as a value: decorator metadata must name it so the contract API skips it as a parameter.
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { LedgerError } from '../lib/errors';
import { emit, exists, getJson, key, mustGetJson, pageByPartialKey, parseJsonBytes, putJson, result, txTime } from '../lib/ledger';
import { GOVERNANCE_ADMIN_ROLE, type GovernanceConfig, type Organisation, authoriseGovernance, caller, configKey, getOrganisation, governanceConfig, orgKey } from '../lib/organisations';
import { didWeb, mspId, object, oneOf, pageArgs, parseJsonArg, str } from '../lib/validate';

const orgName = (): ReturnType<typeof str> => str({ max: 200 });
const initialiseArg = object({ did: didWeb(), name: orgName() });
const registerArg = object({ mspId: mspId(), kind: oneOf(['hospital', 'insurer', 'medical-board'] as const), did: didWeb(), name: orgName() });
const updateArg = object({ mspId: mspId(), did: didWeb(), name: orgName() });

/**
 * The organisation registry. The governance MSP is fixed once by `initialise`; governance
 * then registers hospitals, insurers and medical boards. Nothing here names an MSP.
 */
@Info({ title: 'Governance', description: 'Governance body and organisation registry' })
export class GovernanceContract extends Contract {
  constructor() {
    super('Governance');
  }

  /**
   * Makes the caller's MSP the governance body and registers it. Succeeds once.
   * Caller: any MSP, role governance-admin (run it at deployment, see README).
   * @throws LedgerError ALREADY_INITIALISED, FORBIDDEN, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async initialise(ctx: Context, organisationJson: string): Promise<string> {
    if (await exists(ctx, configKey(ctx))) {
      const config = await governanceConfig(ctx);
      throw new LedgerError('ALREADY_INITIALISED', `The ledger was already initialised with ${config.governanceMspId} as governance on ${config.initialisedAt}; it cannot be changed.`);
    }
    const who = caller(ctx);
    if (who.role !== GOVERNANCE_ADMIN_ROLE) throw new LedgerError('FORBIDDEN', `Only an identity with role '${GOVERNANCE_ADMIN_ROLE}' may initialise the ledger.`);
    const input = parseJsonArg(organisationJson, 'organisation', initialiseArg);
    const now = txTime(ctx);
    const config: GovernanceConfig = { governanceMspId: who.mspId, initialisedAt: now };
    const organisation: Organisation = { mspId: who.mspId, kind: 'governance', did: input.did, name: input.name, registeredAt: now, updatedAt: now };
    await putJson(ctx, configKey(ctx), config);
    await putJson(ctx, orgKey(ctx, who.mspId), organisation);
    await putJson(ctx, key(ctx, 'org~did', [input.did]), { mspId: who.mspId });
    emit(ctx, 'Governance.Initialised', { config, organisation });
    return result({ config, organisation });
  }

  /**
   * Registers a hospital, insurer or medical board. Caller: governance, role governance-admin.
   * @throws LedgerError FORBIDDEN, ALREADY_EXISTS, INVALID_ARGUMENT
   */
  @Transaction()
  @Returns('string')
  public async registerOrganisation(ctx: Context, organisationJson: string): Promise<string> {
    await authoriseGovernance(ctx, 'register organisations');
    const input = parseJsonArg(organisationJson, 'organisation', registerArg);
    if (await getOrganisation(ctx, input.mspId)) throw new LedgerError('ALREADY_EXISTS', `Organisation ${input.mspId} is already registered; use updateOrganisation to change its DID or name.`);
    await this.requireDidFree(ctx, input.did, input.mspId);
    const now = txTime(ctx);
    const organisation: Organisation = { ...input, registeredAt: now, updatedAt: now };
    await putJson(ctx, orgKey(ctx, input.mspId), organisation);
    await putJson(ctx, key(ctx, 'org~did', [input.did]), { mspId: input.mspId });
    emit(ctx, 'Governance.OrganisationRegistered', { organisation });
    return result(organisation);
  }

  /**
   * Changes an organisation's DID or display name (its kind is fixed).
   * Caller: governance, role governance-admin.
   * @throws LedgerError FORBIDDEN, NOT_FOUND, ALREADY_EXISTS
   */
  @Transaction()
  @Returns('string')
  public async updateOrganisation(ctx: Context, organisationJson: string): Promise<string> {
    await authoriseGovernance(ctx, 'update organisations');
    const input = parseJsonArg(organisationJson, 'organisation', updateArg);
    const current = await mustGetJson<Organisation>(ctx, orgKey(ctx, input.mspId), `Organisation ${input.mspId}`);
    if (current.did !== input.did) {
      await this.requireDidFree(ctx, input.did, input.mspId);
      await ctx.stub.deleteState(key(ctx, 'org~did', [current.did]));
      await putJson(ctx, key(ctx, 'org~did', [input.did]), { mspId: input.mspId });
    }
    const organisation: Organisation = { ...current, did: input.did, name: input.name, updatedAt: txTime(ctx) };
    await putJson(ctx, orgKey(ctx, input.mspId), organisation);
    emit(ctx, 'Governance.OrganisationUpdated', { organisation, previousDid: current.did });
    return result(organisation);
  }

  /** The governance MSP and when it was set. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async getGovernance(ctx: Context): Promise<string> {
    return result(await governanceConfig(ctx));
  }

  /** One organisation by MSP ID. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getOrganisation(ctx: Context, msp: string): Promise<string> {
    const id = mspId()(msp, 'mspId');
    return result(await mustGetJson<Organisation>(ctx, orgKey(ctx, id), `Organisation ${id}`));
  }

  /** One organisation by its did:web. Caller: anyone. @throws LedgerError NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  public async getOrganisationByDid(ctx: Context, did: string): Promise<string> {
    const checked = didWeb()(did, 'did');
    const index = await getJson<{ mspId: string }>(ctx, key(ctx, 'org~did', [checked]));
    if (!index) throw new LedgerError('NOT_FOUND', `No organisation with DID ${checked} is registered.`);
    return result(await mustGetJson<Organisation>(ctx, orgKey(ctx, index.mspId), `Organisation ${index.mspId}`));
  }

  /** All organisations, by MSP ID, one page at a time. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async listOrganisations(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    const page = await pageByPartialKey(ctx, 'org', [], pageArgs(pageSize, bookmark), (kv) => parseJsonBytes<Organisation>(kv.value));
    return result(page);
  }

  /** Who the ledger sees calling: MSP ID, role, certificate id and registered organisation. Caller: anyone. */
  @Transaction(false)
  @Returns('string')
  public async whoAmI(ctx: Context): Promise<string> {
    const who = caller(ctx);
    return result({ ...who, organisation: (await getOrganisation(ctx, who.mspId)) ?? null });
  }

  private async requireDidFree(ctx: Context, did: string, forMsp: string): Promise<void> {
    const holder = await getJson<{ mspId: string }>(ctx, key(ctx, 'org~did', [did]));
    if (holder && holder.mspId !== forMsp) throw new LedgerError('ALREADY_EXISTS', `The DID ${did} already belongs to ${holder.mspId}.`);
  }
}
