import { ledger, peer } from '@hyperledger/fabric-protos';

const { kvrwset } = ledger.rwset;

type PbVersion = InstanceType<typeof kvrwset.Version> | undefined;
const version = (v: PbVersion): { blockNum: number; txNum: number } | null => (v ? { blockNum: v.getBlockNum(), txNum: v.getTxNum() } : null);
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Decodes rwset.TxReadWriteSet bytes with fabric-protos into plain data the tests compare. */
export function decodeRwSet(bytes: Uint8Array) {
  const tx = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return {
    dataModel: tx.getDataModel(),
    namespaces: tx.getNsRwsetList().map((ns) => {
      const kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      return {
        namespace: ns.getNamespace(),
        reads: kv.getReadsList().map((r) => ({ key: r.getKey(), version: version(r.getVersion()) })),
        rangeQueries: kv.getRangeQueriesInfoList().map((q) => ({
          startKey: q.getStartKey(),
          endKey: q.getEndKey(),
          itrExhausted: q.getItrExhausted(),
          rawReads: (q.getRawReads()?.getKvReadsList() ?? []).map((r) => ({ key: r.getKey(), version: version(r.getVersion()) })),
        })),
        writes: kv.getWritesList().map((w) => ({ key: w.getKey(), isDelete: w.getIsDelete(), value: text(w.getValue_asU8()) })),
        metadataWrites: kv.getMetadataWritesList().map((m) => ({
          key: m.getKey(),
          entries: m.getEntriesList().map((e) => ({ name: e.getName(), value: e.getValue_asU8() })),
        })),
        collections: ns.getCollectionHashedRwsetList().map((c) => {
          const hashed = kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8());
          return {
            name: c.getCollectionName(),
            pvtRwsetHash: hex(c.getPvtRwsetHash_asU8()),
            hashedReads: hashed.getHashedReadsList().map((r) => ({ keyHash: hex(r.getKeyHash_asU8()), version: version(r.getVersion()) })),
            hashedWrites: hashed.getHashedWritesList().map((w) => ({
              keyHash: hex(w.getKeyHash_asU8()),
              valueHash: hex(w.getValueHash_asU8()),
              isDelete: w.getIsDelete(),
              isPurge: w.getIsPurge(),
            })),
          };
        }),
      };
    }),
  };
}

export function decodeEvent(bytes: Uint8Array | undefined) {
  if (!bytes) return undefined;
  const event = peer.ChaincodeEvent.deserializeBinary(bytes);
  return { chaincodeId: event.getChaincodeId(), txId: event.getTxId(), eventName: event.getEventName(), payload: text(event.getPayload_asU8()) };
}

/** contract-api returns strings as they are and other values as JSON. */
export function payloadText(result: { response: { payload: Uint8Array } }): string {
  return text(result.response.payload);
}
