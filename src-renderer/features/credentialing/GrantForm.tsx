import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, type ReactNode } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { grantFormSchema, type GrantFormOutput, type GrantFormValues } from '../../../src-shared/credentialing/forms';
import { SPECIALTY_NAMES } from '../../../src-shared/credentialing/privileges';
import type { CredentialingOptions, LocumVerification } from '../../../src-shared/credentialing/schemas';
import { dateTimeStyle, formatDateTime } from '../../lib/format';
import { useCredentialingStore } from './store';

const DAY = 86_400_000;

/**
 * Privileges from the hospital's list, from/until. Only privileges the verified specialty
 * covers can be ticked (the service refuses others too); in a declared disaster the officer
 * can grant 72-hour emergency privileges on the reduced check set instead.
 */
export function GrantForm({ verification, options }: { verification: LocumVerification; options: CredentialingOptions }): ReactNode {
  const grant = useCredentialingStore((s) => s.grant);
  const busy = useCredentialingStore((s) => s.busy);
  const style = dateTimeStyle();
  const fullOk = verification.verdict === 'valid';
  const disasterOk = options.disaster !== null && verification.disasterVerdict === 'valid';
  const defaultKind = fullOk ? 'standard' : 'disaster';
  const resolver = useMemo(() => zodResolver(grantFormSchema((d, t) => style.parseDateTime(d, t))), [style]);
  const now = useMemo(() => new Date(), []);
  const { register, handleSubmit, control, setValue, formState } = useForm<GrantFormValues, unknown, GrantFormOutput>({
    resolver,
    defaultValues: {
      scope: [],
      kind: defaultKind,
      fromDate: style.dateInputValue(now),
      fromTime: style.timeInputValue(now),
      untilDate: style.dateInputValue(new Date(now.getTime() + (defaultKind === 'disaster' ? 3 * DAY : 14 * DAY))),
      untilTime: style.timeInputValue(now),
    },
  });
  const kind = useWatch({ control, name: 'kind' });
  const covered = new Set(verification.coveredPrivileges);
  const errors = formState.errors;

  function chooseKind(next: 'standard' | 'disaster'): void {
    setValue('kind', next);
    setValue('untilDate', style.dateInputValue(new Date(now.getTime() + (next === 'disaster' ? 3 * DAY : 14 * DAY))));
    setValue('untilTime', style.timeInputValue(now));
  }

  return (
    <form className="card cred-grant" aria-labelledby="grant-title" data-testid="grant-form" onSubmit={(e) => void handleSubmit(async (v) => void (await grant(v)))(e)} noValidate>
      <h3 id="grant-title">Grant privileges</h3>
      {fullOk && disasterOk ? (
        <fieldset className="cred-kind">
          <legend>Kind</legend>
          <label>
            <input type="radio" checked={kind === 'standard'} onChange={() => chooseKind('standard')} /> Standard privileges
          </label>
          <label>
            <input type="radio" checked={kind === 'disaster'} onChange={() => chooseKind('disaster')} /> Disaster privileges (72 hours)
          </label>
        </fieldset>
      ) : null}
      {kind === 'disaster' ? (
        <p className="cred-disaster-note" data-testid="disaster-note">
          Disaster privileges rest on the reduced check set (identity, a valid licence from a trusted board, not sanctioned) and end after at most 72 hours. Complete the full verification before they run out.
        </p>
      ) : null}
      <fieldset className="cred-scope">
        <legend>Privileges</legend>
        {options.privileges.map((p) => {
          const ok = covered.has(p.code) || (kind === 'disaster' && p.specialties.length === 0);
          return (
            <label key={p.code} className={ok ? '' : 'cred-scope-off'}>
              <input type="checkbox" value={p.code} disabled={!ok} {...register('scope')} /> {p.label}
              {!ok ? <span className="muted"> (needs {p.specialties.map((s) => SPECIALTY_NAMES[s] ?? s).join(' or ')})</span> : null}
            </label>
          );
        })}
        {errors.scope ? <p className="cred-problem">{errors.scope.message}</p> : null}
      </fieldset>
      <div className="cred-dates">
        <div className="field">
          <label htmlFor="grant-from-date">From <span className="hint">({style.datePattern()} {style.timePattern()})</span></label>
          <div className="cred-datetime">
            <input id="grant-from-date" className="input" {...register('fromDate')} aria-invalid={errors.fromDate ? true : undefined} />
            <input aria-label="From time" className="input" {...register('fromTime')} />
          </div>
          {errors.fromDate ? <p className="cred-problem">{errors.fromDate.message}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="grant-until-date">Until <span className="hint">({style.datePattern()} {style.timePattern()})</span></label>
          <div className="cred-datetime">
            <input id="grant-until-date" className="input" {...register('untilDate')} aria-invalid={errors.untilDate ? true : undefined} />
            <input aria-label="Until time" className="input" {...register('untilTime')} />
          </div>
          {errors.untilDate ? <p className="cred-problem">{errors.untilDate.message}</p> : null}
        </div>
      </div>
      <p className="muted">
        Recorded on the ledger with every check; another hospital will see this verification. Today is {formatDateTime(now)}.
      </p>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="grant-submit">
          {kind === 'disaster' ? 'Grant 72-hour disaster privileges' : 'Record verification and grant'}
        </button>
      </div>
    </form>
  );
}
