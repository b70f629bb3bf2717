/**
 * Domain errors. The peer returns `message` to the client as the endorsement error, so every
 * message starts with the stable code in brackets (`[CONSENT_NOT_SIGNED_BY_PATIENT] ...`):
 * the workstation maps the code, the clerk reads the sentence.
 */
export type LedgerErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_INITIALISED'
  | 'ALREADY_INITIALISED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'SIGNATURE_INVALID'
  | 'CONSENT_INVALID'
  | 'DUPLICATE_CLAIM'
  | 'UNTRUSTED_ISSUER'
  | 'STATUS_LIST_INVALID'
  | 'SANCTIONED'
  | 'PRIVATE_DATA_MISSING'
  | 'CONSENT_NOT_COVERED';

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, message: string) {
    super(`[${code}] ${message}`);
    this.name = 'LedgerError';
    this.code = code;
  }
}

export function invalid(message: string): LedgerError {
  return new LedgerError('INVALID_ARGUMENT', message);
}
