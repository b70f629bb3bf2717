/**
 * Sorting what the Fabric Gateway client throws into what the sync engine does about it:
 * - `unreachable`: the gateway could not be reached or did not answer in time. Nothing is
 *   decided; keep the row as persisted and try again when the connection is back.
 * - `refused`: the chaincode said no (a business rule: duplicate claim, consent not valid).
 *   Sending the same thing again gives the same answer: mark the row failed with the
 *   chaincode's own reason for the user.
 * - `rejected`: the network said no for another reason (identity not allowed, malformed
 *   request, orderer refusal). Also not retried by itself; shown with what to do.
 */
import { EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import * as grpc from '@grpc/grpc-js';
import { isConnectivityCode } from './connection';

export type GatewayFailure =
  | { kind: 'unreachable'; code: string; message: string }
  | { kind: 'refused'; code: 'CHAINCODE_REFUSED'; message: string }
  | { kind: 'rejected'; code: string; message: string };

const CHAINCODE_RESPONSE = /chaincode response (\d{3}), ?([\s\S]*)$/;

/**
 * How a Fabric 2.5 endorser refuses the caller's identity (ABORTED or FAILED_PRECONDITION, the
 * words in the details): an MSP that does not accept the certificate (foreign CA, expired,
 * wrong MSP ID, no node OU), a bad signature, or a certificate that is not a client (Writers).
 */
const FABRIC_IDENTITY_REFUSAL =
  /access denied: channel \[[^\]]*\] creator org|check policy \[\/Channel\/Application\/Writers\]/;

/** The chaincode's own message from an endorsement failure, or undefined when it was not the chaincode. */
export function chaincodeMessage(err: GatewayError): string | undefined {
  for (const detail of err.details) {
    const m = CHAINCODE_RESPONSE.exec(detail.message);
    if (m) return (m[2] ?? '').trim() || `the chaincode refused the transaction (status ${m[1]})`;
  }
  const m = CHAINCODE_RESPONSE.exec(err.message);
  return m ? (m[2] ?? '').trim() : undefined;
}

function grpcName(code: number): string {
  return (grpc.status as unknown as Record<number, string>)[code] ?? `GRPC_${code}`;
}

/** @param stage which call failed, for the message. */
function numericCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code: unknown = err.code;
  return typeof code === 'number' ? code : undefined;
}

export function classifyGatewayError(err: unknown, stage: 'endorse' | 'submit' | 'commit status' | 'events'): GatewayFailure {
  const code = numericCode(err);
  if (code !== undefined) {
    if (isConnectivityCode(code)) {
      return { kind: 'unreachable', code: grpcName(code), message: 'The ledger gateway cannot be reached. Work continues offline; queued changes will be sent when it is back.' };
    }
    if (err instanceof EndorseError || (err instanceof GatewayError && stage === 'endorse')) {
      const message = chaincodeMessage(err);
      if (message !== undefined) return { kind: 'refused', code: 'CHAINCODE_REFUSED', message };
    }
    const detail = err instanceof GatewayError && err.details.length > 0 ? err.details.map((d) => d.message).join('; ') : String((err as { message?: unknown }).message);
    if (code === (grpc.status.PERMISSION_DENIED as number) || FABRIC_IDENTITY_REFUSAL.test(detail)) {
      return { kind: 'rejected', code: 'PERMISSION_DENIED', message: `The ledger did not accept this workstation's identity (${detail}). Check that your staff certificate is valid, or call IT support.` };
    }
    return { kind: 'rejected', code: grpcName(code), message: `The ledger refused the ${stage} request: ${detail}` };
  }
  return { kind: 'rejected', code: 'INTERNAL', message: `The ${stage} request failed inside the workstation: ${(err as Error)?.message ?? String(err)}` };
}
