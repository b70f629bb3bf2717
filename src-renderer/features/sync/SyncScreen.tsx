import { useEffect, useState, type ReactNode } from 'react';
import type { SyncWaitingWrite } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
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
          <WaitingWrites queued={sync.queued} />
          <SyncProblems failedCount={sync.failed} />
        </>
      ) : null}
    </div>
  );
}

const STEP_WORDS: Record<string, string> = {
  queued: 'Not sent yet',
  signed: 'Signed, sending',
  endorsed: 'Approved by the ledger, sending',
  submitted: 'Sent, waiting for confirmation',
};

/** What is waiting in the outbox, oldest first: what it is and when it was made (no patient data). */
function WaitingWrites({ queued }: { queued: number }): ReactNode {
  const [items, setItems] = useState<SyncWaitingWrite[] | null>(null);
  useEffect(() => {
    let current = true;
    void api['sync.waiting']({ limit: 200 }).then((result) => {
      if (current) setItems(result.ok ? result.value : []);
    });
    return () => {
      current = false;
    };
  }, [queued]);
  if (queued === 0 || !items || items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="sync-waiting" data-testid="sync-waiting">
      <h2 id="sync-waiting">Waiting to be sent</h2>
      {/* Focusable and named: a long list scrolls, and the keyboard must reach it. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Ledger writes waiting to be sent">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Made</th>
              <th scope="col">What</th>
              <th scope="col">Step</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.seq} data-testid="sync-waiting-row">
                <td>{formatDateTime(item.createdAt)}</td>
                <td>
                  {item.description} <span className="muted mono">({item.operation})</span>
                </td>
                <td>{STEP_WORDS[item.state] ?? item.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {queued > items.length ? <p className="muted">And {queued - items.length} more.</p> : null}
    </section>
  );
}
