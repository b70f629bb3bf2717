import { describe, expect, it } from 'vitest';
import { formatMrn, isValidMrn, luhnCheckDigit, normaliseMrn } from '../../../src-main/admission/mrn';

describe('medical record numbers', () => {
  it('uses the Luhn check digit (published example 7992739871 -> 3)', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(formatMrn(1_000_001)).toMatch(/^1000001-\d$/);
    expect(isValidMrn(formatMrn(1_000_001))).toBe(true);
  });

  it('refuses every single mistyped digit of an MRN', () => {
    const mrn = formatMrn(4_271_935);
    const digits = mrn.replace('-', '');
    for (let i = 0; i < digits.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === digits[i]) continue;
        const typo = digits.slice(0, i) + String(d) + digits.slice(i + 1);
        expect(isValidMrn(typo), typo).toBe(false);
      }
    }
  });

  it('refuses swapped neighbouring digits (except 0/9, the known Luhn blind spot)', () => {
    const body = '4271935';
    const mrn = formatMrn(Number(body));
    for (let i = 0; i + 1 < body.length; i++) {
      const a = body[i] as string;
      const b = body[i + 1] as string;
      if (a === b || (a + b === '09' || a + b === '90')) continue;
      const swapped = body.slice(0, i) + b + a + body.slice(i + 2);
      expect(isValidMrn(`${swapped}-${mrn.slice(-1)}`), swapped).toBe(false);
    }
  });

  it('accepts the MRN with or without hyphen and normalises it', () => {
    const mrn = formatMrn(1_234_567);
    expect(normaliseMrn(mrn.replace('-', ''))).toBe(mrn);
    expect(normaliseMrn(' ' + mrn + ' ')).toBe(mrn);
    expect(normaliseMrn('1234567-0') === mrn).toBe(mrn.endsWith('-0'));
    expect(normaliseMrn('abc')).toBeNull();
  });

  it('refuses sequence numbers outside the 7-digit range with a sentence', () => {
    expect(() => formatMrn(10_000_000)).toThrow(/range is used up/);
  });
});
