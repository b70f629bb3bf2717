/**
 * Shared pieces of the hostile suite's dispatcher tests: a handler for every channel that only
 * notes that it ran and refuses, so a test can assert which handlers the dispatcher let through.
 */
import { CHANNEL_NAMES } from '../../src-shared/ipc/contract';
import type { Caller, Handlers } from '../../src-main/ipc/dispatcher';

/** A trusted in-process caller (the dispatcher's own checks are what is under test). */
export const ours: Caller = { transport: 'in-process', trusted: true, origin: 'test' };

/** Handlers for every channel that record their channel in `ran` and refuse. */
export function recordingHandlers(): { handlers: Handlers; ran: string[] } {
  const ran: string[] = [];
  const handlers = Object.fromEntries(
    CHANNEL_NAMES.map((c) => [
      c,
      () => {
        ran.push(c);
        return Promise.reject(new Error('handler must not run'));
      },
    ]),
  ) as unknown as Handlers;
  return { handlers, ran };
}
