/**
 * The local consent engine: the same decision as the chaincode's `Consent:checkConsent`, made
 * over the consent mirror (the consents the ledger recorded for this hospital, kept in the
 * cache by the inbox). Same inputs (patient DID, grantee DID, purpose, category, time), same
 * decision, same reasons, same consent cited: tests/unit/records/consent-engine.test.ts runs
 * both on the same cases and compares. Used offline, and to explain in words why a category is
 * withheld.
 *
 * Keep this in step with `decide` and `consentDecision` in ledger/chaincode/src/contracts/consent.ts.
 */
import { categoryInWords, purposeInWords } from '../../src-shared/admission/consent-words';
import type { PurposeOfUse, RecordCategory } from '../../src-shared/records/schemas';

/** A consent as the ledger stores it (Consent contract); the mirror keeps this JSON. */
export interface MirroredConsent {
  consentId: string;
  patientDid: string;
  granteeDid: string;
  granteeMspId: string;
  purposes: string[];
  categories: string[];
  from: string;
  until: string;
  status: 'active' | 'revoked';
  recordedAt: string;
  recordedByMspId: string;
  revocation?: { at: string };
}

export type LocalConsentDecision =
  | { decision: 'permit'; consentId: string; reason: string }
  | { decision: 'deny'; consentId?: string; reason: string }
  | { decision: 'no-consent'; reason: string };

const NO_CONSENT_REASON = 'no consent from this patient for this organisation';

function decideOne(
  consent: MirroredConsent,
  purpose: PurposeOfUse,
  category: RecordCategory,
  at: string,
): LocalConsentDecision {
  if (consent.status === 'revoked' && consent.revocation && consent.revocation.at <= at)
    return { decision: 'deny', consentId: consent.consentId, reason: 'revoked' };
  if (at < consent.from) return { decision: 'deny', consentId: consent.consentId, reason: 'not-yet-valid' };
  if (at >= consent.until) return { decision: 'deny', consentId: consent.consentId, reason: 'expired' };
  if (!consent.purposes.includes(purpose))
    return { decision: 'deny', consentId: consent.consentId, reason: 'purpose-not-covered' };
  if (!consent.categories.includes(category))
    return { decision: 'deny', consentId: consent.consentId, reason: 'category-not-covered' };
  return { decision: 'permit', consentId: consent.consentId, reason: 'covered' };
}

/** Fabric orders composite keys by their UTF-8 bytes; the chaincode walks a patient's consents in that order. */
function byKeyOrder(a: MirroredConsent, b: MirroredConsent): number {
  return Buffer.compare(Buffer.from(a.consentId, 'utf8'), Buffer.from(b.consentId, 'utf8'));
}

/**
 * The decision for (patient, grantee, purpose, category, time) over `consents` (any patients,
 * any grantees: the ones that do not match are ignored, as the chaincode's index does).
 * The first consent that permits wins; otherwise the first denial in key order; none at all is
 * `no-consent`.
 */
export function decideConsent(
  consents: readonly MirroredConsent[],
  patientDid: string,
  granteeDid: string,
  purpose: PurposeOfUse,
  category: RecordCategory,
  at: string,
): LocalConsentDecision {
  const relevant = consents.filter((c) => c.patientDid === patientDid && c.granteeDid === granteeDid).sort(byKeyOrder);
  if (relevant.length === 0) return { decision: 'no-consent', reason: NO_CONSENT_REASON };
  let denial: LocalConsentDecision | undefined;
  for (const consent of relevant) {
    const decision = decideOne(consent, purpose, category, at);
    if (decision.decision === 'permit') return decision;
    denial ??= decision;
  }
  return denial ?? { decision: 'no-consent', reason: NO_CONSENT_REASON };
}

/** Why a category is withheld, in a sentence a clinician understands. */
export function withheldInWords(
  decision: LocalConsentDecision,
  category: RecordCategory,
  purpose: PurposeOfUse,
  consent: MirroredConsent | undefined,
  dateOf: (iso: string) => string,
): string {
  const what = categoryInWords(category);
  switch (decision.reason) {
    case 'revoked':
      return `Withheld: the patient withdrew their consent${consent?.revocation ? ` on ${dateOf(consent.revocation.at)}` : ''}.`;
    case 'expired':
      return `Withheld: the patient's consent ended${consent ? ` on ${dateOf(consent.until)}` : ''}. Ask the patient to give a new consent in their wallet.`;
    case 'not-yet-valid':
      return `Withheld: the patient's consent starts${consent ? ` on ${dateOf(consent.from)}` : ' later'}.`;
    case 'purpose-not-covered':
      return `Withheld by the patient's consent: it does not cover ${purposeInWords(purpose)}.`;
    case 'category-not-covered':
      return `Withheld by the patient's consent: it does not include ${what}.`;
    default:
      return `Withheld: the patient has not given this hospital consent to see their ${what}. In an emergency, use Emergency access.`;
  }
}
