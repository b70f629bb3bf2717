import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { IpcError, SignInEvent } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDateTime, roleLabel } from '../../lib/format';
import { AccessReportPanel, ConsentsPanel, EmergencySettings, ReviewQueue } from './PrivacyOffice';
import '../records/records.css';
import { ListStates } from '../../ui/ListStates';

const KIND_LABELS: Record<SignInEvent['kind'], { label: string; tone: string }> = {
  'sign-in': { label: 'Signed in', tone: 'badge-success' },
  'sign-out': { label: 'Signed out', tone: '' },
  'wrong-pin': { label: 'Wrong PIN', tone: 'badge-warning' },
  'locked-out': { label: 'Locked out', tone: 'badge-danger' },
  'auto-lock': { label: 'Locked (inactive)', tone: '' },
  unlock: { label: 'Unlocked', tone: 'badge-success' },
  'identity-imported': { label: 'Identity enrolled', tone: 'badge-brand' },
  'role-refused': { label: 'Refused for role', tone: 'badge-danger' },
};

const LIMIT = 200;

type PrivacyTab = 'review' | 'report' | 'consents' | 'settings' | 'sign-ins';

const PRIVACY_TABS: ReadonlyArray<{ id: PrivacyTab; label: string }> = [
  { id: 'review', label: 'Break-glass review' },
  { id: 'report', label: 'Patient access report' },
  { id: 'consents', label: 'Consents' },
  { id: 'settings', label: 'Emergency access' },
  { id: 'sign-ins', label: 'Workstation sign-ins' },
];

/** The privacy office: break-the-glass review, patient access reports, consents, and this workstation's sign-ins. */
export function PrivacyAuditScreen(): ReactNode {
  const [tab, setTab] = useState<PrivacyTab>('review');
  return (
    <div className="stack">
      <div className="privacy-tabs chart-tabs" role="tablist" aria-label="Privacy office">
        {PRIVACY_TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={`chart-tab${tab === t.id ? ' chart-tab-active' : ''}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'review' ? <ReviewQueue /> : null}
      {tab === 'report' ? <AccessReportPanel /> : null}
      {tab === 'consents' ? <ConsentsPanel /> : null}
      {tab === 'settings' ? <EmergencySettings /> : null}
      {tab === 'sign-ins' ? <SignInEvents /> : null}
    </div>
  );
}

/** The workstation's own sign-in, lock and refusal events, for privacy officers. */
function SignInEvents(): ReactNode {
  const [events, setEvents] = useState<SignInEvent[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async (): Promise<void> => {
    setLoading(true);
    const result = await api['audit.signInEvents']({ limit: LIMIT });
    setLoading(false);
    if (result.ok) {
      setEvents(result.value);
      setError(null);
    } else {
      setError(result.error);
    }
  }, []);

  useEffect(() => {
    // Fetching is what this effect is for (it shows a spinner, then the answer).
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load]);

  return (
    <div className="stack">
      <p className="lead">
        Sign-ins, locks, wrong PINs and refused actions on this workstation, newest first. Access to patient records is
        in the patient access report.
      </p>
      <section className="card card-flush" aria-labelledby="audit-heading">
        <div className="card-toolbar">
          <h2 id="audit-heading">Workstation sign-in events</h2>
          <span className="muted">{events ? `${events.length} shown (up to ${LIMIT})` : null}</span>
          <button type="button" className="btn" onClick={() => void load()} disabled={loading}>
            {loading ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        <ListStates
          error={error}
          items={events}
          loadingLabel="Loading events…"
          empty="No events recorded on this workstation yet."
        />
        {events !== null && events.length > 0 ? (
          // Keyboard users scroll a wide table too: the region takes focus and is named (WCAG 2.1.1).
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Sign-in events">
            <table className="table" data-testid="audit-events">
              <caption className="visually-hidden">Sign-in events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Staff member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event, index) => {
                  const kind = KIND_LABELS[event.kind];
                  return (
                    <tr key={`${event.at}-${index}`}>
                      <td className="nowrap">{formatDateTime(event.at, { seconds: true })}</td>
                      <td>
                        <span className={`badge ${kind.tone}`}>{kind.label}</span>
                      </td>
                      <td>{event.displayName ?? <span className="muted">Unknown</span>}</td>
                      <td>{event.role ? roleLabel(event.role) : <span className="muted">—</span>}</td>
                      <td>{event.detail ? readableTimes(event.detail) : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </div>
  );
}

/** Events recorded before the one date style wrote machine times into the detail ("locked until 2026-…Z"). */
function readableTimes(detail: string): string {
  return detail.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) =>
    formatDateTime(iso, { seconds: true }),
  );
}
