import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { BREAK_GLASS_REASON_WORDS, BreakGlassRequest, type WardPatient } from '../../../src-shared/records/schemas';
import { BREAK_GLASS_REASONS } from '../../../src-shared/records/vocab';
import { api } from '../../lib/api';
import { ErrorNotice } from '../../ui/Notice';

type BreakGlassFields = z.input<typeof BreakGlassRequest>;

/**
 * Emergency access ("break the glass"): a reason code and a note are required (the same zod
 * schema main checks), and the clinician is told the access will be reviewed before it opens.
 */
export function BreakGlassForm({
  patient,
  onCancel,
  onOpened,
}: {
  patient: WardPatient;
  onCancel: () => void;
  onOpened: () => void;
}): ReactNode {
  const resolver = useMemo(() => zodResolver(BreakGlassRequest), []);
  const { register, handleSubmit, formState } = useForm<BreakGlassFields>({
    resolver,
    defaultValues: { patientId: patient.patientId, note: '' },
  });
  const [minutes, setMinutes] = useState<number | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void api['privacy.settings']({}).then((r) => {
      if (r.ok) setMinutes(r.value.breakGlassMinutes);
    });
  }, []);
  const errors = formState.errors;
  return (
    <form
      className="card break-glass-form"
      aria-labelledby="break-glass-heading"
      data-testid="break-glass-form"
      noValidate
      onSubmit={(e) =>
        void handleSubmit(async (values) => {
          setBusy(true);
          const result = await api['records.breakGlass'](values);
          setBusy(false);
          if (result.ok) onOpened();
          else setError(result.error);
        })(e)
      }
    >
      <h3 id="break-glass-heading">Emergency access to {patient.patientName}&apos;s chart</h3>
      <div className="notice notice-danger" role="note">
        <p>
          Use this only in an emergency when no consent covers what you need. The chart opens for {minutes ?? 60}{' '}
          minutes with every record the hospitals hold. This access is recorded on the ledger with your reason and{' '}
          <strong>will be reviewed by the privacy office</strong>, at this hospital and at each hospital whose records
          you see.
        </p>
      </div>
      <input type="hidden" {...register('patientId')} />
      <div className="field">
        <label htmlFor="break-glass-reason">Reason</label>
        <select
          id="break-glass-reason"
          className="select"
          defaultValue=""
          aria-invalid={errors.reasonCode ? true : undefined}
          {...register('reasonCode')}
        >
          <option value="" disabled>
            Choose the reason…
          </option>
          {BREAK_GLASS_REASONS.map((r) => (
            <option key={r} value={r}>
              {BREAK_GLASS_REASON_WORDS[r]}
            </option>
          ))}
        </select>
        {errors.reasonCode ? <p className="field-problem">Choose the reason for emergency access.</p> : null}
      </div>
      <div className="field">
        <label htmlFor="break-glass-note">What is the emergency?</label>
        <textarea
          id="break-glass-note"
          className="textarea"
          rows={3}
          aria-invalid={errors.note ? true : undefined}
          {...register('note')}
        />
        {errors.note ? <p className="field-problem">{errors.note.message}</p> : null}
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-danger" disabled={busy} data-testid="break-glass-submit">
          Open the chart in an emergency
        </button>
      </div>
    </form>
  );
}
