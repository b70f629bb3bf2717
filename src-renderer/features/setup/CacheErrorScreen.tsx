import { useState, type ReactNode } from 'react';
import type { CacheRebuildReport, IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useCacheStore } from './store';

/**
 * The cache cannot be used (corrupt file, newer version, keychain gone). Nothing has been
 * deleted. When the file is damaged and the workstation still holds its key, the screen offers
 * the rebuild and says plainly what it keeps and what it cannot bring back.
 */
export function CacheErrorScreen({ error, onRetry }: { error: IpcError; onRetry: () => void }): ReactNode {
  const canRebuild = error.code === 'CACHE_CORRUPT' && error.details?.canRebuild === true;
  return (
    <AuthLayout testId="cache-error-screen" title={canRebuild ? 'Local data is damaged' : 'Local data cannot be opened'} wide={canRebuild}>
      <ErrorNotice error={error} />
      {canRebuild ? (
        <RebuildOffer />
      ) : (
        <>
          <p>Nothing has been deleted. Call IT support and tell them the heading above.</p>
          <div className="form-actions">
            <button type="button" className="btn" onClick={onRetry}>
              Try again
            </button>
          </div>
        </>
      )}
    </AuthLayout>
  );
}

function RebuildOffer(): ReactNode {
  const setRebuildReport = useCacheStore((s) => s.setRebuildReport);
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<IpcError | null>(null);

  async function rebuild(): Promise<void> {
    setBusy(true);
    setFailure(null);
    const result = await api['cache.rebuild']({ confirmLocalDataLoss: true });
    setBusy(false);
    // The new cache state arrives as a pushed event; the report is shown until dismissed.
    if (result.ok) setRebuildReport(result.value);
    else setFailure(result.error);
  }

  return (
    <section className="stack" aria-labelledby="rebuild-heading" data-testid="rebuild-offer">
      <h2 id="rebuild-heading">Two ways on</h2>
      <p>
        <strong>If IT has a recent backup of this workstation&rsquo;s data folder</strong>, ask them to restore it: that keeps
        everything up to the backup.
      </p>
      <p>
        <strong>Otherwise, rebuild the local data.</strong> In this order, the workstation:
      </p>
      <ol className="steps">
        <li>exports the ledger changes not yet sent to a sealed file, before anything else, and puts them back in the queue;</li>
        <li>moves the damaged file into a folder beside it, for IT (nothing is deleted);</li>
        <li>starts fresh local data, keeping the enrolled staff and the workstation settings where they can still be read;</li>
        <li>downloads again from the ledger what it mirrors (trusted issuers, revocations, consents, claim states).</li>
      </ol>
      <Notice tone="warning" title="What a rebuild cannot bring back">
        <p>
          Records that exist only on this workstation: patients registered here, their admissions and wristband details,
          and scanned wallet facts. The ledger holds no patient details, so they cannot be downloaded again; only a backup
          restores them.
        </p>
      </Notice>
      {failure ? <ErrorNotice error={failure} /> : null}
      <div className="field field-inline">
        <input id="rebuild-understood" type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
        <label htmlFor="rebuild-understood">I understand that patient records kept only on this workstation will not come back</label>
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-danger" disabled={!understood || busy} onClick={() => void rebuild()}>
          {busy ? 'Rebuilding…' : 'Rebuild local data'}
        </button>
      </div>
    </section>
  );
}

const TABLE_NAMES: Record<string, string> = {
  staff_identity: 'enrolled staff',
  workstation_setting: 'workstation settings',
  sign_in_event: 'sign-in log',
};

/** After a rebuild: what was kept, what was not, and where the files are, until the user moves on. */
export function RebuildReportScreen({ report, onDone }: { report: CacheRebuildReport; onDone: () => void }): ReactNode {
  const staff = report.carried.find((c) => c.table === 'staff_identity');
  const kept = report.carried.filter((c) => c.rows !== null && c.rows > 0);
  const lostTables = report.carried.filter((c) => c.rows === null);
  return (
    <AuthLayout testId="rebuild-report-screen" title="Local data rebuilt" wide>
      <Notice tone="success" title="The workstation has fresh local data">
        <p>
          {report.reimported === 0
            ? 'No ledger changes were waiting to be sent.'
            : report.reimported === 1
              ? '1 ledger change not yet sent is back in the sync queue and will go out as usual.'
              : `${report.reimported} ledger changes not yet sent are back in the sync queue and will go out as usual.`}
        </p>
      </Notice>
      {!report.outboxComplete ? (
        <Notice tone="warning" title="The sync queue could not be read">
          <p>
            The damaged file did not say which ledger changes were waiting. Ask IT support to check the damaged file, and
            re-enter today&rsquo;s admissions that do not appear on the ledger.
          </p>
        </Notice>
      ) : null}
      {report.unreadableWrites.length > 0 ? (
        <Notice tone="warning" title="Some ledger changes could not be read">
          <p>
            {report.unreadableWrites.length === 1 ? 'One change' : `${report.unreadableWrites.length} changes`} (queue numbers{' '}
            {report.unreadableWrites.join(', ')}) sat on the damaged part of the file. Make them again, or ask IT support.
          </p>
        </Notice>
      ) : null}
      {staff?.rows === null ? (
        <Notice tone="warning" title="Staff need to enrol again">
          <p>The list of enrolled staff could not be read. Staff enrol again from their certificate and key files, as on the first day.</p>
        </Notice>
      ) : null}
      <dl className="facts">
        {kept.length > 0 ? (
          <div>
            <dt>Kept</dt>
            <dd>{kept.map((t) => TABLE_NAMES[t.table] ?? t.table).join(', ')}</dd>
          </div>
        ) : null}
        {lostTables.length > 0 ? (
          <div>
            <dt>Could not be read</dt>
            <dd>{lostTables.map((t) => TABLE_NAMES[t.table] ?? t.table).join(', ')}</dd>
          </div>
        ) : null}
        <div>
          <dt>Damaged file kept in</dt>
          <dd className="path">{report.movedTo}</dd>
        </div>
        <div>
          <dt>Sealed export of unsent changes</dt>
          <dd className="path">{report.outboxExportFile}</dd>
        </div>
      </dl>
      <p className="muted">
        The export is sealed with this workstation&rsquo;s data key: only this workstation, or IT with the recovery
        passphrase, can open it. Hand both to IT support if they ask; nothing else needs doing with them.
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Continue
        </button>
      </div>
    </AuthLayout>
  );
}
