/**
 * The careledger chaincode runs, in the devnet config and in the chaincode's integration suites,
 * under the deployment guide's policy `OutOf(2, …)` (issue 15 item 8): every write is endorsed
 * by two organisations' peers whose results must be byte-identical, so a non-deterministic
 * contract fails here as it would on Fabric, and one organisation alone does not commit.
 */
import { rmSync } from 'node:fs';
import { common, peer } from '@hyperledger/fabric-protos';
import { CommitError, StatusCode } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../ledger/devnet/src/policy';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { type Connection, connectAs, productionPolicy, writeDevnetConfig } from './support';

let devnet: RunningDevnet;
let workDir: string;
let gov: Connection;

beforeAll(async () => {
  const { dir, dataDir, configPath } = writeDevnetConfig();
  workDir = dir;
  devnet = await startDevnet({ dataDir, configPath, port: 0, reset: true, logLevel: 'warn' });
  gov = connectAs(devnet.bundle, 'gov-admin');
}, 180_000);

afterAll(async () => {
  gov?.close();
  await devnet?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The MSP IDs that endorsed transaction `txId` in block `number`. */
async function endorsersOf(number: bigint, txId: string): Promise<string[]> {
  const blocks = await gov.gateway.getNetwork(devnet.bundle.channel).getBlockEvents({ startBlock: number });
  try {
    for await (const block of blocks) {
      for (const data of block.getData()?.getDataList_asU8() ?? []) {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(data).getPayload_asU8());
        const header = common.ChannelHeader.deserializeBinary(
          payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0),
        );
        if (header.getTxId() !== txId) continue;
        const action = peer.ChaincodeActionPayload.deserializeBinary(
          peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0]?.getPayload_asU8() ??
            new Uint8Array(0),
        );
        return (action.getAction()?.getEndorsementsList() ?? []).map(
          (e) =>
            Buffer.from(e.getEndorser_asU8())
              .toString('latin1')
              .match(/[A-Za-z]+MSP/)?.[0] ?? '?',
        );
      }
      break;
    }
  } finally {
    blocks.close();
  }
  throw new Error(`transaction ${txId} is not in block ${number}`);
}

describe('the production endorsement policy', () => {
  it('is the deployment guide’s OutOf(2, …) over the five organisations’ peers', () => {
    const policy = productionPolicy();
    expect(policy).toMatch(/^OutOf\(2, /);
    const orgs = ['GovernanceMSP', 'HospitalAMSP', 'HospitalBMSP', 'InsurerMSP', 'MedicalBoardMSP'];
    expect(() => parsePolicy(policy, orgs)).not.toThrow();
    for (const org of orgs) expect(policy).toContain(`'${org}.peer'`);
  });

  it('endorses every write on two organisations, and one organisation alone does not commit', async () => {
    const contract = gov.gateway.getNetwork(devnet.bundle.channel).getContract('careledger');
    const commit = await contract.submitAsync('Governance:initialise', {
      arguments: [JSON.stringify({ did: 'did:web:governance.example', name: 'Governance' })],
    });
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);
    const endorsers = await endorsersOf(status.blockNumber, commit.getTransactionId());
    expect(new Set(endorsers).size).toBe(2);
    expect(endorsers).toContain('GovernanceMSP'); // the caller's organisation endorses first

    const alone = await contract
      .submit('Governance:registerOrganisation', {
        arguments: [JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: 'did:web:a.example', name: 'A' })],
        endorsingOrganizations: ['GovernanceMSP'],
      })
      .catch((e: unknown) => e);
    expect(alone).toBeInstanceOf(CommitError);
    expect((alone as CommitError).code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
  });
});
