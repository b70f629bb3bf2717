/**
 * The messages between the main thread's SyncService and the sync thread (sync-thread.ts),
 * which drains the outbox on its own SQLCipher connection and its own gRPC channel so that the
 * thread answering the UI never runs a drain. Everything here is plain data (structured clone);
 * private keys travel as `KeyObject`s, which Node clones between threads without exporting them.
 */
import type { KeyObject } from 'node:crypto';
import type { DateTimePreferences } from '../../src-shared/datetime';
import type { ConnectionSettings } from '../ledger/connection-file';
import type { ConnectionStatus, LedgerIdentityRef } from '../ledger/connection';
import type { Outcome, OutboxRow } from '../ledger/outbox';
import type { ApplierSetName } from './workstation-appliers';

/** What the thread is started with (`workerData`). */
export interface SyncThreadStart {
  file: string;
  /** The cache's raw key; the thread zeroes its copy once its connection is open. */
  key: Uint8Array;
  settings: ConnectionSettings;
  /** Transactions in flight at once. */
  window?: number;
  /** Operations whose settlement handler lives on the main thread: their outcomes are recorded there. */
  operations: string[];
  /**
   * The event inbox runs on the thread too, with this set of appliers (workstation-appliers.ts);
   * null: the inbox stays on the main thread (appliers given as closures).
   */
  appliers: ApplierSetName | null;
  /** The workstation's date style, for sentences the appliers write (credentialing alerts). */
  dates: DateTimePreferences;
}

export interface ThreadSigner extends LedgerIdentityRef {
  privateKey: KeyObject;
}

export type ToSyncThread =
  | { type: 'signers'; signers: ThreadSigner[] }
  | { type: 'operations'; operations: string[] }
  | { type: 'wake' }
  /** The main thread's connection saw the gateway come back: look again now. */
  | { type: 'online' }
  | { type: 'whenIdle'; id: number }
  /** The workstation's date style changed. */
  | { type: 'dates'; preferences: DateTimePreferences }
  | { type: 'recorded'; id: number; error: string | null }
  | { type: 'stop' };

export type FromSyncThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'connection'; status: ConnectionStatus; problem: string | null }
  | { type: 'changed' }
  | { type: 'record'; id: number; row: OutboxRow; outcome: Outcome }
  | { type: 'idle'; id: number }
  | { type: 'log'; line: string }
  /** The thread's connection met a damaged page: the cache must stop being used (CACHE_CORRUPT). */
  | { type: 'damaged'; message: string }
  | { type: 'stopped' };
