import type { SyncState } from '../../src-shared/ipc/contract';

/**
 * The state before the cache is open or when no ledger is configured: no gateway, nothing
 * queued, nothing synced. No invented numbers. The live state comes from SyncService.
 */
export function notConfiguredSyncState(): SyncState {
  return { connection: 'not-configured', queued: 0, failed: 0, lastSyncAt: null, problem: null };
}
