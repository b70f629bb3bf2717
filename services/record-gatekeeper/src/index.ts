/**
 * The record gatekeeper package: the service, its ledger and store adapters, and one call that
 * starts a gatekeeper for a hospital of a devnet bundle (used by the demo start, the tests and
 * the bench).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { type PseudonymKey, newPseudonymKey } from '../../../src-main/admission/pseudonym';
import { RecordGatekeeper } from './gatekeeper';
import { FabricGatekeeperLedger, type GatekeeperLedger } from './ledger';
import { EmbeddedFhirStore, type FhirStore } from './store';

export { RecordGatekeeper, parseRecordQuery, type GatekeeperOptions } from './gatekeeper';
export { FabricGatekeeperLedger, LedgerRefused, LedgerUnavailable, type GatekeeperLedger, type ReleaseEntry } from './ledger';
export { EmbeddedFhirStore, RemoteFhirStore, StoreInvalid, StoreTimeout, StoreUnavailable, loadFhirDefinitions, DID_IDENTIFIER_SYSTEM, type FhirStore } from './store';
export { AnchorJob, AnchorKeys, releasedForm } from './anchors';
export { serveFhirStore } from './store-server';

/** The part of a devnet network bundle (ledger/devnet) a gatekeeper needs. */
export interface BundleForGatekeeper {
  endpoint: string;
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  orgs: { mspId: string; endpoint?: string }[];
  identities: { name: string; mspId: string; role: string; certificatePem: string; privateKeyPem: string }[];
}

export interface HospitalGatekeeper {
  gatekeeper: RecordGatekeeper;
  ledger: GatekeeperLedger;
  store: FhirStore;
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the gatekeeper of hospital `mspId` on loopback with the bundle's `gatekeeper` identity
 * of that hospital, over `store` (default: a new embedded store).
 * @throws Error when the bundle has no gatekeeper identity for the hospital
 */
export async function startHospitalGatekeeper(options: {
  bundle: BundleForGatekeeper;
  mspId: string;
  store?: FhirStore;
  port?: number;
  pseudonymKeys?: readonly PseudonymKey[];
  anchorSecret?: Uint8Array;
  offlineLogPath?: string;
  anchorStatePath?: string;
  ledger?: GatekeeperLedger;
  clock?: () => Date;
  log?: (line: string) => void;
}): Promise<HospitalGatekeeper> {
  const identity = options.bundle.identities.find((i) => i.mspId === options.mspId && i.role === 'gatekeeper');
  if (!identity && !options.ledger) throw new Error(`The network bundle has no identity with role 'gatekeeper' for ${options.mspId}; add one to the devnet config (ledger/devnet/devnet.config.json).`);
  const ledger =
    options.ledger ??
    new FabricGatekeeperLedger({
      endpoint: options.bundle.orgs.find((o) => o.mspId === options.mspId)?.endpoint ?? options.bundle.endpoint,
      tlsCaCertificatePem: options.bundle.tlsCaCertificatePem,
      hostnameOverride: options.bundle.hostnameOverride,
      channel: options.bundle.channel,
      chaincode: options.bundle.chaincode,
      mspId: options.mspId,
      certificatePem: identity!.certificatePem,
      privateKeyPem: identity!.privateKeyPem,
    });
  const store = options.store ?? new EmbeddedFhirStore();
  // The public URL must be known before listening (it is signed by clients): take the port first.
  const port = options.port ?? (await freePort());
  const gatekeeper = new RecordGatekeeper({
    ledger,
    store,
    publicBaseUrl: `http://127.0.0.1:${port}/fhir`,
    pseudonymKeys: options.pseudonymKeys ?? [newPseudonymKey()],
    anchorSecret: options.anchorSecret ?? randomBytes(32),
    offlineLogPath: options.offlineLogPath,
    anchorStatePath: options.anchorStatePath,
    clock: options.clock,
    log: options.log,
  });
  await gatekeeper.listen(port);
  return {
    gatekeeper,
    ledger,
    store,
    baseUrl: gatekeeper.baseUrl,
    stop: async () => {
      await gatekeeper.close();
      ledger.close();
    },
  };
}

/** A port free on loopback now (the gatekeeper's public URL names it, so it is chosen before listening). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No free port on 127.0.0.1.');
  return address.port;
}
