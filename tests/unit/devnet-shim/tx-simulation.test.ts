import { ledger, peer } from '@hyperledger/fabric-protos';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimulationRequest, WorldStateReader } from '../../../ledger/devnet/src/simulation.js';
import { TransactionSimulation } from '../../../ledger/devnet/src/shim/tx-simulation.js';
import { decodeRwSet } from '../../integration/devnet-shim/decode.js';
import { MemoryWorldState } from '../../integration/devnet-shim/memory-world-state.js';
import { buildRequest, createTestIdentity } from '../../integration/devnet-shim/proposal-builder.js';

const Type = peer.ChaincodeMessage.Type;
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

function rangeMessage(startKey: string, endKey: string, page?: { size: number; bookmark: string }, collection = ''): Uint8Array {
  const msg = new peer.GetStateByRange();
  msg.setStartkey(startKey);
  msg.setEndkey(endKey);
  msg.setCollection(collection);
  if (page) {
    const metadata = new peer.QueryMetadata();
    metadata.setPagesize(page.size);
    metadata.setBookmark(page.bookmark);
    msg.setMetadata(metadata.serializeBinary());
  }
  return msg.serializeBinary();
}

function putMessage(key: string, value: string, collection = ''): Uint8Array {
  const msg = new peer.PutState();
  msg.setKey(key);
  msg.setValue(Buffer.from(value));
  msg.setCollection(collection);
  return msg.serializeBinary();
}

function idMessage(kind: 'next' | 'close', id: string): Uint8Array {
  const msg = kind === 'next' ? new peer.QueryStateNext() : new peer.QueryStateClose();
  msg.setId(id);
  return msg.serializeBinary();
}

function keys(response: Uint8Array): { keys: string[]; hasMore: boolean; id: string } {
  const decoded = peer.QueryResponse.deserializeBinary(response);
  return {
    keys: decoded.getResultsList().map((r) => ledger.queryresult.KV.deserializeBinary(r.getResultbytes_asU8()).getKey()),
    hasMore: decoded.getHasMore(),
    id: decoded.getId(),
  };
}

describe('transaction simulation (the peer side of the shim protocol)', () => {
  let request: SimulationRequest;
  const state = new MemoryWorldState();

  beforeAll(async () => {
    request = await buildRequest({ identity: await createTestIdentity('Org1MSP', 'clerk'), args: ['Any'] });
    for (let i = 0; i < 250; i++) state.commit('asset', `k${String(i).padStart(3, '0')}`, `v${i}`, { blockNum: 1, txNum: i });
    state.defineCollection('asset', { name: 'pvt', memberMspIds: ['Org1MSP'], blockToLive: 0, memberOnlyRead: true, memberOnlyWrite: true });
  });

  const simulation = (world: WorldStateReader = state): TransactionSimulation => new TransactionSimulation(request, world, 'asset');

  function ok(reply: ReturnType<TransactionSimulation['handle']>): Uint8Array {
    expect(reply.type, text(reply.payload)).toBe(Type.RESPONSE);
    return reply.payload;
  }

  it('answers a large range in batches of 100 and forgets the iterator once exhausted', () => {
    const sim = simulation();
    const first = keys(ok(sim.handle(Type.GET_STATE_BY_RANGE, rangeMessage('k', 'l'))));
    expect([first.keys.length, first.keys[0], first.hasMore]).toEqual([100, 'k000', true]);
    const second = keys(ok(sim.handle(Type.QUERY_STATE_NEXT, idMessage('next', first.id))));
    expect([second.keys.length, second.keys[0], second.hasMore]).toEqual([100, 'k100', true]);
    const third = keys(ok(sim.handle(Type.QUERY_STATE_NEXT, idMessage('next', first.id))));
    expect([third.keys.length, third.keys.at(-1), third.hasMore]).toEqual([50, 'k249', false]);
    const after = sim.handle(Type.QUERY_STATE_NEXT, idMessage('next', first.id));
    expect(after.type).toBe(Type.ERROR);
    expect(text(after.payload)).toContain('query iterator not found');
    // Closing an iterator the peer already dropped is not an error (the shim closes after exhausting).
    expect(peer.QueryResponse.deserializeBinary(ok(sim.handle(Type.QUERY_STATE_CLOSE, idMessage('close', first.id)))).getHasMore()).toBe(false);
  });

  it('records an iterator left open when the simulation finishes, up to the last key handed out', () => {
    const sim = simulation();
    ok(sim.handle(Type.GET_STATE_BY_RANGE, rangeMessage('k', 'l')));
    const [query] = decodeRwSet(sim.finish().results).namespaces[0]?.rangeQueries ?? [];
    expect(query).toMatchObject({ startKey: 'k', endKey: 'k100', itrExhausted: false });
  });

  it('refuses a paginated query after a write, and a write after a paginated query', () => {
    const writeFirst = simulation();
    ok(writeFirst.handle(Type.PUT_STATE, putMessage('x', 'y')));
    const refused = writeFirst.handle(Type.GET_STATE_BY_RANGE, rangeMessage('k', 'l', { size: 5, bookmark: '' }));
    expect(text(refused.payload)).toBe(`txid [${request.txId}]: Paginated queries are supported only in a read-only transaction`);

    const pageFirst = simulation();
    ok(pageFirst.handle(Type.GET_STATE_BY_RANGE, rangeMessage('k', 'l', { size: 5, bookmark: '' })));
    expect(text(pageFirst.handle(Type.PUT_STATE, putMessage('x', 'y')).payload)).toContain('Transaction has already performed a paginated query');
  });

  it('refuses writes after a query on private data', () => {
    const sim = simulation();
    ok(sim.handle(Type.GET_STATE_BY_RANGE, rangeMessage('a', 'z', undefined, 'pvt')));
    const refused = sim.handle(Type.PUT_STATE, putMessage('p', 'v', 'pvt'));
    expect(refused.type).toBe(Type.ERROR);
    expect(text(refused.payload)).toContain('Transaction has already performed queries on pvt data');
  });

  it('refuses private range queries clearly when the state reader cannot range over private data', () => {
    const withoutPrivateRange: WorldStateReader = {
      get: (ns, key) => state.get(ns, key),
      range: (ns, s, e) => state.range(ns, s, e),
      history: (ns, key) => state.history(ns, key),
      getPrivate: (ns, c, key, msp) => state.getPrivate(ns, c, key, msp),
      getPrivateHash: (ns, c, hash) => state.getPrivateHash(ns, c, hash),
      collections: (ns) => state.collections(ns),
    };
    const reply = simulation(withoutPrivateRange).handle(Type.GET_STATE_BY_RANGE, rangeMessage('a', 'z', undefined, 'pvt'));
    expect(text(reply.payload)).toContain('does not provide privateRange()');
  });

  it('refuses rich queries, chaincode-to-chaincode calls and messages that make no sense mid-transaction', () => {
    const sim = simulation();
    const query = new peer.GetQueryResult();
    query.setQuery('{"selector":{}}');
    expect(text(sim.handle(Type.GET_QUERY_RESULT, query.serializeBinary()).payload)).toContain('ExecuteQuery not supported for leveldb');
    expect(text(sim.handle(Type.INVOKE_CHAINCODE, new Uint8Array()).payload)).toContain('chaincode-to-chaincode calls');
    const register = sim.handle(Type.REGISTER, new Uint8Array());
    expect([register.type, text(register.payload)]).toEqual([Type.ERROR, 'the devnet peer cannot handle message REGISTER during a transaction.']);
  });

  it('returns key metadata entries and records the key read', () => {
    const world = new MemoryWorldState();
    world.commit('asset', 'm1', 'v', { blockNum: 3, txNum: 3 });
    world.commitMetadata('asset', 'm1', new Map([['VALIDATION_PARAMETER', new Uint8Array([1, 2])]]));
    const sim = simulation(world);
    const msg = new peer.GetStateMetadata();
    msg.setKey('m1');
    const result = peer.StateMetadataResult.deserializeBinary(ok(sim.handle(Type.GET_STATE_METADATA, msg.serializeBinary())));
    expect(result.getEntriesList().map((e) => [e.getMetakey(), [...e.getValue_asU8()]])).toEqual([['VALIDATION_PARAMETER', [1, 2]]]);
    expect(decodeRwSet(sim.finish().results).namespaces[0]?.reads).toEqual([{ key: 'm1', version: { blockNum: 3, txNum: 3 } }]);
  });

  it('refuses a metadata write without an entry', () => {
    const msg = new peer.PutStateMetadata();
    msg.setKey('m1');
    expect(text(simulation().handle(Type.PUT_STATE_METADATA, msg.serializeBinary()).payload)).toContain('needs a metadata entry');
  });
});
