import { zodResolver } from '@hookform/resolvers/zod';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { CATEGORY_WORDS, PURPOSE_WORDS } from '../../../src-shared/admission/consent-words';
import type { IpcError } from '../../../src-shared/ipc/contract';
import {
  BREAK_GLASS_REASON_WORDS,
  ReviewRequest,
  type AccessEntryView,
  type AccessReport,
  type BreakGlassReason,
  type ConsentView,
  type WardPatient,
} from '../../../src-shared/records/schemas';
import { api } from '../../lib/api';
import { formatDate, formatDateTime, organisationLabel } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { ListStates } from '../../ui/ListStates';

function categoriesInWords(categories: readonly string[]): string {
  return categories.map((c) => CATEGORY_WORDS[c] ?? c).join(', ');
}

function reasonInWords(code: string | null): string {
  return code ? (BREAK_GLASS_REASON_WORDS[code as BreakGlassReason] ?? code) : '—';
}

type ReviewFields = z.input<typeof ReviewRequest>;

function ReviewForm({ entry, onDone }: { entry: AccessEntryView; onDone: (message: string) => void }): ReactNode {
  const resolver = useMemo(() => zodResolver(ReviewRequest), []);
  const { register, handleSubmit, formState } = useForm<ReviewFields>({
    resolver,
    defaultValues: { entryId: entry.entryId, note: '' },
  });
  const [error, setError] = useState<IpcError | null>(null);
  const submit = (outcome: 'justified' | 'unjustified'): ((e?: React.BaseSyntheticEvent) => Promise<void>) =>
    handleSubmit(async (values) => {
      const result = await api['privacy.review']({ ...values, outcome });
      if (result.ok) onDone(`Recorded as ${outcome}. The review goes to the ledger with the next sync.`);
      else setError(result.error);
    });
  return (
    <form
      className="review-actions"
      noValidate
      onSubmit={(e) => e.preventDefault()}
      aria-label={`Review of access ${entry.entryId}`}
    >
      <input type="hidden" {...register('entryId')} />
      <label htmlFor={`note-${entry.entryId}`} className="visually-hidden">
        Review note
      </label>
      <textarea
        id={`note-${entry.entryId}`}
        className="textarea"
        rows={2}
        placeholder="Your note: why was it (not) justified?"
        {...register('note')}
      />
      {formState.errors.note ? <p className="field-problem">{formState.errors.note.message}</p> : null}
      <div className="inline-form">
        <button type="button" className="btn btn-primary" onClick={(e) => void submit('justified')(e)}>
          Justified
        </button>
        <button type="button" className="btn btn-danger" onClick={(e) => void submit('unjustified')(e)}>
          Unjustified
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

/** This hospital's break-the-glass accesses waiting for review: who, when, why, what was seen, how long. */
export function ReviewQueue(): ReactNode {
  const [entries, setEntries] = useState<AccessEntryView[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [done, setDone] = useState<Record<string, string>>({});
  const load = useCallback(async (): Promise<void> => {
    const result = await api['privacy.reviewQueue']({});
    if (result.ok) {
      setEntries(result.value);
      setError(null);
    } else setError(result.error);
  }, []);
  useEffect(() => {
    // Loading the queue is what this effect is for.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load]);
  return (
    <section className="card card-flush" aria-labelledby="review-heading">
      <div className="card-toolbar">
        <h2 id="review-heading">Emergency accesses to review</h2>
        <button type="button" className="btn" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ListStates
        error={error}
        items={entries}
        loadingLabel="Reading the review queue from the ledger…"
        empty="No access is waiting for review at this hospital."
      />
      {entries !== null && entries.length > 0 ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Review queue">
          <table className="table" data-testid="review-queue">
            <caption className="visually-hidden">Accesses awaiting review</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Patient</th>
                <th scope="col">Reason</th>
                <th scope="col">What was seen</th>
                <th scope="col">How long</th>
                <th scope="col">Review</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.entryId} data-testid="review-row">
                  <td className="nowrap">{formatDateTime(e.accessedAt)}</td>
                  <td>
                    {e.staffId.replace(/^x509::\/CN=([^/:]+).*$/, '$1')}
                    <br />
                    <span className="muted">{e.role}</span>
                  </td>
                  <td>{e.patientName ?? <span className="mono">{e.patientDid.slice(0, 24)}…</span>}</td>
                  <td>
                    {e.breakGlassReason ? reasonInWords(e.breakGlassReason) : `Consent check: ${e.consentCheck ?? '—'}`}
                  </td>
                  <td>{categoriesInWords(e.categories)}</td>
                  <td>{e.minutesOpen !== null ? `${e.minutesOpen} min` : '—'}</td>
                  <td>
                    {done[e.entryId] ? (
                      <span role="status">{done[e.entryId]}</span>
                    ) : (
                      <ReviewForm entry={e} onDone={(m) => setDone((d) => ({ ...d, [e.entryId]: m }))} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function PatientPicker({
  onPick,
  label,
}: {
  onPick: (p: { patientId?: string; patientDid?: string; name: string }) => void;
  label: string;
}): ReactNode {
  const [query, setQuery] = useState('');
  const [did, setDid] = useState('');
  const [found, setFound] = useState<WardPatient[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  return (
    <div className="card stack patient-picker">
      <form
        className="picker-row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void api['privacy.patients']({ query }).then((r) => {
            if (r.ok) {
              setFound(r.value);
              setError(null);
            } else setError(r.error);
          });
        }}
      >
        <label htmlFor={`${label}-search`}>Patient name or MRN</label>
        <input id={`${label}-search`} className="input" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="btn">
          Find
        </button>
      </form>
      <form
        className="picker-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (did.trim().startsWith('did:')) onPick({ patientDid: did.trim(), name: did.trim() });
        }}
      >
        <label htmlFor={`${label}-did`}>Or the DID from the patient&apos;s wallet</label>
        <input
          id={`${label}-did`}
          className="input mono"
          placeholder="did:key:…"
          value={did}
          onChange={(e) => setDid(e.target.value)}
        />
        <button type="submit" className="btn">
          Use DID
        </button>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
      {found !== null && found.length === 0 ? <p className="muted">No patient in this workstation matches.</p> : null}
      {found !== null && found.length > 0 ? (
        <ul className="chart-entries">
          {found.map((p) => (
            <li key={p.patientId} className="chart-entry">
              <span>
                {p.patientName} <span className="mono muted">{p.mrn}</span>
              </span>
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => {
                  setFound(null);
                  onPick({ patientId: p.patientId, name: p.patientName });
                }}
              >
                {label === 'report' ? 'Show access report' : 'Show consents'}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The patient access report: every access across all hospitals, as a screen and a PDF to take home. */
export function AccessReportPanel(): ReactNode {
  const [who, setWho] = useState<{ patientId?: string; patientDid?: string; name: string } | null>(null);
  const [report, setReport] = useState<AccessReport | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [pdfUrl, setPdfUrl] = useState<string | null>(null);
  const request = useMemo(
    () =>
      who
        ? {
            ...(who.patientId ? { patientId: who.patientId } : {}),
            ...(who.patientDid ? { patientDid: who.patientDid } : {}),
          }
        : null,
    [who],
  );
  useEffect(() => {
    if (!request) return;
    void api['privacy.accessReport'](request).then((r) => {
      if (r.ok) {
        setReport(r.value);
        setError(null);
      } else setError(r.error);
    });
  }, [request]);
  useEffect(
    () => () => {
      if (pdfUrl) URL.revokeObjectURL(pdfUrl);
    },
    [pdfUrl],
  );
  const makePdf = async (): Promise<void> => {
    if (!request) return;
    const r = await api['privacy.accessReportPdf'](request);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const bytes = Uint8Array.from(atob(r.value.base64), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
    setPdfUrl(url);
    const a = document.createElement('a');
    a.href = url;
    a.download = r.value.fileName;
    a.click();
  };
  return (
    <div className="stack">
      <p className="lead">
        Everyone who looked at a patient&apos;s records, at every hospital, from the ledger: to answer a patient&apos;s
        request and to give them a copy.
      </p>
      <PatientPicker
        label="report"
        onPick={(p) => {
          setReport(null);
          setWho(p);
        }}
      />
      {error ? <ErrorNotice error={error} /> : null}
      {who && !report && !error ? <Loading label="Reading the access log from the ledger…" /> : null}
      {report ? (
        <section className="card card-flush" aria-labelledby="report-heading" data-testid="access-report">
          <div className="card-toolbar">
            <h2 id="report-heading">Access report: {report.patientName ?? who?.name}</h2>
            <span className="muted">{report.entries.length} accesses</span>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => void makePdf()}
              data-testid="access-report-pdf"
            >
              PDF for the patient
            </button>
          </div>
          {!report.complete ? (
            <div className="card-body">
              <Notice tone="warning" title="Not complete">
                <p>{report.note}</p>
              </Notice>
            </div>
          ) : null}
          {report.entries.length === 0 ? (
            <div className="card-body empty">
              <p>No access to this patient&apos;s records is on the ledger.</p>
            </div>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Accesses">
              <table className="table">
                <caption className="visually-hidden">Accesses, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Hospital</th>
                    <th scope="col">Role</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">Records</th>
                    <th scope="col">Basis</th>
                    <th scope="col">Decision</th>
                  </tr>
                </thead>
                <tbody>
                  {report.entries.map((e) => (
                    <tr key={e.entryId} data-testid="report-row">
                      <td className="nowrap">{formatDateTime(e.accessedAt)}</td>
                      <td>{organisationLabel(e.hospitalMspId)}</td>
                      <td>{e.role}</td>
                      <td>{PURPOSE_WORDS[e.purpose] ?? e.purpose}</td>
                      <td>
                        {categoriesInWords(e.categories)}
                        {e.releasedBy.length > 0 ? (
                          <span className="muted" data-testid="released-by">
                            {' '}
                            · released by {e.releasedBy.map(organisationLabel).join(', ')}
                          </span>
                        ) : null}
                      </td>
                      <td>
                        {e.breakGlassReason ? (
                          <span className="text-danger">Emergency: {reasonInWords(e.breakGlassReason)}</span>
                        ) : e.consentId ? (
                          'Consent'
                        ) : e.decision === 'refused' ? (
                          'No consent'
                        ) : (
                          'Admission'
                        )}
                      </td>
                      <td>
                        {e.decision === 'allowed' ? 'Allowed' : 'Refused'}
                        {e.where === 'local' ? <span className="muted"> (not yet on the ledger)</span> : null}
                        {e.review ? <span className="muted"> · reviewed: {e.review.outcome}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </div>
  );
}

/** A patient's consents to this hospital: scope, period and history. */
export function ConsentsPanel(): ReactNode {
  const [consents, setConsents] = useState<ConsentView[] | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  return (
    <div className="stack">
      <PatientPicker
        label="consents"
        onPick={(p) => {
          setName(p.name);
          setConsents(null);
          void api['privacy.consents']({
            ...(p.patientId ? { patientId: p.patientId } : {}),
            ...(p.patientDid ? { patientDid: p.patientDid } : {}),
          }).then((r) => {
            if (r.ok) {
              setConsents(r.value);
              setError(null);
            } else setError(r.error);
          });
        }}
      />
      {error ? <ErrorNotice error={error} /> : null}
      {consents !== null ? (
        <section className="card card-flush" aria-labelledby="consents-heading" data-testid="consents">
          <div className="card-toolbar">
            <h2 id="consents-heading">Consents of {name}</h2>
          </div>
          {consents.length === 0 ? (
            <div className="card-body empty">
              <p>This patient has given this hospital no consent on the ledger.</p>
            </div>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Recorded</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Records</th>
                  <th scope="col">Period</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {consents.map((c) => (
                  <tr key={c.consentId}>
                    <td className="nowrap">{formatDateTime(c.recordedAt)}</td>
                    <td>{c.purposes.map((p) => PURPOSE_WORDS[p] ?? p).join(', ')}</td>
                    <td>{categoriesInWords(c.categories)}</td>
                    <td className="nowrap">
                      {formatDate(c.from)} – {formatDate(c.until)}
                    </td>
                    <td>
                      {c.status === 'active' ? (
                        <span className="badge badge-success">Active</span>
                      ) : c.status === 'revoked' ? (
                        <span className="badge badge-danger">
                          Revoked {c.revokedAt ? formatDateTime(c.revokedAt) : ''}
                        </span>
                      ) : (
                        <span className="badge">Ended</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </div>
  );
}

/** How long emergency access lasts on this workstation (the privacy office decides). */
export function EmergencySettings(): ReactNode {
  const [minutes, setMinutes] = useState<number | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  useEffect(() => {
    void api['privacy.settings']({}).then((r) => {
      if (r.ok) setMinutes(r.value.breakGlassMinutes);
      else setError(r.error);
    });
  }, []);
  return (
    <section className="card stack" aria-labelledby="emergency-heading">
      <h2 id="emergency-heading">Emergency access</h2>
      <p>
        How long a chart opened with emergency access (break the glass) stays open before it closes itself. Every
        emergency access is reviewed here whatever its length.
      </p>
      {minutes !== null ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void api['privacy.setBreakGlassMinutes']({ breakGlassMinutes: minutes }).then((r) => {
              if (r.ok) setSaved(`Saved: emergency access now lasts ${r.value.breakGlassMinutes} minutes.`);
              else setError(r.error);
            });
          }}
        >
          <label htmlFor="break-glass-minutes">Minutes</label>
          <input
            id="break-glass-minutes"
            className="input"
            type="number"
            min={5}
            max={720}
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value))}
          />
          <button type="submit" className="btn btn-primary">
            Save
          </button>
        </form>
      ) : null}
      {saved ? <p role="status">{saved}</p> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
