import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { IpcError, StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { organisationLabel, roleLabel } from '../../lib/format';
import { Brand } from '../../ui/Brand';
import { ErrorNotice } from '../../ui/Notice';
import { AdmissionsScreen } from '../admissions/AdmissionsScreen';
import { ClaimsScreen } from '../claims/ClaimsScreen';
import { CredentialingScreen } from '../credentialing/CredentialingScreen';
import { GovernanceScreen } from '../governance/GovernanceScreen';
import { PrivacyAuditScreen } from '../privacy/PrivacyAuditScreen';
import { RecordsScreen } from '../records/RecordsScreen';
import { useSessionStore } from '../session/store';
import { SettingsScreen } from '../settings/SettingsScreen';
import { SyncScreen } from '../sync/SyncScreen';
import { homeScreenFor, mayOpen, screensFor, type ScreenId } from './navigation';
import { StatusBar } from './StatusBar';
import { useShellStore } from './store';
import { useInactivityLock } from './useInactivityLock';

const SCREEN_COMPONENTS: Record<ScreenId, () => ReactNode> = {
  admissions: AdmissionsScreen,
  records: RecordsScreen,
  claims: ClaimsScreen,
  credentialing: CredentialingScreen,
  privacy: PrivacyAuditScreen,
  governance: GovernanceScreen,
  sync: SyncScreen,
  settings: SettingsScreen,
};

export function AppShell({ identity, locksAt }: { identity: StaffIdentitySummary; locksAt: string }): ReactNode {
  useInactivityLock(locksAt);
  const requested = useShellStore((s) => s.current);
  const open = useShellStore((s) => s.open);
  const screens = screensFor(identity);
  // A screen chosen by someone else before a switch of user never carries over.
  const current = requested !== null && mayOpen(requested, identity) ? requested : homeScreenFor(identity);
  const entry = screens.find((s) => s.id === current);
  const Screen = SCREEN_COMPONENTS[current];
  const mainRef = useRef<HTMLElement>(null);

  function go(screen: ScreenId): void {
    open(screen);
    // Move focus to the new screen so keyboard and screen-reader users land on it.
    requestAnimationFrame(() => mainRef.current?.focus());
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main-content">
        Skip to content
      </a>
      <Header identity={identity} />
      <div className="shell-body">
        <nav className="shell-nav" aria-label="Main">
          <ul>
            {screens.map((screen) => (
              <li key={screen.id}>
                <button
                  type="button"
                  className="nav-item"
                  aria-current={screen.id === current ? 'page' : undefined}
                  onClick={() => go(screen.id)}
                >
                  {screen.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="shell-main" id="main-content" ref={mainRef} tabIndex={-1} aria-labelledby="screen-title">
          <div className="screen" data-testid={`screen-${current}`}>
            <h1 id="screen-title">{entry?.label}</h1>
            <Screen />
          </div>
        </main>
      </div>
      <StatusBar />
    </div>
  );
}

function Header({ identity }: { identity: StaffIdentitySummary }): ReactNode {
  const apply = useSessionStore((s) => s.apply);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: 'session.lock' | 'session.signOut'): Promise<void> {
    setBusy(true);
    const result = await api[action]({});
    setBusy(false);
    if (result.ok) apply(result.value);
    else setError(result.error);
  }

  useEffect(() => {
    if (!error) return;
    const timer = setTimeout(() => setError(null), 8_000);
    return () => clearTimeout(timer);
  }, [error]);

  return (
    <header className="shell-header">
      <Brand inverted />
      <p className="signed-in-as" data-testid="signed-in-as">
        Signed in as <strong>{identity.displayName}</strong> · {roleLabel(identity.role)} ·{' '}
        {organisationLabel(identity.mspId)}
      </p>
      <div className="header-actions">
        <button type="button" className="btn btn-header" onClick={() => void run('session.lock')} disabled={busy}>
          Lock
        </button>
        <button type="button" className="btn btn-header" onClick={() => void run('session.signOut')} disabled={busy}>
          Sign out
        </button>
      </div>
      {error ? (
        <div
          className="header-error"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setError(null);
          }}
        >
          <ErrorNotice error={error}>
            <button type="button" className="btn btn-quiet" onClick={() => setError(null)}>
              Dismiss
            </button>
          </ErrorNotice>
        </div>
      ) : null}
    </header>
  );
}
