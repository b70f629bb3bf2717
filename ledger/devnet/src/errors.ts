/**
 * Errors of the devnet peer. Each has a stable `code` so callers (tests, the workstation's
 * ledger status) can branch on it, and a message that says what is wrong and what to do.
 */
export type DevnetErrorCode =
  | 'UNKNOWN_MSP'
  | 'UNTRUSTED_CERTIFICATE'
  | 'EXPIRED_CERTIFICATE'
  | 'MALFORMED_IDENTITY'
  | 'BAD_SIGNATURE'
  | 'ACCESS_DENIED'
  | 'BAD_PROPOSAL'
  | 'WRONG_CHANNEL'
  | 'UNKNOWN_CHAINCODE'
  | 'ENDORSEMENT_MISMATCH'
  | 'POLICY_UNSATISFIABLE'
  | 'BAD_POLICY'
  | 'BAD_CONFIG'
  | 'STORAGE_CORRUPT'
  | 'BLOCKS_LOST'
  | 'DATA_DIR_IN_USE'
  | 'STOPPED';

export class DevnetError extends Error {
  override readonly name = 'DevnetError';
  constructor(
    readonly code: DevnetErrorCode,
    message: string,
  ) {
    super(message);
  }
}
