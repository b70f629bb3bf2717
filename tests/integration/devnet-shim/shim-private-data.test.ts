import { ledger } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaincodeRuntime, SimulationResult } from '../../../ledger/devnet/src/simulation.js';
import { createShimRuntime } from '../../../ledger/devnet/src/shim/runtime.js';
import { sha256, toHex } from '../../../ledger/devnet/src/shim/keys.js';
import { decodeRwSet, payloadText } from './decode.js';
import { assetChaincodeDir } from './fixture.js';
import { MemoryWorldState } from './memory-world-state.js';
import { buildRequest, createTestIdentity, type ProposalInput, type TestIdentity } from './proposal-builder.js';

const hashHex = (text: string): string => toHex(sha256(text));

describe('private data through the shim runtime', () => {
  let runtime: ChaincodeRuntime;
  let hospitalClerk: TestIdentity;
  let insurerClerk: TestIdentity;
  const state = new MemoryWorldState();

  async function invoke(identity: TestIdentity, args: string[], extra: Partial<ProposalInput> = {}): Promise<SimulationResult> {
    return runtime.simulate(await buildRequest({ identity, args, ...extra }), state);
  }

  beforeAll(async () => {
    runtime = createShimRuntime({ chaincodeName: 'asset', packageDir: assetChaincodeDir });
    await runtime.start();
    hospitalClerk = await createTestIdentity('HospitalMSP', 'clerk');
    insurerClerk = await createTestIdentity('InsurerMSP', 'clerk');
    state.defineCollection('asset', { name: 'hospitalOnly', memberMspIds: ['HospitalMSP'], blockToLive: 0, memberOnlyRead: true, memberOnlyWrite: true });
    state.defineCollection('asset', { name: 'shared', memberMspIds: ['HospitalMSP', 'InsurerMSP'], blockToLive: 0, memberOnlyRead: false, memberOnlyWrite: false });
    state.commitPrivate('asset', 'hospitalOnly', 'secret1', 'ward 7 bed 3', { blockNum: 12, txNum: 0 });
    state.commitPrivate('asset', 'hospitalOnly', 'secret2', 'ward 9 bed 1', { blockNum: 12, txNum: 1 });
    state.commitPrivate('asset', 'shared', 'claim1', 'amount 120', { blockNum: 13, txNum: 0 });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('puts private data from the transient map: only hashes in the rwset, cleartext handed back separately', async () => {
    const result = await invoke(hospitalClerk, ['PutPrivateAsset', 'hospitalOnly', 'p1'], { transient: { value: 'room 12 isolation' } });
    expect(result.response.status).toBe(200);
    const rwset = decodeRwSet(result.results);
    expect(rwset.namespaces).toHaveLength(1);
    const [ns] = rwset.namespaces;
    expect(ns?.writes).toEqual([]);
    expect(ns?.collections).toHaveLength(1);
    expect(ns?.collections[0]).toMatchObject({
      name: 'hospitalOnly',
      hashedReads: [],
      hashedWrites: [{ keyHash: hashHex('p1'), valueHash: hashHex('room 12 isolation'), isDelete: false, isPurge: false }],
    });
    // Fabric's pvt_rwset_hash: sha256 of the collection's cleartext KVRWSet, as other peers will receive it.
    const pvtWrite = new ledger.rwset.kvrwset.KVWrite();
    pvtWrite.setKey('p1');
    pvtWrite.setValue(Buffer.from('room 12 isolation'));
    const pvtSet = new ledger.rwset.kvrwset.KVRWSet();
    pvtSet.setWritesList([pvtWrite]);
    expect(ns?.collections[0]?.pvtRwsetHash).toBe(toHex(sha256(pvtSet.serializeBinary())));
    expect(Buffer.from(result.results).includes(Buffer.from('room 12 isolation'))).toBe(false);
    expect(result.privateWrites).toEqual([{ namespace: 'asset', collection: 'hospitalOnly', key: 'p1', value: new Uint8Array(Buffer.from('room 12 isolation')) }]);
    expect(result.privatePurges).toEqual([]);
  });

  it('reads private data on a member peer and records a hashed read with the version', async () => {
    const result = await invoke(hospitalClerk, ['ReadPrivateAsset', 'hospitalOnly', 'secret1']);
    expect(payloadText(result)).toBe('ward 7 bed 3');
    expect(decodeRwSet(result.results).namespaces[0]?.collections).toEqual([
      { name: 'hospitalOnly', pvtRwsetHash: '', hashedReads: [{ keyHash: hashHex('secret1'), version: { blockNum: 12, txNum: 0 } }], hashedWrites: [] },
    ]);
  });

  it('refuses a read on a peer outside the collection, which holds only the hash', async () => {
    const result = await invoke(hospitalClerk, ['ReadPrivateAsset', 'hospitalOnly', 'secret1'], { peerMspId: 'InsurerMSP' });
    expect(result.response.status).toBe(500);
    expect(result.response.message).toContain('private data matching public hash version is not available');
  });

  it('refuses a client outside a member-only-read collection', async () => {
    const result = await invoke(insurerClerk, ['ReadPrivateAsset', 'hospitalOnly', 'secret1'], { peerMspId: 'HospitalMSP' });
    expect(result.response.message).toBe(
      'tx creator does not have read access permission on privatedata in chaincodeName:asset collectionName: hospitalOnly',
    );
  });

  it('refuses a client outside a member-only-write collection', async () => {
    const result = await invoke(insurerClerk, ['PutPrivateAsset', 'hospitalOnly', 'p2'], { transient: { value: 'x' }, peerMspId: 'HospitalMSP' });
    expect(result.response.message).toBe(
      'tx creator does not have write access permission on privatedata in chaincodeName:asset collectionName: hospitalOnly',
    );
    expect(result.privateWrites).toEqual([]);
  });

  it('gives any peer the hash of private data, recording a hashed read', async () => {
    const result = await invoke(insurerClerk, ['ReadPrivateAssetHash', 'hospitalOnly', 'secret2'], { peerMspId: 'InsurerMSP' });
    expect(payloadText(result)).toBe(hashHex('ward 9 bed 1'));
    expect(decodeRwSet(result.results).namespaces[0]?.collections[0]?.hashedReads).toEqual([
      { keyHash: hashHex('secret2'), version: { blockNum: 12, txNum: 1 } },
    ]);
  });

  it('names an undefined collection in its error', async () => {
    const result = await invoke(hospitalClerk, ['ReadPrivateAsset', 'nope', 'secret1']);
    expect(result.response.message).toBe('collection [nope] not defined in the collection config for chaincode [asset]');
  });

  it('deletes private data with a delete marker in the hashed write set', async () => {
    const result = await invoke(hospitalClerk, ['DeletePrivateAsset', 'hospitalOnly', 'secret1']);
    expect(decodeRwSet(result.results).namespaces[0]?.collections[0]?.hashedWrites).toEqual([
      { keyHash: hashHex('secret1'), valueHash: '', isDelete: true, isPurge: false },
    ]);
    expect(result.privateWrites).toEqual([{ namespace: 'asset', collection: 'hospitalOnly', key: 'secret1', value: null }]);
  });

  it('purges private data: a delete marked as purge, reported as a purge', async () => {
    const result = await invoke(hospitalClerk, ['PurgePrivateAsset', 'hospitalOnly', 'secret2']);
    expect(result.response.status).toBe(200);
    expect(decodeRwSet(result.results).namespaces[0]?.collections[0]?.hashedWrites).toEqual([
      { keyHash: hashHex('secret2'), valueHash: '', isDelete: true, isPurge: true },
    ]);
    expect(result.privatePurges).toEqual([{ namespace: 'asset', collection: 'hospitalOnly', key: 'secret2' }]);
    expect(result.privateWrites).toEqual([]);
  });

  it('ranges over private data on a member peer without recording range info', async () => {
    const result = await invoke(hospitalClerk, ['GetPrivateAssetsByRange', 'hospitalOnly', 'secret', 'secret9']);
    expect(JSON.parse(payloadText(result))).toEqual([
      { key: 'secret1', value: 'ward 7 bed 3' },
      { key: 'secret2', value: 'ward 9 bed 1' },
    ]);
    const rwset = decodeRwSet(result.results);
    expect(rwset.namespaces.flatMap((ns) => ns.rangeQueries)).toEqual([]);
  });

  it('lets a non-member client read a collection that is not member-only', async () => {
    const result = await invoke(insurerClerk, ['ReadPrivateAsset', 'shared', 'claim1']);
    expect(payloadText(result)).toBe('amount 120');
  });

  it('refuses private data in Init', async () => {
    const result = await invoke(hospitalClerk, ['ReadPrivateAsset', 'hospitalOnly', 'secret1'], { isInit: true });
    expect(result.response.message).toBe('private data APIs are not allowed in chaincode Init()');
  });
});
