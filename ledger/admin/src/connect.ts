/**
 * A gateway connection to the ledger as one administrator identity (a governance admin, an
 * issuer's publisher, a board officer), and the ledger's error code out of a gateway error.
 */
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';

/** An identity of the network bundle (the devnet's, or one IT assembled for a real network). */
export interface AdminIdentity {
  name: string;
  mspId: string;
  role: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** What the administration functions read from a network bundle (`<devnet dir>/bundle.json`). */
export interface AdminBundle {
  endpoint: string;
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  /** `endpoint`: the gateway of the organisation's own peer (devnet: one per organisation). */
  orgs: { mspId: string; kind: string; displayName: string; endpoint?: string }[];
  identities: AdminIdentity[];
}

/** How long each gateway call may take before it is given up, in milliseconds. */
export interface GatewayDeadlines {
  evaluate: number;
  endorse: number;
  submit: number;
  commitStatus: number;
}

export const DEFAULT_DEADLINES: GatewayDeadlines = { evaluate: 10_000, endorse: 20_000, submit: 20_000, commitStatus: 60_000 };

/**
 * A gateway connection as one identity of the bundle, on its own organisation's peer when the
 * network has one per organisation. Close both when done (or use `asAdmin`).
 */
export function connectAs(
  bundle: Pick<AdminBundle, 'endpoint' | 'tlsCaCertificatePem' | 'hostnameOverride'> & Partial<Pick<AdminBundle, 'orgs'>>,
  who: Pick<AdminIdentity, 'mspId' | 'certificatePem' | 'privateKeyPem'>,
  deadlines: Partial<GatewayDeadlines> = {},
): { gateway: Gateway; client: grpc.Client } {
  const d = { ...DEFAULT_DEADLINES, ...deadlines };
  const credentials = bundle.tlsCaCertificatePem ? grpc.credentials.createSsl(Buffer.from(bundle.tlsCaCertificatePem)) : grpc.credentials.createInsecure();
  const options: grpc.ClientOptions = bundle.hostnameOverride ? { 'grpc.ssl_target_name_override': bundle.hostnameOverride } : {};
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

/** The chaincode's contracts, as one connected identity sees them. */
export type ContractOf = (name: 'Governance' | 'TrustRegistry' | 'Status' | 'Sanctions' | (string & {})) => Contract;

/** Runs `work` connected as `who`, and closes the connection whatever happens. */
export async function asAdmin<T>(bundle: AdminBundle, who: AdminIdentity, work: (contract: ContractOf) => Promise<T>, deadlines: Partial<GatewayDeadlines> = {}): Promise<T> {
  const { gateway, client } = connectAs(bundle, who, deadlines);
  try {
    const network = gateway.getNetwork(bundle.channel);
    return await work((name) => network.getContract(bundle.chaincode, name));
  } finally {
    gateway.close();
    client.close();
  }
}

const CODES = /\b(ALREADY_EXISTS|ALREADY_INITIALISED|NOT_INITIALISED|NOT_FOUND|FORBIDDEN|UNTRUSTED_ISSUER|INVALID_STATE|INVALID_ARGUMENT)\b/;

/** The ledger's error code from a gateway error (LedgerError codes travel in the messages); the text when none. */
export function ledgerCode(err: unknown): string {
  const parts: string[] = [];
  const e = err as { message?: string; details?: { message?: string }[]; cause?: { details?: string } };
  if (e.message) parts.push(e.message);
  for (const d of e.details ?? []) if (d.message) parts.push(d.message);
  if (e.cause?.details) parts.push(e.cause.details);
  const text = parts.join(' ');
  const m = CODES.exec(text);
  return m ? (m[1] as string) : text;
}

/** The identity of `mspId` (or of any organisation) holding one of `roles`, or undefined. */
export function identityWithRole(bundle: AdminBundle, roles: readonly string[], mspId?: string): AdminIdentity | undefined {
  return bundle.identities.find((i) => roles.includes(i.role) && (mspId === undefined || i.mspId === mspId));
}

/** Reads a network bundle file. @throws Error saying which file could not be read */
export async function readBundle(file: string): Promise<AdminBundle> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as AdminBundle;
  } catch (err) {
    throw new Error(`Cannot read the network bundle ${file} (${(err as Error).message}). Start the devnet ("npm run devnet") and pass its <data-dir>/bundle.json.`, { cause: err });
  }
}
