/**
 * Consent codes in the words a clerk reads back to the patient. Shared so the desk's
 * summary sentence (main) and its fact list (renderer) say the same thing.
 */

/** HL7 v3 PurposeOfUse codes used in consent grants. */
export const PURPOSE_WORDS: Record<string, string> = {
  TREAT: 'treatment',
  ETREAT: 'emergency treatment',
  HPAYMT: 'billing and payment',
  HOPERAT: 'running the hospital',
  HRESCH: 'research',
};

/** Record categories a consent grant can name. */
export const CATEGORY_WORDS: Record<string, string> = {
  demographics: 'personal details',
  encounters: 'visits and stays',
  conditions: 'diagnoses',
  medications: 'medicines',
  allergies: 'allergies',
  observations: 'test results and measurements',
  procedures: 'operations and procedures',
  immunizations: 'vaccinations',
  documents: 'letters and documents',
  imaging: 'scans and X-rays',
  // Sensitive categories: released only when the patient names them in the consent.
  'mental-health': 'mental health records',
  'substance-use': 'alcohol and drug use records',
  'sexual-health': 'sexual health records',
  genetics: 'genetic test results',
};

/** The words for a purpose code; the code itself when it is not one of ours. */
export function purposeInWords(code: string): string {
  return PURPOSE_WORDS[code] ?? code;
}

/** The words for a record category; the category itself when it is not one of ours. */
export function categoryInWords(category: string): string {
  return CATEGORY_WORDS[category] ?? category;
}
