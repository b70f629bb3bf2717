import { useState, type FormEvent, type ReactNode } from 'react';
import {
  OFFERED_LOCALES,
  createDateTimeFormatter,
  type DateOrder,
  type DateTimePreferences,
  type HourCycle,
} from '../../../src-shared/datetime';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useDateTimeStore } from './date-time-store';

const ORDER_WORDS: Record<DateOrder, string> = { dmy: 'Day, month, year', mdy: 'Month, day, year', ymd: 'Year, month, day' };
const CYCLE_WORDS: Record<HourCycle, string> = { h23: '24-hour', h12: '12-hour (AM/PM)' };
/** A moment to preview the style with: evening, so the two clocks differ. */
const SAMPLE = '2026-12-31T20:39:00Z';

function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) ? all : [current, ...all];
}

/**
 * Workstation settings: how dates and times are shown and typed everywhere on this workstation
 * (admission forms, wristbands, audit). Stored in main with the other workstation settings.
 */
export function DateTimeSettingsCard(): ReactNode {
  const settings = useDateTimeStore((s) => s.settings);
  const save = useDateTimeStore((s) => s.save);
  if (!settings) return null;
  return <DateTimeForm initial={settings.preferences} system={settings.system} chosen={settings.chosen} save={save} />;
}

function DateTimeForm({
  initial,
  system,
  chosen,
  save,
}: {
  initial: DateTimePreferences;
  system: DateTimePreferences;
  chosen: boolean;
  save: (p: DateTimePreferences) => Promise<IpcError | null>;
}): ReactNode {
  const [draft, setDraft] = useState<DateTimePreferences>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [saved, setSaved] = useState(false);
  const preview = createDateTimeFormatter(draft);
  const changed = JSON.stringify(draft) !== JSON.stringify(initial);
  const locales = OFFERED_LOCALES.some((l) => l.tag === draft.locale) ? OFFERED_LOCALES : [{ tag: draft.locale, name: draft.locale }, ...OFFERED_LOCALES];

  function edit(change: Partial<DateTimePreferences>): void {
    setDraft((d) => ({ ...d, ...change }));
    setSaved(false);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failed = await save(draft);
    setBusy(false);
    if (failed) setError(failed);
    else setSaved(true);
  }

  return (
    <section className="card" aria-labelledby="datetime-heading" data-testid="datetime-settings">
      <h2 id="datetime-heading">Date and time</h2>
      <p>
        How every date and time is shown and typed on this workstation: admission forms, wristbands, the audit.
        {chosen ? null : ' Until someone saves a choice here, the computer’s own settings apply.'}
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {saved ? (
        <Notice tone="success">
          <p>Saved. Dates now read like {createDateTimeFormatter(initial).dateTime(SAMPLE)}.</p>
        </Notice>
      ) : null}
      <form onSubmit={(e) => void submit(e)}>
        <div className="form-grid datetime-grid">
          <div className="field">
            <label htmlFor="datetime-order">Date order</label>
            <select id="datetime-order" className="select" value={draft.dateOrder} onChange={(e) => edit({ dateOrder: e.target.value as DateOrder })}>
              {(Object.keys(ORDER_WORDS) as DateOrder[]).map((order) => (
                <option key={order} value={order}>
                  {ORDER_WORDS[order]}: {createDateTimeFormatter({ ...draft, dateOrder: order }).dateInputValue('1984-12-31')}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="datetime-clock">Clock</label>
            <select id="datetime-clock" className="select" value={draft.hourCycle} onChange={(e) => edit({ hourCycle: e.target.value as HourCycle })}>
              {(Object.keys(CYCLE_WORDS) as HourCycle[]).map((cycle) => (
                <option key={cycle} value={cycle}>
                  {CYCLE_WORDS[cycle]}: {createDateTimeFormatter({ ...draft, hourCycle: cycle }).time(SAMPLE)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="datetime-zone">Time zone of this hospital</label>
            <select id="datetime-zone" className="select" value={draft.timeZone} onChange={(e) => edit({ timeZone: e.target.value })}>
              {timeZones(draft.timeZone).map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="datetime-locale">Language of month names</label>
            <select id="datetime-locale" className="select" value={draft.locale} onChange={(e) => edit({ locale: e.target.value })}>
              {locales.map((l) => (
                <option key={l.tag} value={l.tag}>
                  {l.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p data-testid="datetime-preview">
          Dates will read like <strong>{preview.dateTime(SAMPLE, { zone: true })}</strong>; a birth date is typed as{' '}
          <strong>{preview.datePattern()}</strong>.
        </p>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || !changed}>
            Save date and time
          </button>
          <button type="button" className="btn" disabled={busy || JSON.stringify(draft) === JSON.stringify(system)} onClick={() => edit(system)}>
            Use the computer’s settings
          </button>
        </div>
      </form>
    </section>
  );
}
