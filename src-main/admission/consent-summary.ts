/**
 * The wallet's consent grant in plain words, for the clerk to read back to the patient:
 * who may see what, for what purpose, until when. Or, clearly, that there is none.
 */
import type { ConsentSummary } from '../../src-shared/admission/schemas';
import type { ConsentGrantClaims } from '../../src-shared/identity/claims';
import { categoryInWords, purposeInWords } from '../../src-shared/admission/consent-words';
import { workstationDates } from '../settings/date-time-settings';

/** "21 Nov 2026" (the workstation's date style), from an ISO date or time. */
export function longDate(iso: string): string {
  return workstationDates().date(iso);
}

/** "a, b and c". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

const NO_CONSENT: Omit<ConsentSummary, 'status' | 'text'> = {
  consentId: null,
  grantee: null,
  granteeName: null,
  purposes: [],
  categories: [],
  validFrom: null,
  validUntil: null,
};

/** The sentence shown when the wallet sent no consent: admitting is allowed, and marked. */
export function noConsentSummary(): ConsentSummary {
  return {
    status: 'none',
    text: 'No consent was given. The patient can be admitted, but clinicians will not be able to open their records from other organisations until the patient gives consent in their wallet (emergencies excepted).',
    ...NO_CONSENT,
  };
}

/**
 * @param hospitalDid this hospital: a consent naming anyone else is shown as not for us
 * @param now to tell an expired grant
 */
export function summariseConsent(consent: ConsentGrantClaims | null, patientName: string, hospitalDid: string, now: Date = new Date()): ConsentSummary {
  if (!consent) return noConsentSummary();
  const purposes = consent.purposeOfUse.map(purposeInWords);
  const categories = consent.categories.map(categoryInWords);
  const facts = {
    consentId: consent.credentialId,
    grantee: consent.grantee,
    granteeName: consent.granteeName,
    purposes: [...consent.purposeOfUse],
    categories: [...consent.categories],
    validFrom: consent.validFrom,
    validUntil: consent.validUntil,
  };
  if (consent.grantee !== hospitalDid) {
    return {
      status: 'not-for-this-hospital',
      text: `The consent in the wallet is for ${consent.granteeName}, not for this hospital, so it was not used. Ask the patient to give consent to this hospital in their wallet.`,
      ...facts,
    };
  }
  if (consent.validUntil && new Date(consent.validUntil).getTime() <= now.getTime()) {
    return { status: 'expired', text: `The consent ended on ${longDate(consent.validUntil)}. Ask the patient to give a new consent in their wallet.`, ...facts };
  }
  const from = consent.validFrom ? ` from ${longDate(consent.validFrom)}` : '';
  const until = consent.validUntil ? ` until ${longDate(consent.validUntil)}` : ' with no end date';
  return {
    status: 'granted',
    text: `${patientName} allows ${consent.granteeName} to see their ${listInWords(categories)}, for ${listInWords(purposes)}${from}${until}. The patient can withdraw this at any time in their wallet.`,
    ...facts,
  };
}
