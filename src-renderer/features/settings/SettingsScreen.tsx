import { useState, type FormEvent, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useSessionStore } from '../session/store';
import { useCacheStore } from '../setup/store';
import { DateTimeSettingsCard } from './DateTimeSettingsCard';
import { IntegrityCheck } from './IntegrityCheck';
import { OutboxImport } from './OutboxImport';

const AUTO_LOCK_CHOICES = [1, 2, 5, 10, 15, 30, 60] as const;

export function SettingsScreen(): ReactNode {
  const session = useSessionStore((s) => s.session);
  const apply = useSessionStore((s) => s.apply);
  const cache = useCacheStore((s) => s.cache);
  const current = session?.status === 'signed-in' ? session.autoLockMinutes : 5;
  const [minutes, setMinutes] = useState<number>(current);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setError(null);
    const result = await api['session.setAutoLock']({ minutes });
    setBusy(false);
    if (result.ok) {
      apply(result.value);
      setSaved(true);
    } else {
      setError(result.error);
    }
  }

  return (
    <div className="stack">
      <section className="card" aria-labelledby="autolock-heading">
        <h2 id="autolock-heading">Automatic lock</h2>
        <p>
          The workstation locks itself when nobody has used it for a while. Whoever is signed in resumes with their PIN;
          anyone else can switch user.
        </p>
        {error ? <ErrorNotice error={error} /> : null}
        {saved ? (
          <Notice tone="success">
            <p>Saved. The workstation now locks after {pluralMinutes(current)} without activity.</p>
          </Notice>
        ) : null}
        <form className="inline-form" onSubmit={(e) => void save(e)}>
          <div className="field">
            <label htmlFor="autolock-minutes">Lock after</label>
            <select
              id="autolock-minutes"
              className="select"
              value={minutes}
              onChange={(e) => {
                setMinutes(Number(e.target.value));
                setSaved(false);
              }}
            >
              {AUTO_LOCK_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {pluralMinutes(choice)} without activity
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy || minutes === current}>
            Save
          </button>
        </form>
        {session?.status === 'signed-in' ? (
          <p className="muted" data-testid="locks-at">
            Currently: {pluralMinutes(current)}. If nothing happens, this workstation locks at{' '}
            {formatTime(session.locksAt)}.
          </p>
        ) : null}
      </section>
      <DateTimeSettingsCard />
      <section className="card" aria-labelledby="storage-heading">
        <h2 id="storage-heading">Local data</h2>
        <dl className="facts">
          <div>
            <dt>Encrypted cache</dt>
            <dd>{cache?.status === 'open' ? 'Open' : (cache?.status ?? 'Unknown')}</dd>
          </div>
          <div>
            <dt>Key protected by</dt>
            <dd>
              {cache && 'keyProtection' in cache
                ? cache.keyProtection === 'os-keychain'
                  ? 'System keychain'
                  : 'Workstation passphrase'
                : 'Unknown'}
            </dd>
          </div>
          <div>
            <dt>Data format version</dt>
            <dd>{cache?.status === 'open' ? cache.schemaVersion : '—'}</dd>
          </div>
        </dl>
        <IntegrityCheck />
        <OutboxImport />
      </section>
    </div>
  );
}

function pluralMinutes(n: number): string {
  return n === 1 ? '1 minute' : `${n} minutes`;
}
