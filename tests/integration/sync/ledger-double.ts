/**
 * TEST DOUBLE of the devnet's ChaincodeRuntime: an in-process asset contract that produces
 * real Fabric read-write sets and chaincode events, so the sync engine's high-volume tests
 * (10,000 writes) and its benchmark measure the workstation and the devnet's gateway,
 * ordering and validation, not the chaincode container. Same transaction names and refusals
 * as the asset test chaincode (ledger/devnet/fixtures/asset-chaincode). Not used outside tests
 * and benchmarks.
 */
import { ledger, peer } from '@hyperledger/fabric-protos';
import type { ChaincodeRuntime, SimulationRequest, SimulationResult, Version, WorldStateReader } from '../../../ledger/devnet/src/simulation';

const { kvrwset } = ledger.rwset;
const text = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

function toVersion(v: Version | undefined): InstanceType<typeof kvrwset.Version> | undefined {
  if (!v) return undefined;
  const version = new kvrwset.Version();
  version.setBlockNum(v.blockNum);
  version.setTxNum(v.txNum);
  return version;
}

export function createAssetDouble(chaincodeName: string): ChaincodeRuntime {
  return {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    simulate(request: SimulationRequest, state: WorldStateReader): Promise<SimulationResult> {
      const ns = chaincodeName;
      const [fn = '', ...args] = request.args.map(text);
      const kv = new kvrwset.KVRWSet();
      let event: Uint8Array | undefined;
      const read = (key: string): string | undefined => {
        const value = state.get(ns, key);
        const r = new kvrwset.KVRead();
        r.setKey(key);
        const v = toVersion(value?.version);
        if (v) r.setVersion(v);
        kv.addReads(r);
        return value ? text(value.value) : undefined;
      };
      const write = (key: string, value: string): void => {
        const w = new kvrwset.KVWrite();
        w.setKey(key);
        w.setValue(Buffer.from(value));
        kv.addWrites(w);
      };
      const emit = (name: string, payload: string): void => {
        const e = new peer.ChaincodeEvent();
        e.setChaincodeId(ns);
        e.setTxId(request.txId);
        e.setEventName(name);
        e.setPayload(Buffer.from(payload));
        event = e.serializeBinary();
      };
      const asset = (id: string, owner: string, value: string): string => JSON.stringify({ id, owner, value: Number(value) });
      const ok = (payload = ''): SimulationResult['response'] => ({ status: 200, message: '', payload: Buffer.from(payload) });
      const fail = (message: string): SimulationResult['response'] => ({ status: 500, message, payload: new Uint8Array(0) });
      const [id = '', owner = '', value = '0'] = args;
      let response: SimulationResult['response'];
      switch (fn) {
        case 'CreateAsset':
          if (read(id) !== undefined) response = fail(`The asset ${id} already exists`);
          else {
            write(id, asset(id, owner, value));
            emit('AssetCreated', asset(id, owner, value));
            response = ok(asset(id, owner, value));
          }
          break;
        case 'UpdateAsset':
          if (read(id) === undefined) response = fail(`The asset ${id} does not exist`);
          else {
            write(id, asset(id, owner, value));
            response = ok();
          }
          break;
        case 'ReadAsset': {
          const current = read(id);
          response = current === undefined ? fail(`The asset ${id} does not exist`) : ok(current);
          break;
        }
        case 'GetAssetHistory':
          response = ok(JSON.stringify([...state.history(ns, id)].map((h) => ({ txId: h.txId, value: h.value ? text(h.value) : null }))));
          break;
        default:
          response = fail(`unknown function ${fn}`);
      }
      const rw = new ledger.rwset.TxReadWriteSet();
      rw.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
      const nsrw = new ledger.rwset.NsReadWriteSet();
      nsrw.setNamespace(ns);
      nsrw.setRwset(kv.serializeBinary());
      rw.addNsRwset(nsrw);
      const result: SimulationResult = { response, results: rw.serializeBinary(), privateWrites: [], privatePurges: [] };
      if (event) result.event = event;
      return Promise.resolve(result);
    },
  };
}
