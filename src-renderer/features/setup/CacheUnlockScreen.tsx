import { useState, type FormEvent, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { PassphraseField } from './SetupScreen';
import { useCacheStore } from './store';

const MIN_LENGTH = 12;

interface Problems {
  passphrase?: string;
  newPassphrase?: string;
  newPassphraseConfirm?: string;
}

/**
 * CareLedger started and its encrypted cache is still closed. Normally the workstation
 * passphrase opens it. If the passphrase is forgotten, or the system keychain lost the key
 * (`needsRecovery`), the recovery passphrase set at first run opens it instead; under
 * passphrase protection a new everyday passphrase is chosen at the same time.
 */
export function CacheUnlockScreen({
  keyProtection,
  needsRecovery,
}: {
  keyProtection: 'os-keychain' | 'passphrase';
  needsRecovery: boolean;
}): ReactNode {
  const apply = useCacheStore((s) => s.apply);
  const [chooseRecovery, setChooseRecovery] = useState(false);
  const recovery = needsRecovery || chooseRecovery;
  const asksNewPassphrase = recovery && keyProtection === 'passphrase';
  const [passphrase, setPassphrase] = useState('');
  const [newPassphrase, setNewPassphrase] = useState('');
  const [newPassphraseConfirm, setNewPassphraseConfirm] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const found: Problems = {};
    if (passphrase.length === 0)
      found.passphrase = recovery ? 'Enter the recovery passphrase.' : 'Enter the workstation passphrase.';
    if (asksNewPassphrase) {
      if (newPassphrase.length < MIN_LENGTH) found.newPassphrase = `Use at least ${MIN_LENGTH} characters.`;
      else if (newPassphraseConfirm !== newPassphrase)
        found.newPassphraseConfirm = 'The two passphrases are not the same.';
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    const result = await api['cache.unlock']({
      passphrase,
      isRecovery: recovery,
      ...(asksNewPassphrase ? { newPassphrase } : {}),
    });
    setBusy(false);
    if (result.ok) {
      apply(result.value);
    } else {
      setError(result.error);
      setPassphrase('');
    }
  }

  const intro = needsRecovery ? (
    <p>
      The system keychain no longer holds the key to this workstation&apos;s encrypted data (it may have been reset).
      Enter the recovery passphrase that was chosen when the workstation was set up.
    </p>
  ) : (
    <p>The patient and staff data on this workstation is encrypted. Enter the workstation passphrase to open it.</p>
  );

  return (
    <AuthLayout
      testId="cache-unlock-screen"
      title={recovery ? 'Recover local data' : 'Unlock local data'}
      intro={intro}
    >
      {error ? <ErrorNotice error={error} /> : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <PassphraseField
          key={recovery ? 'recovery' : 'everyday'}
          id="cache-passphrase"
          label={recovery ? 'Recovery passphrase' : 'Workstation passphrase'}
          value={passphrase}
          onChange={setPassphrase}
          problem={problems.passphrase}
          autoFocus
        />
        {needsRecovery ? null : (
          <div className="field field-inline">
            <input
              id="cache-use-recovery"
              type="checkbox"
              checked={chooseRecovery}
              onChange={(e) => {
                setChooseRecovery(e.target.checked);
                setProblems({});
              }}
            />
            <label htmlFor="cache-use-recovery">I have forgotten it; use the recovery passphrase</label>
          </div>
        )}
        {asksNewPassphrase ? (
          <>
            <Notice tone="info">
              <p>Choose a new workstation passphrase. It replaces the forgotten one from now on.</p>
            </Notice>
            <PassphraseField
              id="cache-new-passphrase"
              label="New workstation passphrase"
              hint={`At least ${MIN_LENGTH} characters.`}
              value={newPassphrase}
              onChange={setNewPassphrase}
              problem={problems.newPassphrase}
            />
            <PassphraseField
              id="cache-new-passphrase-confirm"
              label="Type the new passphrase again"
              value={newPassphraseConfirm}
              onChange={setNewPassphraseConfirm}
              problem={problems.newPassphraseConfirm}
            />
          </>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Opening…' : recovery ? 'Recover and unlock' : 'Unlock'}
          </button>
        </div>
      </form>
    </AuthLayout>
  );
}
