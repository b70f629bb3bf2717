import { useEffect, type ReactNode } from 'react';
import { api } from '../../lib/api';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { Loading } from '../../ui/Loading';
import { AlertsBanner } from './AlertsBanner';
import { LocumScanPanel } from './LocumScanPanel';
import { PolicyPanel } from './PolicyPanel';
import { PrivilegeTracker } from './PrivilegeTracker';
import { VerificationView } from './VerificationView';
import { useCredentialingStore, type CredentialingTab } from './store';
import './credentialing.css';

const TABS: { id: CredentialingTab; label: string }[] = [
  { id: 'verify', label: 'Verify a locum' },
  { id: 'tracker', label: 'Privileges and expiry' },
  { id: 'policy', label: 'Policy and disaster' },
];

/** The credentialing officer's screen (issue 13). */
export function CredentialingScreen(): ReactNode {
  const tab = useCredentialingStore((s) => s.tab);
  const setTab = useCredentialingStore((s) => s.setTab);
  const options = useCredentialingStore((s) => s.options);
  const load = useCredentialingStore((s) => s.load);
  const loadAlerts = useCredentialingStore((s) => s.loadAlerts);
  const refresh = useCredentialingStore((s) => s.refreshVerification);
  const verification = useCredentialingStore((s) => s.verification);
  const startOver = useCredentialingStore((s) => s.startOver);
  const error = useCredentialingStore((s) => s.error);

  useEffect(() => {
    void load();
    // Ledger events (sanctions, status lists) and commits arrive through sync: look again when it moves.
    const off = api.onEvent((e) => {
      if (e.type === 'sync') {
        void loadAlerts();
        void refresh();
      }
    });
    const timer = setInterval(() => void loadAlerts(), 15_000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [load, loadAlerts, refresh]);

  return (
    <div className="cred" data-testid="credentialing">
      <AlertsBanner />
      {options?.disaster ? (
        <Notice tone="warning" title="Disaster declared" testId="disaster-banner">
          <p>
            {options.disaster.note}. 72-hour disaster privileges can be granted on the reduced check set.
          </p>
        </Notice>
      ) : null}
      <div className="cred-tabs">
        <div role="tablist" aria-label="Credentialing" className="cred-tablist">
          {TABS.map((t) => (
            <button key={t.id} type="button" role="tab" id={`cred-tab-${t.id}`} aria-selected={tab === t.id} aria-controls="cred-panel" className="cred-tab" onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
        </div>
        {tab === 'verify' && verification ? (
          <button type="button" className="btn" onClick={() => void startOver()} data-testid="next-locum">
            Next doctor
          </button>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <div id="cred-panel" role="tabpanel" aria-labelledby={`cred-tab-${tab}`}>
        {!options ? <Loading label="Loading the privilege list…" /> : null}
        {options && tab === 'verify' ? verification ? <VerificationView verification={verification} options={options} /> : <LocumScanPanel /> : null}
        {options && tab === 'tracker' ? <PrivilegeTracker /> : null}
        {options && tab === 'policy' ? <PolicyPanel options={options} /> : null}
      </div>
    </div>
  );
}
