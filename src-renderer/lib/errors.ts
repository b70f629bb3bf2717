import type { ErrorCode, IpcError } from '../../src-shared/ipc/contract';

/**
 * A short heading per error code. The sentence under it always comes from the service
 * (`error.message`), which says what is wrong and what to do; the heading only helps the
 * eye find the kind of problem.
 */
const HEADINGS: Record<ErrorCode, string> = {
  VALIDATION: 'Please check what you entered',
  UNKNOWN_CHANNEL: 'Not available in this version',
  FORBIDDEN_SENDER: 'This page cannot reach CareLedger',
  NOT_SIGNED_IN: 'Please sign in',
  SESSION_LOCKED: 'The workstation is locked',
  ROLE_REFUSED: 'Not permitted for your role',
  WRONG_PIN: 'Wrong PIN',
  LOCKED_OUT: 'Sign-in paused for this identity',
  IDENTITY_INVALID: 'This staff identity cannot be used',
  IDENTITY_UNTRUSTED: 'This certificate cannot be enrolled here',
  SETUP_PASSPHRASE_WRONG: 'Setup passphrase needed',
  CACHE_NEEDS_SETUP: 'This workstation needs to be set up',
  CACHE_LOCKED: 'Local data is locked',
  CACHE_WRONG_KEY: 'Wrong passphrase',
  CACHE_CORRUPT: 'The local data file is damaged',
  CACHE_TOO_NEW: 'Local data is from a newer version',
  KEYCHAIN_UNAVAILABLE: 'The system keychain is not available',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Someone else changed this',
  UNAVAILABLE: 'Service not reachable',
  INTERNAL: 'Something went wrong',
};

export function errorHeading(error: IpcError): string {
  return HEADINGS[error.code];
}

/** A detail the service attached to an error, if it is a number. */
export function numberDetail(error: IpcError, ...keys: string[]): number | null {
  for (const key of keys) {
    const value = error.details?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

/** A detail the service attached to an error, if it is an ISO date. */
export function dateDetail(error: IpcError, ...keys: string[]): Date | null {
  for (const key of keys) {
    const value = error.details?.[key];
    if (typeof value === 'string' || typeof value === 'number') {
      const date = new Date(value);
      if (!Number.isNaN(date.getTime())) return date;
    }
  }
  return null;
}
