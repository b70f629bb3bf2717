/**
 * Proposal checks (as a peer's endorser validates a SignedProposal), the proposal response an
 * endorsing peer signs, and the transaction envelope the gateway assembles from the
 * endorsements for the client to sign.
 */
import { common, peer } from '@hyperledger/fabric-protos';
import { DevnetError } from './errors';
import { type Membership, type Signer, type VerifiedIdentity, WRITERS, requireNodeOU, sha256 } from './identity';
import type { SimulationResult } from './simulation';

export interface CheckedProposal {
  signedProposal: peer.SignedProposal;
  signedProposalBytes: Uint8Array;
  proposalBytes: Uint8Array;
  header: common.Header;
  channelHeader: common.ChannelHeader;
  signatureHeaderBytes: Uint8Array;
  txId: string;
  channelId: string;
  chaincodeName: string;
  args: Uint8Array[];
  isInit: boolean;
  transient: Map<string, Uint8Array>;
  timestamp: { seconds: number; nanos: number };
  creator: VerifiedIdentity;
  creatorBytes: Uint8Array;
  /** ChaincodeProposalPayload without its transient map: what goes into the transaction. */
  proposalPayloadNoTransient: Uint8Array;
  /** Fabric's proposal hash: sha256(channel header, signature header, payload without transient). */
  proposalHash: Uint8Array;
}

/** google.protobuf.Timestamp as read here (its typings are not installed). */
interface TimestampLike {
  getSeconds(): number;
  getNanos(): number;
}

const timestampOf = (header: common.ChannelHeader): { seconds: number; nanos: number } => {
  const ts = header.getTimestamp() as TimestampLike | undefined;
  return { seconds: ts?.getSeconds() ?? 0, nanos: ts?.getNanos() ?? 0 };
};

const bad = (message: string): DevnetError => new DevnetError('BAD_PROPOSAL', message);

/** hex(sha256(nonce || creator)): how Fabric derives a transaction id. */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return sha256(nonce, creator).toString('hex');
}

/**
 * Validates a signed proposal as an endorsing peer does.
 * @throws DevnetError BAD_PROPOSAL, WRONG_CHANNEL, ACCESS_DENIED (not a client or admin), and the identity errors of Membership.verify
 */
export async function checkProposal(
  signed: peer.SignedProposal,
  membership: Membership,
  channelId: string,
  options: { pool?: boolean } = {},
): Promise<CheckedProposal> {
  const proposalBytes = signed.getProposalBytes_asU8();
  if (proposalBytes.length === 0) throw bad('The proposal is empty.');
  let proposal: peer.Proposal;
  let header: common.Header;
  let channelHeader: common.ChannelHeader;
  let signatureHeader: common.SignatureHeader;
  try {
    proposal = peer.Proposal.deserializeBinary(proposalBytes);
    header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  } catch {
    throw bad('The proposal or its header cannot be decoded.');
  }
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    throw bad(`Invalid header type ${channelHeader.getType()}: only endorser transactions (type 3) can be proposed.`);
  }
  if (channelHeader.getEpoch() !== 0) throw bad(`Invalid epoch ${channelHeader.getEpoch()}: it must be 0.`);
  const nonce = signatureHeader.getNonce_asU8();
  const creatorBytes = signatureHeader.getCreator_asU8();
  if (nonce.length === 0) throw bad('The proposal has no nonce.');
  if (creatorBytes.length === 0) throw bad('The proposal has no creator.');
  // Signature first: nothing else in an unsigned proposal can be trusted.
  const creator = await membership.verifyAsync(
    creatorBytes,
    proposalBytes,
    signed.getSignature_asU8(),
    undefined,
    options,
  );
  const txId = channelHeader.getTxId();
  const expected = computeTxId(nonce, creatorBytes);
  if (txId !== expected)
    throw bad(`Incorrect transaction id ${txId}: it must be hex(sha256(nonce + creator)) = ${expected}.`);
  if (channelHeader.getChannelId() !== channelId) {
    throw new DevnetError(
      'WRONG_CHANNEL',
      `Channel "${channelHeader.getChannelId()}" is not served here; this devnet serves "${channelId}".`,
    );
  }
  // The ACL for peer/Propose: the channel's Writers (clients and admins; a peer's certificate is not a client).
  requireNodeOU(creator, WRITERS, 'Writers');
  let chaincodeName: string;
  let args: Uint8Array[];
  let isInit: boolean;
  const transient = new Map<string, Uint8Array>();
  let proposalPayloadNoTransient: Uint8Array;
  try {
    const extension = peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8());
    chaincodeName = extension.getChaincodeId()?.getName() ?? '';
    const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    (
      payload.getTransientmapMap() as unknown as {
        forEach(cb: (value: Uint8Array | string, key: string) => void): void;
      }
    ).forEach((value, key) => transient.set(key, typeof value === 'string' ? Buffer.from(value, 'base64') : value));
    const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();
    const input = spec?.getInput();
    args = input?.getArgsList_asU8() ?? [];
    isInit = input?.getIsInit() ?? false;
    const specName = spec?.getChaincodeId()?.getName() ?? '';
    if (chaincodeName === '') chaincodeName = specName;
    const withoutTransient = new peer.ChaincodeProposalPayload();
    withoutTransient.setInput(payload.getInput_asU8());
    proposalPayloadNoTransient = withoutTransient.serializeBinary();
  } catch {
    throw bad('The chaincode invocation in the proposal cannot be decoded.');
  }
  if (!chaincodeName) throw bad('The proposal names no chaincode.');
  if (args.length === 0) throw bad('The proposal names no chaincode function.');
  return {
    signedProposal: signed,
    signedProposalBytes: signed.serializeBinary(),
    proposalBytes,
    header,
    channelHeader,
    signatureHeaderBytes: header.getSignatureHeader_asU8(),
    txId,
    channelId: channelHeader.getChannelId(),
    chaincodeName,
    args,
    isInit,
    transient,
    timestamp: timestampOf(channelHeader),
    creator,
    creatorBytes,
    proposalPayloadNoTransient,
    proposalHash: sha256(header.getChannelHeader_asU8(), header.getSignatureHeader_asU8(), proposalPayloadNoTransient),
  };
}

/** The signed response of one endorsing peer. */
export async function buildProposalResponse(
  proposal: CheckedProposal,
  result: SimulationResult,
  chaincodeVersion: string,
  signer: Signer,
  options: { pool?: boolean } = {},
): Promise<peer.ProposalResponse> {
  const response = new peer.Response();
  response.setStatus(result.response.status);
  response.setMessage(result.response.message);
  response.setPayload(result.response.payload);
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(proposal.chaincodeName);
  chaincodeId.setVersion(chaincodeVersion);
  const action = new peer.ChaincodeAction();
  action.setResults(result.results);
  if (result.event) action.setEvents(result.event);
  action.setResponse(response);
  action.setChaincodeId(chaincodeId);
  const prp = new peer.ProposalResponsePayload();
  prp.setProposalHash(proposal.proposalHash);
  prp.setExtension$(action.serializeBinary());
  const prpBytes = prp.serializeBinary();
  const endorsement = new peer.Endorsement();
  endorsement.setEndorser(signer.serializedIdentity);
  endorsement.setSignature(await signer.signAsync(Buffer.concat([prpBytes, signer.serializedIdentity]), options));
  const proposalResponse = new peer.ProposalResponse();
  proposalResponse.setVersion(1);
  const peerResponse = new peer.Response();
  peerResponse.setStatus(200);
  peerResponse.setPayload(result.response.payload);
  proposalResponse.setResponse(peerResponse);
  proposalResponse.setPayload(prpBytes);
  proposalResponse.setEndorsement(endorsement);
  return proposalResponse;
}

/**
 * The unsigned transaction envelope built from matching endorsements, as Fabric's gateway
 * prepares it: the proposal's header, one action whose payload carries the proposal payload
 * (without the transient map) and the endorsed action.
 * @throws DevnetError ENDORSEMENT_MISMATCH when the endorsers returned different results
 */
export function buildTransactionEnvelope(
  proposal: CheckedProposal,
  responses: readonly peer.ProposalResponse[],
): common.Envelope {
  const first = responses[0];
  if (!first) throw new DevnetError('ENDORSEMENT_MISMATCH', 'No endorsement was collected.');
  const prpBytes = Buffer.from(first.getPayload_asU8());
  for (const other of responses.slice(1)) {
    if (!prpBytes.equals(Buffer.from(other.getPayload_asU8()))) {
      throw new DevnetError(
        'ENDORSEMENT_MISMATCH',
        'The endorsing organisations computed different results for this transaction (non-deterministic chaincode, or state changed between endorsements); try again.',
      );
    }
  }
  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(prpBytes);
  endorsedAction.setEndorsementsList(
    responses.map((r) => r.getEndorsement()).filter((e): e is peer.Endorsement => e !== undefined),
  );
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposal.proposalPayloadNoTransient);
  actionPayload.setAction(endorsedAction);
  const txAction = new peer.TransactionAction();
  txAction.setHeader(proposal.signatureHeaderBytes);
  txAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([txAction]);
  const payload = new common.Payload();
  payload.setHeader(proposal.header);
  payload.setData(transaction.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}

/** What the validator needs from a transaction envelope. */
export interface ParsedTransaction {
  txId: string;
  channelId: string;
  type: number;
  creatorBytes: Uint8Array;
  nonce: Uint8Array;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
  timestamp: { seconds: number; nanos: number };
  chaincodeName: string;
  prpBytes: Uint8Array;
  endorsements: peer.Endorsement[];
  action: peer.ChaincodeAction;
  proposalHash: Uint8Array;
}

/** Parses an endorser transaction; returns the TxValidationCode when it is malformed. */
export function parseTransaction(
  envelopeBytes: Uint8Array,
): ParsedTransaction | { invalid: number; txId: string; type: number } {
  const codes = peer.TxValidationCode;
  let txId = '';
  let type = -1;
  try {
    const envelope = common.Envelope.deserializeBinary(envelopeBytes);
    const payloadBytes = envelope.getPayload_asU8();
    const payload = common.Payload.deserializeBinary(payloadBytes);
    const header = payload.getHeader();
    if (!header) return { invalid: codes.BAD_COMMON_HEADER, txId, type };
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    txId = channelHeader.getTxId();
    type = channelHeader.getType();
    if (type !== common.HeaderType.ENDORSER_TRANSACTION) return { invalid: codes.UNSUPPORTED_TX_PAYLOAD, txId, type };
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const txAction = transaction.getActionsList()[0];
    if (!txAction || transaction.getActionsList().length !== 1) return { invalid: codes.NIL_TXACTION, txId, type };
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(txAction.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) return { invalid: codes.INVALID_ENDORSER_TRANSACTION, txId, type };
    const prpBytes = endorsed.getProposalResponsePayload_asU8();
    const prp = peer.ProposalResponsePayload.deserializeBinary(prpBytes);
    const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
    const extension = peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8());
    // The proposal hash binds the endorsements to this header and payload.
    const proposalHash = sha256(
      header.getChannelHeader_asU8(),
      header.getSignatureHeader_asU8(),
      actionPayload.getChaincodeProposalPayload_asU8(),
    );
    return {
      txId,
      channelId: channelHeader.getChannelId(),
      type,
      creatorBytes: signatureHeader.getCreator_asU8(),
      nonce: signatureHeader.getNonce_asU8(),
      payloadBytes,
      signature: envelope.getSignature_asU8(),
      timestamp: timestampOf(channelHeader),
      chaincodeName: extension.getChaincodeId()?.getName() ?? action.getChaincodeId()?.getName() ?? '',
      prpBytes,
      endorsements: endorsed.getEndorsementsList(),
      action,
      proposalHash: Buffer.from(prp.getProposalHash_asU8()).equals(proposalHash) ? proposalHash : new Uint8Array(0),
    };
  } catch {
    return { invalid: codes.BAD_PAYLOAD, txId, type };
  }
}
