/**
 * One gateway endpoint per organisation (issue 15 item 8, "which peer endorses first"): on
 * Fabric a gateway evaluates and endorses first on its own peer, so through a peer that is not a
 * member of a collection a private read fails in the peer ("private data matching public hash
 * version is not available"), whoever the caller is. The devnet's per-organisation endpoints do
 * the same; the shared endpoint keeps starting with the caller's organisation; naming the
 * organisations (targetOrganizations / endorsingOrganizations) works through any endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { settingsFromDevnetBundle } from '../../../src-main/ledger/connection-file';
import { assetChaincode } from './fixture';
import { type Connection, connectAs, tempDataDir, utf8 } from './helpers';

const dataDir = tempDataDir('org-endpoints');
let devnet: RunningDevnet;
const opened: Connection[] = [];

const start = (port: number): Promise<RunningDevnet> =>
  startDevnet({ dataDir, port, blockTimeoutMs: 20, chaincodes: [assetChaincode()] });

/** Connects as `name` through the gateway of `viaMspId`'s own peer. */
function through(viaMspId: string, name: string): Connection {
  const endpoint = devnet.bundle.orgs.find((o) => o.mspId === viaMspId)?.endpoint;
  if (!endpoint) throw new Error(`no endpoint for ${viaMspId}`);
  const c = connectAs({ ...devnet.bundle, endpoint }, name);
  opened.push(c);
  return c;
}

const asset = (c: Connection) => c.gateway.getNetwork(devnet.bundle.channel).getContract('asset');

beforeAll(async () => {
  devnet = await start(0);
  const writer = through('HospitalAMSP', 'hospital-a-claims');
  await asset(writer).submit('PutPrivateAsset', {
    arguments: ['HospitalAInsurerCollection', 'pd-1'],
    transientData: { value: 'claim detail' },
    endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
  });
});

afterAll(async () => {
  for (const c of opened) c.close();
  await devnet?.stop();
});

describe('a gateway endpoint per organisation', () => {
  it('lists one endpoint per organisation in the bundle, on the ports after the shared one', () => {
    const port = Number(devnet.endpoint.split(':')[1]);
    expect(devnet.bundle.orgs.map((o) => o.endpoint)).toEqual(
      devnet.bundle.orgs.map((_, i) => `127.0.0.1:${port + 1 + i}`),
    );
  });

  it("evaluates on its own organisation's peer first: a member reading through a non-member's gateway fails as on Fabric", async () => {
    const err = await asset(through('HospitalBMSP', 'insurer-claims'))
      .evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'pd-1')
      .catch((e: unknown) => e as Error & { details?: Array<{ mspId: string; message: string }> });
    expect(err).toBeInstanceOf(Error);
    expect((err as { details: Array<{ mspId: string; message: string }> }).details[0]).toMatchObject({
      mspId: 'HospitalBMSP',
      message: expect.stringMatching(/private data matching public hash version is not available/) as string,
    });
    // Through its own organisation's gateway, or naming a member as the target, it reads.
    expect(
      utf8(
        await asset(through('InsurerMSP', 'insurer-claims')).evaluateTransaction(
          'ReadPrivateAsset',
          'HospitalAInsurerCollection',
          'pd-1',
        ),
      ),
    ).toBe('claim detail');
    const proposal = asset(through('HospitalBMSP', 'insurer-claims')).newProposal('ReadPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'pd-1'],
      endorsingOrganizations: ['InsurerMSP'],
    });
    expect(utf8(await proposal.evaluate())).toBe('claim detail');
  });

  it("endorses first on its own organisation's peer: a write that reads private data, sent through a non-member's gateway without endorsingOrganizations, fails", async () => {
    const viaB = asset(through('HospitalBMSP', 'hospital-a-claims'));
    const err = await viaB
      .submitTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'pd-1')
      .catch((e: unknown) => e as Error & { details?: Array<{ mspId: string; message: string }> });
    expect((err as Error).message).toContain('failed to endorse transaction');
    expect((err as { details: Array<{ mspId: string; message: string }> }).details[0]?.mspId).toBe('HospitalBMSP');
    // Naming the endorsing organisations, as every private-data transaction of the workstation does, works.
    await viaB.submit('ReadPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'pd-1'],
      endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
    });
  });

  it("connects a workstation of an organisation to that organisation's own endpoint", () => {
    for (const org of devnet.bundle.orgs)
      expect(settingsFromDevnetBundle(devnet.bundle, { mspId: org.mspId }).endpoint).toBe(org.endpoint);
  });

  it('brings every organisation’s endpoint back on the same port after a restart on the same port', async () => {
    const before = devnet.bundle.orgs.map((o) => o.endpoint);
    const port = Number(devnet.endpoint.split(':')[1]);
    for (const c of opened.splice(0)) c.close();
    await devnet.stop();
    devnet = await start(port);
    expect(devnet.bundle.orgs.map((o) => o.endpoint)).toEqual(before);
    expect(
      utf8(
        await asset(through('HospitalAMSP', 'hospital-a-claims')).evaluateTransaction(
          'ReadPrivateAsset',
          'HospitalAInsurerCollection',
          'pd-1',
        ),
      ),
    ).toBe('claim detail');
  });
});
