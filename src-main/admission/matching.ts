/**
 * Patient matching: how much a stored record resembles the person at the desk, with the
 * reasons in words. A wrong match is a patient-safety incident, so the rules lean towards
 * showing a possible match to the clerk rather than deciding alone, and a different birth
 * date weighs heavily against a match: two people with the same name are common.
 */
import type { MatchReason, PatientMatch } from '../../src-shared/admission/schemas';
import { workstationDates } from '../settings/date-time-settings';
import { allowedTypos, areNicknames, editDistance, nameTokens, normaliseName } from './names';

export interface MatchQuery {
  walletDid?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  birthDate?: string | null;
  gender?: string | null;
}

export interface MatchCandidate {
  walletDid: string | null;
  givenName: string;
  familyName: string;
  birthDate: string | null;
  gender: string;
}

export interface MatchScore {
  score: number;
  strength: PatientMatch['strength'] | null;
  reasons: MatchReason[];
}

/** At or above: "probably the same person" (creating a new record then needs confirmation). */
export const LIKELY_THRESHOLD = 80;
/** At or above: shown to the clerk as a possible match. */
export const POSSIBLE_THRESHOLD = 55;

function reason(code: string, points: number, message: string): MatchReason {
  return { code, points, message };
}

type NamePart = 'family' | 'given';

function comparePart(part: NamePart, a: string, b: string): MatchReason | null {
  const label = part === 'family' ? 'Family name' : 'Given name';
  const full = part === 'family' ? 35 : 25;
  const na = normaliseName(a);
  const nb = normaliseName(b);
  if (na === '' || nb === '') return null;
  if (a.trim() === b.trim()) return reason(`${part}-name-exact`, full, `${label} is the same.`);
  if (na === nb) return reason(`${part}-name-same-spelling`, full, `${label} is the same apart from capitals, accents or hyphens.`);
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  // "Oliveira-Santos" vs "Oliveira Santos" is handled above; "Santos" vs "Oliveira Santos" here.
  if (ta.join('') === tb.join('')) return reason(`${part}-name-same-spelling`, full, `${label} is the same apart from spaces or hyphens.`);
  const shared = ta.filter((t) => tb.includes(t));
  if (shared.length > 0) {
    return reason(`${part}-name-partial`, part === 'family' ? 25 : 20, `${label} shares "${shared.join(' ')}" (one record has an extra name).`);
  }
  const fa = ta[0] ?? '';
  const fb = tb[0] ?? '';
  if (part === 'given' && areNicknames(fa, fb)) return reason('given-name-nickname', 18, `Given name "${a}" is a usual form of "${b}".`);
  const d = editDistance(na, nb, 2);
  if (d <= allowedTypos(Math.min(na.length, nb.length))) {
    return reason(`${part}-name-typo`, part === 'family' ? 25 : 18, `${label} differs by ${d === 1 ? 'one letter' : `${d} letters`} ("${a}" / "${b}"): a typing mistake?`);
  }
  if (part === 'given' && (fa.length === 1 || fb.length === 1) && fa[0] === fb[0]) {
    return reason('given-name-initial', 8, `Given name matches only by its initial.`);
  }
  return null;
}

function digitsOf(date: string): string {
  return date.replace(/-/g, '');
}

/** Both dates in the workstation's style: as words, or as the digits a clerk types (for digit slips). */
function twoDates(a: string, b: string, digits = false): string {
  const f = workstationDates();
  return digits ? `${f.dateInputValue(a)} / ${f.dateInputValue(b)}` : `${f.date(a)} / ${f.date(b)}`;
}

function compareBirthDates(a: string, b: string): MatchReason {
  if (a === b) return reason('birth-date-exact', 40, 'Birth date is the same.');
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  if (ya === yb && ma === db && da === mb) return reason('birth-date-day-month-swapped', 28, `Birth date has day and month swapped (${twoDates(a, b)}).`);
  const x = digitsOf(a);
  const y = digitsOf(b);
  if (x.length === y.length) {
    const diff: number[] = [];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) diff.push(i);
    if (diff.length === 1) return reason('birth-date-one-digit', 25, `Birth date differs in one digit (${twoDates(a, b, true)}): a typing mistake?`);
    const [i, j] = diff;
    if (diff.length === 2 && i !== undefined && j === i + 1 && x[i] === y[j] && x[j] === y[i]) {
      return reason('birth-date-digits-swapped', 25, `Birth date has two digits swapped (${twoDates(a, b, true)}).`);
    }
  }
  return reason('birth-date-different', -40, `Birth date is different (${twoDates(a, b)}): probably a different person with a similar name.`);
}

/** Scores one stored record against the person at the desk. */
export function scoreMatch(query: MatchQuery, candidate: MatchCandidate): MatchScore {
  if (query.walletDid && candidate.walletDid && query.walletDid === candidate.walletDid) {
    return { score: 100, strength: 'same-wallet', reasons: [reason('wallet-did', 100, 'This record belongs to the same wallet: it is this patient.')] };
  }
  const reasons: MatchReason[] = [];
  if (query.walletDid && candidate.walletDid && query.walletDid !== candidate.walletDid) {
    reasons.push(reason('other-wallet', -30, 'This record belongs to a different wallet.'));
  }
  const g = query.givenName ?? '';
  const f = query.familyName ?? '';
  const straight = [comparePart('family', f, candidate.familyName), comparePart('given', g, candidate.givenName)].filter((r): r is MatchReason => r !== null);
  const swapped = [comparePart('family', f, candidate.givenName), comparePart('given', g, candidate.familyName)].filter((r): r is MatchReason => r !== null);
  const sum = (rs: MatchReason[]): number => rs.reduce((n, r) => n + r.points, 0);
  if (swapped.length === 2 && sum(swapped) > sum(straight) && normaliseName(f) !== normaliseName(g)) {
    reasons.push(reason('names-swapped', sum(swapped) - 5, `Given and family names are swapped ("${g} ${f}" / "${candidate.givenName} ${candidate.familyName}").`));
  } else {
    reasons.push(...straight);
  }
  if (query.birthDate && candidate.birthDate) reasons.push(compareBirthDates(query.birthDate, candidate.birthDate));
  const known = (x: string | null | undefined): boolean => !!x && x !== 'unknown';
  if (known(query.gender) && known(candidate.gender) && query.gender !== candidate.gender) {
    reasons.push(reason('gender-different', -15, 'Recorded gender is different.'));
  }
  const score = Math.max(0, Math.min(99, reasons.reduce((n, r) => n + r.points, 0)));
  const strength = score >= LIKELY_THRESHOLD ? 'likely' : score >= POSSIBLE_THRESHOLD ? 'possible' : null;
  return { score, strength, reasons };
}

/**
 * Birth dates a mistyped or swapped entry of `date` could have produced: the date itself, day
 * and month swapped, any one digit changed, two neighbouring digits swapped. Used to pick
 * candidates from the cache by index before scoring.
 */
export function birthDateVariants(date: string): string[] {
  const out = new Set<string>([date]);
  const [y, m, d] = date.split('-');
  if (y && m && d) out.add(`${y}-${d}-${m}`);
  const digits = digitsOf(date);
  const asDate = (s: string): string => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  for (let i = 0; i < digits.length; i++) {
    for (let k = 0; k <= 9; k++) out.add(asDate(digits.slice(0, i) + String(k) + digits.slice(i + 1)));
    if (i + 1 < digits.length) out.add(asDate(digits.slice(0, i) + (digits[i + 1] ?? '') + (digits[i] ?? '') + digits.slice(i + 2)));
  }
  return [...out].filter((s) => /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(s));
}
