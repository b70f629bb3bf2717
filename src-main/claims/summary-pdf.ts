/**
 * The claim summary as a one-page A4 PDF, written directly like the wristband (PDF 1.4,
 * standard Helvetica, uncompressed), so tests can read its text: claim, patient, coverage,
 * diagnoses, service lines with the insurer's decision per line, totals and the timeline.
 */
import { pdfFile, pdfString } from '../documents/pdf';

export interface SummaryLine {
  bold?: boolean;
  size?: number;
  text: string;
  /** Extra space before the line, in points. */
  gap?: number;
}

const A4 = { width: 595.28, height: 841.89 };

/** PDF bytes of the lines, top to bottom; lines past the page's end continue on further pages. */
export function summaryPdf(title: string, lines: readonly SummaryLine[]): Uint8Array {
  const pages: string[][] = [[]];
  let y = A4.height - 50;
  for (const line of lines) {
    const size = line.size ?? 9.5;
    y -= (line.gap ?? 0) + size * 1.35;
    if (y < 50) {
      pages.push([]);
      y = A4.height - 50 - size * 1.35;
    }
    pages[pages.length - 1]?.push(`BT /${line.bold ? 'F2' : 'F1'} ${size} Tf 50 ${y.toFixed(2)} Td ${pdfString(line.text)} Tj ET`);
  }
  // Objects: 1 catalog, 2 pages, 3 font, 4 bold font, 5 info, then per page: page, content.
  const objects: string[] = ['', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>', `<< /Title ${pdfString(title)} /Producer (CareLedger Workstation) >>`];
  const kids: string[] = [];
  for (const ops of pages) {
    const stream = ops.join('\n') + '\n';
    const pageNo = objects.length + 1;
    kids.push(`${pageNo} 0 R`);
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageNo + 1} 0 R >>`);
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}endstream`);
  }
  objects[0] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>`;
  return pdfFile(objects, 5);
}
