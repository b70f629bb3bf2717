import type { ReactNode } from 'react';
import { PlannedFeature } from '../../ui/PlannedFeature';

export function CredentialingScreen(): ReactNode {
  return (
    <PlannedFeature
      summary="Verify a locum doctor's licence, specialty and board certification from their credential wallet, and grant time-limited privileges."
      usedBy="Credentialing officers and medical staffing."
      steps={[
        "The doctor presents their credentials from their wallet's QR code.",
        'CareLedger checks each credential: signature, that the issuer is trusted for that credential type, expiry, revocation, that it belongs to this doctor, and the sanctions list.',
        'The outcome is recorded on the ledger, so another hospital can see the doctor was verified, and by whom.',
        'Grant privileges for a set period. CareLedger warns before they expire.',
        'Print a verification report for the staff file.',
      ]}
      safeguards={[
        'Issuer trust comes from the registry kept by the governance body, not from this workstation.',
        'A doctor on the sanctions list is refused, with the reason shown.',
      ]}
    />
  );
}
