import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { IpcError, StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatTime, organisationLabel, roleLabel } from '../../lib/format';
import { AuthLayout } from '../../ui/AuthLayout';
import { useSessionStore } from '../session/store';
import { SignInError } from '../sign-in/SignInScreen';

/**
 * The workstation locked itself (inactivity) or was locked by its user. The session is
 * kept: the same person resumes with their PIN, anyone else uses "Switch user", which
 * signs the locked session out.
 */
export function LockScreen({ identity, lockedAt }: { identity: StaffIdentitySummary; lockedAt: string }): ReactNode {
  const apply = useSessionStore((s) => s.apply);
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);

  async function unlock(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (pin.length === 0) {
      setProblem('Enter your PIN.');
      pinRef.current?.focus();
      return;
    }
    setProblem(null);
    setBusy(true);
    setError(null);
    const result = await api['session.unlock']({ pin });
    setBusy(false);
    setPin('');
    if (result.ok) {
      apply(result.value);
    } else {
      setError(result.error);
      pinRef.current?.focus();
    }
  }

  async function switchUser(): Promise<void> {
    setBusy(true);
    const result = await api['session.signOut']({});
    setBusy(false);
    if (result.ok) apply(result.value);
    else setError(result.error);
  }

  return (
    <AuthLayout
      testId="lock-screen"
      title="Workstation locked"
      intro={<p>Locked at {formatTime(lockedAt)}. Patient information is hidden until you enter your PIN.</p>}
    >
      <div className="locked-identity" data-testid="locked-identity">
        <span className="avatar" aria-hidden="true">
          {initials(identity.displayName)}
        </span>
        <span>
          <span className="identity-name">{identity.displayName}</span>
          <span className="identity-meta">
            {roleLabel(identity.role)} · {organisationLabel(identity.mspId)}
          </span>
        </span>
      </div>
      {error ? <SignInError error={error} /> : null}
      <form onSubmit={(e) => void unlock(e)} noValidate aria-label="Unlock">
        <div className="field">
          <label htmlFor="lock-pin">PIN for {identity.displayName}</label>
          <input
            id="lock-pin"
            ref={pinRef}
            className="input input-pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            aria-invalid={problem !== null || error?.code === 'WRONG_PIN' ? true : undefined}
            autoFocus
          />
          {problem ? (
            <span className="field-error" role="alert">
              {problem}
            </span>
          ) : null}
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          Unlock
        </button>
      </form>
      <div className="auth-secondary">
        <span className="muted">Not {identity.displayName}?</span>
        <button type="button" className="btn btn-quiet" onClick={() => void switchUser()} disabled={busy}>
          Switch user
        </button>
      </div>
    </AuthLayout>
  );
}

export function initials(name: string): string {
  const parts = name
    .replace(/^(Dr|Mr|Mrs|Ms|Prof)\.?\s+/i, '')
    .split(/\s+/)
    .filter(Boolean);
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase() || '?';
}
