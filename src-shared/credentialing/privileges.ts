/**
 * The hospital's privilege list (what a locum may be allowed to do) and which specialties
 * cover each privilege. Specialty codes are SNOMED CT specialty concepts, as the medical
 * board writes them in specialty and board certification credentials.
 *
 * A privilege with no specialties listed needs only a valid licence (e.g. admitting
 * inpatients). Anything else needs a verified specialty or board certification whose code is
 * listed: the officer cannot grant anaesthesia to a cardiologist.
 *
 * Plain TypeScript: no node:*, no DOM.
 */

export interface PrivilegeDefinition {
  /** The scope code recorded on the ledger (chaincode pattern: letters, digits, `:._-`). */
  code: string;
  label: string;
  /** SNOMED CT specialty codes that cover it; empty = any licensed doctor. */
  specialties: readonly string[];
}

export const SPECIALTY_NAMES: Readonly<Record<string, string>> = {
  '394577000': 'Anaesthetics',
  '394579002': 'Cardiology',
  '773568002': 'Emergency medicine',
  '408478003': 'Critical care medicine',
  '394609007': 'General surgery',
  '394802001': 'General medicine',
};

export const HOSPITAL_PRIVILEGES: readonly PrivilegeDefinition[] = [
  { code: 'general-anaesthesia', label: 'General anaesthesia', specialties: ['394577000'] },
  { code: 'regional-anaesthesia', label: 'Regional anaesthesia', specialties: ['394577000'] },
  { code: 'icu-procedures', label: 'ICU procedures', specialties: ['394577000', '408478003'] },
  { code: 'cardiac-catheterisation', label: 'Cardiac catheterisation', specialties: ['394579002'] },
  { code: 'echocardiography', label: 'Echocardiography', specialties: ['394579002'] },
  { code: 'emergency-department', label: 'Emergency department practice', specialties: ['773568002', '394577000'] },
  { code: 'general-surgery', label: 'General surgery', specialties: ['394609007'] },
  { code: 'admitting', label: 'Admit and attend inpatients', specialties: [] },
];

export function privilegeLabel(code: string): string {
  return HOSPITAL_PRIVILEGES.find((p) => p.code === code)?.label ?? code;
}

/** Whether a doctor verified for `specialtyCodes` may hold privilege `code`. */
export function specialtyCovers(code: string, specialtyCodes: readonly string[]): boolean {
  const def = HOSPITAL_PRIVILEGES.find((p) => p.code === code);
  if (!def) return false;
  return def.specialties.length === 0 || def.specialties.some((s) => specialtyCodes.includes(s));
}

/** The privileges of `scope` the specialties do not cover (empty when all are covered). */
export function uncoveredPrivileges(scope: readonly string[], specialtyCodes: readonly string[]): string[] {
  return scope.filter((code) => !specialtyCovers(code, specialtyCodes));
}

/** "general anaesthesia, ICU procedures". */
export function describeScope(scope: readonly string[]): string {
  return scope.map((c) => privilegeLabel(c)).join(', ');
}
