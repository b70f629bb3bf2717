/**
 * `npm run wallet -- register --bundle <devnet bundle.json>`: puts the demo issuers on the
 * ledger so workstations trust them, and publishes their status lists.
 *
 * As the governance org (role governance-admin): initialises the ledger if nobody has yet
 * (a fresh devnet), registers the issuers' operating organisations, then adds (or updates)
 * each issuer in the TrustRegistry for its credential types. Then each issuer's operating
 * org publishes its status lists (Status.publishStatusList), as the chaincode requires. An
 * org with no identity allowed to publish is reported, not faked with someone else's key.
 */
import { readFile } from 'node:fs/promises';
import {
  asAdmin,
  initialiseGovernance,
  publishStatusList,
  readBundle as readAdminBundle,
  registerOrganisation,
  STATUS_PUBLISHER_ROLES,
  trustIssuer,
  type AdminBundle,
} from '../../ledger/admin/src/index';
import { exportStatusLists, loadIssuers, OPERATOR_MSP, trustRegistryEntries, WalletCliError, type IssuerRole } from './store';

// The ledger-administration functions live in ledger/admin (one home for the wallet simulator,
// the demo and the governance workstations); re-exported here for code that still imports them
// from the wallet simulator.
export { connectAs, type GatewayDeadlines } from '../../ledger/admin/src/index';

type NetworkBundle = AdminBundle;

const KIND_OF_ROLE: Record<IssuerRole, 'insurer' | 'medical-board' | undefined> = { identity: undefined, insurer: 'insurer', board: 'medical-board' };
const GOVERNANCE_DID = 'did:web:governance.careledger.example';

export interface RegisterOutcome {
  initialised: boolean;
  organisations: { mspId: string; outcome: 'registered' | 'already registered' }[];
  issuers: { issuerDid: string; outcome: 'added' | 'updated' }[];
  statusLists: { listId: string; outcome: 'published' | 'skipped'; reason?: string }[];
}

export async function registerOnLedger(home: string, bundleFile: string, log: (line: string) => void = () => undefined): Promise<RegisterOutcome> {
  let bundle: NetworkBundle;
  try {
    bundle = JSON.parse(await readFile(bundleFile, 'utf8')) as NetworkBundle;
  } catch (err) {
    throw new WalletCliError(`Cannot read the network bundle ${bundleFile} (${(err as Error).message}). Start the devnet ("npm run devnet") and pass its <data-dir>/bundle.json.`);
  }
  const issuers = await loadIssuers(home);
  const governance = bundle.identities.find((i) => i.role === 'governance-admin');
  if (!governance) throw new WalletCliError('The bundle has no identity with role governance-admin; only governance may register issuers.');
  const outcome: RegisterOutcome = { initialised: false, organisations: [], issuers: [], statusLists: [] };
  const operatorOf = (role: IssuerRole): string => (role === 'identity' ? governance.mspId : OPERATOR_MSP[role]);

  await asAdmin(bundle, governance, async (contract) => {
    if ((await initialiseGovernance(contract, { did: GOVERNANCE_DID, name: 'CareLedger Governance' })) === 'initialised') {
      outcome.initialised = true;
      log(`ledger initialised with ${governance.mspId} as governance`);
    }
    for (const role of ['insurer', 'board'] as const) {
      const issuer = issuers.issuers[role];
      const mspId = operatorOf(role);
      const org = bundle.orgs.find((o) => o.mspId === mspId);
      const kind = KIND_OF_ROLE[role];
      if (!kind) continue;
      outcome.organisations.push({ mspId, outcome: await registerOrganisation(contract, { mspId, kind, did: issuer.did, name: org?.displayName ?? issuer.name }) });
    }
    for (const entry of trustRegistryEntries(issuers)) {
      const role = (Object.keys(issuers.issuers) as IssuerRole[]).find((r) => issuers.issuers[r].did === entry.issuerDid) as IssuerRole;
      outcome.issuers.push({ issuerDid: entry.issuerDid, outcome: await trustIssuer(contract, { ...entry, operatorMspId: operatorOf(role) }) });
      log(`trusted ${entry.issuerDid} for ${entry.credentialTypes.join(', ')}`);
    }
  });
  outcome.statusLists = await publishStatusLists(home, bundle, operatorOf, log);
  return outcome;
}

/** Publishes every issuer's status lists, each by an identity of the issuer's operating org. */
export async function publishStatusLists(
  home: string,
  bundle: NetworkBundle,
  operatorOf: (role: IssuerRole) => string,
  log: (line: string) => void = () => undefined,
): Promise<RegisterOutcome['statusLists']> {
  const issuers = await loadIssuers(home);
  const lists = await exportStatusLists(home);
  const out: RegisterOutcome['statusLists'] = [];
  for (const role of Object.keys(issuers.issuers) as IssuerRole[]) {
    const issuer = issuers.issuers[role];
    const mspId = operatorOf(role);
    const publisher = bundle.identities.find((i) => i.mspId === mspId && STATUS_PUBLISHER_ROLES.includes(i.role));
    const mine = lists.filter((l) => l.issuerDid === issuer.did);
    if (!publisher) {
      const reason = `${mspId} has no identity with a role allowed to publish status lists (${STATUS_PUBLISHER_ROLES.join(', ')}) in this bundle`;
      for (const l of mine) out.push({ listId: l.listId, outcome: 'skipped', reason });
      log(`skipped ${issuer.did}'s status lists: ${reason}`);
      continue;
    }
    await asAdmin(bundle, publisher, async (contract) => {
      for (const l of mine) {
        await publishStatusList(contract, { listId: l.listId, issuerDid: l.issuerDid, statusPurpose: l.purpose, encodedList: l.encodedList });
        out.push({ listId: l.listId, outcome: 'published' });
        log(`published ${l.listId} as ${publisher.name}`);
      }
    });
  }
  return out;
}

export async function readBundle(file: string): Promise<NetworkBundle> {
  return readAdminBundle(file);
}
