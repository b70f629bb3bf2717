/**
 * Validation in block order: this devnet cuts a block only when two transactions are queued
 * (and the timeout is a minute), so two transactions endorsed against the same state land in
 * one block deterministically.
 */
import { CommitError, type Contract, type Network, StatusCode } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import { assetChaincode } from './fixture';
import { type Connection, connectAs, tempDataDir } from './helpers';

let devnet: RunningDevnet;
let connection: Connection;
let network: Network;
let contract: Contract;

beforeAll(async () => {
  devnet = await startDevnet({
    dataDir: tempDataDir('ordering'),
    port: 0,
    blockMaxTx: 2,
    blockTimeoutMs: 60_000,
    chaincodes: [assetChaincode()],
  });
  connection = connectAs(devnet.bundle, 'insurer-adjudicator');
  network = connection.gateway.getNetwork(devnet.bundle.channel);
  contract = network.getContract('asset');
  await Promise.all([
    contract.submitTransaction('CreateAsset', 'claim-1', 'hospital-a', '100'),
    contract.submitTransaction('CreateAsset', 'claim-2', 'hospital-a', '200'),
  ]);
});

afterAll(async () => {
  connection?.close();
  await devnet?.stop();
});

describe('ordering and validation', () => {
  it('the second of two conflicting updates in one block fails with CommitError MVCC_READ_CONFLICT (11)', async () => {
    const results = await Promise.allSettled([
      contract.submitTransaction('TransferAsset', 'claim-1', 'insurer'),
      contract.submitTransaction('TransferAsset', 'claim-1', 'hospital-b'),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const err = failed[0]?.reason as CommitError;
    expect(err).toBeInstanceOf(CommitError);
    expect(err.code).toBe(StatusCode.MVCC_READ_CONFLICT);
    expect(err.code).toBe(11);
  });

  it('a range read that another transaction in the block changes fails with PHANTOM_READ_CONFLICT', async () => {
    // The peer hands the shim the whole range [claim-1, claim-3) in one batch, so the range info
    // records claim-1 and claim-2; claim-15, ordered first in the same block, is a phantom.
    const write = await contract.submitAsync('CreateAsset', { arguments: ['claim-15', 'x', '1'] });
    const read = await contract.submitAsync('FirstAssetInRange', { arguments: ['claim-1', 'claim-3'] });
    const [writeStatus, readStatus] = await Promise.all([write.getStatus(), read.getStatus()]);
    expect(writeStatus.code).toBe(StatusCode.VALID);
    expect(readStatus.blockNumber).toBe(writeStatus.blockNumber);
    expect(readStatus.code).toBe(StatusCode.PHANTOM_READ_CONFLICT);
  });

  it('the same signed transaction submitted twice commits once; the copy is DUPLICATE_TXID', async () => {
    const proposal = contract.newProposal('UpdateAsset', { arguments: ['claim-2', 'insurer', '250'] });
    const transaction = await proposal.endorse();
    const commit = await transaction.submit();
    await connection.gateway
      .newSignedTransaction(transaction.getBytes(), await connection.signer(transaction.getDigest()))
      .submit();
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);
    const filtered = await network.getFilteredBlockEvents({ startBlock: status.blockNumber });
    try {
      for await (const block of filtered) {
        const codes = block
          .getFilteredTransactionsList()
          .filter((t) => t.getTxid() === transaction.getTransactionId())
          .map((t) => t.getTxValidationCode());
        expect(codes).toEqual([peer.TxValidationCode.VALID, peer.TxValidationCode.DUPLICATE_TXID]);
        break;
      }
    } finally {
      filtered.close();
    }
  });
});
