import type { ReactNode } from 'react';
import { PlannedFeature } from '../../ui/PlannedFeature';

export function AdmissionsScreen(): ReactNode {
  return (
    <PlannedFeature
      summary="Admit a patient by scanning the QR code from their identity wallet. Identity, insurance cover and consent are checked on this workstation, even when the network is down."
      usedBy="Admissions desk staff, at registration and the emergency department front desk."
      steps={[
        'The patient opens their identity wallet and shows its QR code.',
        'Scan it with the webcam, a handheld 2D scanner, or open a saved image.',
        'CareLedger checks every credential offline: signature, trusted issuer, expiry, revocation, that it belongs to this patient, and that the code is fresh and not reused.',
        'Each check is listed with its result, so a refusal always says exactly why.',
        'Match the patient to an existing record or create a new one, then open the admission.',
        "Record the patient's consent and see their insurance eligibility before they leave the desk.",
      ]}
      safeguards={[
        'Verification works offline; nothing is sent to the ledger until it is reachable.',
        'Only pseudonymous identifiers and hashes go to the ledger, never health information.',
        'A QR code that is not a valid presentation is refused with a clear reason.',
      ]}
    />
  );
}
