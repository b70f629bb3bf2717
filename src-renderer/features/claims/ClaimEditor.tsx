import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState, type ReactNode } from 'react';
import { useFieldArray, useForm, useWatch, type Control, type UseFormRegister } from 'react-hook-form';
import { DEMO_CODE_SETS, describeCode, describeProcedure, searchCodes, type CodeSystem } from '../../../src-shared/claims/codes';
import { checkClaim, claimPasses, claimTotalCents, formatCents, lineNetCents } from '../../../src-shared/claims/rules';
import { ClaimForm as ClaimFormSchema, type ClaimContext, type ClaimDetail, type ClaimForm, type ParsedClaimForm } from '../../../src-shared/claims/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { ErrorNotice } from '../../ui/Notice';

/** A text field with code search: suggestions show the code and its description; the description shows below. */
function CodeField({ id, label, systems, register, name, value, describe, error }: {
  id: string;
  label: string;
  systems: readonly CodeSystem[];
  register: UseFormRegister<ClaimForm>;
  name: `diagnoses.${number}.code` | `items.${number}.code` | `items.${number}.revenueCode`;
  value: string;
  describe: (code: string) => string | null;
  error: string | undefined;
}): ReactNode {
  const suggestions = useMemo(() => searchCodes(DEMO_CODE_SETS, systems, value ?? '', 12), [systems, value]);
  const description = value ? describe(value.trim().toUpperCase()) : null;
  return (
    <div className="code-field">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} className="input mono" list={`${id}-list`} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={`${id}-desc`} {...register(name)} />
      <datalist id={`${id}-list`}>
        {suggestions.map((s) => (
          <option key={`${s.system}-${s.code}`} value={s.code}>
            {s.description}
          </option>
        ))}
      </datalist>
      <span id={`${id}-desc`} className={`code-desc${error ? ' code-desc-error' : ''}`}>
        {error ?? description ?? (value ? 'Not in the loaded code set' : 'Type a code or words to search')}
      </span>
    </div>
  );
}

/**
 * The claim form: claim type, diagnoses (principal first), service lines (procedure with code
 * search, modifiers, revenue code, date, units, unit price), the bill total, and beside it the
 * checklist, run as the clerk types. One form approach: react-hook-form with the shared zod
 * schema (zodResolver); main runs the same checks again before anything leaves.
 */
export function ClaimEditor({ claimId, initial, context, previous, onCancel, onSaved }: {
  claimId: string | null;
  initial: ClaimForm;
  context: ClaimContext;
  /** The claim being corrected, with the insurer's reasons per line. */
  previous: ClaimDetail | null;
  onCancel: () => void;
  onSaved: (detail: ClaimDetail, message: string) => void;
}): ReactNode {
  const resolver = useMemo(() => zodResolver(ClaimFormSchema), []);
  const { register, control, handleSubmit, getValues, formState } = useForm<ClaimForm, unknown, ParsedClaimForm>({ resolver, defaultValues: initial, mode: 'onChange' });
  const diagnoses = useFieldArray({ control, name: 'diagnoses' });
  const items = useFieldArray({ control, name: 'items' });
  const values = useWatch({ control }) as ClaimForm;
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const safe: ClaimForm = {
    ...initial,
    ...values,
    diagnoses: values.diagnoses ?? [],
    items: (values.items ?? []).map((i) => ({ ...i, modifiers: Array.isArray(i.modifiers) ? i.modifiers : [] })),
    billTotal: typeof values.billTotal === 'number' && Number.isFinite(values.billTotal) ? values.billTotal : null,
  };
  const checks = checkClaim(safe, context, DEMO_CODE_SETS);
  const passes = claimPasses(checks);
  const total = claimTotalCents(safe);
  const fieldMessage = (field: string): string | undefined => checks.find((c) => !c.ok && c.field === field)?.message;
  const reasonsFor = (index: number): string | null => {
    const line = previous?.lines[index];
    if (!line?.adjudication || line.adjudication.decision === 'approve') return null;
    return `Insurer: ${line.adjudication.decision === 'deny' ? 'denied' : `reduced to ${formatCents(line.adjudication.approvedCents)}`}${line.adjudication.reasons.length ? ` — ${line.adjudication.reasons.map((r) => `${r.code} ${r.description}`).join('; ')}` : ''}`;
  };

  async function save(submit: boolean): Promise<void> {
    setBusy(true);
    setError(null);
    const form = getValues();
    const saved = await api['claims.saveDraft']({ claimId, form: { ...form, billTotal: typeof form.billTotal === 'number' && Number.isFinite(form.billTotal) ? form.billTotal : null } });
    if (!saved.ok) {
      setBusy(false);
      setError(saved.error);
      return;
    }
    if (!submit) {
      setBusy(false);
      onSaved(saved.value, 'Draft saved on this workstation. Nothing was sent.');
      return;
    }
    const sent = await api['claims.submit']({ claimId: saved.value.summary.claimId });
    setBusy(false);
    if (!sent.ok) {
      setError(sent.error);
      return;
    }
    onSaved(sent.value, sent.value.summary.submissionCount > 0 ? 'The corrected claim is queued for the ledger.' : 'The claim is queued for the ledger: it goes out as soon as the ledger is reachable, and only once.');
  }

  return (
    <form className="claims claim-editor" aria-labelledby="editor-title" noValidate onSubmit={(e) => void handleSubmit(() => save(true))(e)} data-testid="claim-editor">
      <div className="section-head">
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          ← Back
        </button>
        <h2 id="editor-title">
          {claimId ? (previous && previous.summary.submissionCount > 0 ? `Correct claim ${claimId}` : `Claim ${claimId}`) : 'New claim'} · {context.patientName}
        </h2>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="editor-columns">
        <div className="stack">
          <section className="card" aria-label="Patient and coverage">
            <dl className="facts claim-facts">
              <dt>Patient</dt>
              <dd>
                {context.patientName} <span className="mono muted">{context.mrn}</span>
              </dd>
              <dt>Stay</dt>
              <dd>
                {formatDate(context.admittedOn)} – {context.dischargedOn ? formatDate(context.dischargedOn) : 'still admitted'}
              </dd>
              <dt>Coverage</dt>
              <dd>{context.coverage ? `${context.coverage.insurerName}, member ${context.coverage.memberId}, plan ${context.coverage.planName} (${formatDate(context.coverage.start)} – ${formatDate(context.coverage.end)})` : 'No verified insurance card'}</dd>
            </dl>
            <fieldset className="claim-type">
              <legend>Claim type</legend>
              <label>
                <input type="radio" value="institutional" {...register('claimType')} /> Institutional (UB-04 / 837I)
              </label>
              <label>
                <input type="radio" value="professional" {...register('claimType')} /> Professional (CMS-1500 / 837P)
              </label>
            </fieldset>
          </section>

          <section className="card" aria-labelledby="dx-title">
            <h3 id="dx-title">Diagnoses (ICD-10-CM, principal first)</h3>
            <ol className="dx-list">
              {diagnoses.fields.map((f, i) => (
                <li key={f.id}>
                  <span className="dx-rank">{i === 0 ? 'Principal' : `${i + 1}`}</span>
                  <CodeField
                    id={`dx-${i}`}
                    label={i === 0 ? 'Principal diagnosis' : `Diagnosis ${i + 1}`}
                    systems={['icd10cm']}
                    register={register}
                    name={`diagnoses.${i}.code`}
                    value={safe.diagnoses[i]?.code ?? ''}
                    describe={(c) => describeCode(DEMO_CODE_SETS, 'icd10cm', c)}
                    error={fieldMessage(`diagnoses.${i}.code`) !== undefined && !describeCode(DEMO_CODE_SETS, 'icd10cm', (safe.diagnoses[i]?.code ?? '').trim().toUpperCase()) ? fieldMessage(`diagnoses.${i}.code`) : formState.errors.diagnoses?.[i]?.code?.message}
                  />
                  <button type="button" className="btn btn-quiet" onClick={() => diagnoses.remove(i)} disabled={diagnoses.fields.length === 1} aria-label={`Remove diagnosis ${i + 1}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ol>
            <button type="button" className="btn btn-quiet" onClick={() => diagnoses.append({ code: '' })} disabled={diagnoses.fields.length >= 12}>
              + Add diagnosis
            </button>
          </section>

          <section className="card" aria-labelledby="lines-title">
            <h3 id="lines-title">Service lines</h3>
            <div className="table-wrap">
              <table className="table lines-table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Procedure (CPT/HCPCS)</th>
                    <th scope="col">Modifiers</th>
                    <th scope="col">Revenue</th>
                    <th scope="col">Date</th>
                    <th scope="col">Units</th>
                    <th scope="col">Unit price</th>
                    <th scope="col" className="num">
                      Net
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.fields.map((f, i) => {
                    const item = safe.items[i];
                    const reason = reasonsFor(i);
                    return (
                      <LineRow key={f.id} index={i} register={register} control={control} reason={reason} item={item} fieldMessage={fieldMessage} onRemove={() => items.remove(i)} canRemove={items.fields.length > 1} />
                    );
                  })}
                </tbody>
              </table>
            </div>
            <button type="button" className="btn btn-quiet" onClick={() => items.append({ code: '', modifiers: [], revenueCode: safe.claimType === 'institutional' ? '0120' : '', servicedDate: context.admittedOn, units: 1, unitPrice: 0 })} disabled={items.fields.length >= 50}>
              + Add service line
            </button>
            <div className="totals">
              <span>
                Claim total <strong data-testid="claim-total">{formatCents(total)} {context.currency}</strong>
              </span>
              <label className="field-inline">
                <span>Bill total (from the billing system)</span>
                <input className="input num" type="number" step="0.01" min="0" {...register('billTotal', { setValueAs: (v: unknown) => (v === '' || v === null || v === undefined ? null : Number(v)) })} />
              </label>
            </div>
          </section>
        </div>

        <aside className="card checklist" aria-labelledby="checklist-title" data-testid="claim-checklist">
          <h3 id="checklist-title">Checklist</h3>
          <p className={passes ? 'checklist-ok' : 'checklist-bad'} role="status">
            {passes ? 'Every check passes: the claim can be submitted.' : `${checks.filter((c) => !c.ok && c.severity === 'error').length} to fix before it can be submitted.`}
          </p>
          {/* Scrolls on a short screen: focusable so a keyboard user can scroll it too. */}
          <ul tabIndex={0} aria-label="Checks">
            {checks.map((c) => (
              <li key={c.id} className={c.ok ? (c.severity === 'warning' ? 'check-warn' : 'check-ok') : 'check-bad'} data-testid="check">
                <span className="check-mark" aria-hidden="true">
                  {c.ok ? (c.severity === 'warning' ? '!' : '✓') : '✗'}
                </span>
                <span>
                  <strong>{c.label}</strong>
                  <span className="check-text">{c.message}</span>
                </span>
              </li>
            ))}
          </ul>
          <div className="form-actions">
            <button type="button" className="btn btn-quiet" disabled={busy} onClick={() => void save(false)}>
              Save draft
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy || !passes}>
              {previous && previous.summary.submissionCount > 0 ? 'Resubmit corrected claim' : 'Submit claim'}
            </button>
          </div>
        </aside>
      </div>
    </form>
  );
}

/** The modifiers field: '25, LT' -> ['25', 'LT'] (an untouched field still holds the array). */
function modifierList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((m): m is string => typeof m === 'string');
  return typeof v === 'string' ? v.split(/[\s,]+/).filter((m) => m.length > 0) : [];
}

function LineRow({ index: i, register, reason, item, fieldMessage, onRemove, canRemove }: {
  index: number;
  register: UseFormRegister<ClaimForm>;
  control: Control<ClaimForm>;
  reason: string | null;
  item: ClaimForm['items'][number] | undefined;
  fieldMessage: (field: string) => string | undefined;
  onRemove: () => void;
  canRemove: boolean;
}): ReactNode {
  const net = item ? lineNetCents(item) : 0;
  return (
    <>
      <tr data-testid="line-row">
        <td>{i + 1}</td>
        <td>
          <CodeField
            id={`line-${i}-code`}
            label={`Line ${i + 1} procedure code`}
            systems={['cpt', 'hcpcs']}
            register={register}
            name={`items.${i}.code`}
            value={item?.code ?? ''}
            describe={(c) => describeProcedure(DEMO_CODE_SETS, c)}
            error={describeProcedure(DEMO_CODE_SETS, (item?.code ?? '').trim().toUpperCase()) ? undefined : fieldMessage(`items.${i}.code`)}
          />
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`line-${i}-mod`}>
            Line {i + 1} modifiers
          </label>
          <input
            id={`line-${i}-mod`}
            className="input mono input-narrow"
            placeholder="e.g. 25"
            aria-invalid={fieldMessage(`items.${i}.modifiers`) ? true : undefined}
            title={fieldMessage(`items.${i}.modifiers`)}
            {...register(`items.${i}.modifiers`, { setValueAs: modifierList })}
          />
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`line-${i}-rev`}>
            Line {i + 1} revenue code
          </label>
          <input id={`line-${i}-rev`} className="input mono input-narrow" aria-invalid={fieldMessage(`items.${i}.revenueCode`) ? true : undefined} title={fieldMessage(`items.${i}.revenueCode`) ?? describeCode(DEMO_CODE_SETS, 'revenue', item?.revenueCode ?? '') ?? undefined} {...register(`items.${i}.revenueCode`)} />
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`line-${i}-date`}>
            Line {i + 1} service date
          </label>
          <input id={`line-${i}-date`} className="input" type="date" aria-invalid={fieldMessage(`items.${i}.servicedDate`) ? true : undefined} {...register(`items.${i}.servicedDate`)} />
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`line-${i}-units`}>
            Line {i + 1} units
          </label>
          <input id={`line-${i}-units`} className="input num input-tiny" type="number" min="1" step="1" {...register(`items.${i}.units`, { valueAsNumber: true })} />
        </td>
        <td>
          <label className="visually-hidden" htmlFor={`line-${i}-price`}>
            Line {i + 1} unit price
          </label>
          <input id={`line-${i}-price`} className="input num input-narrow" type="number" min="0" step="0.01" aria-invalid={fieldMessage(`items.${i}.unitPrice`) ? true : undefined} {...register(`items.${i}.unitPrice`, { valueAsNumber: true })} />
        </td>
        <td className="num nowrap">{formatCents(net)}</td>
        <td>
          <button type="button" className="btn btn-quiet" onClick={onRemove} disabled={!canRemove} aria-label={`Remove line ${i + 1}`}>
            Remove
          </button>
        </td>
      </tr>
      {reason || fieldMessage(`items.${i}.servicedDate`) || fieldMessage(`items.${i}.revenueCode`) || fieldMessage(`items.${i}.modifiers`) ? (
        <tr className="line-note">
          <td />
          <td colSpan={8}>
            {reason ? (
              <span className="insurer-reason" data-testid="insurer-reason">
                {reason}
              </span>
            ) : null}
            {[fieldMessage(`items.${i}.servicedDate`), fieldMessage(`items.${i}.revenueCode`), fieldMessage(`items.${i}.modifiers`)]
              .filter((m): m is string => m !== undefined)
              .map((m) => (
                <span key={m} className="code-desc-error">
                  {m}
                </span>
              ))}
          </td>
        </tr>
      ) : null}
    </>
  );
}
