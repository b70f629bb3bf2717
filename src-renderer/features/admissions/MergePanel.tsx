import { useState, type FormEvent, type ReactNode } from 'react';
import type { PatientSummary } from '../../../src-shared/admission/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { IdentityBadge, patientName } from './PatientMatchPanel';

/** Two records created for one person by mistake: find both by MRN, keep one, merge the other into it. */
export function MergePanel(): ReactNode {
  const [keepMrn, setKeepMrn] = useState('');
  const [mergeMrn, setMergeMrn] = useState('');
  const [keep, setKeep] = useState<PatientSummary | null>(null);
  const [merged, setMerged] = useState<PatientSummary | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function find(mrn: string, set: (p: PatientSummary | null) => void): Promise<void> {
    setError(null);
    const result = await api['patients.search']({ mrn: mrn.trim(), limit: 1 });
    if (!result.ok) setError(result.error);
    else set(result.value[0]?.patient ?? null);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!keep || !merged) return;
    setBusy(true);
    const result = await api['patients.merge']({
      survivorId: keep.patientId,
      mergedId: merged.patientId,
      reason: reason.trim(),
    });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else {
      setDone(`MRN ${merged.mrn} now points to MRN ${result.value.mrn}.`);
      setMerged(null);
      setMergeMrn('');
    }
  }

  return (
    <section className="card" aria-labelledby="merge-title" data-testid="merge">
      <h2 id="merge-title">Merge two records of the same patient</h2>
      <p className="muted">
        For a second record created by mistake. The merged record keeps its history and points to the one you keep.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <div className="desk-columns">
          <RecordPicker
            label="Record to keep"
            id="merge-keep"
            mrn={keepMrn}
            setMrn={setKeepMrn}
            patient={keep}
            onFind={() => void find(keepMrn, setKeep)}
          />
          <RecordPicker
            label="Record created by mistake"
            id="merge-other"
            mrn={mergeMrn}
            setMrn={setMergeMrn}
            patient={merged}
            onFind={() => void find(mergeMrn, setMerged)}
          />
        </div>
        <div className="field">
          <label htmlFor="merge-reason">Why are these the same person?</label>
          <input
            id="merge-reason"
            className="input"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. Same person, registered twice at night; confirmed with ID card"
          />
        </div>
        {error ? <ErrorNotice error={error} /> : null}
        {done ? (
          <Notice tone="success" testId="merge-done">
            <p>{done}</p>
          </Notice>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !keep || !merged || keep.patientId === merged.patientId || reason.trim().length < 3}
          >
            Merge records
          </button>
        </div>
      </form>
    </section>
  );
}

function RecordPicker({
  label,
  id,
  mrn,
  setMrn,
  patient,
  onFind,
}: {
  label: string;
  id: string;
  mrn: string;
  setMrn: (v: string) => void;
  patient: PatientSummary | null;
  onFind: () => void;
}): ReactNode {
  return (
    <div className="merge-picker">
      <div className="field">
        <label htmlFor={id}>{label} (MRN)</label>
        <div className="input-row">
          <input
            id={id}
            className="input mono"
            value={mrn}
            onChange={(e) => setMrn(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                onFind();
              }
            }}
          />
          <button type="button" className="btn" onClick={onFind}>
            Find
          </button>
        </div>
      </div>
      {patient ? (
        <p>
          <strong>{patientName(patient)}</strong>, born {patient.birthDate ? formatDate(patient.birthDate) : 'unknown'}{' '}
          <IdentityBadge patient={patient} />
        </p>
      ) : null}
    </div>
  );
}
