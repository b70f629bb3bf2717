import { useState, type ReactNode } from 'react';
import type { CacheIntegrityReport, IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { ErrorNotice, Notice } from '../../ui/Notice';

/**
 * "Check local data now": every page of the encrypted cache against its checksum. The same
 * check runs by itself after each start; damage switches the whole workstation to the
 * damaged-data screen (with the rebuild), so a result shown here is normally the good one.
 */
export function IntegrityCheck(): ReactNode {
  const [report, setReport] = useState<CacheIntegrityReport | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function check(): Promise<void> {
    setBusy(true);
    setError(null);
    setReport(null);
    const result = await api['cache.checkIntegrity']({});
    setBusy(false);
    if (result.ok) setReport(result.value);
    else setError(result.error);
  }

  return (
    <div className="stack integrity-check" data-testid="integrity-check">
      <h3>Damage check</h3>
      <p>
        The workstation checks every part of its local data for damage after each start. Check again now if the
        workstation was switched off abruptly or its disk reported errors.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {report?.ok ? (
        <Notice tone="success" title="No damage found" testId="integrity-ok">
          <p>
            All {report.pages} parts of the local data passed their check at {formatTime(report.checkedAt)}.
          </p>
        </Notice>
      ) : null}
      {report && !report.ok ? (
        <Notice tone="danger" title="Damage found" testId="integrity-damaged">
          <p>{report.problems.join('; ')}. The workstation now offers to rebuild its local data.</p>
        </Notice>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn" disabled={busy} onClick={() => void check()}>
          {busy ? 'Checking…' : 'Check local data now'}
        </button>
      </div>
    </div>
  );
}
