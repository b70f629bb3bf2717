import { useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { onTransportChange, transportStatus } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { describeSync } from '../sync/describe';
import { useSyncStore } from '../sync/store';

/**
 * The bottom bar is reserved for sync state: the ledger connection, the outbox, the last
 * sync and the last problem. It also says when this window has lost its own service.
 */
export function StatusBar(): ReactNode {
  const sync = useSyncStore((s) => s.sync);
  const error = useSyncStore((s) => s.error);
  const load = useSyncStore((s) => s.load);
  const transport = useSyncExternalStore(onTransportChange, transportStatus);

  useEffect(() => {
    void load();
  }, [load]);

  const summary = sync ? describeSync(sync) : null;
  return (
    <footer className="status-bar" aria-label="Sync status" data-testid="status-bar">
      <div className="status-items" role="status" aria-live="polite">
        {summary && sync ? (
          <>
            <span className={`status-item sync-${summary.tone}`} data-testid="status-connection">
              <span className="dot" aria-hidden="true" />
              {summary.label}
            </span>
            <span className="status-item">Queued: {sync.queued}</span>
            {sync.backlog && sync.backlog.remaining > 0 ? (
              <span className="status-item">
                Catching up: {sync.backlog.total - sync.backlog.remaining}/{sync.backlog.total}
              </span>
            ) : null}
            {sync.failed > 0 ? <span className="status-item status-warning">Failed: {sync.failed}</span> : null}
            <span className="status-item">Last sync: {sync.lastSyncAt ? formatTime(sync.lastSyncAt) : 'never'}</span>
            {sync.problem ? (
              <span className="status-item status-warning status-problem" title={sync.problem}>
                Problem: {sync.problem}
              </span>
            ) : null}
          </>
        ) : (
          <span className="status-item">{error ? 'Sync state unavailable' : 'Loading sync state…'}</span>
        )}
      </div>
      <div className="status-items">
        {transport === 'disconnected' || transport === 'connecting' ? (
          <span className="status-item status-warning" data-testid="status-service">
            {transport === 'connecting'
              ? 'Connecting to the workstation service…'
              : 'Workstation service unreachable: reconnecting…'}
          </span>
        ) : null}
        <span className="status-item">Local data encrypted</span>
      </div>
    </footer>
  );
}
