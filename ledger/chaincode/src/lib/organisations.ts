/**
 * The organisation registry and authorisation. Which MSP is governance is data written once
 * at initialisation; which MSPs are hospitals, insurers and medical boards is data written by
 * governance. Callers are known only from `ctx.clientIdentity`: the MSP ID the peer verified
 * and the `role` attribute their CA put in the certificate. Never from an argument.
 */
import { type Context } from 'fabric-contract-api';
import { LedgerError } from './errors';
import { getJson, key } from './ledger';
import { type OrgKind } from './validate';

export interface Organisation {
  mspId: string;
  kind: OrgKind;
  did: string;
  name: string;
  registeredAt: string;
  updatedAt: string;
}

export interface GovernanceConfig {
  governanceMspId: string;
  initialisedAt: string;
}

export interface Caller {
  mspId: string;
  /** The certificate's `role` attribute, or null when it has none. */
  role: string | null;
  /** Fabric's unique id of the certificate: x509::<subject DN>::<issuer DN>. */
  id: string;
}

export const GOVERNANCE_ADMIN_ROLE = 'governance-admin';
/**
 * Who may publish an issuer's status lists (within the issuer's operating org): a dedicated
 * `issuer` identity, the medical board's officer, or governance's admin.
 */
export const STATUS_PUBLISHER_ROLES = ['issuer', 'board-officer', GOVERNANCE_ADMIN_ROLE] as const;

export function caller(ctx: Context): Caller {
  const role = ctx.clientIdentity.getAttributeValue('role');
  return { mspId: ctx.clientIdentity.getMSPID(), role: role === null || role === undefined || role === '' ? null : role, id: ctx.clientIdentity.getID() };
}

export function configKey(ctx: Context): string {
  return key(ctx, 'config', ['governance']);
}

export function orgKey(ctx: Context, msp: string): string {
  return key(ctx, 'org', [msp]);
}

export async function governanceConfig(ctx: Context): Promise<GovernanceConfig> {
  const config = await getJson<GovernanceConfig>(ctx, configKey(ctx));
  if (!config) throw new LedgerError('NOT_INITIALISED', 'The ledger has not been initialised: the governance organisation must first call Governance:initialise.');
  return config;
}

export async function getOrganisation(ctx: Context, msp: string): Promise<Organisation | undefined> {
  return getJson<Organisation>(ctx, orgKey(ctx, msp));
}

export async function organisationByDid(ctx: Context, did: string): Promise<Organisation | undefined> {
  const index = await getJson<{ mspId: string }>(ctx, key(ctx, 'org~did', [did]));
  return index ? getOrganisation(ctx, index.mspId) : undefined;
}

export interface AuthorisedCaller extends Caller {
  organisation: Organisation;
}

const KIND_WORDS: Record<OrgKind, string> = { hospital: 'a hospital', insurer: 'an insurer', 'medical-board': 'a medical board', governance: 'the governance body' };

/**
 * Refuses the call unless the caller's organisation is registered as one of `kinds` and the
 * certificate's role is one of `roles`. `action` completes the sentence "Only ... may <action>".
 * @throws LedgerError FORBIDDEN or NOT_INITIALISED
 */
export async function authorise(ctx: Context, rule: { kinds: readonly OrgKind[]; roles: readonly string[]; action: string }): Promise<AuthorisedCaller> {
  const config = await governanceConfig(ctx);
  const who = caller(ctx);
  const organisation = await getOrganisation(ctx, who.mspId);
  const allowedKinds = rule.kinds.map((k) => KIND_WORDS[k]).join(' or ');
  const allowedRoles = rule.roles.map((r) => `'${r}'`).join(' or ');
  const refusal = `Only staff with role ${allowedRoles} of ${allowedKinds} may ${rule.action}`;
  if (!organisation) throw new LedgerError('FORBIDDEN', `${refusal}; your organisation ${who.mspId} is not registered on the ledger.`);
  // The governance kind is held only by the MSP named at initialisation.
  const kindOk = rule.kinds.includes(organisation.kind) && (organisation.kind !== 'governance' || organisation.mspId === config.governanceMspId);
  if (!kindOk) throw new LedgerError('FORBIDDEN', `${refusal}; ${who.mspId} is registered as ${KIND_WORDS[organisation.kind]}.`);
  if (who.role === null || !rule.roles.includes(who.role)) {
    throw new LedgerError('FORBIDDEN', `${refusal}; your certificate's role is ${who.role === null ? 'not set' : `'${who.role}'`}.`);
  }
  return { ...who, organisation };
}

/** Governance writes: the governance MSP with role governance-admin. */
export async function authoriseGovernance(ctx: Context, action: string): Promise<AuthorisedCaller> {
  return authorise(ctx, { kinds: ['governance'], roles: [GOVERNANCE_ADMIN_ROLE], action });
}
