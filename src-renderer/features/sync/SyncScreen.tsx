import { useEffect, type ReactNode } from 'react';
import { formatDateTime } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { describeSync } from './describe';
import { SyncProblems } from './SyncProblems';
import { useSyncStore } from './store';

export function SyncScreen(): ReactNode {
  const sync = useSyncStore((s) => s.sync);
  const error = useSyncStore((s) => s.error);
  const load = useSyncStore((s) => s.load);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="stack">
      <p className="lead">
        Your work is saved first in this workstation&apos;s encrypted cache. With a ledger configured, ledger writes
        wait in an outbox and are sent when the ledger gateway is reachable, and ledger events flow back in.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {sync === null && !error ? <Loading label="Loading sync state…" /> : null}
      {sync ? (
        <>
          <section className="card" aria-labelledby="sync-connection">
            <h2 id="sync-connection">Ledger connection</h2>
            <p className={`sync-state sync-${describeSync(sync).tone}`} data-testid="sync-connection">
              <span className="dot" aria-hidden="true" />
              <strong>{describeSync(sync).label}</strong>
            </p>
            <p>{describeSync(sync).explanation}</p>
            {sync.problem ? (
              <Notice tone="warning" title="Last attempt failed">
                <p>{sync.problem}</p>
              </Notice>
            ) : null}
          </section>
          <section className="card" aria-labelledby="sync-outbox">
            <h2 id="sync-outbox">Outbox</h2>
            <dl className="facts">
              <div>
                <dt>Waiting to be sent</dt>
                <dd>{sync.queued}</dd>
              </div>
              <div>
                <dt>Failed, need attention</dt>
                <dd>{sync.failed}</dd>
              </div>
              <div>
                <dt>Last successful sync</dt>
                <dd>{sync.lastSyncAt ? formatDateTime(sync.lastSyncAt) : 'Never'}</dd>
              </div>
            </dl>
            {sync.backlog && sync.backlog.total > 0 ? (
              <div className="backlog">
                <label htmlFor="sync-backlog">
                  Catching up: {sync.backlog.total - sync.backlog.remaining} of {sync.backlog.total} sent
                </label>
                <progress
                  id="sync-backlog"
                  max={sync.backlog.total}
                  value={sync.backlog.total - sync.backlog.remaining}
                />
              </div>
            ) : null}
          </section>
          <SyncProblems failedCount={sync.failed} />
        </>
      ) : null}
    </div>
  );
}
