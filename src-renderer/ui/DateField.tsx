import { useState, type ReactNode } from 'react';
import { dateTimeStyle } from '../lib/format';

/**
 * A calendar date typed as digits in the workstation's order ("dd/mm/yyyy" or "mm/dd/yyyy"),
 * never the browser's own date picker (whose order follows the browser's language, not the
 * hospital's). Under the field it reads the date back with the month as a word ("= 2 Mar 1984")
 * so a swapped day and month is seen before it is saved; bad input says what to type.
 *
 * The parent keeps the typed text and reads it with `dateTimeStyle().parseDate(text)` on submit;
 * `error` is what that returned, shown until the text changes.
 */
export function DateField({
  id,
  label,
  value,
  onChange,
  error,
  required = false,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  error?: string | null;
  required?: boolean;
}): ReactNode {
  const style = dateTimeStyle();
  const [touched, setTouched] = useState(false);
  const parsed = value.trim() === '' ? null : style.parseDate(value);
  const problem = error ?? (touched && parsed && !parsed.ok ? parsed.message : null);
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label} <span className="hint">({style.datePattern()})</span>
      </label>
      <input
        id={id}
        className="input"
        inputMode="numeric"
        autoComplete="off"
        placeholder={style.datePattern()}
        value={value}
        onChange={(e) => {
          setTouched(false);
          onChange(e.target.value);
        }}
        onBlur={() => setTouched(true)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={hintId}
        required={required}
      />
      {problem ? (
        <span className="field-error" id={hintId} role="alert">
          {problem}
        </span>
      ) : (
        <span className="hint" id={hintId} data-testid={`${id}-reads-as`}>
          {parsed?.ok ? `Reads as ${style.date(parsed.value)}` : `For example ${style.dateExample()}`}
        </span>
      )}
    </div>
  );
}
