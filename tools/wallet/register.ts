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
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { exportStatusLists, loadIssuers, OPERATOR_MSP, trustRegistryEntries, WalletCliError, type IssuerRole } from './store';

interface BundleIdentity {
  name: string;
  mspId: string;
  role: string;
  certificatePem: string;
  privateKeyPem: string;
}

interface NetworkBundle {
  endpoint: string;
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  /** `endpoint`: the gateway of the organisation's own peer (devnet: one per organisation). */
  orgs: { mspId: string; kind: string; displayName: string; endpoint?: string }[];
  identities: BundleIdentity[];
}

/** Roles the Status contract lets publish lists (ledger/chaincode STATUS_PUBLISHER_ROLES). */
const PUBLISHER_ROLES = ['issuer', 'board-officer', 'governance-admin'];
const KIND_OF_ROLE: Record<IssuerRole, 'insurer' | 'medical-board' | undefined> = { identity: undefined, insurer: 'insurer', board: 'medical-board' };
const GOVERNANCE_DID = 'did:web:governance.careledger.example';

export interface RegisterOutcome {
  initialised: boolean;
  organisations: { mspId: string; outcome: 'registered' | 'already registered' }[];
  issuers: { issuerDid: string; outcome: 'added' | 'updated' }[];
  statusLists: { listId: string; outcome: 'published' | 'skipped'; reason?: string }[];
}

/** How long each gateway call may take before it is given up, in milliseconds. */
export interface GatewayDeadlines {
  evaluate: number;
  endorse: number;
  submit: number;
  commitStatus: number;
}

const DEFAULT_DEADLINES: GatewayDeadlines = { evaluate: 10_000, endorse: 20_000, submit: 20_000, commitStatus: 60_000 };

/**
 * A gateway connection to the devnet as one identity of its bundle. Exported so the demo seed
 * and the tests connect the same way the wallet tool does instead of each rebuilding it.
 */
export function connectAs(
  bundle: Pick<NetworkBundle, 'endpoint' | 'tlsCaCertificatePem' | 'hostnameOverride'> & Partial<Pick<NetworkBundle, 'orgs'>>,
  who: Pick<BundleIdentity, 'mspId' | 'certificatePem' | 'privateKeyPem'>,
  deadlines: Partial<GatewayDeadlines> = {},
): { gateway: Gateway; client: grpc.Client } {
  const d = { ...DEFAULT_DEADLINES, ...deadlines };
  const credentials = bundle.tlsCaCertificatePem ? grpc.credentials.createSsl(Buffer.from(bundle.tlsCaCertificatePem)) : grpc.credentials.createInsecure();
  const options: grpc.ClientOptions = bundle.hostnameOverride ? { 'grpc.ssl_target_name_override': bundle.hostnameOverride } : {};
  // The gateway of the identity's own organisation's peer when the devnet has one per organisation.
  const endpoint = bundle.orgs?.find((o) => o.mspId === who.mspId)?.endpoint ?? bundle.endpoint;
  const client = new grpc.Client(endpoint, credentials, options);
  const gateway = connect({
    client,
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) },
    signer: signers.newPrivateKeySigner(crypto.createPrivateKey(who.privateKeyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + d.evaluate }),
    endorseOptions: () => ({ deadline: Date.now() + d.endorse }),
    submitOptions: () => ({ deadline: Date.now() + d.submit }),
    commitStatusOptions: () => ({ deadline: Date.now() + d.commitStatus }),
  });
  return { gateway, client };
}

/** The ledger's error code from a gateway error (LedgerError codes travel in the messages). */
function ledgerCode(err: unknown): string {
  const parts: string[] = [];
  const e = err as { message?: string; details?: { message?: string }[]; cause?: { details?: string } };
  if (e.message) parts.push(e.message);
  for (const d of e.details ?? []) if (d.message) parts.push(d.message);
  if (e.cause?.details) parts.push(e.cause.details);
  const text = parts.join(' ');
  const m = /\b(ALREADY_EXISTS|ALREADY_INITIALISED|NOT_INITIALISED|NOT_FOUND|FORBIDDEN|UNTRUSTED_ISSUER|INVALID_STATE|INVALID_ARGUMENT)\b/.exec(text);
  return m ? (m[1] as string) : text;
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

  const gov = connectAs(bundle, governance);
  try {
    const contract = (name: string) => gov.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode, name);
    try {
      await contract('Governance').submitTransaction('initialise', JSON.stringify({ did: GOVERNANCE_DID, name: 'CareLedger Governance' }));
      outcome.initialised = true;
      log(`ledger initialised with ${governance.mspId} as governance`);
    } catch (err) {
      if (ledgerCode(err) !== 'ALREADY_INITIALISED') throw err;
    }
    for (const role of ['insurer', 'board'] as const) {
      const issuer = issuers.issuers[role];
      const mspId = operatorOf(role);
      const org = bundle.orgs.find((o) => o.mspId === mspId);
      try {
        await contract('Governance').submitTransaction(
          'registerOrganisation',
          JSON.stringify({ mspId, kind: KIND_OF_ROLE[role], did: issuer.did, name: org?.displayName ?? issuer.name }),
        );
        outcome.organisations.push({ mspId, outcome: 'registered' });
      } catch (err) {
        if (ledgerCode(err) !== 'ALREADY_EXISTS') throw err;
        outcome.organisations.push({ mspId, outcome: 'already registered' });
      }
    }
    for (const entry of trustRegistryEntries(issuers)) {
      const role = (Object.keys(issuers.issuers) as IssuerRole[]).find((r) => issuers.issuers[r].did === entry.issuerDid) as IssuerRole;
      const row = JSON.stringify({ ...entry, operatorMspId: operatorOf(role) });
      try {
        await contract('TrustRegistry').submitTransaction('addIssuer', row);
        outcome.issuers.push({ issuerDid: entry.issuerDid, outcome: 'added' });
      } catch (err) {
        if (ledgerCode(err) !== 'ALREADY_EXISTS') throw err;
        await contract('TrustRegistry').submitTransaction('updateIssuer', row);
        outcome.issuers.push({ issuerDid: entry.issuerDid, outcome: 'updated' });
      }
      log(`trusted ${entry.issuerDid} for ${entry.credentialTypes.join(', ')}`);
    }
  } finally {
    gov.gateway.close();
    gov.client.close();
  }
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
    const publisher = bundle.identities.find((i) => i.mspId === mspId && PUBLISHER_ROLES.includes(i.role));
    const mine = lists.filter((l) => l.issuerDid === issuer.did);
    if (!publisher) {
      const reason = `${mspId} has no identity with a role allowed to publish status lists (${PUBLISHER_ROLES.join(', ')}) in this bundle`;
      for (const l of mine) out.push({ listId: l.listId, outcome: 'skipped', reason });
      log(`skipped ${issuer.did}'s status lists: ${reason}`);
      continue;
    }
    const conn = connectAs(bundle, publisher);
    try {
      const status = conn.gateway.getNetwork(bundle.channel).getContract(bundle.chaincode, 'Status');
      for (const l of mine) {
        await status.submitTransaction('publishStatusList', JSON.stringify({ listId: l.listId, issuerDid: l.issuerDid, statusPurpose: l.purpose, encodedList: l.encodedList }));
        out.push({ listId: l.listId, outcome: 'published' });
        log(`published ${l.listId} as ${publisher.name}`);
      }
    } finally {
      conn.gateway.close();
      conn.client.close();
    }
  }
  return out;
}

export async function readBundle(file: string): Promise<NetworkBundle> {
  return JSON.parse(await readFile(file, 'utf8')) as NetworkBundle;
}
