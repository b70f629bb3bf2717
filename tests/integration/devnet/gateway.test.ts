/**
 * The real @hyperledger/fabric-gateway client against a devnet running the asset test
 * chaincode through the real shim runtime: the client behaviours of fabric-gateway's own
 * scenarios (submit/evaluate, errors, offline signing, chaincode and block events, private
 * data, endorsement across orgs) and the peer's refusals.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { common, ledger as ledgerProtos, peer } from '@hyperledger/fabric-protos';
import {
  type Contract,
  type Network,
  EndorseError,
  GatewayError,
  CommitError,
  StatusCode,
  checkpointers,
  signers,
} from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, issueIdentity } from '../../../ledger/devnet/src/ca';
import { type RunningDevnet, startDevnet } from '../../../ledger/devnet/src/index';
import type { NetworkMaterial } from '../../../ledger/devnet/src/network';
import { assetChaincode } from './fixture';
import { type Connection, connectAs, identityOf, tempDataDir, utf8 } from './helpers';

const AND_POLICY = "AND('HospitalAMSP.member','InsurerMSP.member')";

let devnet: RunningDevnet;
let dataDir: string;
let hospitalA: Connection;
let network: Network;
let contract: Contract;
const opened: Connection[] = [];

function open(name: string, override?: Parameters<typeof connectAs>[2]): Connection {
  const c = connectAs(devnet.bundle, name, override);
  opened.push(c);
  return c;
}

async function nextOf<T>(iterable: AsyncIterable<T>): Promise<T> {
  for await (const item of iterable) return item;
  throw new Error('the stream ended');
}

beforeAll(async () => {
  dataDir = tempDataDir('gateway');
  devnet = await startDevnet({
    dataDir,
    port: 0,
    blockTimeoutMs: 20,
    blockMaxTx: 10,
    chaincodes: [assetChaincode('asset'), assetChaincode('asset-and', AND_POLICY)],
  });
  hospitalA = open('hospital-a-clinician');
  network = hospitalA.gateway.getNetwork(devnet.bundle.channel);
  contract = network.getContract('asset');
});

afterAll(async () => {
  for (const c of opened) c.close();
  await devnet?.stop();
});

describe('submit and evaluate', () => {
  it('commits a transaction and reads it back, with the caller identity the chaincode sees', async () => {
    const created = await contract.submitTransaction('CreateAsset', 'asset-1', 'ward7', '10');
    expect(JSON.parse(utf8(created))).toEqual({ id: 'asset-1', owner: 'ward7', value: 10 });
    expect(JSON.parse(utf8(await contract.evaluateTransaction('ReadAsset', 'asset-1')))).toEqual({
      id: 'asset-1',
      owner: 'ward7',
      value: 10,
    });
    const caller = JSON.parse(utf8(await contract.evaluateTransaction('GetCallerInfo'))) as {
      mspId: string;
      role: string;
      channelId: string;
    };
    expect(caller).toMatchObject({ mspId: 'HospitalAMSP', role: 'clinician', channelId: 'careledger' });
  });

  it('returns the commit status with block number and the result of an async submit', async () => {
    const submitted = await contract.submitAsync('CreateAsset', { arguments: ['asset-2', 'ward8', '5'] });
    expect(JSON.parse(utf8(submitted.getResult()))).toMatchObject({ id: 'asset-2' });
    const status = await submitted.getStatus();
    expect(status.successful).toBe(true);
    expect(status.code).toBe(StatusCode.VALID);
    expect(status.transactionId).toBe(submitted.getTransactionId());
    expect(status.blockNumber).toBeGreaterThan(0n);
  });

  it('keeps key history newest first', async () => {
    await contract.submitTransaction('CreateAsset', 'hist-1', 'a', '1');
    await contract.submitTransaction('UpdateAsset', 'hist-1', 'b', '2');
    const history = JSON.parse(utf8(await contract.evaluateTransaction('GetAssetHistory', 'hist-1'))) as Array<{
      value: string;
    }>;
    expect(history.map((h) => JSON.parse(h.value) as { owner: string }).map((v) => v.owner)).toEqual(['b', 'a']);
  });

  it('range queries return keys in UTF-8 byte order', async () => {
    await contract.submitTransaction('CreateAsset', 'range-b', 'x', '1');
    await contract.submitTransaction('CreateAsset', 'range-a', 'x', '1');
    const rows = JSON.parse(utf8(await contract.evaluateTransaction('GetAssetsByRange', 'range-', 'range.'))) as Array<{
      key: string;
    }>;
    expect(rows.map((r) => r.key)).toEqual(['range-a', 'range-b']);
  });
});

describe('errors reach the client as Fabric sends them', () => {
  it('a chaincode error on submit is an EndorseError with per-peer details', async () => {
    const err = await contract
      .submitTransaction('FailWithBusinessError', 'claim amount is negative')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndorseError);
    const endorse = err as EndorseError;
    expect(endorse.code).toBe(10); // ABORTED
    expect(endorse.details[0]).toMatchObject({ mspId: 'HospitalAMSP' });
    expect(endorse.details[0]?.message).toContain('claim amount is negative');
    expect(endorse.transactionId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a chaincode error on evaluate is a GatewayError with details', async () => {
    const err = await contract.evaluateTransaction('ReadAsset', 'no-such-asset').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).details[0]?.message).toContain('The asset no-such-asset does not exist');
  });

  it('a chaincode that crashes fails the evaluation with ABORTED, and is relaunched for the next one', async () => {
    const err = await contract.evaluateTransaction('CrashChaincode').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(10); // ABORTED
    expect((err as GatewayError).message).toContain(
      'failed to evaluate transaction, see attached details for more info',
    );
    expect((err as GatewayError).details[0]).toMatchObject({ mspId: 'HospitalAMSP' });
    expect(JSON.parse(utf8(await contract.evaluateTransaction('ReadAsset', 'asset-1')))).toMatchObject({
      id: 'asset-1',
    });
  });

  it('an unknown chaincode is refused with the words of Fabric 2.5 (evaluate and submit)', async () => {
    const err = await network
      .getContract('nope')
      .evaluateTransaction('X')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(9); // FAILED_PRECONDITION, as Fabric's gateway
    expect((err as GatewayError).message).toContain(
      'no peers available to evaluate chaincode nope in channel careledger',
    );
    const endorseErr = await network
      .getContract('nope')
      .submitTransaction('X')
      .catch((e: unknown) => e);
    expect((endorseErr as GatewayError).code).toBe(9);
    expect((endorseErr as GatewayError).message).toContain(
      'No metadata was found for chaincode nope in channel careledger',
    );
  });

  it('an unknown channel is 14 UNAVAILABLE, as on Fabric 2.5', async () => {
    const other = hospitalA.gateway.getNetwork('no-such-channel').getContract('asset');
    const evaluate = await other.evaluateTransaction('ReadAsset', 'asset-1').catch((e: unknown) => e);
    expect(evaluate).toBeInstanceOf(GatewayError);
    expect((evaluate as GatewayError).code).toBe(14);
    const submit = await other.submitTransaction('CreateAsset', 'x', 'y', '1').catch((e: unknown) => e);
    expect((submit as GatewayError).code).toBe(14);
  });

  it('when every organisation named in endorsingOrganizations refuses: "failed to collect enough transaction endorsements"', async () => {
    const err = await contract
      .submit('FailWithBusinessError', { arguments: ['no'], endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndorseError);
    expect((err as EndorseError).code).toBe(10);
    expect((err as EndorseError).message).toContain(
      'failed to collect enough transaction endorsements, see attached details for more info',
    );
    expect((err as EndorseError).details.map((d) => d.mspId).sort()).toEqual(['HospitalAMSP', 'InsurerMSP']);
    // Without endorsingOrganizations the gateway's first endorser refused: Fabric's other sentence.
    const first = await contract.submitTransaction('FailWithBusinessError', 'no').catch((e: unknown) => e);
    expect((first as EndorseError).message).toContain(
      'failed to endorse transaction, see attached details for more info',
    );
  });

  it('an endorser refuses a proposal whose transaction id is already committed', async () => {
    const proposal = contract.newProposal('CreateAsset', { arguments: ['dup-endorse', 'x', '1'] });
    const bytes = proposal.getBytes();
    const signature = await hospitalA.signer(proposal.getDigest());
    await (await hospitalA.gateway.newSignedProposal(bytes, signature).endorse()).submit().then((c) => c.getStatus());
    const again = hospitalA.gateway.newSignedProposal(bytes, signature);
    const err = await again.endorse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndorseError);
    expect((err as EndorseError).details[0]?.message).toContain('duplicate transaction found');
  });
});

describe('offline signing', () => {
  it('signs proposal, transaction and commit-status request bytes outside the gateway', async () => {
    const who = identityOf(devnet.bundle, 'hospital-a-claims');
    const unsigned = open('hospital-a-claims', {
      signer: () => Promise.reject(new Error('the gateway must not sign in offline mode')),
    });
    const offlineContract = unsigned.gateway.getNetwork(devnet.bundle.channel).getContract('asset');

    const unsignedProposal = offlineContract.newProposal('CreateAsset', { arguments: ['offline-1', 'desk', '3'] });
    const signedProposal = unsigned.gateway.newSignedProposal(
      unsignedProposal.getBytes(),
      await who.signer(unsignedProposal.getDigest()),
    );
    const unsignedTx = await signedProposal.endorse();
    const signedTx = unsigned.gateway.newSignedTransaction(
      unsignedTx.getBytes(),
      await who.signer(unsignedTx.getDigest()),
    );
    const unsignedCommit = await signedTx.submit();
    const signedCommit = unsigned.gateway.newSignedCommit(
      unsignedCommit.getBytes(),
      await who.signer(unsignedCommit.getDigest()),
    );
    const status = await signedCommit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);
    expect(JSON.parse(utf8(signedTx.getResult()))).toMatchObject({ id: 'offline-1', owner: 'desk' });
  });
});

describe('chaincode events', () => {
  it('delivers events of new commits, replays from a block number, and resumes after a checkpointed transaction', async () => {
    // Listen from the next block, known from a commit: "next commit" would race the stream's set-up.
    const events = await network.getChaincodeEvents('asset', { startBlock: (await lastBlockNumber()) + 1n });
    try {
      const commit = await contract.submitAsync('EmitEvent', { arguments: ['ClaimSubmitted', 'claim-7'] });
      const event = await nextOf(events);
      expect(event).toMatchObject({
        chaincodeName: 'asset',
        eventName: 'ClaimSubmitted',
        transactionId: commit.getTransactionId(),
      });
      expect(utf8(event.payload)).toBe('claim-7');
      const status = await commit.getStatus();
      expect(event.blockNumber).toBe(status.blockNumber);
    } finally {
      events.close();
    }

    // Two events in one block, then replay from that block and resume after the first via a checkpointer.
    const first = await contract.submitAsync('EmitEvent', { arguments: ['Replay', 'one'] });
    const second = await contract.submitAsync('EmitEvent', { arguments: ['Replay', 'two'] });
    const firstStatus = await first.getStatus();
    await second.getStatus();
    const replay = await network.getChaincodeEvents('asset', { startBlock: firstStatus.blockNumber });
    const replayed: string[] = [];
    try {
      for await (const e of replay) {
        replayed.push(utf8(e.payload));
        if (replayed.length === 2) break;
      }
    } finally {
      replay.close();
    }
    expect(replayed).toEqual(['one', 'two']);

    const checkpointer = checkpointers.inMemory();
    await checkpointer.checkpointTransaction(firstStatus.blockNumber, first.getTransactionId());
    const resumed = await network.getChaincodeEvents('asset', { checkpoint: checkpointer });
    try {
      const next = await nextOf(resumed);
      expect(next.transactionId).toBe(second.getTransactionId());
      expect(utf8(next.payload)).toBe('two');
    } finally {
      resumed.close();
    }
  });
});

describe('block events', () => {
  it('delivers full blocks from the genesis block with a valid hash chain and transaction filter', async () => {
    const blocks = await network.getBlockEvents({ startBlock: 0n });
    const seen: common.Block[] = [];
    try {
      for await (const block of blocks) {
        seen.push(block);
        if (seen.length === 3) break;
      }
    } finally {
      blocks.close();
    }
    expect(seen.map((b) => b.getHeader()?.getNumber())).toEqual([0, 1, 2]);
    // Block 0 is the channel's CONFIG block naming the orgs.
    const genesis = common.Payload.deserializeBinary(
      common.Envelope.deserializeBinary(
        seen[0]?.getData()?.getDataList_asU8()[0] ?? new Uint8Array(0),
      ).getPayload_asU8(),
    );
    expect(
      common.ChannelHeader.deserializeBinary(
        genesis.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0),
      ).getType(),
    ).toBe(common.HeaderType.CONFIG);
    type Groups = {
      get(key: string): common.ConfigGroup | undefined;
      forEach(cb: (value: common.ConfigGroup, key: string) => void): void;
    };
    const channelGroup = common.ConfigEnvelope.deserializeBinary(genesis.getData_asU8()).getConfig()?.getChannelGroup();
    const application = (channelGroup?.getGroupsMap() as unknown as Groups | undefined)?.get('Application');
    const orgNames: string[] = [];
    (application?.getGroupsMap() as unknown as Groups | undefined)?.forEach((_, key) => orgNames.push(key));
    expect(orgNames.sort()).toEqual(devnet.bundle.orgs.map((o) => o.mspId).sort());
    expect(Buffer.from(seen[1]?.getHeader()?.getPreviousHash_asU8() ?? []).length).toBe(32);
    const filter = seen[1]?.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
    expect(filter && [...filter]).toContain(peer.TxValidationCode.VALID);
  });

  it('delivers filtered blocks with transaction ids and validation codes', async () => {
    const filtered = await network.getFilteredBlockEvents({ startBlock: (await lastBlockNumber()) + 1n });
    try {
      const commit = await contract.submitAsync('CreateAsset', { arguments: ['filtered-1', 'x', '1'] });
      const block = await nextOf(filtered);
      const tx = block.getFilteredTransactionsList().find((t) => t.getTxid() === commit.getTransactionId());
      expect(tx?.getTxValidationCode()).toBe(peer.TxValidationCode.VALID);
      expect(tx?.getTransactionActions()?.getChaincodeActionsList()[0]?.getChaincodeEvent()?.getEventName()).toBe(
        'AssetCreated',
      );
    } finally {
      filtered.close();
    }
  });
});

describe('private data', () => {
  it('passes the value in the transient map; the block and public state hold only its hash', async () => {
    const secret = 'claim detail for test only 4711';
    const commit = await contract.submitAsync('PutPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'pd-1'],
      transientData: { value: secret },
    });
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);
    expect(utf8(await contract.evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'pd-1'))).toBe(
      secret,
    );
    const insurer = open('insurer-claims').gateway.getNetwork(devnet.bundle.channel).getContract('asset');
    expect(utf8(await insurer.evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'pd-1'))).toBe(
      secret,
    );
    const expectedHash = (await import('node:crypto')).createHash('sha256').update(secret).digest('hex');
    expect(utf8(await contract.evaluateTransaction('ReadPrivateAssetHash', 'HospitalAInsurerCollection', 'pd-1'))).toBe(
      expectedHash,
    );

    // Nothing of the cleartext in the block file; the block's rwset carries the value hash.
    const blockFile = readFileSync(path.join(dataDir, 'ledger', 'blockfile_000000'));
    expect(blockFile.includes(Buffer.from(secret))).toBe(false);
    const blocks = await network.getBlockEvents({ startBlock: status.blockNumber });
    let block: common.Block;
    try {
      block = await nextOf(blocks);
    } finally {
      blocks.close();
    }
    const hashes = rwsetValueHashes(block, commit.getTransactionId());
    expect(hashes).toContain(expectedHash);
  });

  it('delivers block and private data: the cleartext only to members of the collection', async () => {
    const commit = await contract.submitAsync('PutPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'pd-deliver'],
      transientData: { value: 'delivered to members' },
    });
    const status = await commit.getStatus();
    const privateValues = async (name: string): Promise<string[]> => {
      const events = await open(name)
        .gateway.getNetwork(devnet.bundle.channel)
        .getBlockAndPrivateDataEvents({ startBlock: status.blockNumber });
      try {
        const item = await nextOf(events);
        const txs: ledgerProtos.rwset.TxPvtReadWriteSet[] = [];
        (
          item.getPrivateDataMapMap() as unknown as {
            forEach(cb: (tx: ledgerProtos.rwset.TxPvtReadWriteSet) => void): void;
          }
        ).forEach((tx) => txs.push(tx));
        return txs.flatMap((tx) =>
          tx.getNsPvtRwsetList().flatMap((ns) =>
            ns.getCollectionPvtRwsetList().flatMap((c) =>
              ledgerProtos.rwset.kvrwset.KVRWSet.deserializeBinary(c.getRwset_asU8())
                .getWritesList()
                .map((w) => utf8(w.getValue_asU8())),
            ),
          ),
        );
      } finally {
        events.close();
      }
    };
    expect(await privateValues('insurer-claims')).toEqual(['delivered to members']);
    expect(await privateValues('hospital-b-claims')).toEqual([]);
  });

  it('a non-member organisation cannot read the cleartext', async () => {
    const hospitalB = open('hospital-b-clinician').gateway.getNetwork(devnet.bundle.channel).getContract('asset');
    await contract.submit('PutPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'pd-2'],
      transientData: { value: 'member only' },
    });
    const err = await hospitalB
      .evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'pd-2')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
  });

  it('purges private data after blockToLive blocks, and on explicit purge', async () => {
    await contract.submit('PutPrivateAsset', {
      arguments: ['ShortLivedCollection', 'btl-1'],
      transientData: { value: 'short lived' },
    });
    expect(utf8(await contract.evaluateTransaction('ReadPrivateAsset', 'ShortLivedCollection', 'btl-1'))).toBe(
      'short lived',
    );
    for (let i = 0; i < 3; i++) await contract.submitTransaction('EmitEvent', 'Tick', String(i)); // three more blocks
    await expect(contract.evaluateTransaction('ReadPrivateAsset', 'ShortLivedCollection', 'btl-1')).rejects.toThrow(
      /does not exist/,
    );

    await contract.submit('PutPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'purge-1'],
      transientData: { value: 'to purge' },
    });
    await contract.submitTransaction('PurgePrivateAsset', 'HospitalAInsurerCollection', 'purge-1');
    await contract.submit('PutPrivateAsset', {
      arguments: ['HospitalAInsurerCollection', 'delete-1'],
      transientData: { value: 'to delete' },
    });
    await contract.submitTransaction('DeletePrivateAsset', 'HospitalAInsurerCollection', 'delete-1');
    await expect(
      contract.evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'delete-1'),
    ).rejects.toThrow(/does not exist/);
    await expect(
      contract.evaluateTransaction('ReadPrivateAsset', 'HospitalAInsurerCollection', 'purge-1'),
    ).rejects.toThrow(/does not exist/);
  });
});

describe('endorsement policies', () => {
  it('a chaincode needing two orgs is endorsed by both and commits', async () => {
    const andContract = network.getContract('asset-and');
    const commit = await andContract.submitAsync('CreateAsset', { arguments: ['and-1', 'x', '1'] });
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);
    const endorsers = await endorserMspIds(status.blockNumber, commit.getTransactionId());
    expect(endorsers.sort()).toEqual(['HospitalAMSP', 'InsurerMSP']);
  });

  it('the same transaction endorsed by one org only fails validation with ENDORSEMENT_POLICY_FAILURE', async () => {
    const andContract = network.getContract('asset-and');
    const err = await andContract
      .submit('CreateAsset', { arguments: ['and-2', 'x', '1'], endorsingOrganizations: ['HospitalAMSP'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitError);
    expect((err as CommitError).code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
  });

  it('state-based endorsement: a key with its own policy needs that org to endorse changes', async () => {
    await contract.submitTransaction('CreateAsset', 'sbe-1', 'x', '1');
    await contract.submitTransaction('SetAssetEndorsementPolicy', 'sbe-1', JSON.stringify(['HospitalBMSP']));
    const refused = await contract
      .submit('UpdateAsset', { arguments: ['sbe-1', 'y', '2'], endorsingOrganizations: ['HospitalAMSP'] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CommitError);
    expect((refused as CommitError).code).toBe(StatusCode.ENDORSEMENT_POLICY_FAILURE);
    // Without a requested org list the gateway works out that HospitalB must endorse.
    const commit = await contract.submitAsync('UpdateAsset', { arguments: ['sbe-1', 'y', '2'] });
    const status = await commit.getStatus();
    expect(status.code).toBe(StatusCode.VALID);
    expect(await endorserMspIds(status.blockNumber, commit.getTransactionId())).toContain('HospitalBMSP');
  });
});

describe('refusals', () => {
  it('a proposal with a bad signature is refused as Fabric reports it', async () => {
    const wrongKey = identityOf(devnet.bundle, 'hospital-b-clinician').signer;
    const c = open('hospital-a-clinician', { signer: wrongKey })
      .gateway.getNetwork(devnet.bundle.channel)
      .getContract('asset');
    const err = await c.evaluateTransaction('ReadAsset', 'asset-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(9); // FAILED_PRECONDITION
    expect((err as GatewayError).message).toContain(
      'evaluate call to endorser returned error: error validating proposal: access denied',
    );
    expect((err as GatewayError).details[0]).toMatchObject({ mspId: 'HospitalAMSP' });
    expect((err as GatewayError).details[0]?.message).toBe(
      'error validating proposal: access denied: channel [careledger] creator org [HospitalAMSP]',
    );
    const endorseErr = await c.submitTransaction('CreateAsset', 'bad-sig', 'x', '1').catch((e: unknown) => e);
    expect(endorseErr).toBeInstanceOf(EndorseError);
    expect((endorseErr as EndorseError).code).toBe(10); // ABORTED
    expect((endorseErr as EndorseError).details[0]?.message).toBe(
      'error validating proposal: access denied: channel [careledger] creator org [HospitalAMSP]',
    );
  });

  it('an identity of an organisation that is not in the channel is refused (creator org unknown, as on Fabric)', async () => {
    const who = identityOf(devnet.bundle, 'hospital-a-clinician');
    const c = open('hospital-a-clinician', {
      identity: { mspId: 'UnknownClinicMSP', credentials: Buffer.from(who.certificatePem) },
    });
    const err = await c.gateway
      .getNetwork(devnet.bundle.channel)
      .getContract('asset')
      .evaluateTransaction('ReadAsset', 'asset-1')
      .catch((e: unknown) => e);
    expect((err as GatewayError).details[0]?.message).toBe(
      'error validating proposal: access denied: channel [careledger] creator org unknown, creator is malformed',
    );
  });

  it('a certificate from a CA the channel does not trust is refused (creator org unknown, as on Fabric)', async () => {
    const rogueCa = await createDevCa({ mspId: 'HospitalAMSP' });
    const rogue = await issueIdentity(rogueCa, { enrollmentId: 'impostor', role: 'clinician' });
    const c = open('hospital-a-clinician', {
      identity: { mspId: 'HospitalAMSP', credentials: Buffer.from(rogue.certificatePem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(rogue.privateKeyPem)),
    });
    const err = await c.gateway
      .getNetwork(devnet.bundle.channel)
      .getContract('asset')
      .evaluateTransaction('ReadAsset', 'asset-1')
      .catch((e: unknown) => e);
    expect((err as GatewayError).details[0]?.message).toBe(
      'error validating proposal: access denied: channel [careledger] creator org unknown, creator is malformed',
    );
  });

  it('an expired certificate is refused (creator org unknown, as on Fabric)', async () => {
    const material = JSON.parse(
      readFileSync(path.join(dataDir, 'network', 'material.json'), 'utf8'),
    ) as NetworkMaterial;
    const ca = material.orgs.find((o) => o.mspId === 'HospitalAMSP')?.ca;
    if (!ca) throw new Error('no HospitalAMSP CA');
    const expired = await issueIdentity(ca, {
      enrollmentId: 'expired',
      role: 'clinician',
      notBefore: new Date(Date.now() - 2 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const c = open('hospital-a-clinician', {
      identity: { mspId: 'HospitalAMSP', credentials: Buffer.from(expired.certificatePem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(expired.privateKeyPem)),
    });
    const err = await c.gateway
      .getNetwork(devnet.bundle.channel)
      .getContract('asset')
      .evaluateTransaction('ReadAsset', 'asset-1')
      .catch((e: unknown) => e);
    expect((err as GatewayError).details[0]?.message).toBe(
      'error validating proposal: access denied: channel [careledger] creator org unknown, creator is malformed',
    );
  });

  it('a transaction envelope signed with the wrong key is refused by ordering', async () => {
    const proposal = contract.newProposal('CreateAsset', { arguments: ['bad-envelope', 'x', '1'] });
    const endorsed = await hospitalA.gateway
      .newSignedProposal(proposal.getBytes(), await hospitalA.signer(proposal.getDigest()))
      .endorse();
    const wrong = identityOf(devnet.bundle, 'hospital-b-clinician').signer;
    const forged = hospitalA.gateway.newSignedTransaction(endorsed.getBytes(), await wrong(endorsed.getDigest()));
    const err = await forged.submit().catch((e: unknown) => e);
    // SubmitError (a GatewayError subclass the package does not export).
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).name).toBe('SubmitError');
    expect((err as GatewayError).message).toMatch(/FORBIDDEN/);
  });
});

/** The number of the latest block, learnt by committing a marker transaction. */
async function lastBlockNumber(): Promise<bigint> {
  const commit = await contract.submitAsync('EmitEvent', { arguments: ['Marker', ''] });
  return (await commit.getStatus()).blockNumber;
}

async function blockAt(number: bigint): Promise<common.Block> {
  const blocks = await network.getBlockEvents({ startBlock: number });
  try {
    return await nextOf(blocks);
  } finally {
    blocks.close();
  }
}

function actionOf(block: common.Block, txId: string): peer.ChaincodeActionPayload {
  for (const data of block.getData()?.getDataList_asU8() ?? []) {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(data).getPayload_asU8());
    const header = common.ChannelHeader.deserializeBinary(
      payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0),
    );
    if (header.getTxId() !== txId) continue;
    const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
    return peer.ChaincodeActionPayload.deserializeBinary(
      tx.getActionsList()[0]?.getPayload_asU8() ?? new Uint8Array(0),
    );
  }
  throw new Error(`tx ${txId} not in block ${block.getHeader()?.getNumber()}`);
}

async function endorserMspIds(blockNumber: bigint, txId: string): Promise<string[]> {
  const { msp } = await import('@hyperledger/fabric-protos');
  const action = actionOf(await blockAt(blockNumber), txId);
  return (action.getAction()?.getEndorsementsList() ?? []).map((e) =>
    msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid(),
  );
}

function rwsetValueHashes(block: common.Block, txId: string): string[] {
  const action = actionOf(block, txId);
  const prp = peer.ProposalResponsePayload.deserializeBinary(
    action.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(0),
  );
  const results = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()).getResults_asU8();
  const rw = ledgerProtos.rwset.TxReadWriteSet.deserializeBinary(results);
  return rw.getNsRwsetList().flatMap((ns) =>
    ns.getCollectionHashedRwsetList().flatMap((c) =>
      ledgerProtos.rwset.kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8())
        .getHashedWritesList()
        .map((w) => Buffer.from(w.getValueHash_asU8()).toString('hex')),
    ),
  );
}
