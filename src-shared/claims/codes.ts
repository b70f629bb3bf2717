/**
 * Code sets a claim is written in, and the small list bundled for the demo.
 *
 * ICD-10-CM, CPT, HCPCS, NUBC revenue codes and the X12 CARC/RARC lists are licensed or
 * maintained by their owners (CMS, AMA, NUBC, X12). The workstation ships only the few codes its
 * demo uses, with descriptions written for this project, so the screens and the checks can be
 * shown. A hospital loads its licensed code sets instead (README, "Claims": one JSON file per
 * set, `CARELEDGER_CLAIM_CODE_SETS`); every check here reads the loaded `CodeSets`, never this
 * list directly.
 *
 * Format checks (below) apply whatever list is loaded: a code that does not have the shape of
 * its code set is refused before the list is even asked.
 *
 * Plain TypeScript: no node:*, no DOM.
 */

export type CodeSystem = 'icd10cm' | 'cpt' | 'hcpcs' | 'modifier' | 'revenue' | 'carc' | 'rarc';

export interface CodeEntry {
  code: string;
  description: string;
}

export type CodeSets = Readonly<Record<CodeSystem, ReadonlyMap<string, string>>>;

/** FHIR/X12 system URIs of each set, as written in the FHIR Claim. */
export const CODE_SYSTEM_URI: Record<CodeSystem, string> = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  modifier: 'http://www.ama-assn.org/go/cpt/modifier',
  revenue: 'https://www.nubc.org/CodeSystem/RevenueCodes',
  carc: 'https://x12.org/codes/claim-adjustment-reason-codes',
  rarc: 'https://x12.org/codes/remittance-advice-remark-codes',
};

export const CODE_SYSTEM_NAME: Record<CodeSystem, string> = {
  icd10cm: 'ICD-10-CM diagnosis',
  cpt: 'CPT procedure',
  hcpcs: 'HCPCS procedure',
  modifier: 'modifier',
  revenue: 'revenue code',
  carc: 'claim adjustment reason code (CARC)',
  rarc: 'remittance advice remark code (RARC)',
};

/** ICD-10-CM: a letter (not U), a digit, a digit or A/B; then optionally a dot and 1-4 characters. */
export const ICD10CM_FORMAT = /^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$/;
/** CPT: four digits and a digit or F (category II), T (category III), U (PLA). */
export const CPT_FORMAT = /^[0-9]{4}[0-9FTU]$/;
/** HCPCS level II: a letter A-V and four digits. */
export const HCPCS_FORMAT = /^[A-V][0-9]{4}$/;
/** Modifiers: two characters, digits or capital letters. */
export const MODIFIER_FORMAT = /^[0-9A-Z]{2}$/;
/** NUBC revenue codes: four digits starting with 0. */
export const REVENUE_FORMAT = /^0[0-9]{3}$/;
/** CARC: 1-3 digits, or a letter and up to two digits/letters (A1, P12...). */
export const CARC_FORMAT = /^([0-9]{1,3}|[A-Z][0-9A-Z]{1,2})$/;
/** RARC: M, N or MA followed by digits. */
export const RARC_FORMAT = /^(M|N|MA)[0-9]{1,3}$/;

const FORMATS: Record<CodeSystem, RegExp> = {
  icd10cm: ICD10CM_FORMAT,
  cpt: CPT_FORMAT,
  hcpcs: HCPCS_FORMAT,
  modifier: MODIFIER_FORMAT,
  revenue: REVENUE_FORMAT,
  carc: CARC_FORMAT,
  rarc: RARC_FORMAT,
};

export function hasFormat(system: CodeSystem, code: string): boolean {
  return FORMATS[system].test(code);
}

/** Which procedure code set a code belongs to by its shape, or null. */
export function procedureSystemOf(code: string): 'cpt' | 'hcpcs' | null {
  if (CPT_FORMAT.test(code)) return 'cpt';
  if (HCPCS_FORMAT.test(code)) return 'hcpcs';
  return null;
}

/** The demo's codes. Descriptions are this project's own short wording. */
export const DEMO_CODE_LIST: Record<CodeSystem, readonly CodeEntry[]> = {
  icd10cm: [
    { code: 'J18.9', description: 'Pneumonia, organism not specified' },
    { code: 'J44.1', description: 'Chronic obstructive pulmonary disease with acute worsening' },
    { code: 'I10', description: 'High blood pressure (essential hypertension)' },
    { code: 'I21.4', description: 'Heart attack without ST elevation (NSTEMI)' },
    { code: 'I48.91', description: 'Atrial fibrillation, not specified' },
    { code: 'E11.9', description: 'Type 2 diabetes without complications' },
    { code: 'E87.1', description: 'Low sodium in the blood (hyponatraemia)' },
    { code: 'N17.9', description: 'Acute kidney failure, not specified' },
    { code: 'N39.0', description: 'Urinary tract infection, site not specified' },
    { code: 'K35.80', description: 'Acute appendicitis, not specified further' },
    { code: 'K80.20', description: 'Gallstone without inflammation or obstruction' },
    { code: 'S72.001A', description: 'Fracture of the neck of the right femur, first encounter' },
    { code: 'R07.9', description: 'Chest pain, not specified' },
    { code: 'R50.9', description: 'Fever, not specified' },
    { code: 'Z79.4', description: 'Long-term use of insulin' },
    { code: 'A41.9', description: 'Sepsis, organism not specified' },
  ],
  cpt: [
    { code: '99221', description: 'Initial hospital care, straightforward or low complexity' },
    { code: '99222', description: 'Initial hospital care, moderate complexity' },
    { code: '99223', description: 'Initial hospital care, high complexity' },
    { code: '99231', description: 'Subsequent hospital care, per day, low complexity' },
    { code: '99232', description: 'Subsequent hospital care, per day, moderate complexity' },
    { code: '99238', description: 'Hospital discharge day, 30 minutes or less' },
    { code: '71046', description: 'Chest X-ray, two views' },
    { code: '71250', description: 'CT of the chest without contrast' },
    { code: '93000', description: 'Electrocardiogram with interpretation and report' },
    { code: '93306', description: 'Echocardiogram, complete, with Doppler' },
    { code: '80053', description: 'Comprehensive metabolic blood panel' },
    { code: '85025', description: 'Complete blood count with automated differential' },
    { code: '87040', description: 'Blood culture for bacteria' },
    { code: '36415', description: 'Drawing of venous blood' },
    { code: '44970', description: 'Laparoscopic removal of the appendix' },
    { code: '47562', description: 'Laparoscopic removal of the gallbladder' },
    { code: '94640', description: 'Inhaled medication treatment (nebuliser)' },
  ],
  hcpcs: [
    { code: 'J1885', description: 'Ketorolac injection, 15 mg' },
    { code: 'J0696', description: 'Ceftriaxone injection, 250 mg' },
    { code: 'J2250', description: 'Midazolam injection, 1 mg' },
    { code: 'J7613', description: 'Albuterol for inhalation, unit dose, 1 mg' },
    { code: 'A4216', description: 'Sterile water or saline, 10 ml' },
    { code: 'E0114', description: 'Crutches, underarm, pair' },
  ],
  modifier: [
    { code: '25', description: 'Separate significant evaluation on the same day as a procedure' },
    { code: '26', description: 'Professional component only' },
    { code: 'TC', description: 'Technical component only' },
    { code: '59', description: 'Distinct procedural service' },
    { code: '76', description: 'Repeat procedure by the same physician' },
    { code: '77', description: 'Repeat procedure by another physician' },
    { code: 'LT', description: 'Left side' },
    { code: 'RT', description: 'Right side' },
    { code: 'GA', description: 'Waiver of liability on file' },
  ],
  revenue: [
    { code: '0110', description: 'Room and board, private room' },
    { code: '0120', description: 'Room and board, semi-private room' },
    { code: '0200', description: 'Intensive care' },
    { code: '0250', description: 'Pharmacy' },
    { code: '0260', description: 'IV therapy' },
    { code: '0300', description: 'Laboratory' },
    { code: '0320', description: 'Radiology, diagnostic' },
    { code: '0350', description: 'CT scan' },
    { code: '0360', description: 'Operating room services' },
    { code: '0410', description: 'Respiratory services' },
    { code: '0450', description: 'Emergency room' },
    { code: '0480', description: 'Cardiology' },
    { code: '0636', description: 'Drugs requiring detailed coding' },
    { code: '0730', description: 'EKG / ECG' },
  ],
  carc: [
    { code: '1', description: 'Deductible amount' },
    { code: '2', description: 'Coinsurance amount' },
    { code: '4', description: 'The procedure code is not consistent with the modifier, or a modifier is missing' },
    { code: '11', description: 'The diagnosis is not consistent with the procedure' },
    { code: '16', description: 'The claim lacks information or has billing errors needed for adjudication' },
    { code: '18', description: 'Exact duplicate claim or service' },
    { code: '27', description: 'Expenses incurred after coverage ended' },
    { code: '29', description: 'The time limit for filing has expired' },
    { code: '45', description: 'The charge exceeds the fee schedule or maximum allowable amount' },
    { code: '50', description: 'Not a service the payer deems medically necessary' },
    { code: '96', description: 'Non-covered charge' },
    { code: '97', description: 'Included in the payment for another service already adjudicated' },
    { code: '109', description: 'Not covered by this payer; send the claim to the correct payer' },
    { code: '197', description: 'Pre-certification or authorisation was absent' },
    { code: '252', description: 'An attachment or other documentation is required to adjudicate' },
  ],
  rarc: [
    { code: 'M15', description: 'Separately billed services were bundled as a component of another service' },
    { code: 'M51', description: 'Missing, incomplete or invalid procedure code' },
    { code: 'M76', description: 'Missing, incomplete or invalid diagnosis or condition' },
    { code: 'N20', description: 'Service not payable with other service rendered on the same date' },
    { code: 'N115', description: 'Decision based on a local coverage determination' },
    { code: 'N130', description: 'Consult the plan benefit documents for coverage restrictions' },
    { code: 'MA130', description: 'The claim has uncorrectable errors: submit a new claim' },
  ],
};

export function codeSetsFrom(lists: Record<CodeSystem, readonly CodeEntry[]>): CodeSets {
  const sets = {} as Record<CodeSystem, Map<string, string>>;
  for (const system of Object.keys(lists) as CodeSystem[]) sets[system] = new Map(lists[system].map((e) => [e.code, e.description]));
  return sets;
}

/** The code sets in use when no licensed sets are loaded. */
export const DEMO_CODE_SETS: CodeSets = codeSetsFrom(DEMO_CODE_LIST);

/** The description of a code, or null when the loaded set does not have it. */
export function describeCode(sets: CodeSets, system: CodeSystem, code: string): string | null {
  return sets[system].get(code) ?? null;
}

/** A procedure code's description from CPT or HCPCS, by its shape. */
export function describeProcedure(sets: CodeSets, code: string): string | null {
  const system = procedureSystemOf(code);
  return system ? describeCode(sets, system, code) : null;
}

/**
 * Code search for the claim form: codes starting with the query first, then descriptions
 * containing every word of it. At most `limit` entries.
 */
export function searchCodes(sets: CodeSets, systems: readonly CodeSystem[], query: string, limit = 12): Array<CodeEntry & { system: CodeSystem }> {
  const q = query.trim().toLowerCase();
  const words = q.split(/\s+/).filter((w) => w.length > 0);
  const byCode: Array<CodeEntry & { system: CodeSystem }> = [];
  const byWords: Array<CodeEntry & { system: CodeSystem }> = [];
  for (const system of systems) {
    for (const [code, description] of sets[system]) {
      if (q.length === 0 || code.toLowerCase().startsWith(q)) byCode.push({ system, code, description });
      else if (words.every((w) => description.toLowerCase().includes(w))) byWords.push({ system, code, description });
    }
  }
  return [...byCode, ...byWords].slice(0, limit);
}
