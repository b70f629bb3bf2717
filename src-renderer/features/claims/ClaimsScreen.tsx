import type { ReactNode } from 'react';
import { PlannedFeature } from '../../ui/PlannedFeature';

export function ClaimsScreen(): ReactNode {
  return (
    <PlannedFeature
      summary="Build an insurance claim for an admission, check it before it goes, submit it to the insurer over the ledger and follow it until it is paid."
      usedBy="Claims and billing clerks."
      steps={[
        'Choose a finished admission; the diagnosis and procedure codes are filled in from the record.',
        'CareLedger checks the codes and the cover before submission and lists anything to correct.',
        'Submit: the claim details travel privately to the insurer; the shared ledger holds only a fingerprint.',
        'Follow the status: submitted, adjudicated, paid, or denied with the reason.',
        'Correct and resubmit a denied claim. A duplicate of an existing claim is caught before it is sent.',
      ]}
      safeguards={[
        'Claim details are visible only to this hospital and the insurer, and can be purged.',
        'Only the insurer can adjudicate or pay a claim.',
        'Claims prepared offline wait in the outbox and are sent once, never twice.',
      ]}
    />
  );
}
