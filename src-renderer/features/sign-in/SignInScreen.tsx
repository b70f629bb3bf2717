import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { EnrolledStaffIdentity, IpcError, StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { dateDetail, numberDetail } from '../../lib/errors';
import { formatDate, formatTime, organisationLabel, roleLabel } from '../../lib/format';
import { AuthLayout } from '../../ui/AuthLayout';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { startStatePending } from '../../app/start-state';
import { useSessionStore } from '../session/store';
import { EnrolIdentityForm, enrolledMessage } from './EnrolIdentityForm';

export function SignInScreen(): ReactNode {
  const identities = useSessionStore((s) => s.identities);
  const identitiesError = useSessionStore((s) => s.identitiesError);
  const loadIdentities = useSessionStore((s) => s.loadIdentities);
  const [enrolling, setEnrolling] = useState(false);
  const [enrolled, setEnrolled] = useState<string | null>(null);

  useEffect(() => {
    // The list the start state brought (or is bringing) is current; every later visit asks again
    // (tries left change).
    if (useSessionStore.getState().identitiesFromStart) useSessionStore.setState({ identitiesFromStart: false });
    else if (!startStatePending()) void loadIdentities();
  }, [loadIdentities]);

  function afterEnrol(identity: StaffIdentitySummary): void {
    setEnrolled(enrolledMessage(identity));
    setEnrolling(false);
    void loadIdentities();
  }

  if (identities === null) {
    return (
      <AuthLayout testId="sign-in-screen" title="Sign in">
        {identitiesError ? (
          <ErrorNotice error={identitiesError}>
            <button type="button" className="btn" onClick={() => void loadIdentities()}>
              Try again
            </button>
          </ErrorNotice>
        ) : (
          <Loading label="Loading staff identities…" />
        )}
      </AuthLayout>
    );
  }

  if (identities.length === 0 || enrolling) {
    return (
      <AuthLayout
        testId="enrol-screen"
        title="Enrol a staff identity"
        wide
        intro={
          identities.length === 0 ? (
            <p>
              No staff identities are enrolled on this workstation yet. Enrol yours with the certificate and key files
              your organisation issued to you.
            </p>
          ) : (
            <p>Add another member of staff to this workstation with the files their organisation issued.</p>
          )
        }
      >
        <EnrolIdentityForm
          onEnrolled={afterEnrol}
          onCancel={identities.length > 0 ? () => setEnrolling(false) : undefined}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout testId="sign-in-screen" title="Sign in" wide intro={<p>Choose your name and enter your PIN.</p>}>
      {enrolled ? (
        <Notice tone="success">
          <p>{enrolled}</p>
        </Notice>
      ) : null}
      <SignInForm identities={identities} />
      <div className="auth-secondary">
        <button type="button" className="btn btn-quiet" onClick={() => setEnrolling(true)}>
          Enrol another staff identity
        </button>
      </div>
    </AuthLayout>
  );
}

/** What the PIN field says about the chosen identity's tries: how many are left, or until when it is locked. */
export function pinTriesText(identity: EnrolledStaffIdentity): string {
  if (identity.pinLockedUntil !== null) return `Locked after too many wrong PINs: try again after ${formatTime(identity.pinLockedUntil)}.`;
  const n = identity.pinTriesLeft;
  return `${n} ${n === 1 ? 'try' : 'tries'} left before a lockout.`;
}

function SignInForm({ identities }: { identities: EnrolledStaffIdentity[] }): ReactNode {
  const apply = useSessionStore((s) => s.apply);
  const loadIdentities = useSessionStore((s) => s.loadIdentities);
  const [selected, setSelected] = useState<string | null>(identities.length === 1 ? (identities[0]?.id ?? null) : null);
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);
  // When the list was shown; good enough to flag certificates that have already expired.
  const [shownAt] = useState(() => Date.now());

  function choose(id: string): void {
    setSelected(id);
    setError(null);
    setProblem(null);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (selected === null) {
      setProblem('Choose your name first.');
      return;
    }
    if (pin.length === 0) {
      setProblem('Enter your PIN.');
      pinRef.current?.focus();
      return;
    }
    setProblem(null);
    setBusy(true);
    setError(null);
    const result = await api['session.signIn']({ identityId: selected, pin });
    setBusy(false);
    setPin('');
    if (result.ok) {
      apply(result.value);
    } else {
      setError(result.error);
      pinRef.current?.focus();
      // The tries left (or the lockout) shown under the PIN field change with each wrong PIN.
      void loadIdentities();
    }
  }

  const chosen = identities.find((i) => i.id === selected) ?? null;
  const describedBy = [problem ? 'sign-in-problem' : null, chosen ? 'sign-in-pin-tries' : null].filter(Boolean).join(' ');

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="Sign in">
      {error ? <SignInError error={error} /> : null}
      <fieldset className="fieldset identity-list">
        <legend>Staff member</legend>
        {identities.map((identity) => (
          <label key={identity.id} className={`identity-option${selected === identity.id ? ' is-selected' : ''}`}>
            <input
              type="radio"
              name="identity"
              value={identity.id}
              checked={selected === identity.id}
              onChange={() => choose(identity.id)}
              aria-describedby={`identity-${identity.id}-meta`}
            />
            <span className="identity-text">
              <span className="identity-name">{identity.displayName}</span>
              <span className="identity-meta" id={`identity-${identity.id}-meta`}>
                {roleLabel(identity.role)} · {organisationLabel(identity.mspId)}
                {Date.parse(identity.notAfter) < shownAt ? (
                  <span className="badge badge-danger">Certificate expired {formatDate(identity.notAfter)}</span>
                ) : null}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="sign-in-pin">PIN</label>
        <input
          id="sign-in-pin"
          ref={pinRef}
          className="input input-pin"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          aria-invalid={problem !== null || error?.code === 'WRONG_PIN' ? true : undefined}
          aria-describedby={describedBy || undefined}
        />
        {chosen ? (
          <span
            className={chosen.pinLockedUntil !== null ? 'field-error' : 'hint'}
            id="sign-in-pin-tries"
            data-testid="sign-in-pin-tries"
          >
            {pinTriesText(chosen)}
          </span>
        ) : null}
        {problem ? (
          <span className="field-error" id="sign-in-problem" role="alert">
            {problem}
          </span>
        ) : null}
      </div>
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

/** Wrong PIN and lockout get the numbers people need: attempts left, and until when. */
export function SignInError({ error }: { error: IpcError }): ReactNode {
  if (error.code === 'WRONG_PIN') {
    const left = numberDetail(error, 'attemptsLeft', 'attemptsRemaining', 'remainingAttempts');
    // The service's sentence normally says how many tries are left; add it only if not.
    const saysIt = left === null || error.message.includes(String(left));
    return (
      <ErrorNotice error={error}>
        {saysIt ? null : (
          <p>
            <strong>
              {left} {left === 1 ? 'try' : 'tries'} left
            </strong>{' '}
            before this identity is locked for a while.
          </p>
        )}
      </ErrorNotice>
    );
  }
  if (error.code === 'LOCKED_OUT') {
    const until = dateDetail(error, 'retryAt', 'lockedUntil');
    // The service's sentence normally gives the time; add it only if it does not.
    const saysIt = until === null || /\d{1,2}:\d{2}/.test(error.message);
    return (
      <ErrorNotice error={error}>
        {saysIt || until === null ? null : (
          <p>
            <strong>You can try again at {formatTime(until)}.</strong>
          </p>
        )}
        <p>Meanwhile, a colleague can sign in with their own identity. Never share a PIN.</p>
      </ErrorNotice>
    );
  }
  return <ErrorNotice error={error} />;
}
