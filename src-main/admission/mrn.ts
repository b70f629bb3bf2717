/**
 * Medical record numbers: seven digits, a hyphen and a Luhn check digit (`1000017-4`). The
 * check digit catches every single mistyped digit and most swaps of neighbouring digits, so
 * a wrong MRN typed at a ward is refused instead of opening another patient's record.
 * Numbers are handed out in order from the cache (unique index), starting at 1000001.
 */

/** The Luhn check digit of a string of digits. */
export function luhnCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new TypeError('luhnCheckDigit: digits only');
  let sum = 0;
  // Walking from the right, double every first, third, … digit: they sit left of the check digit.
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export const MRN_FIRST_SEQUENCE = 1_000_001;
const MRN_PATTERN = /^(\d{7})-?(\d)$/;

/** The MRN for a sequence number (1000001..9999999). */
export function formatMrn(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1_000_000 || sequence > 9_999_999) {
    throw new RangeError('The medical record number range is used up; call IT support.');
  }
  const body = String(sequence);
  return `${body}-${luhnCheckDigit(body)}`;
}

/** Whether a typed or scanned MRN is well formed and its check digit is right (hyphen optional). */
export function isValidMrn(text: string): boolean {
  const m = MRN_PATTERN.exec(text.trim());
  return m !== null && luhnCheckDigit(m[1] ?? '') === Number(m[2]);
}

/** The canonical form (`1234567-8`) of a valid MRN, or null. */
export function normaliseMrn(text: string): string | null {
  const m = MRN_PATTERN.exec(text.trim());
  if (!m || luhnCheckDigit(m[1] ?? '') !== Number(m[2])) return null;
  return `${m[1]}-${m[2]}`;
}
