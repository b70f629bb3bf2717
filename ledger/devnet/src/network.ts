/**
 * The network a devnet serves: organisations from a config file, their CAs (ca.ts), one peer
 * identity per org, a TLS CA with a server certificate for 127.0.0.1/localhost, demo staff
 * identities, and the network bundle a client needs to connect. Crypto material is created
 * once per data dir and reused on restart.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevCa, type IssuedIdentity, createDevCa, issueIdentity } from './ca';
import { DevnetError } from './errors';
import { parsePolicy } from './policy';
import type { CollectionConfig } from './simulation';

export interface IdentityConfig {
  name: string;
  displayName?: string;
  role: string;
}

export interface OrgConfig {
  mspId: string;
  /** governance, hospital, insurer, medical-board, or any label: data, not code. */
  kind: string;
  displayName?: string;
  identities: IdentityConfig[];
}

export interface ChaincodeConfig {
  name: string;
  /** Absolute, or relative to the config file. */
  packageDir: string;
  version?: string;
  /**
   * Policy expression (`AND('A.member','B.member')`, `OR(...)`, `OutOf(n, ...)`), or ANY / MAJORITY /
   * ALL over the channel orgs, or a list of MSP IDs meaning "a member of any one of these";
   * default ANY (one member of any channel org).
   */
  endorsementPolicy?: string | string[];
  /** Fabric collections_config.json; absolute or relative to the config file. */
  collectionsConfigPath?: string;
}

export interface DevnetConfig {
  channel: string;
  /** The chaincode named in the bundle (the one the workstation uses). */
  bundleChaincode: string;
  orgs: OrgConfig[];
  chaincodes: ChaincodeConfig[];
  blockMaxTx: number;
  blockTimeoutMs: number;
}

/** The network bundle written to `<dataDir>/bundle.json`; its schema is documented in the devnet README. */
export interface NetworkBundle {
  endpoint: string;
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  /** `endpoint`: the gateway of this organisation's own peer (host:port), as in production. */
  orgs: Array<{ mspId: string; kind: string; displayName: string; caCertificatePem: string; endpoint?: string }>;
  identities: Array<{
    name: string;
    displayName: string;
    mspId: string;
    role: string;
    certificatePem: string;
    privateKeyPem: string;
  }>;
}

export interface NetworkMaterial {
  version: 1;
  channel: string;
  orgs: Array<{ mspId: string; kind: string; displayName: string; ca: DevCa; peer: IssuedIdentity }>;
  tlsCa: DevCa;
  tlsServer: IssuedIdentity;
  identities: Array<{ name: string; displayName: string; mspId: string; role: string } & IssuedIdentity>;
}

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../devnet.config.json', import.meta.url));

/**
 * Reads a devnet config file, resolving chaincode paths relative to it.
 * @throws DevnetError BAD_CONFIG
 */
export function loadConfig(configPath: string = DEFAULT_CONFIG_PATH): DevnetConfig {
  let raw: Partial<DevnetConfig>;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8')) as Partial<DevnetConfig>;
  } catch (err) {
    throw new DevnetError('BAD_CONFIG', `The devnet config ${configPath} cannot be read: ${(err as Error).message}`);
  }
  const base = path.dirname(configPath);
  if (!raw.channel || !Array.isArray(raw.orgs) || raw.orgs.length === 0) {
    throw new DevnetError('BAD_CONFIG', `The devnet config ${configPath} needs a "channel" and at least one org.`);
  }
  const mspIds = new Set<string>();
  for (const org of raw.orgs) {
    if (!org.mspId || mspIds.has(org.mspId))
      throw new DevnetError('BAD_CONFIG', `Org MSP IDs must be present and unique (${org.mspId || 'empty'}).`);
    mspIds.add(org.mspId);
  }
  return {
    channel: raw.channel,
    bundleChaincode: raw.bundleChaincode ?? raw.chaincodes?.[0]?.name ?? 'careledger',
    orgs: raw.orgs.map((o) => ({ ...o, identities: o.identities ?? [] })),
    chaincodes: (raw.chaincodes ?? []).map((c) => ({
      ...c,
      packageDir: path.resolve(base, c.packageDir),
      ...(c.collectionsConfigPath ? { collectionsConfigPath: path.resolve(base, c.collectionsConfigPath) } : {}),
    })),
    blockMaxTx: raw.blockMaxTx ?? 100,
    blockTimeoutMs: raw.blockTimeoutMs ?? 100,
  };
}

interface FabricCollectionJson {
  name: string;
  policy: string;
  blockToLive?: number;
  memberOnlyRead?: boolean;
  memberOnlyWrite?: boolean;
}

/**
 * Reads a Fabric collections_config.json; members are the MSP IDs named in each policy.
 * @throws DevnetError BAD_CONFIG
 */
export function loadCollections(file: string | undefined, channelOrgs: readonly string[]): CollectionConfig[] {
  if (!file || !existsSync(file)) return [];
  let list: FabricCollectionJson[];
  try {
    list = JSON.parse(readFileSync(file, 'utf8')) as FabricCollectionJson[];
  } catch (err) {
    throw new DevnetError('BAD_CONFIG', `The collections config ${file} cannot be read: ${(err as Error).message}`);
  }
  return list.map((c) => ({
    name: c.name,
    memberMspIds: [...new Set(parsePolicy(c.policy, channelOrgs).principals.map((p) => p.mspId))],
    blockToLive: c.blockToLive ?? 0,
    memberOnlyRead: c.memberOnlyRead ?? true,
    memberOnlyWrite: c.memberOnlyWrite ?? false,
  }));
}

/** Loads the crypto material of a data dir, creating it on first start. */
export async function ensureNetworkMaterial(dataDir: string, config: DevnetConfig): Promise<NetworkMaterial> {
  const file = path.join(dataDir, 'network', 'material.json');
  if (existsSync(file)) {
    const material = JSON.parse(readFileSync(file, 'utf8')) as NetworkMaterial;
    const have = material.orgs.map((o) => o.mspId).join(',');
    const want = config.orgs.map((o) => o.mspId).join(',');
    if (have !== want) {
      throw new DevnetError(
        'BAD_CONFIG',
        `The data dir ${dataDir} was created for orgs ${have}, but the config names ${want}; start with --reset to recreate the network.`,
      );
    }
    return material;
  }
  const orgs: NetworkMaterial['orgs'] = [];
  const identities: NetworkMaterial['identities'] = [];
  for (const org of config.orgs) {
    const ca = await createDevCa({ mspId: org.mspId });
    const peer = await issueIdentity(ca, { enrollmentId: `peer0.${org.mspId.toLowerCase()}`, ou: 'peer' });
    orgs.push({ mspId: org.mspId, kind: org.kind, displayName: org.displayName ?? org.mspId, ca, peer });
    for (const who of org.identities) {
      const issued = await issueIdentity(ca, {
        enrollmentId: who.name,
        commonName: who.displayName ?? who.name,
        role: who.role,
        ou: 'client',
      });
      identities.push({
        name: who.name,
        displayName: who.displayName ?? who.name,
        mspId: org.mspId,
        role: who.role,
        ...issued,
      });
    }
  }
  const tlsCa = await createDevCa({ mspId: 'DevnetTLS', commonName: 'tlsca.devnet' });
  const tlsServer = await issueIdentity(tlsCa, {
    enrollmentId: 'localhost',
    commonName: 'localhost',
    tlsServer: true,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const material: NetworkMaterial = { version: 1, channel: config.channel, orgs, tlsCa, tlsServer, identities };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(material, null, 2), 0o600);
  return material;
}

export function buildBundle(
  material: NetworkMaterial,
  options: { endpoint: string; tls: boolean; chaincode: string; orgEndpoints?: ReadonlyMap<string, string> },
): NetworkBundle {
  return {
    endpoint: options.endpoint,
    // The server certificate names localhost and 127.0.0.1; TLS clients should verify it as localhost (SNI must not be an IP).
    ...(options.tls ? { tlsCaCertificatePem: material.tlsCa.certificatePem, hostnameOverride: 'localhost' } : {}),
    channel: material.channel,
    chaincode: options.chaincode,
    orgs: material.orgs.map((o) => ({
      mspId: o.mspId,
      kind: o.kind,
      displayName: o.displayName,
      caCertificatePem: o.ca.certificatePem,
      ...(options.orgEndpoints?.has(o.mspId) ? { endpoint: options.orgEndpoints.get(o.mspId) } : {}),
    })),
    identities: material.identities.map((i) => ({
      name: i.name,
      displayName: i.displayName,
      mspId: i.mspId,
      role: i.role,
      certificatePem: i.certificatePem,
      privateKeyPem: i.privateKeyPem,
    })),
  };
}

export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
