/**
 * Forged and misused identities at the ledger (issue 15 items 1 and 8): the devnet accepted a
 * client certificate without OU=client, and a peer's enrolment certificate (OU=peer) as a
 * client. A Fabric 2.5 peer with NodeOUs refuses both, and answers a foreign CA, an expired
 * certificate and a wrong MSP ID with "creator org unknown, creator is malformed". Each attack
 * is refused for reads and writes with Fabric's words, nothing is committed, and the devnet
 * keeps serving the real staff identities afterwards.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EndorseError, GatewayError, signers } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, issueIdentity } from '../../ledger/devnet/src/ca';
import { type RunningDevnet, startDevnet } from '../../ledger/devnet/src/index';
import type { NetworkMaterial } from '../../ledger/devnet/src/network';
import { assetChaincode } from '../integration/devnet/fixture';
import { type Connection, connectAs, tempDataDir, utf8 } from '../integration/devnet/helpers';

const MALFORMED =
  'error validating proposal: access denied: channel [careledger] creator org unknown, creator is malformed';
const NOT_A_WRITER =
  "error validating proposal: failed evaluating policy on signed data during check policy [/Channel/Application/Writers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied]";

const dataDir = tempDataDir('ledger-identity');
let devnet: RunningDevnet;
let material: NetworkMaterial;
const opened: Connection[] = [];

beforeAll(async () => {
  devnet = await startDevnet({ dataDir, port: 0, blockTimeoutMs: 20, chaincodes: [assetChaincode()] });
  material = JSON.parse(readFileSync(path.join(dataDir, 'network', 'material.json'), 'utf8')) as NetworkMaterial;
});

afterAll(async () => {
  for (const c of opened) c.close();
  await devnet?.stop();
});

function orgCa(mspId: string): NetworkMaterial['orgs'][number]['ca'] {
  const ca = material.orgs.find((o) => o.mspId === mspId)?.ca;
  if (!ca) throw new Error(`no CA for ${mspId}`);
  return ca;
}

function as(mspId: string, certificatePem: string, privateKeyPem: string): Connection {
  const c = connectAs(devnet.bundle, 'hospital-a-admissions', {
    identity: { mspId, credentials: Buffer.from(certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(privateKeyPem)),
  });
  opened.push(c);
  return c;
}

/** Evaluate and submit as this identity; both must be refused with `detail`. */
async function expectRefused(c: Connection, detail: string, assetId: string): Promise<void> {
  const contract = c.gateway.getNetwork(devnet.bundle.channel).getContract('asset');
  const read = await contract.evaluateTransaction('ReadAsset', 'asset-of-staff').catch((e: unknown) => e);
  expect(read).toBeInstanceOf(GatewayError);
  expect((read as GatewayError).details.map((d) => d.message)).toEqual([detail]);
  const write = await contract.submitTransaction('CreateAsset', assetId, 'attacker', '1').catch((e: unknown) => e);
  expect(write).toBeInstanceOf(EndorseError);
  expect((write as EndorseError).details.map((d) => d.message)).toEqual([detail]);
}

/** The devnet still serves real staff, and the attacker's asset was never written. */
async function expectStillServing(assetId: string): Promise<void> {
  const staff = connectAs(devnet.bundle, 'hospital-a-admissions');
  opened.push(staff);
  const contract = staff.gateway.getNetwork(devnet.bundle.channel).getContract('asset');
  expect(JSON.parse(utf8(await contract.evaluateTransaction('ReadAsset', 'asset-of-staff')))).toMatchObject({
    owner: 'staff',
  });
  await expect(contract.evaluateTransaction('ReadAsset', assetId)).rejects.toThrow(/does not exist/);
}

describe('identities a Fabric peer with NodeOUs refuses', () => {
  beforeAll(async () => {
    const staff = connectAs(devnet.bundle, 'hospital-a-admissions');
    opened.push(staff);
    await staff.gateway
      .getNetwork(devnet.bundle.channel)
      .getContract('asset')
      .submitTransaction('CreateAsset', 'asset-of-staff', 'staff', '1');
  });

  it("refuses the organisation's own peer certificate (OU=peer) used as a client", async () => {
    const peer = material.orgs.find((o) => o.mspId === 'HospitalAMSP')?.peer;
    if (!peer) throw new Error('no peer identity');
    await expectRefused(as('HospitalAMSP', peer.certificatePem, peer.privateKeyPem), NOT_A_WRITER, 'by-peer');
    await expectStillServing('by-peer');
  });

  it('refuses a certificate of the right CA with role=admissions but no node OU', async () => {
    const noOu = await issueIdentity(orgCa('HospitalAMSP'), { enrollmentId: 'no-ou', role: 'admissions', ou: null });
    await expectRefused(as('HospitalAMSP', noOu.certificatePem, noOu.privateKeyPem), MALFORMED, 'by-no-ou');
    await expectStillServing('by-no-ou');
  });

  it('refuses a self-made CA claiming the hospital, a wrong MSP ID and an expired certificate alike', async () => {
    const rogue = await issueIdentity(await createDevCa({ mspId: 'HospitalAMSP' }), {
      enrollmentId: 'rogue',
      role: 'admissions',
    });
    await expectRefused(as('HospitalAMSP', rogue.certificatePem, rogue.privateKeyPem), MALFORMED, 'by-rogue');
    const real = await issueIdentity(orgCa('HospitalAMSP'), { enrollmentId: 'hopper', role: 'admissions' });
    await expectRefused(as('HospitalBMSP', real.certificatePem, real.privateKeyPem), MALFORMED, 'by-wrong-msp');
    const expired = await issueIdentity(orgCa('HospitalAMSP'), {
      enrollmentId: 'gone',
      role: 'admissions',
      notBefore: new Date(Date.now() - 2 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    await expectRefused(as('HospitalAMSP', expired.certificatePem, expired.privateKeyPem), MALFORMED, 'by-expired');
    await expectStillServing('by-rogue');
  });

  it('issues every staff identity of the bundle as a client (OU=client), so each one is accepted', () => {
    expect(devnet.bundle.identities.length).toBeGreaterThan(0);
    for (const who of devnet.bundle.identities) {
      const ous = new X509Certificate(who.certificatePem).subject.split('\n').filter((l) => l.startsWith('OU='));
      expect({ who: who.name, ous }).toEqual({ who: who.name, ous: ['OU=client'] });
    }
  });

  it('still accepts an admin certificate of the organisation (a Writer)', async () => {
    const admin = await issueIdentity(orgCa('HospitalAMSP'), { enrollmentId: 'admin', ou: 'admin' });
    const contract = as('HospitalAMSP', admin.certificatePem, admin.privateKeyPem)
      .gateway.getNetwork(devnet.bundle.channel)
      .getContract('asset');
    await contract.submitTransaction('CreateAsset', 'by-admin', 'admin', '1');
    expect(JSON.parse(utf8(await contract.evaluateTransaction('ReadAsset', 'by-admin')))).toMatchObject({
      owner: 'admin',
    });
  });
});
