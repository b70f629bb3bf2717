/**
 * Demo wards and clinicians for the admission form (the demo hospital, "Hospital A"). A real
 * deployment passes its own lists to the desk service. Ward codes are opaque on purpose: the
 * ledger sees the code, and a name like "Oncology" would reveal a diagnosis.
 */
import type { Clinician, Ward } from '../../src-shared/admission/schemas';

/** The hospital's DID used by the demo wallet simulator as the presentation audience. */
export const DEMO_HOSPITAL_DID = 'did:web:hospital-a.careledger.example';

function beds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
}

export const DEMO_WARDS: readonly Ward[] = [
  { code: 'W-101', name: 'Acute Medical Unit', beds: beds('A', 24) },
  { code: 'W-102', name: 'Surgical Ward 2', beds: beds('S', 20) },
  { code: 'W-103', name: 'Cardiology', beds: beds('C', 16) },
  { code: 'W-104', name: 'Maternity', beds: beds('M', 12) },
  { code: 'W-105', name: 'Intensive Care', beds: beds('I', 8) },
];

export const DEMO_CLINICIANS: readonly Clinician[] = [
  { id: 'clin-okafor', name: 'Dr Maya Okafor' },
  { id: 'clin-lindqvist', name: 'Dr Erik Lindqvist' },
  { id: 'clin-haddad', name: 'Dr Amal Haddad' },
  { id: 'clin-santos', name: 'Dr Joana Santos' },
  { id: 'clin-mensah', name: 'Dr Kwame Mensah' },
];
