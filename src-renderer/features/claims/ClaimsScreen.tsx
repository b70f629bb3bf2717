import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { ClaimContext, ClaimDetail, ClaimForm, ClaimStatus, ClaimWorkList } from '../../../src-shared/claims/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDate, organisationLabel } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useSyncStore } from '../sync/store';
import { ClaimDetailView } from './ClaimDetailView';
import { ClaimEditor } from './ClaimEditor';
import { money, statusBadge } from './describe';
import './claims.css';

type View = { kind: 'list' } | { kind: 'detail'; claimId: string } | { kind: 'edit'; claimId: string | null; form: ClaimForm; context: ClaimContext; detail: ClaimDetail | null };

const INSURER_FILTERS: Array<{ id: ClaimStatus | 'needs-action' | 'all'; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'needs-action', label: 'Waiting for a decision' },
  { id: 'pended', label: 'Pended' },
  { id: 'adjudicated', label: 'Adjudicated' },
  { id: 'paid', label: 'Paid' },
];

const FILTERS: Array<{ id: ClaimStatus | 'needs-action' | 'all'; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'needs-action', label: 'Needs action' },
  { id: 'draft', label: 'Drafts' },
  { id: 'queued', label: 'Waiting to send' },
  { id: 'submitted', label: 'Submitted' },
  { id: 'adjudicated', label: 'Adjudicated' },
  { id: 'paid', label: 'Paid' },
];

/**
 * Claims: at a hospital, the clerk's work list (denials first, admissions ready to bill,
 * drafts and claims by status), the claim form and the claim with its timeline; at an
 * insurer, the queue of claims addressed to it and the adjudication screen.
 */
export function ClaimsScreen(): ReactNode {
  const [view, setView] = useState<View>({ kind: 'list' });
  const [list, setList] = useState<ClaimWorkList | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  // What a click asked for and was refused: kept until the next click, not cleared by the list's refresh.
  const [actionError, setActionError] = useState<IpcError | null>(null);
  const [filter, setFilter] = useState<ClaimStatus | 'needs-action' | 'all'>('all');
  const [search, setSearch] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const lastSyncAt = useSyncStore((s) => s.sync?.lastSyncAt ?? null);
  const queued = useSyncStore((s) => s.sync?.queued ?? null);
  const connection = useSyncStore((s) => s.sync?.connection ?? null);

  useEffect(() => {
    if (view.kind !== 'list') return undefined;
    let current = true;
    void api['claims.workList']({ ...(filter !== 'all' ? { status: filter } : {}), ...(search.trim() ? { search: search.trim() } : {}), limit: 100 }).then((r) => {
      if (!current) return;
      if (r.ok) {
        setList(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      current = false;
    };
  }, [view.kind, filter, search, reloads, lastSyncAt, queued]);

  // Ledger events arrive without a push for this screen: ask again every 5 s while the list shows.
  useEffect(() => {
    if (view.kind !== 'list') return undefined;
    const timer = setInterval(() => {
      void useSyncStore.getState().load();
      reload();
    }, 5_000);
    return () => clearInterval(timer);
  }, [view.kind, reload]);

  async function newClaim(admissionId: string): Promise<void> {
    setActionError(null);
    const r = await api['claims.newFromAdmission']({ admissionId });
    if (!r.ok) {
      setActionError(r.error);
      return;
    }
    setView({ kind: 'edit', claimId: null, form: r.value.form, context: r.value.context, detail: null });
  }

  async function edit(detail: ClaimDetail): Promise<void> {
    if (!detail.form) return;
    const c = await api['claims.context']({ admissionId: detail.form.admissionId });
    if (!c.ok) {
      setActionError(c.error);
      setView({ kind: 'list' });
      return;
    }
    setView({ kind: 'edit', claimId: detail.summary.claimId, form: detail.form, context: c.value, detail });
  }

  if (view.kind === 'edit') {
    return (
      <ClaimEditor
        key={view.claimId ?? 'new'}
        claimId={view.claimId}
        initial={view.form}
        context={view.context}
        previous={view.detail}
        onCancel={() => setView(view.claimId ? { kind: 'detail', claimId: view.claimId } : { kind: 'list' })}
        onSaved={(detail, message) => {
          setNotice(message);
          setView({ kind: 'detail', claimId: detail.summary.claimId });
        }}
      />
    );
  }
  if (view.kind === 'detail') {
    return (
      <ClaimDetailView
        key={view.claimId}
        claimId={view.claimId}
        notice={notice}
        onBack={() => {
          setNotice(null);
          setView({ kind: 'list' });
        }}
        onEdit={(d) => void edit(d)}
      />
    );
  }

  const insurer = list?.side === 'insurer';
  const needsAction = list?.claims.filter((c) => c.needsAction) ?? [];
  return (
    <div className="claims" data-testid="claims-worklist">
      {connection === 'offline' ? (
        <Notice tone="warning" title="Working offline">
          <p>The ledger cannot be reached. Claims you submit wait in the outbox and are sent once, as soon as it is back; statuses shown are the last the ledger said.</p>
        </Notice>
      ) : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {list === null && !error ? <Loading label="Loading claims…" /> : null}
      {list ? (
        <>
          {needsAction.length > 0 ? (
            <section className="card claims-attention" aria-labelledby="attention-title" data-testid="claims-attention">
              <h2 id="attention-title">{insurer ? 'Waiting for a decision' : 'Needs your action'}</h2>
              <ul className="claims-attention-list">
                {needsAction.slice(0, 8).map((c) => (
                  <li key={c.claimId}>
                    <button type="button" className="link-button" onClick={() => setView({ kind: 'detail', claimId: c.claimId })}>
                      {c.patientName} · {c.claimId}
                    </button>{' '}
                    <span className={statusBadge(c).className}>{statusBadge(c).text}</span>{' '}
                    <span className="muted">{c.problem ?? c.reasonCodes.map((r) => `${r.code} ${r.description}`).join('; ')}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          {!insurer ? (
            <section className="card" aria-labelledby="ready-title" data-testid="ready-to-bill">
              <h2 id="ready-title">Ready to bill</h2>
              {list.readyToBill.length === 0 ? <p className="muted">No admission is waiting for a claim: discharged stays, and stays longer than 7 days, appear here.</p> : null}
              {list.readyToBill.length > 0 ? (
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Patient</th>
                        <th scope="col">MRN</th>
                        <th scope="col">Stay</th>
                        <th scope="col">Insurer</th>
                        <th scope="col">Note</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {list.readyToBill.map((a) => (
                        <tr key={a.admissionId} data-testid="ready-row">
                          <td>{a.patientName}</td>
                          <td className="mono">{a.mrn}</td>
                          <td className="nowrap">
                            {formatDate(a.admittedAt)} – {a.dischargedAt ? formatDate(a.dischargedAt) : 'still admitted'}
                          </td>
                          <td>{a.insurerName ?? <span className="badge badge-warning">No card</span>}</td>
                          <td className="muted">{a.note}</td>
                          <td className="row-actions">
                            <button type="button" className="btn btn-primary" disabled={!a.billable} onClick={() => void newClaim(a.admissionId)} aria-label={`New claim for ${a.patientName}`}>
                              New claim
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
            </section>
          ) : null}

          <section className="card" aria-labelledby="claims-title" data-testid="claims-table">
            <div className="section-head claims-toolbar">
              <h2 id="claims-title">{insurer ? 'Claims addressed to us' : 'Claims'}</h2>
              <div className="claims-filters" role="group" aria-label="Show">
                {(insurer ? INSURER_FILTERS : FILTERS).map((f) => (
                  <button key={f.id} type="button" className={`chip${filter === f.id ? ' chip-on' : ''}`} aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
                    {f.label}
                  </button>
                ))}
              </div>
              <label className="claims-search">
                <span className="visually-hidden">Search claims</span>
                <input className="input" type="search" placeholder="Patient, MRN or claim id" value={search} onChange={(e) => setSearch(e.target.value)} />
              </label>
            </div>
            {list.claims.length === 0 ? <p className="muted">{filter === 'all' && !search ? (insurer ? 'No claim has been addressed to this insurer yet.' : 'No claims yet: start one from an admission above.') : 'No claim matches.'}</p> : null}
            {list.claims.length === 100 ? <p className="muted">Showing the 100 that need action first, then the most recently changed; use the filters or search to find others.</p> : null}
            {list.claims.length > 0 ? (
              <div className="table-wrap">
                <table className="table claims-list">
                  <thead>
                    <tr>
                      <th scope="col">Claim</th>
                      <th scope="col">Patient</th>
                      <th scope="col">{insurer ? 'Hospital' : 'Insurer'}</th>
                      <th scope="col">Services from</th>
                      <th scope="col" className="num">
                        Total
                      </th>
                      <th scope="col" className="num">
                        Approved / paid
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.claims.map((c) => (
                      <tr key={c.claimId} data-testid="claim-row" className={c.needsAction ? 'row-attention' : undefined}>
                        <td>
                          <button type="button" className="link-button mono" onClick={() => setView({ kind: 'detail', claimId: c.claimId })}>
                            {c.claimId}
                          </button>
                          {c.submissionCount > 1 ? <span className="muted"> v{c.submissionCount}</span> : null}
                        </td>
                        <td>{c.patientName}</td>
                        <td>{insurer ? organisationLabel(c.hospitalMspId) : c.insurerName}</td>
                        <td className="nowrap">{c.serviceFrom ? formatDate(c.serviceFrom) : '–'}</td>
                        <td className="num nowrap">{money(c.totalCents, c.currency)}</td>
                        <td className="num nowrap">{c.paidCents !== null ? money(c.paidCents, c.currency) : money(c.approvedCents, c.currency)}</td>
                        <td>
                          <span className={statusBadge(c).className} data-testid="claim-status">
                            {statusBadge(c).text}
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </section>
        </>
      ) : null}
    </div>
  );
}
