import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { AllergyFlag, DeskOptions } from '../../../src-shared/admission/schemas';
import { dateTimeStyle } from '../../lib/format';
import { freeBeds } from './describe';
import { AllergySelect } from './AllergySelect';
import { useDeskStore } from './store';


/**
 * Ward, bed, attending clinician, reason, allergies and time. Enter anywhere in the form
 * admits, once a record is chosen; the first ward and clinician are not preselected, so
 * nothing is admitted to a default ward by a hurried Enter.
 *
 * - Beds offered are the free ones of the whole hospital (`options.occupiedBeds`).
 * - Known allergies start from the patient's record (`recordedAllergies`): what was answered
 *   at registration is shown, never reset to "unknown". The parent keys the form by patient,
 *   so another record chosen starts a fresh form with that record's answer.
 * - "Admitted at" follows the clock until the clerk changes it; untouched, main uses the time
 *   Admit is pressed.
 */
export function AdmitForm({
  options,
  canAdmit,
  blockedReason,
  recordedAllergies,
}: {
  options: DeskOptions;
  canAdmit: boolean;
  blockedReason: string | null;
  /** The chosen record's allergy answer; null for a new record. */
  recordedAllergies: AllergyFlag | null;
}): ReactNode {
  const admit = useDeskStore((s) => s.admit);
  const busy = useDeskStore((s) => s.busy);
  const [wardCode, setWardCode] = useState('');
  const [bed, setBed] = useState('');
  const [clinicianId, setClinicianId] = useState('');
  const [reason, setReason] = useState('');
  const [allergies, setAllergies] = useState<AllergyFlag>(recordedAllergies ?? 'unknown');
  const style = dateTimeStyle();
  const [timeChanged, setTimeChanged] = useState(false);
  const [now, setNow] = useState(() => new Date());
  const [dateText, setDateText] = useState('');
  const [timeText, setTimeText] = useState('');
  const [timeError, setTimeError] = useState<string | null>(null);
  const ward = options.wards.find((w) => w.code === wardCode);
  const beds = ward ? freeBeds(options, ward) : [];
  const wardRef = useRef<HTMLSelectElement>(null);

  // Keyboard first: once the record is settled, the clerk's next key goes to the ward.
  useEffect(() => {
    if (canAdmit) wardRef.current?.focus();
  }, [canAdmit]);
  // The shown time follows the clock until the clerk types another one.
  useEffect(() => {
    if (timeChanged) return undefined;
    const timer = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(timer);
  }, [timeChanged]);
  // A bed taken meanwhile (by another desk) drops out of the choice.
  const chosenBed = beds.includes(bed) ? bed : '';

  const shownDate = timeChanged ? dateText : style.dateInputValue(now);
  const shownTime = timeChanged ? timeText : style.timeInputValue(now);

  const missing = [
    wardCode === '' ? 'ward' : null,
    chosenBed === '' ? 'bed' : null,
    clinicianId === '' ? 'attending clinician' : null,
    reason.trim().length < 3 ? 'reason' : null,
  ].filter((m): m is string => m !== null);

  function changeTime(date: string, time: string): void {
    setTimeChanged(true);
    setDateText(date);
    setTimeText(time);
    setTimeError(null);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!canAdmit || missing.length > 0) return;
    let admittedAt: string | undefined;
    if (timeChanged) {
      const parsed = style.parseDateTime(dateText, timeText);
      if (!parsed.ok) {
        setTimeError(parsed.message);
        return;
      }
      admittedAt = parsed.value;
    }
    await admit({
      wardCode,
      bed: chosenBed,
      attendingClinicianId: clinicianId,
      reason: reason.trim(),
      allergies,
      ...(admittedAt ? { admittedAt } : {}),
    });
  }

  return (
    <section className="card admit-card" aria-labelledby="admit-title" data-testid="admit-form">
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
                  {w.name} ({freeBeds(options, w).length} free)
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="admit-bed">Bed</label>
            <select
              id="admit-bed"
              className="select"
              value={chosenBed}
              onChange={(e) => setBed(e.target.value)}
              disabled={!ward}
            >
              <option value="">
                {!ward ? 'Choose a ward first' : beds.length === 0 ? 'No free bed on this ward' : 'Choose a bed…'}
              </option>
              {beds.map((b) => (
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
          <AllergySelect id="admit-allergies" value={allergies} onChange={setAllergies} />
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
          <fieldset className="field fieldset admit-time">
            <legend>
              Admitted at{' '}
              <span className="muted" data-testid="admit-time-mode">
                {timeChanged ? '(as typed)' : '(now, when you press Admit)'}
              </span>
            </legend>
            <div className="input-row">
              <input
                id="admit-date"
                className="input"
                aria-label={`Admission date (${style.datePattern()})`}
                value={shownDate}
                onChange={(e) => changeTime(e.target.value, shownTime)}
                inputMode="numeric"
              />
              <input
                id="admit-time"
                className="input"
                aria-label={`Admission time (${style.timePattern()})`}
                value={shownTime}
                onChange={(e) => changeTime(shownDate, e.target.value)}
              />
            </div>
            {timeError ? (
              <span className="field-error" role="alert">
                {timeError}
              </span>
            ) : null}
          </fieldset>
          <div className="admit-submit">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={busy || !canAdmit || missing.length > 0}
              data-testid="admit-button"
            >
              Admit patient
            </button>
          </div>
        </div>
        <p className="muted admit-hint" data-testid="admit-hint">
          {blockedReason ??
            (missing.length > 0 ? `Still needed: ${missing.join(', ')}.` : 'Press Enter or “Admit patient”.')}
        </p>
      </form>
    </section>
  );
}
