import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { SimulationRequest } from '../../../ledger/devnet/src/simulation.js';
import { timestampMessage } from '../../../ledger/devnet/src/shim/tx-simulation.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

export interface TestIdentity {
  mspId: string;
  certificatePem: string;
  privateKey: CryptoKey;
}

/** A self-signed P-256 certificate with Fabric CA's attribute extension, so ctx.clientIdentity can parse it. */
export async function createTestIdentity(mspId: string, role: string): Promise<TestIdentity> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=test-${role},O=${mspId}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys: keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.Extension('1.2.3.4.5.6.7.8.1', false, new TextEncoder().encode(JSON.stringify({ attrs: { role } })))],
  });
  return { mspId, certificatePem: cert.toString('pem'), privateKey: (keys).privateKey };
}

export interface ProposalInput {
  identity: TestIdentity;
  channelId?: string;
  chaincodeName?: string;
  args: string[];
  transient?: Record<string, string>;
  peerMspId?: string;
  isInit?: boolean;
  seconds?: number;
}

/** Builds a signed endorser proposal the way a gateway client does, and the request the core would hand the runtime. */
export async function buildRequest(input: ProposalInput): Promise<SimulationRequest> {
  const channelId = input.channelId ?? 'careledger';
  const chaincodeName = input.chaincodeName ?? 'asset';
  const timestamp = { seconds: input.seconds ?? 1_763_700_000, nanos: 0 };
  const creator = new msp.SerializedIdentity();
  creator.setMspid(input.identity.mspId);
  creator.setIdBytes(Buffer.from(input.identity.certificatePem));
  const creatorBytes = creator.serializeBinary();
  const nonce = randomBytes(24);
  const txId = createHash('sha256').update(nonce).update(creatorBytes).digest('hex');

  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(chaincodeName);
  const extension = new peer.ChaincodeHeaderExtension();
  extension.setChaincodeId(chaincodeId);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId(channelId);
  channelHeader.setTxId(txId);
  channelHeader.setEpoch(0);
  channelHeader.setTimestamp(timestampMessage(timestamp));
  channelHeader.setExtension$(extension.serializeBinary());
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creatorBytes);
  signatureHeader.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const args = input.args.map((a) => Buffer.from(a));
  const chaincodeInput = new peer.ChaincodeInput();
  chaincodeInput.setArgsList(args);
  chaincodeInput.setIsInit(input.isInit ?? false);
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(chaincodeInput);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  const transient = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(input.transient ?? {})) {
    transient.set(k, Buffer.from(v));
    (payload.getTransientmapMap() as unknown as Map<string, Uint8Array>).set(k, Buffer.from(v));
  }

  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const proposalBytes = proposal.serializeBinary();
  const signature = new Uint8Array(
    await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, input.identity.privateKey, proposalBytes),
  );
  const signed = new peer.SignedProposal();
  signed.setProposalBytes(proposalBytes);
  signed.setSignature(signature);

  return {
    channelId,
    chaincodeName,
    txId,
    signedProposal: signed.serializeBinary(),
    proposal: proposalBytes,
    args,
    transient,
    timestamp,
    peerMspId: input.peerMspId ?? input.identity.mspId,
    isInit: input.isInit ?? false,
  };
}
