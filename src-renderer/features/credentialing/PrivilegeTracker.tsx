import { useEffect, useState, type ReactNode } from 'react';
import { describeScope } from '../../../src-shared/credentialing/privileges';
import { SUSPEND_REASON_LABELS, type PrivilegeLine, type SuspendReasonCode } from '../../../src-shared/credentialing/schemas';
import { formatDate, formatDateTime } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { countdown } from './describe';
import { useCredentialingStore } from './store';

const WARNING_WORDS = { none: '', '90': 'within 90 days', '30': 'within 30 days', '7': 'within 7 days', expired: 'expired' } as const;

/** Every privilege and the credentials behind it, soonest expiry first, with 90/30/7-day warnings. */
export function PrivilegeTracker(): ReactNode {
  const privileges = useCredentialingStore((s) => s.privileges);
  const load = useCredentialingStore((s) => s.loadPrivileges);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      setNow(new Date());
      void load();
    }, 30_000);
    return () => clearInterval(timer);
  }, [load]);
  if (privileges === null) return <Loading label="Loading privileges…" />;
  if (privileges.length === 0) {
    return (
      <section className="card empty" data-testid="tracker-empty">
        <h2>No privileges granted yet</h2>
        <p className="muted">Privileges granted on this workstation appear here with the licence and certification dates behind them.</p>
      </section>
    );
  }
  return (
    <section className="card card-flush" aria-labelledby="tracker-title" data-testid="tracker">
      <h2 id="tracker-title" className="cred-pad">
        Privileges and what expires first
      </h2>
      <table className="table cred-table">
        <thead>
          <tr>
            <th>Doctor</th>
            <th>Privileges</th>
            <th>Expires first</th>
            <th>Status</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {privileges.map((p) => (
            <TrackerRow key={p.privilegeId} line={p} now={now} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TrackerRow({ line: p, now }: { line: PrivilegeLine; now: Date }): ReactNode {
  const change = useCredentialingStore((s) => s.change);
  const busy = useCredentialingStore((s) => s.busy);
  const [reason, setReason] = useState<SuspendReasonCode | ''>('');
  const [suspending, setSuspending] = useState(false);
  const ended = p.until <= now.toISOString();
  return (
    <tr data-testid="tracker-row" data-doctor={p.doctorName} className={`cred-warn-${p.next.warning}`}>
      <td>
        <strong>{p.doctorName}</strong>
        <div className="muted">Licence {p.licenseNumber}</div>
      </td>
      <td>
        {p.kind === 'disaster' ? <span className="badge badge-warning">Disaster</span> : null} {describeScope(p.scope)}
        <div className="muted">
          {formatDateTime(p.from)} to {formatDateTime(p.until)}
        </div>
        {p.kind === 'disaster' && p.status === 'active' ? (
          <div className="cred-countdown" data-testid="disaster-countdown">
            {countdown(p.until, now)}: complete the full verification before then.
          </div>
        ) : null}
      </td>
      <td>
        <strong>{p.next.label}</strong> {formatDate(p.next.at)}
        {p.next.warning !== 'none' ? <span className={`badge ${p.next.warning === '90' ? 'badge-brand' : p.next.warning === '30' ? 'badge-warning' : 'badge-danger'}`}> {WARNING_WORDS[p.next.warning]}</span> : null}
        {p.expiring.slice(1).map((e) => (
          <div key={e.what} className="muted">
            {e.label} {formatDate(e.at)}
          </div>
        ))}
      </td>
      <td>
        <span className={`badge ${p.status === 'active' ? 'badge-success' : p.status === 'suspended' ? 'badge-danger' : ''}`} data-testid="privilege-status">
          {p.status === 'active' ? 'Active' : p.status === 'suspended' ? 'Suspended' : 'Expired'}
        </span>
        {p.suspensionReason ? <div className="muted">{SUSPEND_REASON_LABELS[p.suspensionReason as SuspendReasonCode] ?? p.suspensionReason}</div> : null}
        <div className="muted" data-testid="privilege-ledger">
          {p.ledger === 'committed' ? 'On the ledger' : p.ledger === 'failed' ? `Ledger refused: ${p.ledgerProblem ?? ''}` : 'Pending until the ledger commits'}
        </div>
      </td>
      <td className="cred-row-actions">
        {p.status === 'active' && !ended ? (
          suspending ? (
            <span>
              <select className="select" aria-label="Reason for the suspension" value={reason} onChange={(e) => setReason(e.target.value as SuspendReasonCode)}>
                <option value="">Reason…</option>
                {Object.entries(SUSPEND_REASON_LABELS).map(([code, label]) => (
                  <option key={code} value={code}>
                    {label}
                  </option>
                ))}
              </select>
              <button type="button" className="btn btn-danger" disabled={busy || reason === ''} onClick={() => void change('suspend', p.privilegeId, reason || undefined).then(() => setSuspending(false))}>
                Suspend
              </button>
            </span>
          ) : (
            <button type="button" className="btn" onClick={() => setSuspending(true)}>
              Suspend…
            </button>
          )
        ) : null}
        {p.status === 'suspended' && !ended ? (
          <button type="button" className="btn" disabled={busy} onClick={() => void change('reinstate', p.privilegeId)}>
            Reinstate
          </button>
        ) : null}
        {ended && p.status !== 'expired' ? (
          <button type="button" className="btn" disabled={busy} onClick={() => void change('expire', p.privilegeId)}>
            Mark expired
          </button>
        ) : null}
      </td>
    </tr>
  );
}
