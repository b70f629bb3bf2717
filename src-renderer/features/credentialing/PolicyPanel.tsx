import { useState, type FormEvent, type ReactNode } from 'react';
import type { CredentialingOptions } from '../../../src-shared/credentialing/schemas';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useCredentialingStore } from './store';

/** The hospital's credentialing policy, and declaring or ending a disaster. */
export function PolicyPanel({ options }: { options: CredentialingOptions }): ReactNode {
  const saveOptions = useCredentialingStore((s) => s.saveOptions);
  const setError = useCredentialingStore((s) => s.setError);
  const [jurisdictions, setJurisdictions] = useState(options.settings.jurisdictions.join(', '));
  const [autoSuspend, setAutoSuspend] = useState(options.settings.autoSuspend);
  const [maxAge, setMaxAge] = useState(String(options.settings.sanctionsMaxAgeHours));
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState(false);

  async function save(e: FormEvent): Promise<void> {
    e.preventDefault();
    setSaved(false);
    const list = jurisdictions.split(/[,\s]+/).map((j) => j.trim()).filter((j) => j.length > 0);
    const hours = Number(maxAge);
    const result = await api['credentialing.saveSettings']({ jurisdictions: list, autoSuspend, sanctionsMaxAgeHours: Number.isInteger(hours) ? hours : 0 });
    if (result.ok) {
      saveOptions(result.value);
      setSaved(true);
    } else setError(result.error);
  }

  async function disaster(declare: boolean): Promise<void> {
    const result = declare ? await api['credentialing.declareDisaster']({ note }) : await api['credentialing.endDisaster']({});
    if (result.ok) saveOptions(result.value);
    else setError(result.error);
  }

  return (
    <div className="cred-policy">
      <form className="card" onSubmit={(e) => void save(e)} aria-labelledby="policy-title">
        <h2 id="policy-title">Credentialing policy</h2>
        <div className="field">
          <label htmlFor="policy-jurisdictions">Licence jurisdictions accepted</label>
          <input id="policy-jurisdictions" className="input" value={jurisdictions} onChange={(e) => setJurisdictions(e.target.value)} />
          <span className="hint">Codes as the boards write them, separated by commas, e.g. GB, IE, US-CA.</span>
        </div>
        <div className="field">
          <label htmlFor="policy-age">Oldest sanctions list to rely on (hours)</label>
          <input id="policy-age" className="input" inputMode="numeric" value={maxAge} onChange={(e) => setMaxAge(e.target.value)} />
        </div>
        <label className="cred-check-line">
          <input type="checkbox" checked={autoSuspend} onChange={(e) => setAutoSuspend(e.target.checked)} /> Suspend privileges at once when a sanction, revocation or suspension arrives
          <span className="hint"> (otherwise: alert the officer and ask)</span>
        </label>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Save policy
          </button>
          {saved ? <span role="status">Saved.</span> : null}
        </div>
      </form>
      <section className="card" aria-labelledby="disaster-title" data-testid="disaster-panel">
        <h2 id="disaster-title">Disaster privileges</h2>
        {options.disaster ? (
          <>
            <p>
              <strong>Disaster declared</strong> by {options.disaster.declaredBy} on {formatDateTime(options.disaster.declaredAt)}: {options.disaster.note}
            </p>
            <button type="button" className="btn" onClick={() => void disaster(false)}>
              End the disaster
            </button>
          </>
        ) : (
          <>
            <p className="muted">In a declared disaster, locums can be granted 72-hour privileges on a reduced check set: identity, a valid licence from a trusted board, not sanctioned.</p>
            <div className="field">
              <label htmlFor="disaster-note">Which disaster</label>
              <input id="disaster-note" className="input" value={note} onChange={(e) => setNote(e.target.value)} placeholder="e.g. Major incident 2026-14, rail crash" />
            </div>
            <button type="button" className="btn btn-danger" disabled={note.trim() === ''} onClick={() => void disaster(true)} data-testid="declare-disaster">
              Declare a disaster
            </button>
          </>
        )}
      </section>
    </div>
  );
}
