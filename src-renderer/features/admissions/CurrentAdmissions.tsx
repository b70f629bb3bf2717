import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AdmissionListItem, AllergyFlag, DeskOptions } from '../../../src-shared/admission/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { freeBeds } from './describe';
import { useDeskStore } from './store';

const ALLERGY_CELL: Record<AllergyFlag, { text: string; className: string }> = {
  yes: { text: 'ALLERGIES', className: 'badge badge-danger' },
  no: { text: 'None known', className: 'muted' },
  unknown: { text: 'Not asked', className: 'badge badge-warning' },
};

type Action = { kind: 'transfer' | 'discharge'; item: AdmissionListItem };

/** Patients in the hospital now, newest first, with transfer and discharge. */
export function CurrentAdmissions({ options }: { options: DeskOptions | null }): ReactNode {
  const [items, setItems] = useState<AdmissionListItem[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const [reloads, setReloads] = useState(0);
  const load = useCallback(() => setReloads((n) => n + 1), []);
  const loadOptions = useDeskStore((s) => s.loadOptions);
  // Asked for from the scan flow: the patient at the desk is already admitted.
  const requested = useDeskStore((s) => s.movement);
  const clearMovement = useDeskStore((s) => s.clearMovement);
  const requestedItem = requested ? items?.find((i) => i.admissionId === requested.admissionId) : undefined;
  const shown: Action | null =
    action ?? (requested && requestedItem ? { kind: requested.kind, item: requestedItem } : null);
  const closeForm = (): void => {
    setAction(null);
    clearMovement();
  };

  useEffect(() => {
    let current = true;
    void api['admission.list']({ includeDischarged: false, limit: 200 }).then((result) => {
      if (!current) return;
      if (result.ok) {
        setItems(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [reloads]);

  return (
    <section className="card" aria-labelledby="current-title" data-testid="current-admissions">
      <div className="section-head">
        <h2 id="current-title">Current admissions</h2>
        <button type="button" className="btn btn-quiet" onClick={load}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {done ? (
        <Notice tone="success" testId="movement-done">
          <p>{done}</p>
        </Notice>
      ) : null}
      {items === null && !error ? <Loading label="Loading admissions…" /> : null}
      {items && items.length === 0 ? <p className="muted">No patient is admitted at the moment.</p> : null}
      {shown && options ? (
        <MovementForm
          key={`${shown.kind}-${shown.item.admissionId}`}
          action={shown}
          options={options}
          onCancel={closeForm}
          onDone={(message) => {
            closeForm();
            setDone(message);
            load();
            void loadOptions();
          }}
        />
      ) : null}
      {items && items.length > 0 ? (
        <div className="table-wrap">
          <table className="table admissions-table">
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">MRN</th>
                <th scope="col">Ward / bed</th>
                <th scope="col">Admitted</th>
                <th scope="col">Allergies</th>
                <th scope="col">Flags</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.admissionId} data-testid="admission-row">
                  <td>{item.patientName}</td>
                  <td className="mono mrn">{item.mrn}</td>
                  <td>
                    {item.wardName} · <span className="nowrap">{item.bed}</span>
                  </td>
                  <td className="nowrap">{formatDateTime(item.admittedAt)}</td>
                  <td data-testid="admission-allergies">
                    <span className={ALLERGY_CELL[item.allergies].className}>{ALLERGY_CELL[item.allergies].text}</span>
                  </td>
                  <td>
                    {item.hasConsent ? null : <span className="badge badge-danger">No consent</span>}{' '}
                    {item.unverifiedIdentity ? <span className="badge badge-warning">Unverified</span> : null}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="btn btn-quiet"
                      onClick={() => setAction({ kind: 'transfer', item })}
                      aria-label={`Transfer ${item.patientName}`}
                    >
                      Transfer
                    </button>
                    <button
                      type="button"
                      className="btn btn-quiet"
                      onClick={() => setAction({ kind: 'discharge', item })}
                      aria-label={`Discharge ${item.patientName}`}
                    >
                      Discharge
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function MovementForm({
  action,
  options,
  onCancel,
  onDone,
}: {
  action: Action;
  options: DeskOptions;
  onCancel: () => void;
  onDone: (message: string) => void;
}): ReactNode {
  const [wardCode, setWardCode] = useState(action.item.wardCode);
  const [bed, setBed] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const ward = options.wards.find((w) => w.code === wardCode);
  // Free beds only: the patient's own bed is occupied by them, so it is never offered either.
  const beds = ward
    ? freeBeds(options, ward).filter((b) => !(ward.code === action.item.wardCode && b === action.item.bed))
    : [];
  const isTransfer = action.kind === 'transfer';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    const trimmed = note.trim();
    const result = isTransfer
      ? await api['admission.transfer']({
          admissionId: action.item.admissionId,
          wardCode,
          bed,
          ...(trimmed ? { note: trimmed } : {}),
        })
      : await api['admission.discharge']({
          admissionId: action.item.admissionId,
          ...(trimmed ? { note: trimmed } : {}),
        });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onDone(
      isTransfer
        ? `${action.item.patientName} moved to ${result.value.wardName}, bed ${result.value.bed}.`
        : `${action.item.patientName} is discharged.`,
    );
  }

  return (
    <form
      className="movement-form"
      onSubmit={(e) => void submit(e)}
      aria-label={isTransfer ? 'Transfer' : 'Discharge'}
      data-testid="movement-form"
    >
      <h3>
        {isTransfer ? 'Transfer' : 'Discharge'} {action.item.patientName}
      </h3>
      <div className="admit-grid">
        {isTransfer ? (
          <>
            <div className="field">
              <label htmlFor="move-ward">To ward</label>
              <select
                id="move-ward"
                className="select"
                value={wardCode}
                onChange={(e) => {
                  setWardCode(e.target.value);
                  setBed('');
                }}
              >
                {options.wards.map((w) => (
                  <option key={w.code} value={w.code}>
                    {w.name} ({freeBeds(options, w).length} free)
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="move-bed">To bed</label>
              <select id="move-bed" className="select" value={bed} onChange={(e) => setBed(e.target.value)}>
                <option value="">{beds.length === 0 ? 'No free bed on this ward' : 'Choose a bed…'}</option>
                {beds.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : null}
        <div className="field">
          <label htmlFor="move-note">Note (optional)</label>
          <input
            id="move-note"
            className="input"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
          />
        </div>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || (isTransfer && bed === '')}>
          {isTransfer ? 'Transfer' : 'Discharge'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
