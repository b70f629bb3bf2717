import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import type { WardPatient } from '../../../src-shared/records/schemas';
import { api } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { ChartView } from './ChartView';
import './records.css';
import { ListStates } from '../../ui/ListStates';

/**
 * The clinician's patient records: the ward list (open admissions at this hospital) or a search
 * by name or MRN, then the chart. Opening a chart is an access: it is logged on the ledger.
 */
export function RecordsScreen(): ReactNode {
  const [patient, setPatient] = useState<WardPatient | null>(null);
  const [closedBecause, setClosedBecause] = useState<string | null>(null);
  if (patient) {
    return (
      <ChartView
        patient={patient}
        onClose={(reason) => {
          setPatient(null);
          setClosedBecause(reason);
        }}
      />
    );
  }
  return (
    <WardList
      onOpen={(p) => {
        setClosedBecause(null);
        setPatient(p);
      }}
      closedBecause={closedBecause}
    />
  );
}

function WardList({
  onOpen,
  closedBecause,
}: {
  onOpen: (p: WardPatient) => void;
  closedBecause: string | null;
}): ReactNode {
  const [query, setQuery] = useState('');
  const [asked, setAsked] = useState('');
  const [patients, setPatients] = useState<WardPatient[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);

  const load = useCallback(async (q: string): Promise<void> => {
    const result = await api['records.wardList']({ query: q });
    if (result.ok) {
      setPatients(result.value);
      setError(null);
    } else setError(result.error);
  }, []);

  useEffect(() => {
    // Fetching the list is what this effect is for.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load(asked);
  }, [asked, load]);

  return (
    <div className="stack">
      {closedBecause ? (
        <div className="notice notice-warning" role="alert" data-testid="chart-closed">
          <div>
            <p className="notice-title">The chart was closed</p>
            <p>{closedBecause}</p>
          </div>
        </div>
      ) : null}
      <p className="lead">
        Open a patient&apos;s chart from your ward list or find them by name or MRN. Every chart you open, and every
        part of it you view, is recorded on the ledger.
      </p>
      <section className="card card-flush" aria-labelledby="ward-heading">
        <div className="card-toolbar">
          <h2 id="ward-heading">{asked ? `Patients matching “${asked}”` : 'Ward list: current admissions'}</h2>
          <form
            className="inline-form"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setAsked(query.trim());
            }}
          >
            <label htmlFor="ward-search" className="visually-hidden">
              Name or MRN
            </label>
            <input
              id="ward-search"
              className="input"
              placeholder="Name or MRN"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
            <button type="submit" className="btn">
              Search
            </button>
            {asked ? (
              <button
                type="button"
                className="btn btn-quiet"
                onClick={() => {
                  setQuery('');
                  setAsked('');
                }}
              >
                Back to ward list
              </button>
            ) : null}
          </form>
        </div>
        <ListStates
          error={error}
          items={patients}
          loadingLabel="Loading patients…"
          empty={
            asked
              ? 'No patient in this workstation matches. Check the spelling or the MRN.'
              : 'No patient is admitted at this hospital right now. Search by name or MRN to open another chart.'
          }
        />
        {patients !== null && patients.length > 0 ? (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Patients">
            <table className="table" data-testid="ward-list">
              <caption className="visually-hidden">Patients</caption>
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col">MRN</th>
                  <th scope="col">Ward and bed</th>
                  <th scope="col">Admitted</th>
                  <th scope="col">Consent</th>
                  <th scope="col">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {patients.map((p) => (
                  <tr key={p.patientId} data-testid="ward-row">
                    <td>{p.patientName}</td>
                    <td className="mono">{p.mrn}</td>
                    <td>{p.bed ? `${p.wardName}, bed ${p.bed}` : p.wardName}</td>
                    <td className="nowrap">{p.admittedAt ? formatDate(p.admittedAt) : '—'}</td>
                    <td>
                      {p.hasConsent ? (
                        <span className="badge badge-success">Consent on ledger</span>
                      ) : (
                        <span className="badge">None</span>
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-primary"
                        onClick={() => onOpen(p)}
                        aria-label={`Open chart of ${p.patientName}`}
                      >
                        Open chart
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </div>
  );
}
