/**
 * The peer core without gRPC or a chaincode process: proposals built and signed by the real
 * fabric-gateway client (offline, never connected), endorsed by GatewayServer with the
 * in-process TEST DOUBLE runtime, and blocks committed directly, so that the validation order
 * inside one block is deterministic.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type Contract, type Signer as ClientSigner, connect, hash, signers } from '@hyperledger/fabric-gateway';
import { common, gateway, peer } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, issueIdentity } from '../../../ledger/devnet/src/ca';
import { GatewayServer, type EndorsingPeer } from '../../../ledger/devnet/src/gateway';
import { Membership, Signer } from '../../../ledger/devnet/src/identity';
import { type ChaincodeDefinition, Ledger } from '../../../ledger/devnet/src/ledger';
import { Orderer } from '../../../ledger/devnet/src/orderer';
import { parsePolicy } from '../../../ledger/devnet/src/policy';
import type { ChaincodeRuntime } from '../../../ledger/devnet/src/simulation';
import { createTestDoubleRuntime } from './test-double-runtime';

const CHANNEL = 'careledger';
const ORGS = ['HospitalAMSP', 'InsurerMSP', 'GovernanceMSP'];
const Codes = peer.TxValidationCode;

let dir: string;
let membership: Membership;
let peers: Map<string, EndorsingPeer>;
let definitions: Map<string, ChaincodeDefinition>;
let ledger: Ledger;
let server: GatewayServer;
let orderer: Orderer;
let clientSigner: ClientSigner;
let grpcClient: grpc.Client;
let contracts: Map<string, Contract>;

function openLedger(): Ledger {
  return new Ledger({ dir, channelId: CHANNEL, membership, chaincodes: definitions });
}

function wire(l: Ledger): void {
  const runtimes = new Map<string, ChaincodeDefinition & { runtime: ChaincodeRuntime }>();
  for (const d of definitions.values()) runtimes.set(d.name, { ...d, runtime: createTestDoubleRuntime(d.name) });
  orderer = new Orderer(l, { maxTx: 1000, timeoutMs: 3_600_000 });
  server = new GatewayServer({
    channelId: CHANNEL,
    membership,
    ledger: l,
    orderer,
    peers,
    chaincodes: runtimes,
    log: () => undefined,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'devnet-core-'));
  const cas = await Promise.all(ORGS.map((mspId) => createDevCa({ mspId })));
  membership = new Membership(cas.map((ca) => ({ mspId: ca.mspId, caCertificatePem: ca.certificatePem })));
  peers = new Map();
  for (const ca of cas) {
    const id = await issueIdentity(ca, { enrollmentId: `peer0-${ca.mspId}`, ou: 'peer' });
    peers.set(ca.mspId, {
      mspId: ca.mspId,
      address: `peer0.${ca.mspId}`,
      signer: new Signer(ca.mspId, id.certificatePem, id.privateKeyPem),
    });
  }
  definitions = new Map([
    [
      'asset',
      {
        name: 'asset',
        version: '1.0',
        policy: parsePolicy('ANY', ORGS),
        collections: [
          {
            name: 'claims',
            memberMspIds: ['HospitalAMSP', 'InsurerMSP'],
            blockToLive: 0,
            memberOnlyRead: true,
            memberOnlyWrite: false,
          },
        ],
      },
    ],
    [
      'asset-and',
      {
        name: 'asset-and',
        version: '1.0',
        policy: parsePolicy("AND('HospitalAMSP.member','InsurerMSP.member')", ORGS),
        collections: [],
      },
    ],
  ]);
  ledger = openLedger();
  wire(ledger);
  const hospitalCa = cas[0];
  if (!hospitalCa) throw new Error('no CA');
  const clerk = await issueIdentity(hospitalCa, { enrollmentId: 'clerk', role: 'claims' });
  clientSigner = signers.newPrivateKeySigner(createPrivateKey(clerk.privateKeyPem));
  // Never connected: the client only builds and signs messages here.
  grpcClient = new grpc.Client('127.0.0.1:9', grpc.credentials.createInsecure());
  const gw = connect({
    client: grpcClient,
    identity: { mspId: 'HospitalAMSP', credentials: Buffer.from(clerk.certificatePem) },
    signer: clientSigner,
    hash: hash.sha256,
  });
  contracts = new Map(['asset', 'asset-and'].map((name) => [name, gw.getNetwork(CHANNEL).getContract(name)]));
});

afterAll(async () => {
  grpcClient?.close();
  await orderer?.close();
  ledger?.close();
});

interface Prepared {
  txId: string;
  envelope: Uint8Array;
}

async function endorse(
  chaincode: string,
  fn: string,
  args: string[],
  options: { transient?: Record<string, string>; orgs?: string[] } = {},
): Promise<Prepared> {
  const contract = contracts.get(chaincode);
  if (!contract) throw new Error(chaincode);
  const proposal = contract.newProposal(fn, {
    arguments: args,
    ...(options.transient ? { transientData: options.transient } : {}),
    ...(options.orgs ? { endorsingOrganizations: options.orgs } : {}),
  });
  const proposed = gateway.ProposedTransaction.deserializeBinary(proposal.getBytes());
  const signed = proposed.getProposal();
  if (!signed) throw new Error('no proposal');
  signed.setSignature(await clientSigner(proposal.getDigest()));
  const request = new gateway.EndorseRequest();
  request.setTransactionId(proposed.getTransactionId());
  request.setChannelId(CHANNEL);
  request.setProposedTransaction(signed);
  request.setEndorsingOrganizationsList(proposed.getEndorsingOrganizationsList());
  const response = await server.endorse(request);
  const envelope = response.getPreparedTransaction();
  if (!envelope) throw new Error('no envelope');
  envelope.setSignature(await clientSigner(createHash('sha256').update(envelope.getPayload_asU8()).digest()));
  return { txId: proposed.getTransactionId(), envelope: envelope.serializeBinary() };
}

function endorsers(envelope: Uint8Array): number {
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelope).getPayload_asU8());
  const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
  return (
    peer.ChaincodeActionPayload.deserializeBinary(action?.getPayload_asU8() ?? new Uint8Array(0))
      .getAction()
      ?.getEndorsementsList().length ?? 0
  );
}

describe('endorsement', () => {
  it('endorses on every org an AND policy names, and on one org for ANY', async () => {
    expect(endorsers((await endorse('asset-and', 'CreateAsset', ['and-1', 'v'])).envelope)).toBe(2);
    expect(endorsers((await endorse('asset', 'CreateAsset', ['any-1', 'v'])).envelope)).toBe(1);
  });

  it('reports the orgs that refused when only some of the needed orgs endorse', async () => {
    const err = (await endorse('asset-and', 'FailOn', ['InsurerMSP']).catch((e: unknown) => e)) as {
      code: number;
      message: string;
      details: Array<{ mspId: string; message: string }>;
    };
    expect(err.code).toBe(grpc.status.ABORTED);
    expect(err.message).toBe('failed to collect enough transaction endorsements, see attached details for more info');
    expect(err.details).toEqual([
      expect.objectContaining({
        mspId: 'InsurerMSP',
        message: 'chaincode response 500, InsurerMSP refuses to endorse this',
      }),
    ]);
  });

  it('refuses endorsements whose results differ (non-deterministic chaincode)', async () => {
    const err = (await endorse('asset-and', 'Nondet', []).catch((e: unknown) => e)) as {
      message: string;
      details: Array<{ message: string }>;
    };
    expect(err.message).toContain('failed to collect enough transaction endorsements');
    expect(err.details[0]?.message).toBe('ProposalResponsePayloads do not match');
  });
});

describe('validation inside one block', () => {
  it('applies the first of two conflicting updates and marks the second MVCC_READ_CONFLICT', async () => {
    await ledger.commitBlock([(await endorse('asset', 'CreateAsset', ['mvcc-1', 'v0'])).envelope]);
    const a = await endorse('asset', 'UpdateAsset', ['mvcc-1', 'va']);
    const b = await endorse('asset', 'UpdateAsset', ['mvcc-1', 'vb']);
    const summary = await ledger.commitBlock([a.envelope, b.envelope]);
    expect(summary.txs.map((t) => t.code)).toEqual([Codes.VALID, Codes.MVCC_READ_CONFLICT]);
    expect(Buffer.from(ledger.state.get('asset', 'mvcc-1')?.value ?? []).toString()).toBe('va');
    expect(ledger.state.get('asset', 'mvcc-1')?.version).toEqual({ blockNum: summary.number, txNum: 0 });
  });

  it('marks a range read changed by an earlier transaction of the block PHANTOM_READ_CONFLICT', async () => {
    const count = await endorse('asset', 'CountRange', ['ph-', 'ph.']);
    const insert = await endorse('asset', 'CreateAsset', ['ph-1', 'v']);
    const summary = await ledger.commitBlock([insert.envelope, count.envelope]);
    expect(summary.txs.map((t) => t.code)).toEqual([Codes.VALID, Codes.PHANTOM_READ_CONFLICT]);
  });

  it('marks a repeated transaction id DUPLICATE_TXID, in the block and against the ledger', async () => {
    const tx = await endorse('asset', 'CreateAsset', ['dup-1', 'v']);
    const first = await ledger.commitBlock([tx.envelope, tx.envelope]);
    expect(first.txs.map((t) => t.code)).toEqual([Codes.VALID, Codes.DUPLICATE_TXID]);
    const again = await ledger.commitBlock([tx.envelope]);
    expect(again.txs.map((t) => t.code)).toEqual([Codes.DUPLICATE_TXID]);
    expect(ledger.txStatus(tx.txId)).toEqual({ blockNumber: first.number, txNum: 0, code: Codes.VALID });
  });

  it('marks a transaction whose envelope signature is not the creator’s BAD_CREATOR_SIGNATURE', async () => {
    const tx = await endorse('asset', 'CreateAsset', ['forged-1', 'v']);
    const envelope = common.Envelope.deserializeBinary(tx.envelope);
    const other = new Signer(
      'HospitalAMSP',
      ...(await (async () => {
        const id = await issueIdentity(await createDevCa({ mspId: 'HospitalAMSP' }), { enrollmentId: 'x' });
        return [id.certificatePem, id.privateKeyPem] as const;
      })()),
    );
    envelope.setSignature(other.sign(envelope.getPayload_asU8()));
    const summary = await ledger.commitBlock([envelope.serializeBinary()]);
    expect(summary.txs[0]?.code).toBe(Codes.BAD_CREATOR_SIGNATURE);
    expect(ledger.state.get('asset', 'forged-1')).toBeUndefined();
  });

  it('an endorsement signature lifted from another transaction does not count (signatures are remembered per signed bytes)', async () => {
    const donor = await endorse('asset', 'CreateAsset', ['lift-donor', 'v']);
    const target = await endorse('asset', 'CreateAsset', ['lift-target', 'v']);
    const endorsementOf = (
      bytes: Uint8Array,
    ): {
      envelope: common.Envelope;
      action: peer.ChaincodeActionPayload;
      tx: peer.Transaction;
      payload: common.Payload;
    } => {
      const envelope = common.Envelope.deserializeBinary(bytes);
      const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
      const action = peer.ChaincodeActionPayload.deserializeBinary(
        tx.getActionsList()[0]?.getPayload_asU8() ?? new Uint8Array(0),
      );
      return { envelope, action, tx, payload };
    };
    const donorSignature = endorsementOf(donor.envelope)
      .action.getAction()
      ?.getEndorsementsList()[0]
      ?.getSignature_asU8();
    const t = endorsementOf(target.envelope);
    const endorsed = t.action.getAction();
    const first = endorsed?.getEndorsementsList()[0];
    if (!donorSignature || !endorsed || !first) throw new Error('no endorsement');
    first.setSignature(donorSignature);
    endorsed.setEndorsementsList([first]);
    t.action.setAction(endorsed);
    t.tx.getActionsList()[0]?.setPayload(t.action.serializeBinary());
    t.payload.setData(t.tx.serializeBinary());
    t.envelope.setPayload(t.payload.serializeBinary());
    // The client signs the altered payload: only the endorsement is wrong.
    t.envelope.setSignature(await clientSigner(createHash('sha256').update(t.envelope.getPayload_asU8()).digest()));
    const summary = await ledger.commitBlock([t.envelope.serializeBinary()]);
    expect(summary.txs[0]?.code).toBe(Codes.ENDORSEMENT_POLICY_FAILURE);
    expect(ledger.state.get('asset', 'lift-target')).toBeUndefined();
  });

  it('orders submits as they arrived although their signatures are checked off the event loop, and refuses a forged one alone', async () => {
    const txs = await Promise.all(
      ['order-1', 'order-2', 'order-3', 'order-4'].map((k) => endorse('asset', 'CreateAsset', [k, 'v'])),
    );
    const request = (bytes: Uint8Array, txId: string): gateway.SubmitRequest => {
      const r = new gateway.SubmitRequest();
      r.setTransactionId(txId);
      r.setChannelId(CHANNEL);
      r.setPreparedTransaction(common.Envelope.deserializeBinary(bytes));
      return r;
    };
    const forged = common.Envelope.deserializeBinary(txs[1]?.envelope ?? new Uint8Array(0));
    forged.setSignature(await clientSigner(createHash('sha256').update('something else').digest()));
    const height = ledger.height;
    const outcomes = await Promise.allSettled([
      server.submit(request(txs[0]?.envelope ?? new Uint8Array(0), txs[0]?.txId ?? '')),
      server.submit(request(forged.serializeBinary(), txs[1]?.txId ?? '')),
      server.submit(request(txs[2]?.envelope ?? new Uint8Array(0), txs[2]?.txId ?? '')),
      server.submit(request(txs[3]?.envelope ?? new Uint8Array(0), txs[3]?.txId ?? '')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason?.message)).toContain('status=FORBIDDEN');
    await orderer.close(); // cuts what is queued into one block
    expect(ledger.getSummary(height)?.txs.map((t) => t.txId)).toEqual([txs[0]?.txId, txs[2]?.txId, txs[3]?.txId]);
    wire(ledger);
  });

  it('enforces a key-level endorsement policy over the chaincode policy', async () => {
    await ledger.commitBlock([(await endorse('asset', 'CreateAsset', ['sbe-1', 'v'])).envelope]);
    await ledger.commitBlock([
      (await endorse('asset', 'SetEndorsers', ['sbe-1', 'InsurerMSP', 'GovernanceMSP'])).envelope,
    ]);
    const onlyHospital = await endorse('asset', 'UpdateAsset', ['sbe-1', 'v2'], { orgs: ['HospitalAMSP'] });
    expect((await ledger.commitBlock([onlyHospital.envelope])).txs[0]?.code).toBe(Codes.ENDORSEMENT_POLICY_FAILURE);
    const planned = await endorse('asset', 'UpdateAsset', ['sbe-1', 'v3']);
    expect(endorsers(planned.envelope)).toBe(2);
    expect((await ledger.commitBlock([planned.envelope])).txs[0]?.code).toBe(Codes.VALID);
  });

  it('stores private cleartext only when it matches the committed hashes, for members only', async () => {
    const good = await endorse('asset', 'PutPrivate', ['claims', 'pd-1'], { transient: { asset: 'detail one' } });
    await ledger.commitBlock([good.envelope]);
    expect(Buffer.from(ledger.state.getPrivate('asset', 'claims', 'pd-1', 'InsurerMSP')?.value ?? []).toString()).toBe(
      'detail one',
    );
    expect(ledger.state.getPrivate('asset', 'claims', 'pd-1', 'GovernanceMSP')).toBeUndefined();
    const tampered = await endorse('asset', 'PutPrivate', ['claims', 'pd-2'], { transient: { asset: 'detail two' } });
    ledger.holdPrivateData(tampered.txId, {
      writes: [{ namespace: 'asset', collection: 'claims', key: 'pd-2', value: Buffer.from('something else') }],
      purges: [],
    });
    expect((await ledger.commitBlock([tampered.envelope])).txs[0]?.code).toBe(Codes.VALID);
    expect(ledger.state.getPrivate('asset', 'claims', 'pd-2', 'HospitalAMSP')).toBeUndefined();
    expect(
      Buffer.from(
        ledger.state.getPrivateHash('asset', 'claims', createHash('sha256').update('pd-2').digest())?.valueHash ?? [],
      ).toString('hex'),
    ).toBe(createHash('sha256').update('detail two').digest('hex'));
  });
});

describe('restart', () => {
  const reopen = async (): Promise<void> => {
    await orderer.close();
    ledger.close();
    ledger = openLedger();
    wire(ledger);
  };
  const fingerprint = (): string => JSON.stringify({ height: ledger.height, state: ledger.state.toSnapshot() });

  it('a reopened ledger has the same height, state, private data, history and statuses (from its snapshot)', async () => {
    const last = await endorse('asset', 'CreateAsset', ['replay-1', 'v']);
    await ledger.commitBlock([last.envelope]);
    const before = fingerprint();
    await reopen();
    expect(fingerprint()).toBe(before);
    expect(ledger.txStatus(last.txId)?.code).toBe(Codes.VALID);
    expect(
      Buffer.from(ledger.state.getPrivate('asset', 'claims', 'pd-1', 'HospitalAMSP')?.value ?? []).toString(),
    ).toBe('detail one');
    expect([...ledger.state.history('asset', 'sbe-1')]).toHaveLength(2);
    expect(ledger.state.get('asset', 'sbe-1')?.metadata?.has('VALIDATION_PARAMETER')).toBe(true);
    expect(ledger.getSummary(1)?.txs[0]?.functionName).toBe('CreateAsset');
  });

  it('replays the blocks after an older snapshot, and everything when the snapshot is gone', async () => {
    const snapshotFile = path.join(dir, 'state.snapshot.json');
    const stale = readFileSync(snapshotFile);
    const later = await endorse('asset', 'CreateAsset', ['replay-2', 'v']);
    await ledger.commitBlock([later.envelope]);
    const before = fingerprint();
    await orderer.close();
    ledger.close();
    writeFileSync(snapshotFile, stale); // as if the process died after this block, before a new snapshot
    ledger = openLedger();
    wire(ledger);
    expect(fingerprint()).toBe(before);
    expect(ledger.txStatus(later.txId)?.code).toBe(Codes.VALID);
    await orderer.close();
    ledger.close();
    rmSync(snapshotFile);
    ledger = openLedger();
    wire(ledger);
    expect(fingerprint()).toBe(before);
  });
});
