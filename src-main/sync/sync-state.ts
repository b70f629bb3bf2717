import type { SyncState } from '../../src-shared/ipc/contract';

/**
 * The ledger sync does not exist yet (its own issue). Until it does, the status bar is told the
 * truth: no gateway configured, nothing queued, nothing synced. No invented numbers.
 */
export function notConfiguredSyncState(): SyncState {
  return { connection: 'not-configured', queued: 0, failed: 0, lastSyncAt: null, problem: null };
}
