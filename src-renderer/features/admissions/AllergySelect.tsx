import type { ReactNode } from 'react';
import type { AllergyFlag } from '../../../src-shared/admission/schemas';

const ALLERGY_WORDS: Record<AllergyFlag, string> = {
  unknown: 'Not asked / unknown',
  yes: 'Yes (flag on wristband)',
  no: 'No known allergies',
};

/**
 * "Known allergies", the same three answers wherever the desk asks (registration, emergency,
 * admission), so a patient's answer reads the same at every step and reaches the wristband.
 */
export function AllergySelect({ id, value, onChange }: { id: string; value: AllergyFlag; onChange: (value: AllergyFlag) => void }): ReactNode {
  return (
    <div className="field">
      <label htmlFor={id}>Known allergies</label>
      <select id={id} className={`select allergy-select allergy-${value}`} value={value} onChange={(e) => onChange(e.target.value as AllergyFlag)}>
        {(['unknown', 'yes', 'no'] as const).map((a) => (
          <option key={a} value={a}>
            {ALLERGY_WORDS[a]}
          </option>
        ))}
      </select>
    </div>
  );
}
