/**
 * The channel configuration, as a Fabric 2.5 peer answers it (issue 15 item 1, the devnet's
 * half): an evaluate of the system chaincode `cscc` `GetChannelConfig <channel>` returns a
 * `common.Config` whose Application group holds each organisation's MSP (an `msp.MSPConfig` of
 * type 0 wrapping an `msp.FabricMSPConfig` with its root certificates, NodeOUs and CRLs).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { common, msp } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { assetChaincode } from './fixture';
import { type Connection, connectAs, tempDataDir, utf8 } from './helpers';

const dataDir = tempDataDir('channel-config');
let devnet: RunningDevnet;
let conn: Connection;

beforeAll(async () => {
  devnet = await startDevnet({ dataDir, port: 0, blockTimeoutMs: 20, chaincodes: [assetChaincode()] });
  conn = connectAs(devnet.bundle, 'hospital-a-admissions');
});

afterAll(async () => {
  conn?.close();
  await devnet?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** google-protobuf's map typings are not installed: the one accessor used here. */
type ProtoMap<V> = { get(key: string): V | undefined };
function groups(g: common.ConfigGroup | undefined): ProtoMap<common.ConfigGroup> | undefined {
  const map: unknown = g?.getGroupsMap();
  return map as ProtoMap<common.ConfigGroup> | undefined;
}
function values(g: common.ConfigGroup | undefined): ProtoMap<common.ConfigValue> | undefined {
  const map: unknown = g?.getValuesMap();
  return map as ProtoMap<common.ConfigValue> | undefined;
}

function mspOf(config: common.Config, mspId: string): msp.FabricMSPConfig {
  const org = groups(groups(config.getChannelGroup())?.get('Application'))?.get(mspId);
  const value = values(org)?.get('MSP');
  if (!value) throw new Error(`no MSP value for ${mspId}`);
  const wrapped = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
  expect(wrapped.getType()).toBe(0);
  return msp.FabricMSPConfig.deserializeBinary(wrapped.getConfig_asU8());
}

const cscc = () => conn.gateway.getNetwork(devnet.bundle.channel).getContract('cscc');

it("answers GetChannelConfig with every organisation's MSP definition", async () => {
  const config = common.Config.deserializeBinary(await cscc().evaluateTransaction('GetChannelConfig', devnet.bundle.channel));
  for (const org of devnet.bundle.orgs) {
    const fabric = mspOf(config, org.mspId);
    expect(fabric.getName()).toBe(org.mspId);
    expect(fabric.getRootCertsList().map((c) => utf8(c as Uint8Array))).toEqual([org.caCertificatePem]);
    expect(fabric.getRevocationListList()).toEqual([]);
    expect(fabric.getFabricNodeOus()?.getEnable()).toBe(true);
    expect(fabric.getFabricNodeOus()?.getClientOuIdentifier()?.getOrganizationalUnitIdentifier()).toBe('client');
  }
});

it('publishes the CRLs placed in network/crls/<MSP ID>/ (a configuration update)', async () => {
  const dir = path.join(dataDir, 'network', 'crls', 'HospitalAMSP');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'a.pem'), '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n');
  const config = common.Config.deserializeBinary(await cscc().evaluateTransaction('GetChannelConfig', devnet.bundle.channel));
  expect(mspOf(config, 'HospitalAMSP').getRevocationListList().map((c) => utf8(c as Uint8Array))).toEqual(['-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n']);
  expect(mspOf(config, 'HospitalBMSP').getRevocationListList()).toEqual([]);
});

it('refuses another function or channel as cscc does', async () => {
  await expect(cscc().evaluateTransaction('GetConfigBlock', devnet.bundle.channel)).rejects.toThrow(/Requested function GetConfigBlock not found/);
  await expect(cscc().evaluateTransaction('GetChannelConfig', 'elsewhere')).rejects.toThrow(/Unknown chain ID, elsewhere/);
});
