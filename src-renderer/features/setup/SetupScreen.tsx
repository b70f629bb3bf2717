import { useState, type FormEvent, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorNotice } from '../../ui/Notice';
import { useCacheStore } from './store';

const MIN_LENGTH = 12;

interface Problems {
  passphrase?: string;
  passphraseConfirm?: string;
  recovery?: string;
  recoveryConfirm?: string;
}

function checkForm(
  needsPassphrase: boolean,
  passphrase: string,
  passphraseConfirm: string,
  recovery: string,
  recoveryConfirm: string,
): Problems {
  const problems: Problems = {};
  if (needsPassphrase) {
    if (passphrase.length < MIN_LENGTH) problems.passphrase = `Use at least ${MIN_LENGTH} characters.`;
    else if (passphraseConfirm !== passphrase) problems.passphraseConfirm = 'The two passphrases are not the same.';
  }
  if (recovery.length < MIN_LENGTH) problems.recovery = `Use at least ${MIN_LENGTH} characters.`;
  else if (needsPassphrase && recovery === passphrase)
    problems.recovery = 'Choose a recovery passphrase that is different from the everyday passphrase.';
  else if (recoveryConfirm !== recovery) problems.recoveryConfirm = 'The two recovery passphrases are not the same.';
  return problems;
}

/**
 * First run: the encrypted local cache does not exist yet. Whoever installs the
 * workstation (usually IT) chooses how its key is protected.
 */
export function SetupScreen({ keyProtection }: { keyProtection: 'os-keychain' | 'passphrase' }): ReactNode {
  const needsPassphrase = keyProtection === 'passphrase';
  const apply = useCacheStore((s) => s.apply);
  const [passphrase, setPassphrase] = useState('');
  const [passphraseConfirm, setPassphraseConfirm] = useState('');
  const [recovery, setRecovery] = useState('');
  const [recoveryConfirm, setRecoveryConfirm] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const found = checkForm(needsPassphrase, passphrase, passphraseConfirm, recovery, recoveryConfirm);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    const result = await api['cache.setUp']({
      ...(needsPassphrase ? { passphrase } : {}),
      recoveryPassphrase: recovery,
    });
    setBusy(false);
    if (result.ok) apply(result.value);
    else setError(result.error);
  }

  return (
    <AuthLayout
      testId="setup-screen"
      title="Set up this workstation"
      wide
      intro={
        <p>
          CareLedger keeps patient and staff data on this computer in an encrypted file.{' '}
          {needsPassphrase
            ? 'No system keychain is available here, so its key is protected by a workstation passphrase.'
            : "Its key is protected by this computer's keychain."}
        </p>
      }
    >
      {error ? <ErrorNotice error={error} /> : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        {needsPassphrase ? (
          <fieldset className="fieldset">
            <legend>Workstation passphrase</legend>
            <p className="muted">At least {MIN_LENGTH} characters. It is asked for each time CareLedger starts.</p>
            <div className="form-grid">
              <PassphraseField
                id="setup-passphrase"
                label="Passphrase"
                value={passphrase}
                onChange={setPassphrase}
                problem={problems.passphrase}
                autoFocus
              />
              <PassphraseField
                id="setup-passphrase-confirm"
                label="Passphrase again"
                value={passphraseConfirm}
                onChange={setPassphraseConfirm}
                problem={problems.passphraseConfirm}
              />
            </div>
          </fieldset>
        ) : null}
        <fieldset className="fieldset">
          <legend>Recovery passphrase</legend>
          <p className="muted">
            At least {MIN_LENGTH} characters, used if the{' '}
            {needsPassphrase ? 'passphrase is forgotten' : 'keychain is lost'}, and by IT to enrol staff on this
            workstation. Write it down and keep it in a safe place away from this computer: without it, the local data
            cannot be recovered.
          </p>
          <div className="form-grid">
            <PassphraseField
              id="setup-recovery"
              label="Recovery passphrase"
              value={recovery}
              onChange={setRecovery}
              problem={problems.recovery}
              autoFocus={!needsPassphrase}
            />
            <PassphraseField
              id="setup-recovery-confirm"
              label="Recovery passphrase again"
              value={recoveryConfirm}
              onChange={setRecoveryConfirm}
              problem={problems.recoveryConfirm}
            />
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating encrypted storage…' : 'Create encrypted storage'}
          </button>
        </div>
      </form>
    </AuthLayout>
  );
}

export function PassphraseField({
  id,
  label,
  hint,
  value,
  onChange,
  problem,
  autoFocus = false,
}: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  problem?: string | undefined;
  autoFocus?: boolean;
}): ReactNode {
  const describedBy = [hint ? `${id}-hint` : null, problem ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <input
        id={id}
        className="input"
        type="password"
        autoComplete="new-password"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy || undefined}
        autoFocus={autoFocus}
        spellCheck={false}
      />
      {problem ? (
        <span className="field-error" id={`${id}-error`}>
          {problem}
        </span>
      ) : null}
    </div>
  );
}
