import { useState, type FormEvent, type ReactNode } from 'react';
import type { AllergyFlag, Gender, PatientMatch } from '../../../src-shared/admission/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { dateTimeStyle } from '../../lib/format';
import { DateField } from '../../ui/DateField';
import { ErrorNotice } from '../../ui/Notice';
import { AllergySelect } from './AllergySelect';
import { patientName } from './PatientMatchPanel';
import { useDeskStore } from './store';

/** Patients without a wallet: manual registration (unverified) or an emergency unknown patient. */
export function NoWalletPanel(): ReactNode {
  return (
    <div className="desk-columns">
      <ManualRegistration />
      <EmergencyRegistration />
    </div>
  );
}

function ManualRegistration(): ReactNode {
  const admitWithoutWallet = useDeskStore((s) => s.admitWithoutWallet);
  const openMovement = useDeskStore((s) => s.openMovement);
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState('');
  const [birthText, setBirthText] = useState('');
  const [birthError, setBirthError] = useState<string | null>(null);
  const [gender, setGender] = useState<Gender>('unknown');
  const [allergies, setAllergies] = useState<AllergyFlag>('unknown');
  const [duplicates, setDuplicates] = useState<PatientMatch[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent, confirmNotDuplicate: boolean): Promise<void> {
    event.preventDefault();
    // Typed in the workstation's date order; refused here with what to type, before any search.
    const birth = dateTimeStyle().parseDate(birthText);
    if (!birth.ok) {
      setBirthError(birth.message);
      return;
    }
    const birthDate = birth.value;
    setBusy(true);
    setError(null);
    if (!confirmNotDuplicate) {
      // Look first: a person already registered must not get a second record.
      const found = await api['patients.search']({ givenName, familyName, birthDate, limit: 5 });
      if (found.ok && found.value.length > 0) {
        setDuplicates(found.value);
        setBusy(false);
        return;
      }
    }
    const result = await api['patients.registerManual']({
      givenName,
      familyName,
      birthDate,
      gender,
      allergies,
      confirmNotDuplicate,
    });
    setBusy(false);
    if (result.ok) admitWithoutWallet(result.value);
    else setError(result.error);
  }

  return (
    <section className="card" aria-labelledby="manual-title" data-testid="manual-registration">
      <h2 id="manual-title">
        Register without a wallet <span className="badge badge-warning">Unverified</span>
      </h2>
      <p className="muted">From what the patient says or a paper document. Reconcile later by scanning their wallet.</p>
      <form onSubmit={(e) => void submit(e, false)}>
        <div className="admit-grid">
          <div className="field">
            <label htmlFor="manual-given">Given name</label>
            <input
              id="manual-given"
              className="input"
              value={givenName}
              onChange={(e) => setGivenName(e.target.value)}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="manual-family">Family name</label>
            <input
              id="manual-family"
              className="input"
              value={familyName}
              onChange={(e) => setFamilyName(e.target.value)}
              required
            />
          </div>
          <DateField
            id="manual-birth"
            label="Birth date"
            value={birthText}
            onChange={(text) => {
              setBirthText(text);
              setBirthError(null);
            }}
            error={birthError}
            required
          />
          <div className="field">
            <label htmlFor="manual-gender">Gender</label>
            <select
              id="manual-gender"
              className="select"
              value={gender}
              onChange={(e) => setGender(e.target.value as Gender)}
            >
              <option value="unknown">Unknown</option>
              <option value="female">Female</option>
              <option value="male">Male</option>
              <option value="other">Other</option>
            </select>
          </div>
          <AllergySelect id="manual-allergies" value={allergies} onChange={setAllergies} />
        </div>
        {duplicates ? (
          <div className="notice notice-warning" role="alert" data-testid="duplicate-warning">
            <div>
              <p className="notice-title">This person may already be registered</p>
              <ul>
                {duplicates.map((m) => (
                  <li key={m.patient.patientId}>
                    {patientName(m.patient)} (MRN <span className="mono">{m.patient.mrn}</span>):{' '}
                    {m.reasons.map((r) => r.message).join('; ')}{' '}
                    {m.currentStay ? (
                      <>
                        <span className="badge badge-warning" data-testid="duplicate-admitted">
                          already admitted, bed {m.currentStay.bed}
                        </span>{' '}
                        <button
                          type="button"
                          className="btn btn-quiet"
                          onClick={() =>
                            openMovement({ kind: 'transfer', admissionId: m.currentStay?.admissionId ?? '' })
                          }
                        >
                          Transfer
                        </button>
                        <button
                          type="button"
                          className="btn btn-quiet"
                          onClick={() =>
                            openMovement({ kind: 'discharge', admissionId: m.currentStay?.admissionId ?? '' })
                          }
                        >
                          Discharge
                        </button>
                      </>
                    ) : (
                      <button type="button" className="btn btn-quiet" onClick={() => admitWithoutWallet(m.patient)}>
                        Use this record
                      </button>
                    )}
                  </li>
                ))}
              </ul>
              <button type="button" className="btn" onClick={(e) => void submit(e, true)} disabled={busy}>
                It is a different person: create a new record
              </button>
            </div>
          </div>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Register and continue to admission
          </button>
        </div>
      </form>
    </section>
  );
}

function EmergencyRegistration(): ReactNode {
  const admitWithoutWallet = useDeskStore((s) => s.admitWithoutWallet);
  const [age, setAge] = useState('');
  const [gender, setGender] = useState<Gender>('unknown');
  const [allergies, setAllergies] = useState<AllergyFlag>('unknown');
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const years = Number.parseInt(age, 10);
    if (!Number.isFinite(years)) return;
    setBusy(true);
    const result = await api['patients.registerUnidentified']({
      estimatedAgeYears: years,
      gender,
      allergies,
    });
    setBusy(false);
    if (result.ok) admitWithoutWallet(result.value);
    else setError(result.error);
  }

  return (
    <section className="card emergency" aria-labelledby="emergency-title" data-testid="emergency-registration">
      <h2 id="emergency-title">
        Emergency: unidentified patient <span className="badge badge-danger">Unidentified</span>
      </h2>
      <p className="muted">A temporary name and MRN now; scan the wallet when the patient or family can show it.</p>
      <form onSubmit={(e) => void submit(e)}>
        <div className="admit-grid">
          <div className="field">
            <label htmlFor="emergency-age">Estimated age (years)</label>
            <input
              id="emergency-age"
              className="input"
              inputMode="numeric"
              value={age}
              onChange={(e) => setAge(e.target.value.replace(/\D/g, ''))}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="emergency-gender">Gender</label>
            <select
              id="emergency-gender"
              className="select"
              value={gender}
              onChange={(e) => setGender(e.target.value as Gender)}
            >
              <option value="unknown">Unknown</option>
              <option value="female">Female</option>
              <option value="male">Male</option>
              <option value="other">Other</option>
            </select>
          </div>
          <AllergySelect id="emergency-allergies" value={allergies} onChange={setAllergies} />
        </div>
        {error ? <ErrorNotice error={error} /> : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || age === ''}>
            Register unidentified patient
          </button>
        </div>
      </form>
    </section>
  );
}
