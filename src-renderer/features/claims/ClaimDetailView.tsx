import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { DEMO_CODE_SETS } from '../../../src-shared/claims/codes';
import { formatCents } from '../../../src-shared/claims/rules';
import type { ClaimDetail, ItemAdjudication } from '../../../src-shared/claims/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDate, formatDateTime, organisationLabel } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useSyncStore } from '../sync/store';
import { download, money, statusBadge } from './describe';

const CARC_OPTIONS = [...DEMO_CODE_SETS.carc.entries()].map(([code, description]) => ({ code, description }));

/** One claim: lines with the insurer's decision per line, timeline, exports and what may be done now. */
export function ClaimDetailView({ claimId, notice, onBack, onEdit }: { claimId: string; notice: string | null; onBack: () => void; onEdit: (detail: ClaimDetail) => void }): ReactNode {
  const [detail, setDetail] = useState<ClaimDetail | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [message, setMessage] = useState<string | null>(notice);
  const [panel, setPanel] = useState<'none' | 'withdraw' | 'pend' | 'adjudicate' | 'pay'>('none');
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const lastSyncAt = useSyncStore((s) => s.sync?.lastSyncAt ?? null);

  useEffect(() => {
    let current = true;
    void api['claims.get']({ claimId }).then((r) => {
      if (!current) return;
      if (r.ok) {
        setDetail(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      current = false;
    };
  }, [claimId, reloads, lastSyncAt]);

  // A confirmation is for the moment it was given: it goes after a while, the timeline keeps what happened.
  useEffect(() => {
    if (!message) return undefined;
    const timer = setTimeout(() => setMessage(null), 8_000);
    return () => clearTimeout(timer);
  }, [message]);

  useEffect(() => {
    const timer = setInterval(() => {
      void useSyncStore.getState().load();
      reload();
    }, 4_000);
    return () => clearInterval(timer);
  }, [reload]);

  async function act(run: () => Promise<{ ok: true; value: ClaimDetail } | { ok: false; error: IpcError }>, done: string): Promise<void> {
    const r = await run();
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setError(null);
    setDetail(r.value);
    setPanel('none');
    setMessage(done);
  }

  async function exportAs(format: 'pdf' | 'fhir-json' | 'x12-837'): Promise<void> {
    const r = await api['claims.export']({ claimId, format });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    download(r.value.fileName, r.value.mediaType, r.value.content, r.value.encoding);
    setMessage(`Saved ${r.value.fileName}.`);
  }

  if (!detail) {
    return (
      <div className="claims">
        <button type="button" className="btn btn-quiet" onClick={onBack}>
          ← All claims
        </button>
        {error ? <ErrorNotice error={error} /> : <Loading label="Loading the claim…" />}
      </div>
    );
  }
  const s = detail.summary;
  const badge = statusBadge(s);
  const insurerSide = detail.canPend || detail.canAdjudicate || detail.canPay || detail.insurerCoverageCheck !== null;
  return (
    <div className="claims" data-testid="claim-detail">
      <div className="section-head">
        <button type="button" className="btn btn-quiet" onClick={onBack}>
          ← All claims
        </button>
        <h2 className="claim-title">
          Claim <span className="mono">{s.claimId}</span> · {s.patientName}{' '}
          <span className={badge.className} data-testid="detail-status">
            {badge.text}
          </span>
        </h2>
      </div>
      {message ? (
        <Notice tone="success" testId="claim-message">
          <p>{message}</p>
        </Notice>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {s.problem ? (
        <Notice tone="danger" title="The ledger refused the last change" testId="claim-problem">
          <p>{s.problem}</p>
          <p>Nothing was lost: the claim is kept as it was. Correct it and submit again, or withdraw it.</p>
        </Notice>
      ) : null}
      {s.status === 'queued' ? (
        <Notice tone="info" title="Waiting to send">
          <p>This claim is in the outbox. It is sent once, as soon as the ledger is reachable; you can close this screen.</p>
        </Notice>
      ) : null}
      {detail.purged ? (
        <Notice tone="info" title={`Detail purged on ${formatDateTime(detail.purged.at)}`} testId="claim-purged">
          <p>{detail.purged.remains}</p>
        </Notice>
      ) : null}

      <div className="detail-columns">
        <div className="stack">
          <section className="card" aria-label="Summary">
            <dl className="facts claim-facts">
              <dt>{insurerSide ? 'From' : 'Insurer'}</dt>
              <dd>{insurerSide ? organisationLabel(s.hospitalMspId) : `${s.insurerName} (${s.insurerMspId})`}</dd>
              <dt>Type</dt>
              <dd>{s.claimType === 'institutional' ? 'Institutional' : 'Professional'}</dd>
              {detail.coverage ? (
                <>
                  <dt>Coverage</dt>
                  <dd>
                    Member <span className="mono">{detail.coverage.memberId}</span>, plan {detail.coverage.planName}, {formatDate(detail.coverage.start)} – {formatDate(detail.coverage.end)}
                  </dd>
                </>
              ) : null}
              <dt>Total</dt>
              <dd data-testid="detail-total">{money(s.totalCents, s.currency)}</dd>
              <dt>Approved</dt>
              <dd data-testid="detail-approved">{money(s.approvedCents, s.currency)}</dd>
              <dt>Paid</dt>
              <dd data-testid="detail-paid">{money(s.paidCents, s.currency)}</dd>
              {s.reasonCodes.length > 0 ? (
                <>
                  <dt>Reasons</dt>
                  <dd>
                    <ul className="reasons">
                      {s.reasonCodes.map((r) => (
                        <li key={r.code}>
                          <span className="mono">{r.code}</span> {r.description}
                        </li>
                      ))}
                    </ul>
                  </dd>
                </>
              ) : null}
            </dl>
            {detail.insurerCoverageCheck ? (
              <Notice tone="info" title="Coverage check" testId="coverage-check">
                <p>{detail.insurerCoverageCheck}</p>
              </Notice>
            ) : null}
          </section>

          <section className="card" aria-labelledby="dx-view-title">
            <h3 id="dx-view-title">Diagnoses</h3>
            <ol className="reasons">
              {detail.diagnoses.map((d, i) => (
                <li key={`${d.code}-${i}`}>
                  <span className="mono">{d.code}</span> {d.description} {i === 0 ? <span className="badge">principal</span> : null}
                </li>
              ))}
            </ol>
          </section>

          <section className="card" aria-labelledby="lines-view-title">
            <h3 id="lines-view-title">Service lines</h3>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Date</th>
                    <th scope="col">Procedure</th>
                    <th scope="col">Rev.</th>
                    <th scope="col" className="num">
                      Units × price
                    </th>
                    <th scope="col" className="num">
                      Net
                    </th>
                    <th scope="col">Insurer’s decision</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.lines.map((l) => (
                    <tr key={l.sequence} data-testid="detail-line">
                      <td>{l.sequence}</td>
                      <td className="nowrap">{l.servicedDate ? formatDate(l.servicedDate) : '–'}</td>
                      <td>
                        <span className="mono">
                          {l.code}
                          {l.modifiers.length ? `-${l.modifiers.join('-')}` : ''}
                        </span>{' '}
                        <span className="muted">{l.description ?? ''}</span>
                      </td>
                      <td className="mono">{l.revenueCode || '–'}</td>
                      <td className="num nowrap">
                        {l.units} × {formatCents(l.unitPriceCents)}
                      </td>
                      <td className="num nowrap">{formatCents(l.netCents)}</td>
                      <td data-testid="line-decision">
                        {l.adjudication ? (
                          <>
                            <span className={l.adjudication.decision === 'approve' ? 'badge badge-success' : l.adjudication.decision === 'deny' ? 'badge badge-danger' : 'badge badge-warning'}>
                              {l.adjudication.decision === 'approve' ? 'Approved' : l.adjudication.decision === 'deny' ? 'Denied' : `Reduced to ${formatCents(l.adjudication.approvedCents)}`}
                            </span>{' '}
                            {l.adjudication.reasons.map((r) => (
                              <span key={r.code} className="muted">
                                {r.code} {r.description}
                              </span>
                            ))}
                          </>
                        ) : (
                          <span className="muted">–</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          {panel === 'adjudicate' ? <AdjudicationPanel detail={detail} onCancel={() => setPanel('none')} onDecide={(items) => void act(() => api['claims.adjudicate']({ claimId, items }), 'The decision is queued for the ledger; the hospital sees it once it is recorded.')} /> : null}
        </div>

        <aside className="stack">
          <section className="card" aria-labelledby="actions-title">
            <h3 id="actions-title">Actions</h3>
            <div className="action-list">
              {detail.canResubmit && detail.form ? (
                <button type="button" className="btn btn-primary" onClick={() => onEdit(detail)}>
                  {s.status === 'draft' || (s.status === 'refused' && s.submissionCount === 0) ? 'Edit and submit' : 'Correct and resubmit'}
                </button>
              ) : null}
              {detail.canAdjudicate ? (
                <button type="button" className="btn btn-primary" onClick={() => setPanel('adjudicate')}>
                  Adjudicate lines
                </button>
              ) : null}
              {detail.canPend ? (
                <button type="button" className="btn btn-quiet" onClick={() => setPanel('pend')}>
                  Pend (ask for information)
                </button>
              ) : null}
              {detail.canPay ? (
                <button type="button" className="btn btn-primary" onClick={() => setPanel('pay')}>
                  Record payment
                </button>
              ) : null}
              {detail.canWithdraw ? (
                <button type="button" className="btn btn-quiet" onClick={() => setPanel('withdraw')}>
                  Withdraw claim
                </button>
              ) : null}
              {detail.canPurge ? (
                <button type="button" className="btn btn-quiet" onClick={() => void act(() => api['claims.purge']({ claimId }), 'The purge of the claim detail is queued for the ledger.')}>
                  Purge claim detail
                </button>
              ) : null}
            </div>
            {panel === 'withdraw' ? <WithdrawPanel onCancel={() => setPanel('none')} onWithdraw={(reasonCode, note) => void act(() => api['claims.withdraw']({ claimId, note, ...(reasonCode ? { reasonCode } : {}) }), 'The withdrawal is queued for the ledger.')} /> : null}
            {panel === 'pend' ? <PendPanel onCancel={() => setPanel('none')} onPend={(codes) => void act(() => api['claims.pend']({ claimId, reasonCodes: codes }), 'The claim is pended; the hospital sees your reasons once the ledger records it.')} /> : null}
            {panel === 'pay' ? <PayPanel amount={money(s.approvedCents, s.currency)} onCancel={() => setPanel('none')} onPay={(paymentRef) => void act(() => api['claims.pay']({ claimId, paymentRef }), 'The payment is queued for the ledger.')} /> : null}
            <h4>Export</h4>
            <div className="action-list">
              <button type="button" className="btn btn-quiet" onClick={() => void exportAs('pdf')}>
                Summary PDF
              </button>
              <button type="button" className="btn btn-quiet" onClick={() => void exportAs('fhir-json')}>
                FHIR JSON
              </button>
              <button type="button" className="btn btn-quiet" onClick={() => void exportAs('x12-837')}>
                X12 837{s.claimType === 'institutional' ? 'I' : 'P'}
              </button>
            </div>
          </section>

          <section className="card" aria-labelledby="timeline-title" data-testid="claim-timeline">
            <h3 id="timeline-title">Timeline</h3>
            <ol className="timeline">
              {detail.timeline.map((t, i) => (
                <li key={`${t.at}-${i}`} className={`timeline-${t.kind}`}>
                  <span className="timeline-at">{formatDateTime(t.at)}</span>
                  <span>{t.text}</span>
                  {t.reasonCodes.length > 0 ? (
                    <ul className="reasons">
                      {t.reasonCodes.map((r) => (
                        <li key={r.code}>
                          <span className="mono">{r.code}</span> {r.description}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              ))}
            </ol>
          </section>
        </aside>
      </div>
    </div>
  );
}

function CarcSelect({ id, value, onChange, label }: { id: string; value: string; onChange: (v: string) => void; label: string }): ReactNode {
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Reason (CARC)…</option>
        {CARC_OPTIONS.map((c) => (
          <option key={c.code} value={c.code}>
            {c.code} – {c.description}
          </option>
        ))}
      </select>
    </>
  );
}

function toDecision(value: string): ItemAdjudication['decision'] {
  return value === 'reduce' || value === 'deny' ? value : 'approve';
}

function AdjudicationPanel({ detail, onCancel, onDecide }: { detail: ClaimDetail; onCancel: () => void; onDecide: (items: ItemAdjudication[]) => void }): ReactNode {
  const [rows, setRows] = useState<Array<{ sequence: number; net: number; decision: ItemAdjudication['decision']; amount: string; reason: string }>>(() => detail.lines.map((l) => ({ sequence: l.sequence, net: l.netCents, decision: 'approve', amount: (l.netCents / 100).toFixed(2), reason: '' })));
  const approved = rows.reduce((sum, r) => sum + (r.decision === 'approve' ? r.net : r.decision === 'deny' ? 0 : Math.round(Number(r.amount) * 100) || 0), 0);
  const total = rows.reduce((sum, r) => sum + r.net, 0);
  const missing = rows.find((r) => r.decision !== 'approve' && r.reason === '');
  const set = (i: number, patch: Partial<(typeof rows)[number]>): void => setRows((prev) => prev.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <section className="card" aria-labelledby="adj-title" data-testid="adjudication-panel">
      <h3 id="adj-title">Adjudicate each line</h3>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col" className="num">
                Claimed
              </th>
              <th scope="col">Decision</th>
              <th scope="col">Approved</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.sequence} data-testid="adjudicate-line">
                <td>{r.sequence}</td>
                <td className="num">{formatCents(r.net)}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`adj-${i}`}>
                    Decision on line {r.sequence}
                  </label>
                  <select id={`adj-${i}`} className="select" value={r.decision} onChange={(e) => set(i, { decision: toDecision(e.target.value) })}>
                    <option value="approve">Approve</option>
                    <option value="reduce">Reduce</option>
                    <option value="deny">Deny</option>
                  </select>
                </td>
                <td>
                  {r.decision === 'reduce' ? (
                    <input className="input num input-narrow" type="number" step="0.01" min="0" aria-label={`Approved amount on line ${r.sequence}`} value={r.amount} onChange={(e) => set(i, { amount: e.target.value })} />
                  ) : (
                    <span>{formatCents(r.decision === 'approve' ? r.net : 0)}</span>
                  )}
                </td>
                <td>{r.decision !== 'approve' ? <CarcSelect id={`adj-reason-${i}`} label={`Reason for line ${r.sequence}`} value={r.reason} onChange={(v) => set(i, { reason: v })} /> : <span className="muted">–</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Approving <strong>{formatCents(approved)}</strong> of {formatCents(total)}: {approved === total ? 'approved in full' : approved === 0 ? 'denied' : 'partly approved'}.
      </p>
      {missing ? <p className="code-desc-error">Choose a reason code for line {missing.sequence}.</p> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={missing !== undefined}
          onClick={() => onDecide(rows.map((r) => ({ sequence: r.sequence, decision: r.decision, approvedCents: r.decision === 'reduce' ? Math.round(Number(r.amount) * 100) || 0 : 0, reasonCodes: r.reason ? [r.reason] : [] })))}
        >
          Record decision
        </button>
      </div>
    </section>
  );
}

function WithdrawPanel({ onCancel, onWithdraw }: { onCancel: () => void; onWithdraw: (reasonCode: string, note: string) => void }): ReactNode {
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  return (
    <div className="inline-panel" data-testid="withdraw-panel">
      <label className="field">
        <span>Why is it withdrawn?</span>
        <textarea className="textarea" value={note} onChange={(e) => setNote(e.target.value)} placeholder="e.g. billed to the wrong insurer" />
      </label>
      <CarcSelect id="withdraw-reason" label="Reason code (optional)" value={reason} onChange={setReason} />
      <div className="form-actions">
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" disabled={note.trim().length < 3} onClick={() => onWithdraw(reason, note.trim())}>
          Withdraw
        </button>
      </div>
    </div>
  );
}

function PendPanel({ onCancel, onPend }: { onCancel: () => void; onPend: (codes: string[]) => void }): ReactNode {
  const [reason, setReason] = useState('16');
  return (
    <div className="inline-panel" data-testid="pend-panel">
      <CarcSelect id="pend-reason" label="Reason the claim is pended" value={reason} onChange={setReason} />
      <div className="form-actions">
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={!reason} onClick={() => onPend([reason])}>
          Pend claim
        </button>
      </div>
    </div>
  );
}

function PayPanel({ amount, onCancel, onPay }: { amount: string; onCancel: () => void; onPay: (paymentRef: string) => void }): ReactNode {
  const [ref, setRef] = useState('');
  const valid = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/.test(ref.trim());
  return (
    <div className="inline-panel" data-testid="pay-panel">
      <p>
        Pay <strong>{amount}</strong> (the approved amount).
      </p>
      <label className="field">
        <span>Payment reference</span>
        <input className="input mono" value={ref} onChange={(e) => setRef(e.target.value)} placeholder="e.g. EFT-2026-00123" />
      </label>
      {ref && !valid ? <p className="code-desc-error">A payment reference is 3-64 letters, digits, dots, dashes or underscores.</p> : null}
      <div className="form-actions">
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={!valid} onClick={() => onPay(ref.trim())}>
          Record payment
        </button>
      </div>
    </div>
  );
}
