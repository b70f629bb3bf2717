import assert from 'node:assert/strict';
import { LedgerError } from '../../src/lib/errors';

/** Asserts the promise rejects with a LedgerError of `code` (and, optionally, a message part). */
export async function rejectsWith(promise: Promise<unknown>, code: string, messagePart?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LedgerError, `expected a LedgerError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (messagePart !== undefined) assert.match(error.message, typeof messagePart === 'string' ? new RegExp(messagePart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : messagePart);
    return true;
  });
}
