import type { ReactNode } from 'react';
import { PlannedFeature } from '../../ui/PlannedFeature';

export function RecordsScreen(): ReactNode {
  return (
    <PlannedFeature
      summary="Open a patient's chart only while their consent covers this hospital, the purpose of care and the kind of record, or in an emergency under break-the-glass with a stated reason."
      usedBy="Clinicians: doctors, nurses and allied health staff caring for the patient."
      steps={[
        'Find the patient from the admission list or by their identifier.',
        'CareLedger checks the consent recorded on the ledger for this hospital, purpose and record categories.',
        'If the consent covers the request, the chart opens: problems, medications, allergies, observations and documents.',
        'If it does not, the screen says which part is not covered. In an emergency you may break the glass and give a reason.',
        'Every access, allowed or refused, is logged to the ledger for the privacy officer.',
      ]}
      safeguards={[
        'Records stay in this encrypted cache; the ledger holds only their fingerprints, so tampering is detectable.',
        'A consent can only be granted or revoked by the patient; the hospital cannot forge one.',
        'Break-the-glass access is always reviewed.',
      ]}
    />
  );
}
