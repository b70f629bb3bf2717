/**
 * TEST DOUBLE of ChaincodeRuntime: an in-process "chaincode" that produces real Fabric rwset
 * bytes, so the devnet core (gateway, endorsement, validation, storage) can be tested without
 * the shim and a chaincode child process. Not used outside tests.
 */
import { createHash } from 'node:crypto';
import { ledger, peer } from '@hyperledger/fabric-protos';
import { policyToEnvelope, parsePolicy } from '../../../ledger/devnet/src/policy';
import type {
  ChaincodeRuntime,
  SimulationRequest,
  SimulationResult,
  Version,
  WorldStateReader,
} from '../../../ledger/devnet/src/simulation';

const { kvrwset } = ledger.rwset;
const sha = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();
const text = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

function toVersion(v: Version | undefined): ledger.rwset.kvrwset.Version | undefined {
  if (!v) return undefined;
  const version = new kvrwset.Version();
  version.setBlockNum(v.blockNum);
  version.setTxNum(v.txNum);
  return version;
}

export function createTestDoubleRuntime(
  chaincodeName: string,
): ChaincodeRuntime & { calls: Array<{ fn: string; peerMspId: string }> } {
  const calls: Array<{ fn: string; peerMspId: string }> = [];
  return {
    calls,
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    simulate(request: SimulationRequest, state: WorldStateReader): Promise<SimulationResult> {
      const fn = text(request.args[0]);
      const args = request.args.slice(1).map(text);
      calls.push({ fn, peerMspId: request.peerMspId });
      const kv = new kvrwset.KVRWSet();
      const hashed = new Map<string, ledger.rwset.kvrwset.HashedRWSet>();
      const privateWrites: SimulationResult['privateWrites'] = [];
      let event: Uint8Array | undefined;
      const ns = chaincodeName;
      const read = (key: string): Uint8Array | undefined => {
        const value = state.get(ns, key);
        const r = new kvrwset.KVRead();
        r.setKey(key);
        const v = toVersion(value?.version);
        if (v) r.setVersion(v);
        kv.addReads(r);
        return value?.value;
      };
      const write = (key: string, value: string | null): void => {
        const w = new kvrwset.KVWrite();
        w.setKey(key);
        if (value === null) w.setIsDelete(true);
        else w.setValue(Buffer.from(value));
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
      const ok = (payload = ''): { status: number; message: string; payload: Uint8Array } => ({
        status: 200,
        message: '',
        payload: Buffer.from(payload),
      });
      const fail = (message: string): { status: number; message: string; payload: Uint8Array } => ({
        status: 500,
        message,
        payload: new Uint8Array(0),
      });
      let response: { status: number; message: string; payload: Uint8Array };
      const id = args[0] ?? '';
      switch (fn) {
        case 'CreateAsset':
          if (read(id)) response = fail(`the asset ${id} already exists`);
          else {
            write(id, args[1] ?? '');
            emit('AssetCreated', id);
            response = ok(args[1]);
          }
          break;
        case 'UpdateAsset':
          if (!read(id)) response = fail(`the asset ${id} does not exist`);
          else {
            write(id, args[1] ?? '');
            emit('AssetUpdated', id);
            response = ok(args[1]);
          }
          break;
        case 'DeleteAsset':
          read(id);
          write(id, null);
          response = ok();
          break;
        case 'ReadAsset': {
          const value = read(id);
          response = value ? ok(text(value)) : fail(`the asset ${id} does not exist`);
          break;
        }
        case 'History':
          response = ok(
            JSON.stringify(
              [...state.history(ns, id)].map((h) => ({
                txId: h.txId,
                value: text(h.value ?? undefined),
                isDelete: h.isDelete,
              })),
            ),
          );
          break;
        case 'CountRange': {
          const rq = new kvrwset.RangeQueryInfo();
          rq.setStartKey(args[0] ?? '');
          rq.setEndKey(args[1] ?? '');
          rq.setItrExhausted(true);
          const reads = new kvrwset.QueryReads();
          let n = 0;
          for (const { key, value } of state.range(ns, args[0] ?? '', args[1] ?? '')) {
            const r = new kvrwset.KVRead();
            r.setKey(key);
            const v = toVersion(value.version);
            if (v) r.setVersion(v);
            reads.addKvReads(r);
            n++;
          }
          rq.setRawReads(reads);
          kv.addRangeQueriesInfo(rq);
          write(`count-${args[0]}`, String(n));
          response = ok(String(n));
          break;
        }
        case 'Fail':
          response = fail(args[0] ?? 'failed');
          break;
        case 'FailOn':
          // Fails only on the peers of the listed orgs: an org refusing to endorse.
          response = args.includes(request.peerMspId) ? fail(`${request.peerMspId} refuses to endorse this`) : ok();
          if (response.status === 200) write(`failon-${request.txId}`, 'x');
          break;
        case 'Nondet':
          // A different value on every run: endorsements cannot match.
          write('nondet', `${request.peerMspId}-${Math.random()}`);
          response = ok();
          break;
        case 'PutPrivate': {
          const collection = args[0] ?? '';
          const key = args[1] ?? '';
          const value = request.transient.get('asset');
          if (!value) {
            response = fail('the transient field "asset" is missing');
            break;
          }
          const h = hashed.get(collection) ?? new kvrwset.HashedRWSet();
          const w = new kvrwset.KVWriteHash();
          w.setKeyHash(sha(key));
          w.setValueHash(sha(value));
          h.addHashedWrites(w);
          hashed.set(collection, h);
          privateWrites.push({ namespace: ns, collection, key, value });
          response = ok();
          break;
        }
        case 'ReadPrivate': {
          const v = state.getPrivate(ns, args[0] ?? '', args[1] ?? '', request.peerMspId);
          response = v ? ok(text(v.value)) : fail(`no private asset ${args[1]} visible to ${request.peerMspId}`);
          break;
        }
        case 'SetEndorsers': {
          // Key-level endorsement: a SignaturePolicyEnvelope in the key's VALIDATION_PARAMETER.
          if (!read(id)) {
            response = fail(`the asset ${id} does not exist`);
            break;
          }
          const policy = policyToEnvelope(
            parsePolicy(
              `AND(${args
                .slice(1)
                .map((m) => `'${m}.peer'`)
                .join(',')})`,
              [],
            ),
          );
          const mw = new kvrwset.KVMetadataWrite();
          mw.setKey(id);
          const entry = new kvrwset.KVMetadataEntry();
          entry.setName('VALIDATION_PARAMETER');
          entry.setValue(policy.serializeBinary());
          mw.addEntries(entry);
          kv.addMetadataWrites(mw);
          response = ok();
          break;
        }
        default:
          response = fail(`unknown function ${fn}`);
      }
      const rw = new ledger.rwset.TxReadWriteSet();
      rw.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
      const nsrw = new ledger.rwset.NsReadWriteSet();
      nsrw.setNamespace(ns);
      nsrw.setRwset(kv.serializeBinary());
      for (const [collection, h] of hashed) {
        const c = new ledger.rwset.CollectionHashedReadWriteSet();
        c.setCollectionName(collection);
        c.setHashedRwset(h.serializeBinary());
        nsrw.addCollectionHashedRwset(c);
      }
      rw.addNsRwset(nsrw);
      const result: SimulationResult = { response, results: rw.serializeBinary(), privateWrites, privatePurges: [] };
      if (event) result.event = event;
      return Promise.resolve(result);
    },
  };
}
