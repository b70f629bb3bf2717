/**
 * The verification report for the medical staff office, as an A4 PDF written directly (like
 * the wristband: PDF 1.4, standard Helvetica, uncompressed, so tests can read its text):
 * doctor, each credential with issuer and status-list dates, every check with its result and
 * sentence, the sanctions list's date and source, the ledger transaction id of the recorded
 * outcome, the privileges granted, officer and time. Long text wraps; pages are added as needed.
 */
import { pdfFile, pdfString } from '../documents/pdf';

export interface ReportLine {
  text: string;
  bold?: boolean;
  size?: number;
  /** Extra space before the line, in points. */
  gap?: number;
  indent?: number;
}

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 50;

function wrap(text: string, size: number, width: number): string[] {
  // Helvetica averages about half its size per character: wrap on words at that width.
  const perLine = Math.max(20, Math.floor(width / (size * 0.5)));
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + 1 + word.length > perLine) {
      out.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) out.push(line);
  return out.length > 0 ? out : [''];
}

/** A multi-page A4 PDF of the lines, with `footer` at the bottom of each page. */
export function reportPdf(title: string, lines: readonly ReportLine[], footer: string): Uint8Array {
  const pages: string[][] = [[]];
  let y = PAGE_H - MARGIN;
  for (const l of lines) {
    const size = l.size ?? 9;
    const indent = l.indent ?? 0;
    const wrapped = wrap(l.text, size, PAGE_W - 2 * MARGIN - indent);
    y -= l.gap ?? 0;
    for (const part of wrapped) {
      if (y - size * 1.35 < MARGIN + 20) {
        pages.push([]);
        y = PAGE_H - MARGIN;
      }
      y -= size * 1.35;
      (pages[pages.length - 1] as string[]).push(`BT /${l.bold ? 'F2' : 'F1'} ${size} Tf ${MARGIN + indent} ${y.toFixed(2)} Td ${pdfString(part)} Tj ET`);
    }
  }
  const n = pages.length;
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', ''];
  const kids: string[] = [];
  // Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then per page: page, content.
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  objects.push(`<< /Title ${pdfString(title)} /Producer (CareLedger Workstation) >>`);
  pages.forEach((ops, i) => {
    const pageObj = objects.length + 1;
    kids.push(`${pageObj} 0 R`);
    const foot = `BT /F1 7 Tf ${MARGIN} 30 Td ${pdfString(`${footer}   Page ${i + 1} of ${n}`)} Tj ET`;
    const stream = [...ops, foot].join('\n') + '\n';
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageObj + 1} 0 R >>`);
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}endstream`);
  });
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${n} >>`;
  return pdfFile(objects, 5);
}
