import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { SanctionsImportResult, SanctionsView } from '../../../src-shared/credentialing/sanctions';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { dateTimeStyle, formatDate, formatDateTime } from '../../lib/format';
import { ErrorNotice, Notice } from '../../ui/Notice';
import './credentialing.css';

/** Rows per import call: keeps each call far below the web host's 1 MB body limit. */
const ROWS_PER_CALL = 4000;

/**
 * The governance body's sanctions list (shown on the governance screen): import an exclusion
 * list in the OIG LEIE CSV format, add or lift one entry, see the list and its age.
 */
export function SanctionsAdmin(): ReactNode {
  const [view, setView] = useState<SanctionsView | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [source, setSource] = useState('OIG LEIE');
  const [imported, setImported] = useState<SanctionsImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [loadedAt, setLoadedAt] = useState(0);
  const fileRef = useRef<HTMLInputElement>(null);

  const load = useCallback(async (): Promise<void> => {
    const result = await api['sanctions.list']({ limit: 100 });
    if (result.ok) {
      setView(result.value);
      setLoadedAt(Date.now());
    } else setError(result.error);
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
    const off = api.onEvent((e) => {
      if (e.type === 'sync') void load();
    });
    return off;
  }, [load]);

  async function importFile(file: File): Promise<void> {
    setError(null);
    setImported(null);
    setBusy(true);
    const lines = (await file.text()).split(/\r?\n/);
    const header = lines[0] ?? '';
    const total: SanctionsImportResult = { rows: 0, queued: 0, transactions: 0, skipped: [], skippedCount: 0 };
    for (let i = 1; i < lines.length; i += ROWS_PER_CALL) {
      const part = [header, ...lines.slice(i, i + ROWS_PER_CALL)].join('\n');
      const result = await api['sanctions.import']({ csvText: part, source });
      if (!result.ok) {
        setError(result.error);
        break;
      }
      total.rows += result.value.rows;
      total.queued += result.value.queued;
      total.transactions += result.value.transactions;
      total.skippedCount += result.value.skippedCount;
      total.skipped.push(...result.value.skipped.map((s) => ({ ...s, line: s.line + i - 1 })).slice(0, 50 - total.skipped.length));
    }
    setBusy(false);
    if (total.rows > 0) setImported(total);
    await load();
  }

  const age = view?.asOf ? Math.round((loadedAt - Date.parse(view.asOf)) / 60_000) : null;
  return (
    <section className="card" aria-labelledby="sanctions-admin-title" data-testid="sanctions-admin">
      <h2 id="sanctions-admin-title">Sanctions list</h2>
      <p className="muted" data-testid="sanctions-age">
        {view === null
          ? 'Loading…'
          : view.asOf === null
            ? 'Not read from the ledger yet: check the Sync screen.'
            : `${view.total} entries on the ledger, as of ${formatDateTime(view.asOf)}${age !== null && age > 60 ? ` (${Math.round(age / 60)} hours ago)` : ''}.`}
        {view && view.pendingWrites > 0 ? ` ${view.pendingWrites} change(s) waiting to reach the ledger.` : ''}
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="cred-actions">
        <div className="field">
          <label htmlFor="sanctions-source">List name (the source shown to hospitals)</label>
          <input id="sanctions-source" className="input" value={source} onChange={(e) => setSource(e.target.value)} />
        </div>
        <button type="button" className="btn btn-primary" disabled={busy || source.trim() === ''} onClick={() => fileRef.current?.click()}>
          {busy ? 'Importing…' : 'Import exclusion list (LEIE CSV)…'}
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".csv,text/csv"
          hidden
          aria-label="Exclusion list file"
          data-testid="sanctions-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importFile(f);
            e.target.value = '';
          }}
        />
      </div>
      {imported ? (
        <Notice tone="success" title="Import queued" testId="sanctions-imported">
          <p>
            {imported.queued} of {imported.rows} rows go to the ledger in {imported.transactions} transaction(s). Names, birth dates and addresses stay in the file; the ledger gets NPI or licence, exclusion type and dates.
          </p>
          {imported.skippedCount > 0 ? (
            <p>
              {imported.skippedCount} row(s) not imported, e.g. line {imported.skipped[0]?.line}: {imported.skipped[0]?.reason}.
            </p>
          ) : null}
        </Notice>
      ) : null}
      <AddSanctionForm onDone={() => void load()} onError={setError} />
      {view && view.entries.length > 0 ? <SanctionsTable view={view} onChanged={() => void load()} onError={setError} /> : null}
    </section>
  );
}

function AddSanctionForm({ onDone, onError }: { onDone: () => void; onError: (e: IpcError) => void }): ReactNode {
  const [npi, setNpi] = useState('');
  const [licence, setLicence] = useState('');
  const [reason, setReason] = useState('');
  const [fromText, setFromText] = useState(() => dateTimeStyle().dateInputValue(new Date()));
  const [problem, setProblem] = useState<string | null>(null);
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    const from = dateTimeStyle().parseDate(fromText);
    if (!from.ok) {
      setProblem(from.message);
      return;
    }
    setProblem(null);
    const result = await api['sanctions.add']({
      ...(npi.trim() ? { npi: npi.trim() } : {}),
      ...(licence.trim() ? { licenseNumber: licence.trim() } : {}),
      reason,
      source: 'manual entry',
      from: `${from.value}T00:00:00.000Z`,
    });
    if (result.ok) {
      setNpi('');
      setLicence('');
      setReason('');
      onDone();
    } else onError(result.error);
  }
  return (
    <form className="cred-add-sanction" onSubmit={(e) => void submit(e)} aria-label="Add one sanction">
      <h3>Add one entry</h3>
      <div className="cred-dates">
        <div className="field">
          <label htmlFor="sanction-npi">NPI</label>
          <input id="sanction-npi" className="input" inputMode="numeric" value={npi} onChange={(e) => setNpi(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sanction-licence">or licence number</label>
          <input id="sanction-licence" className="input" value={licence} onChange={(e) => setLicence(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sanction-reason">Reason</label>
          <input id="sanction-reason" className="input" value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sanction-from">In force from ({dateTimeStyle().datePattern()})</label>
          <input id="sanction-from" className="input" value={fromText} onChange={(e) => setFromText(e.target.value)} />
        </div>
      </div>
      {problem ? <p className="cred-problem">{problem}</p> : null}
      <button type="submit" className="btn">
        Add to the sanctions list
      </button>
    </form>
  );
}

function SanctionsTable({ view, onChanged, onError }: { view: SanctionsView; onChanged: () => void; onError: (e: IpcError) => void }): ReactNode {
  async function lift(sanctionId: string): Promise<void> {
    const reason = window.prompt('Why is this sanction lifted? (recorded on the ledger)');
    if (!reason) return;
    const result = await api['sanctions.lift']({ sanctionId, reason });
    if (result.ok) onChanged();
    else onError(result.error);
  }
  return (
    <table className="table cred-table" data-testid="sanctions-table">
      <caption className="visually-hidden">Sanctions on the ledger, newest first</caption>
      <thead>
        <tr>
          <th>Entry</th>
          <th>Practitioner</th>
          <th>Reason</th>
          <th>In force</th>
          <th>
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {view.entries.map((s) => (
          <tr key={s.sanctionId}>
            <td className="mono">{s.sanctionId}</td>
            <td>{[s.npi ? `NPI ${s.npi}` : null, s.licenseNumber ? `licence ${s.licenseNumber}` : null, s.subjectDid ? 'by DID' : null].filter(Boolean).join(', ')}</td>
            <td>
              {s.reason}
              {s.source ? <div className="muted">{s.source}</div> : null}
            </td>
            <td>
              {formatDate(s.from)}
              {s.until ? ` to ${formatDate(s.until)}` : ''}
              {s.liftedAt ? <div className="muted">lifted {formatDate(s.liftedAt)}</div> : null}
            </td>
            <td>
              {s.liftedAt ? null : (
                <button type="button" className="btn" onClick={() => void lift(s.sanctionId)}>
                  Lift…
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
