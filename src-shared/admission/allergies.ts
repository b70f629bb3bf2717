/**
 * What is known about a patient's allergies, carried across every step (registration,
 * admission, transfer, merge, reconcile). Patient safety: a known answer is never silently
 * replaced by "unknown". Plain TypeScript: no node:*, no DOM.
 */
import type { AllergyFlag } from './schemas';

/**
 * The record's answer after the clerk's form: a form left at (or sent as) "unknown" keeps what
 * the record knows; a "yes" or "no" the clerk chose is the new answer.
 */
export function allergiesAfterAnswer(recorded: AllergyFlag, answer: AllergyFlag | undefined): AllergyFlag {
  return answer === undefined || answer === 'unknown' ? recorded : answer;
}

/** Two records of one person merged: an allergy warning on either survives; else "none known" beats "unknown". */
export function mergedAllergies(a: AllergyFlag, b: AllergyFlag): AllergyFlag {
  if (a === 'yes' || b === 'yes') return 'yes';
  if (a === 'no' || b === 'no') return 'no';
  return 'unknown';
}
