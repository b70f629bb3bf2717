/**
 * Code 128 (code set B) barcodes for the MRN on wristbands and labels: the symbol values,
 * the check symbol, and the bar/space widths in modules, ready to draw. Code set B covers
 * printable ASCII, which is all an MRN (digits and a hyphen) ever needs.
 */

/** Bar/space widths (modules) of symbol values 0..105, then the stop pattern at 106. */
export const CODE128_PATTERNS: readonly string[] = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];

export const START_B = 104;
export const STOP = 106;

export class BarcodeError extends Error {
  override readonly name = 'BarcodeError';
}

/** Symbol values for `text` in code set B: start, data, check, stop. */
export function code128Values(text: string): number[] {
  if (text.length === 0 || text.length > 80) throw new BarcodeError('A barcode needs 1 to 80 characters.');
  const data: number[] = [];
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch.length !== 1 || c < 32 || c > 126) throw new BarcodeError(`The character "${ch}" cannot be put in this barcode.`);
    data.push(c - 32);
  }
  let sum = START_B;
  data.forEach((v, i) => (sum += v * (i + 1)));
  return [START_B, ...data, sum % 103, STOP];
}

/**
 * Alternating bar and space widths in modules, starting with a bar, for the whole symbol
 * (without quiet zones, which the drawing adds: at least 10 modules each side).
 */
export function code128Widths(text: string): number[] {
  return code128Values(text).flatMap((v) => [...(CODE128_PATTERNS[v] ?? '')].map(Number));
}
