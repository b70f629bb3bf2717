/**
 * The gRPC services the Fabric Gateway client talks to: gateway.Gateway (Evaluate, Endorse,
 * Submit, CommitStatus, ChaincodeEvents) and protos.Deliver (Deliver, DeliverFiltered,
 * DeliverWithPrivateData). One logical endorsing peer per organisation, each signing with its
 * own peer identity.
 */
import * as grpc from '@grpc/grpc-js';
import { common, gateway, google, ledger as ledgerProtos, msp, orderer, peer } from '@hyperledger/fabric-protos';
import { DevnetError } from './errors';
import { type Membership, READERS, type Signer, WRITERS, requireNodeOU } from './identity';
import { type ChaincodeDefinition, type Ledger, VALIDATION_PARAMETER, resolveStart } from './ledger';
import type { Orderer } from './orderer';
import { type Policy, chooseEndorsingOrgs, policyFromEnvelope } from './policy';
import { type CheckedProposal, buildProposalResponse, buildTransactionEnvelope, checkProposal } from './proposal';
import type { ChaincodeRuntime, SimulationResult } from './simulation';

const { kvrwset } = ledgerProtos.rwset;

export interface EndorsingPeer {
  mspId: string;
  /** Shown in ErrorDetail.address, like a peer's host:port. */
  address: string;
  signer: Signer;
}

export interface GatewayDeps {
  channelId: string;
  membership: Membership;
  ledger: Ledger;
  orderer: Orderer;
  peers: ReadonlyMap<string, EndorsingPeer>;
  chaincodes: ReadonlyMap<string, ChaincodeDefinition & { runtime: ChaincodeRuntime }>;
  log: (level: 'info' | 'debug' | 'warn', message: string) => void;
  /**
   * The organisation of this gateway's own peer (a per-organisation endpoint): it evaluates and
   * endorses first there, as Fabric's gateway does with its local peer. Absent: the shared
   * endpoint, which starts with the caller's organisation instead.
   */
  localMspId?: string;
  /**
   * The serialized `common.Config` the system chaincode `cscc` answers for `GetChannelConfig`
   * (channel-config.ts); absent: cscc is unknown, as any other chaincode not deployed.
   */
  channelConfig?: () => Uint8Array;
}

interface Detail {
  address: string;
  mspId: string;
  message: string;
}

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
  }
}

function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  const rpc =
    err instanceof RpcError
      ? err
      : err instanceof DevnetError
        ? new RpcError(statusForDevnetError(err), err.message)
        : new RpcError(grpc.status.INTERNAL, `devnet internal error: ${(err as Error)?.message ?? String(err)}`);
  const metadata = new grpc.Metadata();
  if (rpc.details.length > 0) {
    // Fabric's gateway attaches one gateway.ErrorDetail per failing peer in google.rpc.Status details.
    const status = new google.rpc.Status();
    status.setCode(rpc.code);
    status.setMessage(rpc.message);
    for (const d of rpc.details) {
      const detail = new gateway.ErrorDetail();
      detail.setAddress(d.address);
      detail.setMspId(d.mspId);
      detail.setMessage(d.message);
      // google.protobuf.Any (its typings are not installed; the shape is two setters).
      const any = status.addDetails() as unknown as {
        setTypeUrl(url: string): void;
        setValue(value: Uint8Array): void;
      };
      any.setTypeUrl('type.googleapis.com/gateway.ErrorDetail');
      any.setValue(detail.serializeBinary());
    }
    metadata.set('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  }
  return { code: rpc.code, details: rpc.message, message: rpc.message, metadata };
}

function statusForDevnetError(err: DevnetError): grpc.status {
  switch (err.code) {
    case 'UNKNOWN_MSP':
    case 'UNTRUSTED_CERTIFICATE':
    case 'EXPIRED_CERTIFICATE':
    case 'MALFORMED_IDENTITY':
    case 'BAD_SIGNATURE':
    case 'ACCESS_DENIED':
      return grpc.status.PERMISSION_DENIED;
    case 'WRONG_CHANNEL':
      return grpc.status.UNAVAILABLE; // as Fabric's gateway: no peers of that channel to connect to
    case 'UNKNOWN_CHAINCODE':
      return grpc.status.FAILED_PRECONDITION;
    case 'BAD_PROPOSAL':
      return grpc.status.INVALID_ARGUMENT;
    case 'STOPPED':
      return grpc.status.UNAVAILABLE;
    default:
      return grpc.status.FAILED_PRECONDITION;
  }
}

/** An unknown channel, as Fabric's gateway answers it: 14 UNAVAILABLE (it has no peers of that channel). */
function unknownChannel(requested: string, served: string): RpcError {
  return new RpcError(
    grpc.status.UNAVAILABLE,
    `channel "${requested}" is not available: this gateway has no peers of it (this devnet serves "${served}")`,
  );
}

const IDENTITY_ERRORS = new Set(['UNKNOWN_MSP', 'UNTRUSTED_CERTIFICATE', 'EXPIRED_CERTIFICATE', 'MALFORMED_IDENTITY']);

/**
 * What a Fabric 2.5 endorser answers for a proposal it refuses. An identity its MSP does not
 * accept (unknown or wrong MSP ID, another CA, expired, no node OU) reads only "creator org
 * unknown, creator is malformed": the reason stays in the peer's log, as on Fabric.
 */
export function endorserRefusal(err: DevnetError, channel: string, mspId: string): string {
  if (IDENTITY_ERRORS.has(err.code))
    return `error validating proposal: access denied: channel [${channel}] creator org unknown, creator is malformed`;
  if (err.code === 'BAD_SIGNATURE')
    return `error validating proposal: access denied: channel [${channel}] creator org [${mspId}]`;
  return `error validating proposal: ${err.message}`;
}

/**
 * Unary calls being answered now, over every gateway endpoint of this process: with more than
 * one, signature checks go to the thread pool (the event loop has other calls to serve);
 * a lone call checks inline, which answers it sooner.
 */
let unaryInFlight = 0;
const busy = (): { pool: boolean } => ({ pool: unaryInFlight > 1 });

/** A call parked until something happens (a commit status waiting for its block) does not count as busy. */
async function parked<T>(waiting: Promise<T>): Promise<T> {
  unaryInFlight--;
  try {
    return await waiting;
  } finally {
    unaryInFlight++;
  }
}

function unary<Req, Res>(
  handler: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    unaryInFlight++;
    // Through a promise chain so that a synchronous throw becomes a status, not UNKNOWN.
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (response) => {
          unaryInFlight--;
          callback(null, response);
        },
        (err: unknown) => {
          unaryInFlight--;
          callback(toServiceError(err));
        },
      );
  };
}

export class GatewayServer {
  readonly #deps: GatewayDeps;
  /** Settles when the last Submit has been admitted or refused (never rejects). */
  #submitOrder: Promise<unknown> = Promise.resolve();

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
  }

  register(server: grpc.Server): void {
    server.addService(gateway.GatewayService, {
      evaluate: unary((req: gateway.EvaluateRequest) => this.evaluate(req)),
      endorse: unary((req: gateway.EndorseRequest) => this.endorse(req)),
      submit: unary((req: gateway.SubmitRequest) => this.submit(req)),
      commitStatus: unary((req: gateway.SignedCommitStatusRequest, call) => this.commitStatus(req, call)),
      chaincodeEvents: (
        call: grpc.ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
      ) => {
        this.chaincodeEvents(call).catch((err: unknown) =>
          call.destroy(Object.assign(new Error((err as Error).message), toServiceError(err))),
        );
      },
    } satisfies grpc.UntypedServiceImplementation);
    const deliver =
      (mode: 'block' | 'filtered' | 'private') =>
      (call: grpc.ServerDuplexStream<common.Envelope, peer.DeliverResponse>) => {
        this.deliver(call, mode).catch((err: unknown) =>
          call.destroy(Object.assign(new Error((err as Error).message), toServiceError(err))),
        );
      };
    server.addService(peer.DeliverService, {
      deliver: deliver('block'),
      deliverFiltered: deliver('filtered'),
      deliverWithPrivateData: deliver('private'),
    } satisfies grpc.UntypedServiceImplementation);
  }

  async #check(signed: peer.SignedProposal | undefined, channelId: string): Promise<CheckedProposal> {
    if (!signed) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'the request holds no proposed transaction');
    if (channelId && channelId !== this.#deps.channelId) throw unknownChannel(channelId, this.#deps.channelId);
    return checkProposal(signed, this.#deps.membership, this.#deps.channelId, busy());
  }

  /**
   * A proposal the endorsing peer refuses (bad signature, unknown org, expired certificate...):
   * shaped as Fabric's gateway reports it, with the peer's reason in an ErrorDetail.
   */
  #refusal(
    err: unknown,
    signed: peer.SignedProposal | undefined,
    targets: string[],
    shape: (detail: string) => [grpc.status, string],
  ): unknown {
    if (!(err instanceof DevnetError) || err.code === 'WRONG_CHANNEL') return err;
    const endorser = this.#peer(this.#evaluationOrg(targets, claimedMspId(signed)));
    const detail = endorserRefusal(err, this.#deps.channelId, claimedMspId(signed));
    // As a peer logs it: the client is told only what Fabric tells it.
    this.#deps.log('warn', `${endorser.address} refused a proposal: ${err.message}`);
    const [code, message] = shape(detail);
    return new RpcError(code, message, [{ address: endorser.address, mspId: endorser.mspId, message: detail }]);
  }

  #chaincode(name: string, purpose: 'evaluate' | 'endorse'): ChaincodeDefinition & { runtime: ChaincodeRuntime } {
    const cc = this.#deps.chaincodes.get(name);
    if (!cc && purpose === 'evaluate')
      throw new RpcError(
        grpc.status.FAILED_PRECONDITION,
        `no peers available to evaluate chaincode ${name} in channel ${this.#deps.channelId}`,
      );
    if (!cc) {
      throw new DevnetError(
        'UNKNOWN_CHAINCODE',
        `no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode ${name} in channel ${this.#deps.channelId}. Chaincode "${name}" is not defined on channel ${this.#deps.channelId}; the devnet runs ${[...this.#deps.chaincodes.keys()].join(', ') || 'no chaincode'}.`,
      );
    }
    return cc;
  }

  #peer(mspId: string): EndorsingPeer {
    const p = this.#deps.peers.get(mspId);
    if (!p)
      throw new RpcError(
        grpc.status.UNAVAILABLE,
        `no peer of organisation "${mspId}" is available; known organisations: ${[...this.#deps.peers.keys()].join(', ')}`,
      );
    return p;
  }

  async #simulate(
    proposal: CheckedProposal,
    cc: ChaincodeDefinition & { runtime: ChaincodeRuntime },
    mspId: string,
  ): Promise<SimulationResult> {
    const { ledger } = this.#deps;
    return ledger.lock.read(() =>
      cc.runtime.simulate(
        {
          channelId: proposal.channelId,
          chaincodeName: proposal.chaincodeName,
          txId: proposal.txId,
          signedProposal: proposal.signedProposalBytes,
          decoded: { creatorMspId: proposal.creator.mspId, signedProposal: proposal.signedProposal },
          proposal: proposal.proposalBytes,
          args: proposal.args,
          transient: proposal.transient,
          timestamp: proposal.timestamp,
          peerMspId: mspId,
          isInit: proposal.isInit,
        },
        ledger.state,
      ),
    );
  }

  /**
   * The org an evaluation (or the first endorsement) runs on: a requested target, else this
   * gateway's own peer's org (per-organisation endpoint), else the caller's org, else the first.
   */
  #evaluationOrg(targets: string[], callerMspId: string): string {
    const known = (m: string): boolean => this.#deps.peers.has(m);
    const local = this.#deps.localMspId;
    return (
      targets.find(known) ??
      (local && known(local) ? local : undefined) ??
      (known(callerMspId) ? callerMspId : ([...this.#deps.peers.keys()][0] ?? callerMspId))
    );
  }

  async evaluate(req: gateway.EvaluateRequest): Promise<gateway.EvaluateResponse> {
    let proposal: CheckedProposal;
    try {
      proposal = await this.#check(req.getProposedTransaction(), req.getChannelId());
    } catch (err) {
      throw this.#refusal(err, req.getProposedTransaction(), req.getTargetOrganizationsList(), (detail) => [
        grpc.status.FAILED_PRECONDITION,
        `evaluate call to endorser returned error: ${detail}`,
      ]);
    }
    if (proposal.chaincodeName === 'cscc' && this.#deps.channelConfig) return this.#cscc(proposal, req.getTargetOrganizationsList());
    const cc = this.#chaincode(proposal.chaincodeName, 'evaluate');
    const endorser = this.#peer(this.#evaluationOrg(req.getTargetOrganizationsList(), proposal.creator.mspId));
    let result: SimulationResult;
    try {
      result = await this.#simulate(proposal, cc, endorser.mspId);
    } catch (err) {
      // The chaincode crashed or timed out: no response from the peer at all.
      throw new RpcError(grpc.status.ABORTED, 'failed to evaluate transaction, see attached details for more info', [
        { address: endorser.address, mspId: endorser.mspId, message: (err as Error).message },
      ]);
    }
    this.#deps.log(
      'debug',
      `evaluate ${proposal.txId} ${cc.name}.${fnName(proposal)} on ${endorser.mspId}: ${result.response.status}`,
    );
    if (result.response.status < 200 || result.response.status >= 400) {
      throw new RpcError(
        grpc.status.UNKNOWN,
        `evaluate call to endorser returned error: chaincode response ${result.response.status}, ${result.response.message}`,
        [
          {
            address: endorser.address,
            mspId: endorser.mspId,
            message: `chaincode response ${result.response.status}, ${result.response.message}`,
          },
        ],
      );
    }
    const response = new peer.Response();
    response.setStatus(result.response.status);
    response.setMessage(result.response.message);
    response.setPayload(result.response.payload);
    const out = new gateway.EvaluateResponse();
    out.setResult(response);
    return out;
  }

  /**
   * The configuration system chaincode, evaluate only: `GetChannelConfig <channel>` answers the
   * channel's `common.Config` (any member of the channel may read it, as Fabric's default ACL
   * `/Channel/Application/Readers`); other functions and channels fail as Fabric's cscc does.
   */
  #cscc(proposal: CheckedProposal, targets: string[]): gateway.EvaluateResponse {
    const endorser = this.#peer(this.#evaluationOrg(targets, proposal.creator.mspId));
    const fn = fnName(proposal);
    const channel = proposal.args[1] ? Buffer.from(proposal.args[1]).toString('utf8') : '';
    const fail = (message: string): RpcError =>
      new RpcError(grpc.status.UNKNOWN, `evaluate call to endorser returned error: chaincode response 500, ${message}`, [
        { address: endorser.address, mspId: endorser.mspId, message: `chaincode response 500, ${message}` },
      ]);
    if (fn !== 'GetChannelConfig') throw fail(`Requested function ${fn} not found.`);
    if (channel !== this.#deps.channelId) throw fail(`Unknown chain ID, ${channel}`);
    this.#deps.log('debug', `evaluate ${proposal.txId} cscc.GetChannelConfig on ${endorser.mspId}`);
    const response = new peer.Response();
    response.setStatus(200);
    response.setPayload(this.#deps.channelConfig?.() ?? new Uint8Array());
    const out = new gateway.EvaluateResponse();
    out.setResult(response);
    return out;
  }

  async endorse(req: gateway.EndorseRequest): Promise<gateway.EndorseResponse> {
    let proposal: CheckedProposal;
    try {
      proposal = await this.#check(req.getProposedTransaction(), req.getChannelId());
    } catch (err) {
      throw this.#refusal(err, req.getProposedTransaction(), req.getEndorsingOrganizationsList(), () => [
        grpc.status.ABORTED,
        // Fabric: with endorsingOrganizations the refusal is one of the plan's; without, the first endorser's.
        req.getEndorsingOrganizationsList().length > 0
          ? 'failed to collect enough transaction endorsements, see attached details for more info'
          : 'failed to endorse transaction, see attached details for more info',
      ]);
    }
    const cc = this.#chaincode(proposal.chaincodeName, 'endorse');
    // As a peer's endorser does: a transaction id already on the ledger is refused.
    if (this.#deps.ledger.txStatus(proposal.txId)) {
      throw new RpcError(grpc.status.ABORTED, 'failed to endorse transaction, see attached details for more info', [
        {
          address: 'gateway',
          mspId: proposal.creator.mspId,
          message: `duplicate transaction found [${proposal.txId}]; create a new proposal instead of re-sending a committed one`,
        },
      ]);
    }
    const requested = req.getEndorsingOrganizationsList();
    const results = new Map<string, SimulationResult>();
    const failures: Detail[] = [];
    // One after another: all logical peers share one chaincode process, and the shim protocol
    // allows one simulation per transaction id at a time.
    const runOn = async (orgs: string[]): Promise<void> => {
      for (const mspId of orgs) {
        if (results.has(mspId)) continue;
        const endorser = this.#peer(mspId);
        try {
          const result = await this.#simulate(proposal, cc, mspId);
          if (result.response.status < 200 || result.response.status >= 400) {
            failures.push({
              address: endorser.address,
              mspId,
              message: `chaincode response ${result.response.status}, ${result.response.message}`,
            });
          } else {
            results.set(mspId, result);
          }
        } catch (err) {
          failures.push({ address: endorser.address, mspId, message: (err as Error).message });
        }
      }
    };
    let orgs: string[];
    if (requested.length > 0) {
      for (const m of requested) this.#peer(m);
      orgs = [...new Set(requested)];
      await runOn(orgs);
    } else {
      // Endorse first on the gateway's own peer's org (per-organisation endpoint; the caller's
      // org on the shared endpoint), then add the orgs
      // the chaincode policy, the key-level policies and the collections written require.
      const first = this.#evaluationOrg([], proposal.creator.mspId);
      await runOn([first]);
      const firstResult = results.get(first);
      if (firstResult) {
        const plan = this.#endorsementPlan(cc, firstResult, first);
        orgs = plan;
        await runOn(plan);
      } else {
        orgs = [first];
      }
    }
    if (failures.length > 0) {
      // Fabric's wording: the first endorser (chosen by the gateway) refused, or the plan (the
      // client's endorsingOrganizations, or the orgs after the first) could not be completed.
      const message =
        results.size === 0 && requested.length === 0
          ? 'failed to endorse transaction, see attached details for more info'
          : 'failed to collect enough transaction endorsements, see attached details for more info';
      this.#deps.log(
        'info',
        `endorse ${proposal.txId} ${cc.name}.${fnName(proposal)} failed: ${failures.map((f) => `${f.mspId}: ${f.message}`).join('; ')}`,
      );
      throw new RpcError(grpc.status.ABORTED, message, failures);
    }
    const chosen = orgs
      .map((m) => ({ mspId: m, result: results.get(m) }))
      .filter((r): r is { mspId: string; result: SimulationResult } => r.result !== undefined);
    const pool = busy();
    const responses = await Promise.all(
      chosen.map(({ mspId, result }) =>
        buildProposalResponse(proposal, result, cc.version, this.#peer(mspId).signer, pool),
      ),
    );
    // The committer need not check again what this devnet's own peers just signed.
    for (const response of responses) {
      const endorsement = response.getEndorsement();
      if (endorsement)
        this.#deps.membership.signedBy(
          endorsement.getEndorser_asU8(),
          Buffer.concat([response.getPayload_asU8(), endorsement.getEndorser_asU8()]),
          endorsement.getSignature_asU8(),
        );
    }
    const reference = Buffer.from(responses[0]?.getPayload_asU8() ?? []);
    const mismatched = chosen.filter((_, i) => !reference.equals(Buffer.from(responses[i]?.getPayload_asU8() ?? [])));
    if (mismatched.length > 0) {
      // Non-deterministic chaincode, or the state changed between two endorsements.
      throw new RpcError(
        grpc.status.ABORTED,
        'failed to collect enough transaction endorsements, see attached details for more info',
        mismatched.map(({ mspId }) => ({
          address: this.#peer(mspId).address,
          mspId,
          message: 'ProposalResponsePayloads do not match',
        })),
      );
    }
    const envelope = buildTransactionEnvelope(proposal, responses);
    // Private data travels to the committer only from an endorser that is a member of the collection.
    const holder = chosen.find(({ result }) => result.privateWrites.length > 0 || result.privatePurges.length > 0);
    if (holder)
      this.#deps.ledger.holdPrivateData(proposal.txId, {
        writes: holder.result.privateWrites,
        purges: holder.result.privatePurges,
      });
    this.#deps.log(
      'debug',
      `endorse ${proposal.txId} ${cc.name}.${fnName(proposal)} by ${chosen.map((c) => c.mspId).join(', ')}`,
    );
    const out = new gateway.EndorseResponse();
    out.setPreparedTransaction(envelope);
    return out;
  }

  /** Orgs that must endorse, given what the first simulation wrote. */
  #endorsementPlan(cc: ChaincodeDefinition, result: SimulationResult, first: string): string[] {
    const { ledger } = this.#deps;
    const policies: Policy[] = [];
    let writesWithoutKeyPolicy = false;
    let wrote = false;
    const collectionsWritten = new Set<string>();
    const rw = ledgerProtos.rwset.TxReadWriteSet.deserializeBinary(result.results);
    for (const ns of rw.getNsRwsetList()) {
      const kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const key of [
        ...kv.getWritesList().map((w) => w.getKey()),
        ...kv.getMetadataWritesList().map((w) => w.getKey()),
      ]) {
        wrote = true;
        const vp = ledger.state.get(ns.getNamespace(), key)?.metadata?.get(VALIDATION_PARAMETER);
        if (vp && vp.length > 0) policies.push(policyFromEnvelope(vp));
        else writesWithoutKeyPolicy = true;
      }
      for (const coll of ns.getCollectionHashedRwsetList()) {
        const hashed = kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
        if (hashed.getHashedWritesList().length > 0) collectionsWritten.add(coll.getCollectionName());
        for (const keyHash of [
          ...hashed.getHashedWritesList().map((w) => w.getKeyHash_asU8()),
          ...hashed.getMetadataWritesList().map((w) => w.getKeyHash_asU8()),
        ]) {
          wrote = true;
          const vp = ledger.state
            .getPrivateHash(ns.getNamespace(), coll.getCollectionName(), keyHash)
            ?.metadata?.get(VALIDATION_PARAMETER);
          if (vp && vp.length > 0) policies.push(policyFromEnvelope(vp));
          else writesWithoutKeyPolicy = true;
        }
      }
    }
    if (!wrote || writesWithoutKeyPolicy) policies.push(cc.policy);
    let candidates = [first, ...[...this.#deps.peers.keys()].filter((m) => m !== first)];
    // Private data is only disseminated to members: prefer endorsers that are members of every collection written.
    if (collectionsWritten.size > 0) {
      const members = candidates.filter((m) =>
        [...collectionsWritten].every((c) => cc.collections.find((x) => x.name === c)?.memberMspIds.includes(m)),
      );
      if (members.length > 0) candidates = [...members, ...candidates.filter((m) => !members.includes(m))];
    }
    try {
      return chooseEndorsingOrgs(policies, candidates);
    } catch (err) {
      throw new RpcError(grpc.status.FAILED_PRECONDITION, (err as Error).message);
    }
  }

  async submit(req: gateway.SubmitRequest): Promise<gateway.SubmitResponse> {
    const envelope = req.getPreparedTransaction();
    if (!envelope) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'the request holds no prepared transaction');
    if (req.getChannelId() && req.getChannelId() !== this.#deps.channelId)
      throw unknownChannel(req.getChannelId(), this.#deps.channelId);
    let channelHeader: common.ChannelHeader;
    let creator: Uint8Array;
    try {
      const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      channelHeader = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0),
      );
      creator = common.SignatureHeader.deserializeBinary(
        payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array(0),
      ).getCreator_asU8();
    } catch {
      throw new RpcError(grpc.status.INVALID_ARGUMENT, 'the prepared transaction cannot be decoded');
    }
    if (channelHeader.getTxId() !== req.getTransactionId())
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        'the transaction id of the request does not match the prepared transaction',
      );
    // The ordering service admits only transactions signed by a channel member (its Writers
    // policy). The signature is checked off the event loop while earlier submits finish; the
    // transactions are still ordered in the order their Submit calls arrived.
    const admitted = this.#deps.membership
      .verifyAsync(creator, envelope.getPayload_asU8(), envelope.getSignature_asU8(), undefined, busy())
      .then((identity) => requireNodeOU(identity, WRITERS, 'Writers'))
      .then(
        () => undefined,
        (err: unknown) =>
          new RpcError(
            grpc.status.ABORTED,
            `received unsuccessful response from orderer: status=FORBIDDEN, info=${(err as Error).message}`,
            [{ address: 'orderer', mspId: '', message: (err as Error).message }],
          ),
      );
    const turn = this.#submitOrder.then(async () => {
      const refused = await admitted;
      if (refused) return refused;
      try {
        this.#deps.orderer.broadcast(envelope.serializeBinary());
        return undefined;
      } catch (err) {
        return new RpcError(grpc.status.UNAVAILABLE, (err as Error).message);
      }
    });
    this.#submitOrder = turn.then(() => undefined);
    const refused = await turn;
    if (refused) throw refused;
    return new gateway.SubmitResponse();
  }

  async commitStatus(
    signed: gateway.SignedCommitStatusRequest,
    call: grpc.ServerUnaryCall<unknown, unknown>,
  ): Promise<gateway.CommitStatusResponse> {
    const request = gateway.CommitStatusRequest.deserializeBinary(signed.getRequest_asU8());
    requireNodeOU(
      await this.#deps.membership.verifyAsync(
        request.getIdentity_asU8(),
        signed.getRequest_asU8(),
        signed.getSignature_asU8(),
        undefined,
        busy(),
      ),
      READERS,
      'Readers',
    );
    if (request.getChannelId() !== this.#deps.channelId)
      throw unknownChannel(request.getChannelId(), this.#deps.channelId);
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const status = await parked(this.#deps.ledger.waitForTx(request.getTransactionId(), abort.signal));
    const out = new gateway.CommitStatusResponse();
    out.setResult(status.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
    out.setBlockNumber(status.blockNumber);
    return out;
  }

  async chaincodeEvents(
    call: grpc.ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
  ): Promise<void> {
    const signed = call.request;
    const request = gateway.ChaincodeEventsRequest.deserializeBinary(signed.getRequest_asU8());
    requireNodeOU(
      await this.#deps.membership.verifyAsync(
        request.getIdentity_asU8(),
        signed.getRequest_asU8(),
        signed.getSignature_asU8(),
        undefined,
        busy(),
      ),
      READERS,
      'Readers',
    );
    if (request.getChannelId() !== this.#deps.channelId)
      throw unknownChannel(request.getChannelId(), this.#deps.channelId);
    const chaincode = request.getChaincodeId();
    const { ledger } = this.#deps;
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    call.on('close', () => abort.abort());
    let number = resolveStart(request.getStartPosition(), ledger.height);
    let afterTxId = request.getAfterTransactionId();
    while (!abort.signal.aborted) {
      try {
        await ledger.waitForBlock(number, abort.signal);
      } catch {
        break;
      }
      const summary = ledger.getSummary(number);
      if (!summary) break;
      let txs = summary.txs;
      if (afterTxId) {
        // Events after this transaction within the start block; all of them if it is not there.
        const index = txs.findIndex((t) => t.txId === afterTxId);
        if (index >= 0) txs = txs.slice(index + 1);
        afterTxId = '';
      }
      const events = txs
        .filter((t) => t.code === peer.TxValidationCode.VALID && t.event && t.event.getChaincodeId() === chaincode)
        .map((t) => t.event as peer.ChaincodeEvent);
      if (events.length > 0) {
        const response = new gateway.ChaincodeEventsResponse();
        response.setBlockNumber(number);
        response.setEventsList(events);
        if (!call.write(response)) await new Promise((resolve) => call.once('drain', resolve));
      }
      number++;
    }
    call.end();
  }

  async deliver(
    call: grpc.ServerDuplexStream<common.Envelope, peer.DeliverResponse>,
    mode: 'block' | 'filtered' | 'private',
  ): Promise<void> {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    call.on('error', () => abort.abort());
    const sendStatus = (status: common.StatusMap[keyof common.StatusMap]): void => {
      const response = new peer.DeliverResponse();
      response.setStatus(status);
      call.write(response);
    };
    for await (const envelope of call as AsyncIterable<common.Envelope>) {
      if (abort.signal.aborted) break;
      let seek: orderer.SeekInfo;
      let requesterMspId: string;
      try {
        const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
        const channelHeader = common.ChannelHeader.deserializeBinary(
          payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0),
        );
        const signatureHeader = common.SignatureHeader.deserializeBinary(
          payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array(0),
        );
        if (channelHeader.getType() !== common.HeaderType.DELIVER_SEEK_INFO) {
          sendStatus(common.Status.BAD_REQUEST);
          continue;
        }
        if (channelHeader.getChannelId() !== this.#deps.channelId) {
          sendStatus(common.Status.NOT_FOUND);
          continue;
        }
        try {
          const requester = this.#deps.membership.verify(
            signatureHeader.getCreator_asU8(),
            envelope.getPayload_asU8(),
            envelope.getSignature_asU8(),
          );
          requireNodeOU(requester, READERS, 'Readers');
          requesterMspId = requester.mspId;
        } catch (err) {
          this.#deps.log('info', `deliver refused: ${(err as Error).message}`);
          sendStatus(common.Status.FORBIDDEN);
          continue;
        }
        seek = orderer.SeekInfo.deserializeBinary(payload.getData_asU8());
      } catch {
        sendStatus(common.Status.BAD_REQUEST);
        continue;
      }
      const { ledger } = this.#deps;
      const start = resolveStart(seek.getStart(), ledger.height);
      const stopPos = seek.getStop();
      const stop =
        stopPos?.getTypeCase() === orderer.SeekPosition.TypeCase.SPECIFIED
          ? (stopPos.getSpecified()?.getNumber() ?? Number.MAX_SAFE_INTEGER)
          : stopPos?.getTypeCase() === orderer.SeekPosition.TypeCase.NEWEST
            ? Math.max(0, ledger.height - 1)
            : Number.MAX_SAFE_INTEGER;
      if (stop < start) {
        sendStatus(common.Status.BAD_REQUEST);
        continue;
      }
      const failIfNotReady = seek.getBehavior() === orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY;
      let number = start;
      let completed = true;
      while (number <= stop && !abort.signal.aborted) {
        if (number >= ledger.height && failIfNotReady) {
          sendStatus(common.Status.NOT_FOUND);
          completed = false;
          break;
        }
        try {
          await ledger.waitForBlock(number, abort.signal);
        } catch {
          completed = false;
          break;
        }
        const block = ledger.getBlock(number);
        if (!block) break;
        const response = new peer.DeliverResponse();
        if (mode === 'filtered') response.setFilteredBlock(this.#filteredBlock(number));
        else if (mode === 'private') {
          const bp = new peer.BlockAndPrivateData();
          bp.setBlock(block);
          // Only the collections the requester's org is a member of, as a peer delivers them.
          const map = bp.getPrivateDataMapMap() as unknown as {
            set(txNum: number, value: ledgerProtos.rwset.TxPvtReadWriteSet): unknown;
          };
          for (const [txNum, pvt] of ledger.privateDataFor(number, requesterMspId)) map.set(txNum, pvt);
          response.setBlockAndPrivateData(bp);
        } else response.setBlock(block);
        if (!call.write(response)) await new Promise((resolve) => call.once('drain', resolve));
        number++;
      }
      if (completed && !abort.signal.aborted) sendStatus(common.Status.SUCCESS);
    }
    call.end();
  }

  #filteredBlock(number: number): peer.FilteredBlock {
    const summary = this.#deps.ledger.getSummary(number);
    const filtered = new peer.FilteredBlock();
    filtered.setChannelId(this.#deps.channelId);
    filtered.setNumber(number);
    filtered.setFilteredTransactionsList(
      (summary?.txs ?? []).map((tx) => {
        const ft = new peer.FilteredTransaction();
        ft.setTxid(tx.txId);
        ft.setType(tx.type as common.HeaderTypeMap[keyof common.HeaderTypeMap]);
        ft.setTxValidationCode(tx.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
        if (tx.type === common.HeaderType.ENDORSER_TRANSACTION) {
          const actions = new peer.FilteredTransactionActions();
          if (tx.event) {
            // Filtered blocks carry the event without its payload.
            const event = new peer.ChaincodeEvent();
            event.setChaincodeId(tx.event.getChaincodeId());
            event.setTxId(tx.event.getTxId());
            event.setEventName(tx.event.getEventName());
            const action = new peer.FilteredChaincodeAction();
            action.setChaincodeEvent(event);
            actions.setChaincodeActionsList([action]);
          }
          ft.setTransactionActions(actions);
        }
        return ft;
      }),
    );
    return filtered;
  }
}

/** The MSP ID a proposal claims, before any check; '' when it cannot be read. */
function claimedMspId(signed: peer.SignedProposal | undefined): string {
  try {
    const proposal = peer.Proposal.deserializeBinary(signed?.getProposalBytes_asU8() ?? new Uint8Array(0));
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const creator = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()).getCreator_asU8();
    return msp.SerializedIdentity.deserializeBinary(creator).getMspid();
  } catch {
    return '';
  }
}

function fnName(proposal: CheckedProposal): string {
  const first = proposal.args[0];
  return first ? Buffer.from(first).toString('utf8') : '';
}
