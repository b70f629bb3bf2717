/**
 * The seam between the devnet's peer core (gateway service, endorsement, ordering,
 * validation, storage) and its chaincode runtime (the ChaincodeSupport shim server).
 *
 * The core hands the runtime a proposal and a read-only view of the committed world state;
 * the runtime runs the chaincode against it through the shim protocol and returns the
 * response, the read-write set (as Fabric's protobuf bytes, ready for ChaincodeAction.results)
 * and the chaincode event. The core never sees shim messages; the runtime never writes state.
 */

import type { peer } from '@hyperledger/fabric-protos';

/** Fabric's version of a committed key: the block and the transaction within it. */
export interface Version {
  blockNum: number;
  txNum: number;
}

export interface VersionedValue {
  value: Uint8Array;
  version: Version;
  /** Serialized key metadata (e.g. the VALIDATION_PARAMETER of state-based endorsement), if any. */
  metadata?: Map<string, Uint8Array>;
}

export interface HistoryEntry {
  txId: string;
  value: Uint8Array | null;
  isDelete: boolean;
  timestamp: { seconds: number; nanos: number };
}

/** Read-only view of committed state, as the endorsing peer sees it. */
export interface WorldStateReader {
  get(namespace: string, key: string): VersionedValue | undefined;
  /** Keys k with startKey <= k < endKey, compared as UTF-8 bytes; endKey '' means no upper bound. */
  range(namespace: string, startKey: string, endKey: string): Iterable<{ key: string; value: VersionedValue }>;
  history(namespace: string, key: string): Iterable<HistoryEntry>;
  /** Cleartext private data; undefined when absent or when `peerMspId` is not a collection member. */
  getPrivate(namespace: string, collection: string, key: string, peerMspId: string): VersionedValue | undefined;
  /** The hash of a private value as every peer holds it (sha256 of key -> sha256 of value). */
  getPrivateHash(namespace: string, collection: string, keyHash: Uint8Array): { valueHash: Uint8Array; version: Version } | undefined;
  /** Names of the collections defined for a chaincode, with their member MSP IDs. */
  collections(namespace: string): ReadonlyMap<string, CollectionConfig>;
}

export interface CollectionConfig {
  name: string;
  memberMspIds: string[];
  /** Blocks after which private data is purged automatically; 0 = never. */
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
}

export interface SimulationRequest {
  channelId: string;
  chaincodeName: string;
  txId: string;
  /** The proposal exactly as the client signed it (protos.SignedProposal bytes). */
  signedProposal: Uint8Array;
  /** The decoded proposal bytes (protos.Proposal), handed to the chaincode's stub. */
  proposal: Uint8Array;
  /** Function name and arguments, as in ChaincodeInput.args. */
  args: Uint8Array[];
  transient: Map<string, Uint8Array>;
  /** Proposal timestamp from the channel header (what stub.getTxTimestamp() returns). */
  timestamp: { seconds: number; nanos: number };
  /** The endorsing peer's organisation: decides which private data it can read and store. */
  peerMspId: string;
  isInit: boolean;
  /**
   * Already decoded by the caller (the gateway checked the proposal): the client's MSP ID and
   * the SignedProposal message, so that a runtime need not decode them again per simulation.
   * They must describe `proposal` and `signedProposal`.
   */
  decoded?: { creatorMspId: string; signedProposal: peer.SignedProposal };
}

export interface SimulationResult {
  /** The chaincode's response; status >= 400 is an endorsement failure the client sees. */
  response: { status: number; message: string; payload: Uint8Array };
  /** rwset.TxReadWriteSet bytes (public reads/writes/range queries, hashed private rwsets). */
  results: Uint8Array;
  /** peer.ChaincodeEvent bytes, or undefined when the chaincode set no event. */
  event?: Uint8Array;
  /** Cleartext private writes, held by the core until the transaction commits valid. */
  privateWrites: Array<{ namespace: string; collection: string; key: string; value: Uint8Array | null }>;
  /** Private data purges requested (PURGE_PRIVATE_DATA). */
  privatePurges: Array<{ namespace: string; collection: string; key: string }>;
}

export interface ChaincodeRuntime {
  /** Start the chaincode process (peer dev-mode style) and wait until it is READY. */
  start(): Promise<void>;
  simulate(request: SimulationRequest, state: WorldStateReader): Promise<SimulationResult>;
  stop(): Promise<void>;
}
