import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaincodeRuntime, SimulationResult } from '../../../ledger/devnet/src/simulation.js';
import { createShimRuntime } from '../../../ledger/devnet/src/shim/runtime.js';
import { decodeEvent, decodeRwSet, payloadText } from './decode.js';
import { assetChaincodeDir } from './fixture.js';
import { MemoryWorldState } from './memory-world-state.js';
import { buildRequest, createTestIdentity, type ProposalInput, type TestIdentity } from './proposal-builder.js';

const asset = (id: string, owner: string, value: number): string => JSON.stringify({ id, owner, value });

describe('chaincode shim runtime with the asset fixture chaincode', () => {
  let runtime: ChaincodeRuntime;
  let clerk: TestIdentity;
  let state: MemoryWorldState;
  const logs: string[] = [];

  async function invoke(args: string[], extra: Partial<ProposalInput> = {}, world: MemoryWorldState = state): Promise<SimulationResult> {
    return runtime.simulate(await buildRequest({ identity: clerk, args, ...extra }), world);
  }

  beforeAll(async () => {
    runtime = createShimRuntime({ chaincodeName: 'asset', packageDir: assetChaincodeDir, log: (m) => logs.push(m) });
    await runtime.start();
    clerk = await createTestIdentity('Org1MSP', 'clerk');
    state = new MemoryWorldState();
    state.commit('asset', 'a1', asset('a1', 'alice', 10), { blockNum: 3, txNum: 1 });
    state.commit('asset', 'a2', asset('a2', 'bob', 20), { blockNum: 4, txNum: 0 });
    state.commit('asset', 'a3', asset('a3', 'carol', 30), { blockNum: 4, txNum: 2 });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('pipes the chaincode process output to the log', () => {
    expect(logs.some((line) => line.startsWith('[asset]') && line.includes('Registering with peer'))).toBe(true);
  });

  it('records a read of an absent key without a version and the new value as a write', async () => {
    const result = await invoke(['CreateAsset', 'a9', 'dave', '90']);
    expect(result.response.status).toBe(200);
    expect(payloadText(result)).toBe(asset('a9', 'dave', 90));
    const rwset = decodeRwSet(result.results);
    expect(rwset.namespaces).toEqual([
      {
        namespace: 'asset',
        reads: [{ key: 'a9', version: null }],
        rangeQueries: [],
        writes: [{ key: 'a9', isDelete: false, value: asset('a9', 'dave', 90) }],
        metadataWrites: [],
        collections: [],
      },
    ]);
  });

  it('records the committed version of a key read, and the chaincode event stamped with chaincode and transaction', async () => {
    const request = await buildRequest({ identity: clerk, args: ['TransferAsset', 'a1', 'erin'] });
    const result = await runtime.simulate(request, state);
    expect(result.response.status).toBe(200);
    expect(payloadText(result)).toBe('alice');
    const [ns] = decodeRwSet(result.results).namespaces;
    expect(ns?.reads).toEqual([{ key: 'a1', version: { blockNum: 3, txNum: 1 } }]);
    expect(ns?.writes).toEqual([{ key: 'a1', isDelete: false, value: asset('a1', 'erin', 10) }]);
    expect(decodeEvent(result.event)).toEqual({
      chaincodeId: 'asset',
      txId: request.txId,
      eventName: 'AssetTransferred',
      payload: JSON.stringify({ id: 'a1', from: 'alice', to: 'erin' }),
    });
  });

  it('never changes the committed state it was given', async () => {
    await invoke(['UpdateAsset', 'a2', 'zed', '1']);
    expect(Buffer.from(state.get('asset', 'a2')?.value ?? []).toString()).toBe(asset('a2', 'bob', 20));
  });

  it('records a delete as a write with the delete marker', async () => {
    const result = await invoke(['DeleteAsset', 'a3']);
    const [ns] = decodeRwSet(result.results).namespaces;
    expect(ns?.reads).toEqual([{ key: 'a3', version: { blockNum: 4, txNum: 2 } }]);
    expect(ns?.writes).toEqual([{ key: 'a3', isDelete: true, value: '' }]);
  });

  it('has no read-your-writes, like Fabric: a read after a write returns the committed value and records its version', async () => {
    const result = await invoke(['WriteThenRead', 'a2', 'new-value']);
    expect(payloadText(result)).toBe(asset('a2', 'bob', 20));
    const [ns] = decodeRwSet(result.results).namespaces;
    expect(ns?.reads).toEqual([{ key: 'a2', version: { blockNum: 4, txNum: 0 } }]);
    expect(ns?.writes).toEqual([{ key: 'a2', isDelete: false, value: 'new-value' }]);
  });

  it('returns a business error as status 500 with the chaincode message', async () => {
    const result = await invoke(['FailWithBusinessError', 'The bed is already taken']);
    expect(result.response).toMatchObject({ status: 500, message: 'The bed is already taken' });
    const missing = await invoke(['ReadAsset', 'nope']);
    expect(missing.response).toMatchObject({ status: 500, message: 'The asset nope does not exist' });
  });

  it('gives the chaincode the proposal: creator, role attribute, txid, channel and timestamp', async () => {
    const request = await buildRequest({ identity: clerk, args: ['GetCallerInfo'], seconds: 1_763_712_345 });
    const result = await runtime.simulate(request, state);
    expect(JSON.parse(payloadText(result))).toEqual({
      mspId: 'Org1MSP',
      role: 'clerk',
      txId: request.txId,
      channelId: 'careledger',
      seconds: 1_763_712_345,
    });
    expect(decodeRwSet(result.results).namespaces).toEqual([]);
    expect(result.event).toBeUndefined();
  });

  it('serves contract-api metadata, which needs class-transformer 0.4.0 (0.4.1 lacks classToPlain)', async () => {
    const result = await invoke(['org.hyperledger.fabric:GetMetadata']);
    expect(result.response.status).toBe(200);
    const metadata = JSON.parse(payloadText(result)) as { contracts: Record<string, { transactions: Array<{ name: string }> }> };
    const names = metadata.contracts.AssetContract?.transactions.map((t) => t.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['CreateAsset', 'TransferAsset', 'PutPrivateAsset', 'SetAssetEndorsementPolicy']));
  });

  it('runs an Init proposal as INIT', async () => {
    const result = await invoke(['InitLedger'], { isInit: true });
    expect(result.response.status).toBe(200);
    expect(decodeRwSet(result.results).namespaces[0]?.writes).toEqual([{ key: 'initialized', isDelete: false, value: 'true' }]);
  });

  it('refuses rich queries as a LevelDB peer does', async () => {
    const result = await invoke(['RichQuery', '{"selector":{"owner":"bob"}}']);
    expect(result.response.status).toBe(500);
    expect(result.response.message).toContain('ExecuteQuery not supported for leveldb');
  });

  it('runs concurrent simulations and keeps each transaction’s reads and writes apart', async () => {
    const slow = invoke(['SlowOperation', '400']);
    const transfers = await Promise.all([invoke(['TransferAsset', 'a1', 'x1']), invoke(['TransferAsset', 'a2', 'x2'])]);
    const slowResult = await slow;
    expect(slowResult.response.status).toBe(200);
    expect(payloadText(slowResult)).toBe('done');
    expect(decodeRwSet(slowResult.results).namespaces).toEqual([]);
    expect(transfers.map((r) => decodeRwSet(r.results).namespaces[0]?.writes)).toEqual([
      [{ key: 'a1', isDelete: false, value: asset('a1', 'x1', 10) }],
      [{ key: 'a2', isDelete: false, value: asset('a2', 'x2', 20) }],
    ]);
  });

  it('keeps 25 concurrent simulations apart, each seeing only its own reads, writes and event', async () => {
    const world = new MemoryWorldState();
    for (let i = 0; i < 25; i++) world.commit('asset', `c${i}`, asset(`c${i}`, 'ward', i), { blockNum: 20, txNum: i });
    const requests = await Promise.all(Array.from({ length: 25 }, (_, i) => buildRequest({ identity: clerk, args: ['TransferAsset', `c${i}`, `owner${i}`] })));
    const results = await Promise.all(requests.map((request) => runtime.simulate(request, world)));
    results.forEach((result, i) => {
      const [ns] = decodeRwSet(result.results).namespaces;
      expect(ns?.reads).toEqual([{ key: `c${i}`, version: { blockNum: 20, txNum: i } }]);
      expect(ns?.writes).toEqual([{ key: `c${i}`, isDelete: false, value: asset(`c${i}`, `owner${i}`, i) }]);
      expect(decodeEvent(result.event)?.txId).toBe(requests[i]?.txId);
    });
  });

  it('matches chaincode messages by channel and transaction id: one txid on two channels runs twice', async () => {
    const request = await buildRequest({ identity: clerk, args: ['TransferAsset', 'a1', 'frank'] });
    const [first, second] = await Promise.all([
      runtime.simulate(request, state),
      runtime.simulate({ ...request, channelId: 'other-channel' }, state),
    ]);
    expect(first?.response.status).toBe(200);
    expect(second?.response.status).toBe(200);
    expect(decodeRwSet(second?.results ?? new Uint8Array()).namespaces[0]?.writes).toEqual(decodeRwSet(first?.results ?? new Uint8Array()).namespaces[0]?.writes);
  });

  it('refuses a second simulation with the transaction id of one still running', async () => {
    const request = await buildRequest({ identity: clerk, args: ['SlowOperation', '300'] });
    const first = runtime.simulate(request, state);
    await expect(runtime.simulate(request, state)).rejects.toMatchObject({ code: 'DUPLICATE_TXID' });
    expect((await first).response.status).toBe(200);
  });
});
