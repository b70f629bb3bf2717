import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { AllergyFlag, DeskOptions } from '../../../src-shared/admission/schemas';
import { isoFromLocal, localDateTimeValue } from './describe';
import { useDeskStore } from './store';

/**
 * Ward, bed, attending clinician, reason and time. Enter anywhere in the form admits, once a
 * record is chosen; the first ward and clinician are not preselected, so nothing is admitted
 * to a default ward by a hurried Enter.
 */
export function AdmitForm({
  options,
  canAdmit,
  blockedReason,
}: {
  options: DeskOptions;
  canAdmit: boolean;
  blockedReason: string | null;
}): ReactNode {
  const admit = useDeskStore((s) => s.admit);
  const busy = useDeskStore((s) => s.busy);
  const [wardCode, setWardCode] = useState('');
  const [bed, setBed] = useState('');
  const [clinicianId, setClinicianId] = useState('');
  const [reason, setReason] = useState('');
  const [allergies, setAllergies] = useState<AllergyFlag>('unknown');
  const [at, setAt] = useState(() => localDateTimeValue(new Date()));
  const ward = options.wards.find((w) => w.code === wardCode);
  const wardRef = useRef<HTMLSelectElement>(null);
  // Keyboard first: once the record is settled, the clerk's next key goes to the ward.
  useEffect(() => {
    if (canAdmit) wardRef.current?.focus();
  }, [canAdmit]);
  const missing = [
    wardCode === '' ? 'ward' : null,
    bed === '' ? 'bed' : null,
    clinicianId === '' ? 'attending clinician' : null,
    reason.trim().length < 3 ? 'reason' : null,
  ].filter((m): m is string => m !== null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!canAdmit || missing.length > 0) return;
    const admittedAt = isoFromLocal(at);
    await admit({
      wardCode,
      bed,
      attendingClinicianId: clinicianId,
      reason: reason.trim(),
      allergies,
      ...(admittedAt ? { admittedAt } : {}),
    });
  }

  return (
    <section className="card" aria-labelledby="admit-title" data-testid="admit-form">
      <h2 id="admit-title">Admission</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="admit-grid">
          <div className="field">
            <label htmlFor="admit-ward">Ward</label>
            <select
              id="admit-ward"
              ref={wardRef}
              className="select"
              value={wardCode}
              onChange={(e) => {
                setWardCode(e.target.value);
                setBed('');
              }}
            >
              <option value="">Choose a ward…</option>
              {options.wards.map((w) => (
                <option key={w.code} value={w.code}>
                  {w.name} ({w.beds.length} free)
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="admit-bed">Bed</label>
            <select
              id="admit-bed"
              className="select"
              value={bed}
              onChange={(e) => setBed(e.target.value)}
              disabled={!ward}
            >
              <option value="">{ward ? 'Choose a bed…' : 'Choose a ward first'}</option>
              {(ward?.beds ?? []).map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="admit-clinician">Attending clinician</label>
            <select
              id="admit-clinician"
              className="select"
              value={clinicianId}
              onChange={(e) => setClinicianId(e.target.value)}
            >
              <option value="">Choose a clinician…</option>
              {options.clinicians.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="admit-time">Admission time</label>
            <input
              id="admit-time"
              className="input"
              type="datetime-local"
              value={at}
              onChange={(e) => setAt(e.target.value)}
            />
          </div>
          <div className="field admit-reason">
            <label htmlFor="admit-reason">Reason for admission</label>
            <input
              id="admit-reason"
              className="input"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. Elective hip replacement"
              maxLength={500}
            />
          </div>
          <div className="field">
            <label htmlFor="admit-allergies">Known allergies</label>
            <select
              id="admit-allergies"
              className="select"
              value={allergies}
              onChange={(e) => setAllergies(e.target.value as AllergyFlag)}
            >
              <option value="unknown">Not asked / unknown</option>
              <option value="yes">Yes (flag on wristband)</option>
              <option value="no">No known allergies</option>
            </select>
          </div>
        </div>
        <div className="form-actions admit-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !canAdmit || missing.length > 0}
            data-testid="admit-button"
          >
            Admit patient
          </button>
          <span className="muted" data-testid="admit-hint">
            {blockedReason ??
              (missing.length > 0 ? `Still needed: ${missing.join(', ')}.` : 'Press Enter or “Admit patient”.')}
          </span>
        </div>
      </form>
    </section>
  );
}
