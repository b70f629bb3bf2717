/**
 * The channel configuration, as a Fabric 2.5 peer's configuration system chaincode (`cscc`)
 * answers `GetChannelConfig <channel>`: a serialized `common.Config` whose
 * `Application` group holds one group per organisation, each with an `MSP` value
 * (`msp.MSPConfig` of type 0 = FABRIC wrapping a `msp.FabricMSPConfig`: name, root and
 * intermediate certificates and revocation lists as PEM bytes, NodeOUs enabled). Only what a
 * client reads from it is built: no policies, no orderer group, no capabilities.
 *
 * Revocation lists: the PEM files in `<dataDir>/network/crls/<MSP ID>/`, read at each call, so
 * dropping a CRL there stands for a channel configuration update that adds it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { common, msp } from '@hyperledger/fabric-protos';

/** One organisation's MSP definition on the channel. */
export interface ChannelOrgMsp {
  mspId: string;
  rootCertificatesPem: string[];
  intermediateCertificatesPem: string[];
  crlsPem: string[];
}

/** The map accessor of a generated message (google-protobuf's typings are not installed). */
interface ProtoMap<V> {
  set(key: string, value: V): unknown;
}
function groupsOf(g: common.ConfigGroup): ProtoMap<common.ConfigGroup> {
  const map: unknown = g.getGroupsMap();
  return map as ProtoMap<common.ConfigGroup>;
}
function valuesOf(g: common.ConfigGroup): ProtoMap<common.ConfigValue> {
  const map: unknown = g.getValuesMap();
  return map as ProtoMap<common.ConfigValue>;
}

/** Fabric's MSP type of an X.509 MSP (msp.ProviderType FABRIC). */
const FABRIC_MSP_TYPE = 0;

function ou(name: string): msp.FabricOUIdentifier {
  const id = new msp.FabricOUIdentifier();
  id.setOrganizationalUnitIdentifier(name);
  return id;
}

/** The `MSP` config value of one organisation. */
export function mspConfigOf(org: ChannelOrgMsp): msp.MSPConfig {
  const fabric = new msp.FabricMSPConfig();
  fabric.setName(org.mspId);
  const bytes = (pems: string[]): Uint8Array[] => pems.map((p) => Buffer.from(p));
  fabric.setRootCertsList(bytes(org.rootCertificatesPem));
  fabric.setIntermediateCertsList(bytes(org.intermediateCertificatesPem));
  fabric.setRevocationListList(bytes(org.crlsPem));
  const nodeOus = new msp.FabricNodeOUs();
  nodeOus.setEnable(true);
  nodeOus.setClientOuIdentifier(ou('client'));
  nodeOus.setPeerOuIdentifier(ou('peer'));
  nodeOus.setAdminOuIdentifier(ou('admin'));
  nodeOus.setOrdererOuIdentifier(ou('orderer'));
  fabric.setFabricNodeOus(nodeOus);
  const config = new msp.MSPConfig();
  config.setType(FABRIC_MSP_TYPE);
  config.setConfig(fabric.serializeBinary());
  return config;
}

/** The serialized `common.Config` of the channel (what cscc GetChannelConfig returns as payload). */
export function buildChannelConfig(orgs: readonly ChannelOrgMsp[], sequence = 1): Uint8Array {
  const application = new common.ConfigGroup();
  application.setModPolicy('Admins');
  for (const org of orgs) {
    const group = new common.ConfigGroup();
    group.setModPolicy('Admins');
    const value = new common.ConfigValue();
    value.setValue(mspConfigOf(org).serializeBinary());
    value.setModPolicy('Admins');
    valuesOf(group).set('MSP', value);
    groupsOf(application).set(org.mspId, group);
  }
  const channel = new common.ConfigGroup();
  channel.setModPolicy('Admins');
  groupsOf(channel).set('Application', application);
  const config = new common.Config();
  config.setSequence(sequence);
  config.setChannelGroup(channel);
  return config.serializeBinary();
}

/** The CRLs (PEM) of an organisation in `<dataDir>/network/crls/<mspId>/`, [] when there are none. */
export function readOrgCrls(dataDir: string, mspId: string): string[] {
  const dir = path.join(dataDir, 'network', 'crls', mspId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pem'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}
