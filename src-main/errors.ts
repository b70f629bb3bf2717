import type { ErrorCode, IpcError } from '../src-shared/ipc/contract';

/**
 * A failure the user can act on. `message` is a sentence for a desk clerk (what is wrong and
 * what to do); `details` carries machine-readable extras such as `retryAt`. Crosses IPC as
 * data through `toIpcError`; anything that is not a DomainError crosses as INTERNAL without
 * its stack.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Converts any thrown value into the error shape that may cross IPC: never a stack trace. */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof DomainError) {
    return err.details === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, details: err.details };
  }
  return { code: 'INTERNAL', message: 'Something went wrong inside the workstation. Try again; if it keeps happening, call IT support.' };
}
