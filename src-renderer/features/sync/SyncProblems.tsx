import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { IpcError, SyncProblem } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useSyncStore } from './store';

/**
 * Ledger writes that need a person: refused by the ledger, or unreadable. Each can be sent
 * again or, after a confirmation, given up; until then later writes of the same record wait.
 */
export function SyncProblems({ failedCount }: { failedCount: number }): ReactNode {
  const applySync = useSyncStore((s) => s.apply);
  const [problems, setProblems] = useState<SyncProblem[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busySeq, setBusySeq] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const load = useCallback(async (): Promise<void> => {
    const result = await api['sync.problems']({ limit: 200 });
    if (result.ok) {
      setProblems(result.value);
      setError(null);
    } else {
      setError(result.error);
    }
  }, []);

  useEffect(() => {
    // Fetching is what this effect is for; state changes only after the answer arrives.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load, failedCount]);

  async function act(seq: number, action: 'sync.retry' | 'sync.discard'): Promise<void> {
    setBusySeq(seq);
    setConfirming(null);
    const result = await api[action]({ seq });
    setBusySeq(null);
    if (result.ok) {
      applySync(result.value);
      await load();
    } else {
      setError(result.error);
    }
  }

  return (
    <section className="card card-flush" aria-labelledby="sync-problems">
      <div className="card-toolbar">
        <h2 id="sync-problems">Needs attention</h2>
        <span className="muted">
          {problems ? `${problems.length} ${problems.length === 1 ? 'write' : 'writes'}` : null}
        </span>
      </div>
      <div className="card-body">
        {error ? <ErrorNotice error={error} /> : null}
        {problems === null && !error ? <Loading label="Loading failed writes…" /> : null}
        {problems !== null && problems.length === 0 ? (
          <p className="muted" data-testid="sync-no-problems">
            Nothing needs attention: no ledger write has failed.
          </p>
        ) : null}
        {problems !== null && problems.length > 0 ? (
          <ul className="problem-list">
            {problems.map((problem) => (
              <li key={problem.seq} className="problem">
                <div className="problem-text">
                  <p className="problem-title">
                    <span className={`badge ${problem.state === 'failed' ? 'badge-danger' : 'badge-warning'}`}>
                      {problem.state === 'failed' ? 'Refused by the ledger' : 'Could not be read'}
                    </span>{' '}
                    <strong>{problem.operation}</strong>
                  </p>
                  <p>{problem.reason}</p>
                  <p className="muted">
                    Tried {problem.attempts} {problem.attempts === 1 ? 'time' : 'times'}, last at{' '}
                    {formatDateTime(problem.updatedAt)}.
                    {problem.blockedBehind > 0
                      ? ` ${problem.blockedBehind} later ${problem.blockedBehind === 1 ? 'write of the same record waits' : 'writes of the same record wait'} behind it.`
                      : ''}
                  </p>
                </div>
                <div className="problem-actions">
                  {confirming === problem.seq ? (
                    <div
                      className="confirm"
                      role="group"
                      aria-label="Confirm discarding this write"
                      onKeyDown={(e) => {
                        if (e.key === 'Escape') setConfirming(null);
                      }}
                    >
                      <Notice tone="warning">
                        <p>Discard this write? It will never reach the ledger.</p>
                      </Notice>
                      <button
                        type="button"
                        className="btn btn-danger"
                        autoFocus
                        onClick={() => void act(problem.seq, 'sync.discard')}
                      >
                        Discard
                      </button>
                      <button type="button" className="btn" onClick={() => setConfirming(null)}>
                        Keep it
                      </button>
                    </div>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="btn"
                        disabled={busySeq !== null}
                        onClick={() => void act(problem.seq, 'sync.retry')}
                      >
                        Send again
                      </button>
                      <button
                        type="button"
                        className="btn btn-quiet"
                        disabled={busySeq !== null}
                        onClick={() => setConfirming(problem.seq)}
                      >
                        Discard…
                      </button>
                    </>
                  )}
                </div>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
