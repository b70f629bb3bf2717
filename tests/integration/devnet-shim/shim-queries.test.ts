import { common, msp } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaincodeRuntime, SimulationResult } from '../../../ledger/devnet/src/simulation.js';
import { createShimRuntime } from '../../../ledger/devnet/src/shim/runtime.js';
import { decodeRwSet, payloadText } from './decode.js';
import { assetChaincodeDir } from './fixture.js';
import { MemoryWorldState } from './memory-world-state.js';
import { buildRequest, createTestIdentity, type TestIdentity } from './proposal-builder.js';

const asset = (id: string, owner: string, value: number): string => JSON.stringify({ id, owner, value });
const ownerKey = (owner: string, id: string): string => `\u0000owner~id\u0000${owner}\u0000${id}\u0000`;

describe('range queries, pagination, composite keys, history and key-level endorsement', () => {
  let runtime: ChaincodeRuntime;
  let clerk: TestIdentity;
  const state = new MemoryWorldState();

  async function invoke(args: string[], world: MemoryWorldState = state): Promise<SimulationResult> {
    const result = await runtime.simulate(await buildRequest({ identity: clerk, args }), world);
    return result;
  }

  beforeAll(async () => {
    runtime = createShimRuntime({ chaincodeName: 'asset', packageDir: assetChaincodeDir });
    await runtime.start();
    clerk = await createTestIdentity('Org1MSP', 'clerk');
    for (let i = 1; i <= 5; i++) state.commit('asset', `p0${i}`, asset(`p0${i}`, 'ward', i), { blockNum: 10, txNum: i });
    state.commit('asset', 'q01', asset('q01', 'ward', 0), { blockNum: 11, txNum: 0 });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('records a range query with the versions it saw, and no individual reads', async () => {
    const result = await invoke(['GetAssetsByRange', 'p02', 'p04']);
    expect(JSON.parse(payloadText(result))).toEqual([
      { key: 'p02', value: JSON.parse(asset('p02', 'ward', 2)) },
      { key: 'p03', value: JSON.parse(asset('p03', 'ward', 3)) },
    ]);
    const [ns] = decodeRwSet(result.results).namespaces;
    expect(ns?.reads).toEqual([]);
    expect(ns?.rangeQueries).toEqual([
      {
        startKey: 'p02',
        endKey: 'p04',
        itrExhausted: true,
        rawReads: [
          { key: 'p02', version: { blockNum: 10, txNum: 2 } },
          { key: 'p03', version: { blockNum: 10, txNum: 3 } },
        ],
      },
    ]);
  });

  it('streams ranges larger than one batch through QUERY_STATE_NEXT', async () => {
    const big = new MemoryWorldState();
    for (let i = 0; i < 250; i++) big.commit('asset', `k${String(i).padStart(3, '0')}`, asset(`k${i}`, 'ward', i), { blockNum: 1, txNum: i });
    const result = await invoke(['GetAssetsByRange', 'k', 'l'], big);
    const records = JSON.parse(payloadText(result)) as Array<{ key: string }>;
    expect(records).toHaveLength(250);
    expect(records.at(-1)?.key).toBe('k249');
    const [query] = decodeRwSet(result.results).namespaces[0]?.rangeQueries ?? [];
    expect(query).toMatchObject({ startKey: 'k', endKey: 'l', itrExhausted: true });
    expect(query?.rawReads).toHaveLength(250);
  });

  it('records where an iterator closed early stopped: the peer had read one batch and one result ahead', async () => {
    const big = new MemoryWorldState();
    for (let i = 0; i < 150; i++) big.commit('asset', `k${String(i).padStart(3, '0')}`, asset(`k${i}`, 'ward', i), { blockNum: 1, txNum: i });
    const result = await invoke(['FirstAssetInRange', 'k', 'l'], big);
    expect(payloadText(result)).toBe('k000');
    const [query] = decodeRwSet(result.results).namespaces[0]?.rangeQueries ?? [];
    expect(query).toMatchObject({ startKey: 'k', endKey: 'k100', itrExhausted: false });
    expect(query?.rawReads).toHaveLength(101);
  });

  it('pages through a range with page size and bookmark, as QueryResponseMetadata says', async () => {
    const pages: Array<{ records: Array<{ key: string }>; fetchedRecordsCount: number; bookmark: string }> = [];
    const rangeInfos = [];
    let bookmark = '';
    do {
      const result = await invoke(['GetAssetsByRangeWithPagination', 'p', 'q', '2', bookmark]);
      expect(result.response.status).toBe(200);
      const page = JSON.parse(payloadText(result)) as (typeof pages)[number];
      pages.push(page);
      rangeInfos.push(decodeRwSet(result.results).namespaces[0]?.rangeQueries[0]);
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(pages.map((p) => [p.records.map((r) => r.key), p.fetchedRecordsCount, p.bookmark])).toEqual([
      [['p01', 'p02'], 2, 'p03'],
      [['p03', 'p04'], 2, 'p05'],
      [['p05'], 1, ''],
    ]);
    expect(rangeInfos.map((q) => q && [q.startKey, q.endKey, q.itrExhausted])).toEqual([
      ['p', 'p02', false],
      ['p03', 'p04', false],
      ['p05', 'q', true],
    ]);
  });

  it('queries composite keys by partial key, comparing keys as UTF-8 bytes up to U+10FFFF', async () => {
    const world = new MemoryWorldState();
    // In UTF-16 order U+FFFD sorts after the range end U+10FFFF and 😀 before U+FFFD; in UTF-8, as Fabric compares, neither.
    for (const id of ['😀', 'b7', '\uFFFDx', 'a2']) world.commit('asset', ownerKey('bob', id), '\u0000', { blockNum: 2, txNum: 0 });
    world.commit('asset', ownerKey('bobby', 'a8'), '\u0000', { blockNum: 2, txNum: 1 });
    world.commit('asset', ownerKey('alice', 'a1'), '\u0000', { blockNum: 2, txNum: 2 });
    const result = await invoke(['GetAssetIdsByOwner', 'bob'], world);
    expect(JSON.parse(payloadText(result))).toEqual(['a2', 'b7', '\uFFFDx', '😀']);
    const [query] = decodeRwSet(result.results).namespaces[0]?.rangeQueries ?? [];
    expect(query).toMatchObject({ startKey: '\u0000owner~id\u0000bob\u0000', endKey: '\u0000owner~id\u0000bob\u0000\u{10FFFF}', itrExhausted: true });
  });

  it('writes a composite key with its U+0000 delimiters', async () => {
    const result = await invoke(['IndexAssetByOwner', 'bob', 'a2']);
    expect(payloadText(result)).toBe(ownerKey('bob', 'a2'));
    expect(decodeRwSet(result.results).namespaces[0]?.writes).toEqual([{ key: ownerKey('bob', 'a2'), isDelete: false, value: '\u0000' }]);
  });

  it('refuses a write after a paginated query, which Fabric allows only in read-only transactions', async () => {
    const result = await invoke(['PaginatedQueryThenWrite', 'p', 'q', 'p01']);
    expect(result.response.status).toBe(500);
    expect(result.response.message).toMatch(/Transaction has already performed a paginated query\. Writes are not allowed/);
    expect(decodeRwSet(result.results).namespaces[0]?.writes).toEqual([]);
  });

  it('returns key history newest first, with deletes, without touching the read-write set', async () => {
    const world = new MemoryWorldState();
    world.commit('asset', 'h1', asset('h1', 'ann', 1), { blockNum: 5, txNum: 0 }, 'tx-create');
    world.commit('asset', 'h1', asset('h1', 'ben', 1), { blockNum: 6, txNum: 3 }, 'tx-transfer');
    world.commit('asset', 'h1', null, { blockNum: 7, txNum: 1 }, 'tx-delete');
    const result = await invoke(['GetAssetHistory', 'h1'], world);
    expect(JSON.parse(payloadText(result))).toEqual([
      { txId: 'tx-delete', isDelete: true, value: null, seconds: 1_700_000_007 },
      { txId: 'tx-transfer', isDelete: false, value: asset('h1', 'ben', 1), seconds: 1_700_000_006 },
      { txId: 'tx-create', isDelete: false, value: asset('h1', 'ann', 1), seconds: 1_700_000_005 },
    ]);
    expect(decodeRwSet(result.results).namespaces).toEqual([]);
  });

  it('writes a key-level endorsement policy as VALIDATION_PARAMETER metadata', async () => {
    const result = await invoke(['SetAssetEndorsementPolicy', 'p01', '["Org2MSP","Org1MSP"]']);
    expect(result.response.status).toBe(200);
    const [ns] = decodeRwSet(result.results).namespaces;
    expect(ns?.writes).toEqual([]);
    expect(ns?.metadataWrites.map((m) => [m.key, m.entries.map((e) => e.name)])).toEqual([['p01', ['VALIDATION_PARAMETER']]]);
    const policy = common.SignaturePolicyEnvelope.deserializeBinary(ns?.metadataWrites[0]?.entries[0]?.value ?? new Uint8Array());
    const mspIds = policy.getIdentitiesList().map((principal) => msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8()).getMspIdentifier());
    expect(mspIds.sort()).toEqual(['Org1MSP', 'Org2MSP']);
  });

  it('reads committed key metadata back, recording the key’s version', async () => {
    const set = await invoke(['SetAssetEndorsementPolicy', 'p02', '["Org3MSP"]']);
    const parameter = decodeRwSet(set.results).namespaces[0]?.metadataWrites[0]?.entries[0]?.value ?? new Uint8Array();
    const world = new MemoryWorldState();
    world.commit('asset', 'p02', asset('p02', 'ward', 2), { blockNum: 9, txNum: 4 });
    world.commitMetadata('asset', 'p02', new Map([['VALIDATION_PARAMETER', parameter]]));
    const result = await invoke(['GetAssetEndorsementOrgs', 'p02'], world);
    expect(JSON.parse(payloadText(result))).toEqual(['Org3MSP']);
    expect(decodeRwSet(result.results).namespaces[0]?.reads).toEqual([{ key: 'p02', version: { blockNum: 9, txNum: 4 } }]);
  });
});
