/**
 * Errors of the chaincode runtime that the devnet core turns into endorsement failures.
 * `code` is stable (callers branch on it); the message says what happened and what to do.
 */
export type ShimRuntimeErrorCode =
  | 'CHAINCODE_PACKAGE_INVALID'
  | 'CHAINCODE_START_FAILED'
  | 'CHAINCODE_NOT_RUNNING'
  | 'CHAINCODE_CRASHED'
  | 'CHAINCODE_TIMEOUT'
  | 'DUPLICATE_TXID'
  | 'PROPOSAL_INVALID'
  | 'RUNTIME_STOPPED';

export class ShimRuntimeError extends Error {
  readonly code: ShimRuntimeErrorCode;

  constructor(code: ShimRuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShimRuntimeError';
    this.code = code;
  }
}

/**
 * A chaincode request the peer refuses (bad collection, no access, unsupported call).
 * It travels back to the chaincode as an ERROR message, where the shim throws it inside the
 * contract; it never escapes simulate().
 */
export class ChaincodeRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChaincodeRequestError';
  }
}
