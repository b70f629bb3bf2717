import type { ReactNode } from 'react';
import { formatDateTime } from '../../lib/format';
import { useCredentialingStore } from './store';

/** Sanctions, revocations and suspensions that arrived for doctors with active privileges. */
export function AlertsBanner(): ReactNode {
  const alerts = useCredentialingStore((s) => s.alerts);
  const resolve = useCredentialingStore((s) => s.resolveAlert);
  const busy = useCredentialingStore((s) => s.busy);
  if (alerts.length === 0) return null;
  return (
    <section className="cred-alerts" role="alert" aria-label="Credentialing alerts" data-testid="locum-alerts">
      {alerts.map((a) => (
        <div key={a.alertId} className="cred-alert" data-testid="locum-alert">
          <div>
            <strong>{a.kind === 'sanction' ? 'Sanction' : a.kind === 'revocation' ? 'Credential revoked' : 'Credential suspended'}: {a.doctorName}</strong>
            <p>{a.message}</p>
            <p className="muted">Arrived {formatDateTime(a.at)}. Their privileges are still active: decide now.</p>
          </div>
          <div className="cred-alert-actions">
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void resolve(a.alertId, 'suspend')} data-testid="alert-suspend">
              Suspend privileges
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => void resolve(a.alertId, 'acknowledge')}>
              Keep them (checked)
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
