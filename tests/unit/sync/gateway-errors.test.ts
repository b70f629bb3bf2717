import * as grpc from '@grpc/grpc-js';
// SubmitError is exported as a type only; the submit stage throws it as a GatewayError subclass.
import { CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { describe, expect, it } from 'vitest';
import { classifyGatewayError } from '../../../src-main/ledger/gateway-errors';

const cause = { code: 0, details: '', metadata: new grpc.Metadata(), name: 'Error', message: '' } as grpc.ServiceError;

describe('sorting gateway failures', () => {
  it('reads a business refusal from the chaincode out of the endorsement details', () => {
    const err = new EndorseError({
      code: grpc.status.ABORTED,
      details: [{ address: 'peer0.hospitalamsp', mspId: 'HospitalAMSP', message: 'chaincode response 500, A claim with the same patient, provider, date and codes was already submitted (CLM-1).' }],
      cause,
      transactionId: 'tx1',
      message: 'failed to endorse transaction, see attached details for more info',
    });
    expect(classifyGatewayError(err, 'endorse')).toEqual({
      kind: 'refused',
      code: 'CHAINCODE_REFUSED',
      message: 'A claim with the same patient, provider, date and codes was already submitted (CLM-1).',
    });
  });

  it('treats an unreachable or slow gateway as "try again later", whatever the stage', () => {
    for (const code of [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]) {
      expect(classifyGatewayError(new EndorseError({ code, details: [], cause, transactionId: 't' }), 'endorse').kind).toBe('unreachable');
      expect(classifyGatewayError(new GatewayError({ code, details: [], cause }), 'submit').kind).toBe('unreachable');
      expect(classifyGatewayError(new CommitStatusError({ code, details: [], cause, transactionId: 't' }), 'commit status').kind).toBe('unreachable');
    }
  });

  it('rejects, without retrying, an identity the ledger does not accept and an orderer refusal', () => {
    const denied = classifyGatewayError(new EndorseError({ code: grpc.status.PERMISSION_DENIED, details: [], cause, transactionId: 't', message: 'creator certificate expired' }), 'endorse');
    expect(denied).toMatchObject({ kind: 'rejected', code: 'PERMISSION_DENIED' });
    expect(denied.message).toMatch(/staff certificate/);
    const orderer = classifyGatewayError(new GatewayError({ code: grpc.status.ABORTED, details: [], cause, message: 'received unsuccessful response from orderer' }), 'submit');
    expect(orderer).toMatchObject({ kind: 'rejected', code: 'ABORTED' });
  });

  it("reads Fabric 2.5's identity refusals as a refused identity, whatever the status code (issue 15 item 8)", () => {
    for (const message of [
      'error validating proposal: access denied: channel [careledger] creator org unknown, creator is malformed',
      'error validating proposal: access denied: channel [careledger] creator org [HospitalAMSP]',
      "error validating proposal: failed evaluating policy on signed data during check policy [/Channel/Application/Writers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied]",
    ]) {
      const endorse = new EndorseError({ code: grpc.status.ABORTED, details: [{ address: 'peer0.hospitalamsp', mspId: 'HospitalAMSP', message }], cause, transactionId: 't', message: 'failed to endorse transaction, see attached details for more info' });
      expect(classifyGatewayError(endorse, 'endorse')).toMatchObject({ kind: 'rejected', code: 'PERMISSION_DENIED', message: expect.stringMatching(/staff certificate/) as string });
      const evaluate = new GatewayError({ code: grpc.status.FAILED_PRECONDITION, details: [{ address: 'peer0.hospitalamsp', mspId: 'HospitalAMSP', message }], cause, message: `evaluate call to endorser returned error: ${message}` });
      expect(classifyGatewayError(evaluate, 'endorse')).toMatchObject({ kind: 'rejected', code: 'PERMISSION_DENIED' });
    }
  });

  it("keeps Fabric 2.5's other sentences apart: unknown chaincode, not enough endorsements, unknown channel", () => {
    const noPeers = new GatewayError({ code: grpc.status.FAILED_PRECONDITION, details: [], cause, message: 'no peers available to evaluate chaincode careledger in channel careledger' });
    expect(classifyGatewayError(noPeers, 'endorse')).toMatchObject({ kind: 'rejected', code: 'FAILED_PRECONDITION', message: expect.stringMatching(/no peers available to evaluate chaincode/) as string });
    const notEnough = new EndorseError({ code: grpc.status.ABORTED, details: [{ address: 'peer0.insurermsp', mspId: 'InsurerMSP', message: 'chaincode response 500, Only the insurer of the claim may adjudicate it.' }], cause, transactionId: 't', message: 'failed to collect enough transaction endorsements, see attached details for more info' });
    expect(classifyGatewayError(notEnough, 'endorse')).toEqual({ kind: 'refused', code: 'CHAINCODE_REFUSED', message: 'Only the insurer of the claim may adjudicate it.' });
    // Fabric answers an unknown channel with 14 UNAVAILABLE: indistinguishable from an outage, so kept and retried.
    expect(classifyGatewayError(new GatewayError({ code: grpc.status.UNAVAILABLE, details: [], cause, message: 'channel not found' }), 'endorse').kind).toBe('unreachable');
  });

  it('does not take a non-chaincode endorsement failure for a business refusal', () => {
    const err = new EndorseError({ code: grpc.status.FAILED_PRECONDITION, details: [], cause, transactionId: 't', message: 'no combination of peers satisfies the endorsement policy' });
    expect(classifyGatewayError(err, 'endorse')).toMatchObject({ kind: 'rejected', code: 'FAILED_PRECONDITION' });
  });
});
