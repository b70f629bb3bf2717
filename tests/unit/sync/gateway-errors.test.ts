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

  it('does not take a non-chaincode endorsement failure for a business refusal', () => {
    const err = new EndorseError({ code: grpc.status.FAILED_PRECONDITION, details: [], cause, transactionId: 't', message: 'no combination of peers satisfies the endorsement policy' });
    expect(classifyGatewayError(err, 'endorse')).toMatchObject({ kind: 'rejected', code: 'FAILED_PRECONDITION' });
  });
});
