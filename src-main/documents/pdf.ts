/**
 * The few PDF 1.4 primitives every document this workstation prints is made of (wristband,
 * claim summary, credential verification report, patient access report). They are written
 * directly, with the standard Helvetica fonts and uncompressed content, so no library is
 * needed and tests can read the text back. Text is WinAnsi (Latin-1): accents print, letters
 * outside it lose their accent or print as "?".
 */

/** A PDF literal string in WinAnsi, with `(`, `)` and `\` escaped and other bytes in octal. */
export function pdfString(text: string): string {
  let out = '';
  for (const ch of text) {
    let c = ch.codePointAt(0) ?? 63;
    if (c > 255) {
      const plain = ch.normalize('NFD').replace(/\p{M}+/gu, '');
      c = plain.length === 1 && (plain.codePointAt(0) ?? 256) < 256 ? (plain.codePointAt(0) as number) : 63;
    }
    if (c === 40 || c === 41 || c === 92) out += `\\${String.fromCharCode(c)}`;
    else if (c < 32 || c > 126) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `(${out})`;
}

/** A coordinate or size in points, to two decimals without trailing zeros. */
export function pdfNumber(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

/**
 * The file: `objects[i]` becomes object `i + 1` (object 1 must be the catalogue), followed by
 * the cross-reference table and the trailer naming `infoObject` as the document information.
 */
export function pdfFile(objects: readonly string[], infoObject: number): Uint8Array {
  let out = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${infoObject} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
