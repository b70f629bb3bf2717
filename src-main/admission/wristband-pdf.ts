/**
 * The wristband and the label as a small PDF, written directly (PDF 1.4, standard Helvetica
 * fonts, uncompressed content) so it needs no library and its content can be checked by
 * tests: patient name, birth date, MRN as text and as a Code 128 barcode, admission date and
 * the allergies flag. Text uses WinAnsi (Latin-1): accents print; letters outside it are
 * printed without their accent or as "?", and the MRN barcode is what scanners rely on.
 */
import { pdfFile, pdfNumber as num, pdfString } from '../documents/pdf';
import { workstationDates } from '../settings/date-time-settings';
import { code128Widths } from './code128';

export interface WristbandContent {
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD, or null for an unidentified patient (then `estimatedAgeYears`). */
  birthDate: string | null;
  estimatedAgeYears: number | null;
  gender: string;
  mrn: string;
  /** ISO date-time. */
  admittedAt: string;
  wardName: string;
  bed: string;
  allergies: 'yes' | 'no' | 'unknown';
  /** Manual or unidentified registration: printed so nobody mistakes it for a verified identity. */
  unverified: boolean;
}

export type WristbandFormat = 'wristband' | 'label';

const MM = 72 / 25.4;

class Content {
  readonly ops: string[] = [];
  text(x: number, y: number, size: number, bold: boolean, value: string): void {
    this.ops.push(`BT /${bold ? 'F2' : 'F1'} ${num(size)} Tf ${num(x)} ${num(y)} Td ${pdfString(value)} Tj ET`);
  }
  /** Bars of a Code 128 symbol, `module` points wide each, from (x, y) upwards `height` points. Returns the width drawn. */
  barcode(x: number, y: number, module: number, height: number, value: string): number {
    let at = x;
    code128Widths(value).forEach((w, i) => {
      if (i % 2 === 0) this.ops.push(`${num(at)} ${num(y)} ${num(w * module)} ${num(height)} re f`);
      at += w * module;
    });
    return at - x;
  }
  box(x: number, y: number, w: number, h: number): void {
    this.ops.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re S`);
  }
}

const ALLERGY_WORDS = { yes: 'ALLERGIES: YES', no: 'Allergies: none known', unknown: 'Allergies: NOT ASKED' } as const;

function birthLine(c: WristbandContent): string {
  if (c.birthDate) return `Born ${workstationDates().date(c.birthDate)}`;
  return c.estimatedAgeYears !== null ? `Age about ${c.estimatedAgeYears}` : 'Birth date unknown';
}

function sexLetter(gender: string): string {
  return gender === 'female' ? 'F' : gender === 'male' ? 'M' : gender === 'other' ? 'X' : 'U';
}

/** The PDF bytes of a wristband (250 x 25 mm) or a label (100 x 50 mm). */
export function wristbandPdf(c: WristbandContent, format: WristbandFormat = 'wristband'): Uint8Array {
  const page = new Content();
  const name = `${c.familyName.toUpperCase()}, ${c.givenName}`;
  // The hospital's calendar day: a patient admitted at 00:30 must not wear yesterday's (UTC) date.
  const admitted = `Admitted ${workstationDates().date(c.admittedAt)}`;
  let width: number;
  let height: number;
  if (format === 'wristband') {
    width = 250 * MM;
    height = 25 * MM;
    // The left 60 mm go round the wrist's fastener: nothing printed there.
    const x = 62 * MM;
    page.text(x, height - 6 * MM, 11, true, name);
    page.text(x, height - 11 * MM, 8, false, `${birthLine(c)}   ${sexLetter(c.gender)}   MRN ${c.mrn}`);
    page.text(x, height - 15.5 * MM, 8, false, `${admitted}   ${c.wardName} bed ${c.bed}`);
    page.text(x, height - 20.5 * MM, 9, true, ALLERGY_WORDS[c.allergies] + (c.unverified ? '   IDENTITY NOT VERIFIED' : ''));
    page.barcode(175 * MM, 6 * MM, 0.8, 13 * MM, c.mrn);
    page.text(175 * MM, 2 * MM, 7, false, c.mrn);
  } else {
    width = 100 * MM;
    height = 50 * MM;
    const x = 4 * MM;
    page.text(x, height - 7 * MM, 11, true, name);
    page.text(x, height - 12 * MM, 8, false, `${birthLine(c)}   ${sexLetter(c.gender)}`);
    page.text(x, height - 16.5 * MM, 8, false, `MRN ${c.mrn}   ${admitted}`);
    page.text(x, height - 21 * MM, 9, true, ALLERGY_WORDS[c.allergies] + (c.unverified ? '   NOT VERIFIED' : ''));
    page.barcode(x, 8 * MM, 0.8, 14 * MM, c.mrn);
    page.text(x, 4 * MM, 7, false, c.mrn);
  }
  page.box(0.5, 0.5, width - 1, height - 1);
  const stream = page.ops.join('\n') + '\n';

  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(width)} ${num(height)}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}endstream`,
    `<< /Title ${pdfString(`Wristband ${c.mrn}`)} /Producer (CareLedger Workstation) >>`,
  ];
  return pdfFile(objects, 7);
}
