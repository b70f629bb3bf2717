import type { DeskOptions, Ward } from '../../../src-shared/admission/schemas';
import type { CheckId, CheckResult, CredentialReport, Verdict } from '../../../src-shared/identity/report';

/** The ward's beds nobody occupies now, anywhere in the hospital (options.occupiedBeds). */
export function freeBeds(options: DeskOptions, ward: Ward): string[] {
  const taken = new Set(options.occupiedBeds.filter((b) => b.wardCode === ward.code).map((b) => b.bed));
  return ward.beds.filter((b) => !taken.has(b));
}

/** The check's name as the desk reads it; the sentence under it comes from the verifier. */
const CHECK_LABELS: Record<CheckId, string> = {
  'presentation.format': 'Wallet code readable',
  'presentation.signature': "Signed by the patient's wallet",
  'presentation.freshness': 'Shown just now (not an old code)',
  'presentation.audience': 'Made for this hospital',
  'presentation.replay': 'Not used before',
  'workstation.clock': "This workstation's clock",
  'credential.format': 'Card readable',
  'credential.signature': "Issuer's signature",
  'credential.holder-binding': 'Belongs to this wallet',
  'credential.issuer-trust': 'Issuer trusted',
  'credential.validity-period': 'Within its valid dates',
  'credential.revocation': 'Not revoked',
  'credential.suspension': 'Not suspended',
  'credential.schema': 'Contents complete',
  'consent.grantee': 'Consent is for this hospital',
};

export function checkLabel(id: CheckId): string {
  return CHECK_LABELS[id];
}

const RESULT_LABELS: Record<CheckResult, string> = {
  pass: 'Pass',
  fail: 'Fail',
  'cannot-determine': 'Cannot determine',
  'not-applicable': 'Not applicable',
};

export function resultLabel(result: CheckResult): string {
  return RESULT_LABELS[result];
}

/** The cards of a presentation that were refused (not verified), in the desk's words: "insurance card". */
export function refusedCards(credentials: readonly CredentialReport[]): string[] {
  const words: Record<string, string> = {
    InsuranceCoverageCredential: 'insurance card',
    ConsentGrantCredential: 'consent',
    PatientIdentityCredential: 'identity card',
  };
  return credentials
    .filter((c) => !c.verified)
    .map((c) => (c.type ? (words[c.type] ?? credentialLabel(c).toLowerCase()) : credentialLabel(c).toLowerCase()));
}

/** The one banner the clerk reads first: may I act on this code? */
export function verdictBanner(
  verdict: Verdict,
  overridden: boolean,
  accepted: boolean,
  refused: readonly string[] = [],
): { title: string; tone: 'ok' | 'bad' | 'unsure'; advice: string } {
  // The desk may accept a presentation whose insurance or consent card failed (the wallet and
  // identity card passed): the card is dropped, never the patient. Say exactly that, and keep
  // the word "Refused" for the card's own line below.
  if (verdict === 'invalid' && accepted) {
    const cards = refused.length > 0 ? refused : ['a card'];
    const without = cards
      .map((c) => (c === 'insurance card' ? 'coverage' : c === 'consent' ? 'consent' : c))
      .join(' and ');
    return {
      title: `Identity verified · ${cards.join(' and ')} refused`,
      tone: 'unsure',
      advice: `The wallet and identity card passed. Admissible without ${without}: the refused ${cards.length > 1 ? 'cards are' : cards[0] === 'consent' ? 'consent is' : 'card is'} not used.`,
    };
  }
  switch (verdict) {
    case 'valid':
      return { title: 'Verified', tone: 'ok', advice: 'Every check passed. Continue with the admission.' };
    case 'invalid':
      return {
        title: 'Not valid — do not admit on this',
        tone: 'bad',
        advice:
          'At least one check failed (see below). Ask for another form of identification or register without a wallet.',
      };
    case 'cannot-determine':
      return overridden
        ? {
            title: 'Accepted by override',
            tone: 'unsure',
            advice: 'Some checks could not be made; the override and its reason are recorded.',
          }
        : {
            title: 'Cannot determine',
            tone: 'unsure',
            advice: 'Some checks could not be made. Do not admit on this unless you override with a reason.',
          };
  }
}

const CREDENTIAL_LABELS: Record<string, string> = {
  PatientIdentityCredential: 'Identity card',
  InsuranceCoverageCredential: 'Insurance coverage',
  ConsentGrantCredential: 'Consent grant',
};

export function credentialLabel(credential: CredentialReport): string {
  if (credential.type === null) return `Credential ${credential.index + 1} (type not accepted here)`;
  return (
    CREDENTIAL_LABELS[credential.type] ?? credential.type.replace(/Credential$/, '').replace(/([a-z])([A-Z])/g, '$1 $2')
  );
}

/**
 * A verifier sentence in the hospital's words: "credential" is a card, a "status list" is the
 * issuer's list of revoked cards, an MSP ID is the organisation. The technical names replaced
 * are returned too, so the screen keeps them in the detail for IT.
 */
export function inHospitalWords(text: string): { text: string; technical: string[] } {
  const technical = new Set<string>();
  const note = (term: string): void => {
    technical.add(term);
  };
  const out = text
    .replace(/\b([A-Z][A-Za-z0-9]*?)MSP\b/g, (id: string, name: string) => {
      note(id);
      return `the ${name.replace(/([a-z])([A-Z0-9])/g, '$1 $2')} organisation`;
    })
    .replace(/\bstatus lists?\b/gi, (m: string) => {
      note('status list');
      return m.toLowerCase().endsWith('s') ? "issuers' lists of revoked cards" : "issuer's list of revoked cards";
    })
    .replace(/\bcredential\(s\)/gi, () => {
      note('credential');
      return 'card(s)';
    })
    .replace(/\bcredentials?\b/gi, (m: string) => {
      note('credential');
      return m.toLowerCase().endsWith('s') ? 'cards' : 'card';
    })
    .replace(/\bUTC\b/g, () => {
      note('UTC');
      return 'universal time';
    });
  return { text: out, technical: [...technical] };
}
