/**
 * The patient access report as a PDF the patient can take home: every access to their records,
 * across hospitals, one line each, on as many A4 pages as needed. Written directly like the
 * wristband (PDF 1.4, Helvetica, uncompressed) so tests can read its text.
 */
import { pdfFile, pdfNumber as num, pdfString } from '../documents/pdf';
import type { AccessReport } from '../../src-shared/records/schemas';
import { workstationDates } from '../settings/date-time-settings';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 42;
const LINE = 12;

/** One line per access, in words: when, where, who (role), why, on what basis, decision. */
export function accessLine(e: AccessReport['entries'][number]): string {
  const dates = workstationDates();
  const basis = e.breakGlassReason
    ? `EMERGENCY ACCESS (${e.breakGlassReason})`
    : e.consentId
      ? 'under your consent'
      : e.decision === 'refused'
        ? 'no consent'
        : 'during your admission';
  const review = e.review ? `; reviewed: ${e.review.outcome}` : '';
  const released = e.releasedBy.length > 0 ? `  records released by ${e.releasedBy.join(', ')}` : '';
  return `${dates.dateTime(e.accessedAt)}  ${e.hospitalMspId}  ${e.role}  ${e.purpose}  ${basis}  ${e.decision.toUpperCase()}${review}${e.where === 'local' ? '  (not yet on the ledger)' : ''}  records: ${e.categories.join(', ')}${released}`;
}

/** Splits a long line at spaces into lines of at most `width` characters; continuation lines are indented. */
function wrap(line: string, width = 140): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at));
    rest = `      ${rest.slice(at).trimStart()}`;
  }
  out.push(rest);
  return out;
}

export function accessReportPdf(report: AccessReport, hospitalName: string): Uint8Array {
  const dates = workstationDates();
  const header = [
    { size: 14, bold: true, text: 'Who looked at your health records' },
    {
      size: 9,
      bold: false,
      text: `${report.patientName ?? 'Patient'}  ·  ${report.patientDid.slice(0, 48)}${report.patientDid.length > 48 ? '…' : ''}`,
    },
    {
      size: 9,
      bold: false,
      text: `Produced by ${hospitalName} on ${dates.dateTime(report.generatedAt)} from the shared ledger. ${report.entries.length} access${report.entries.length === 1 ? '' : 'es'}.`,
    },
    ...(report.complete ? [] : [{ size: 9, bold: true, text: report.note ?? 'This report may be incomplete.' }]),
    { size: 8, bold: true, text: 'When  ·  Hospital  ·  Role  ·  Purpose  ·  Basis  ·  Decision  ·  Records' },
  ];
  const lines =
    report.entries.length > 0
      ? report.entries.flatMap((e) => wrap(accessLine(e)))
      : ['No access to your records is on the ledger.'];
  const pages: string[][] = [];
  let ops: string[] = [];
  let y = A4.height - MARGIN;
  const newPage = (): void => {
    if (ops.length > 0) pages.push(ops);
    ops = [];
    y = A4.height - MARGIN;
  };
  for (const h of header) {
    ops.push(`BT /${h.bold ? 'F2' : 'F1'} ${h.size} Tf ${MARGIN} ${num(y)} Td ${pdfString(h.text)} Tj ET`);
    y -= h.size + 6;
  }
  for (const line of lines) {
    if (y < MARGIN + LINE) newPage();
    ops.push(`BT /F1 7.5 Tf ${MARGIN} ${num(y)} Td ${pdfString(line)} Tj ET`);
    y -= LINE;
  }
  newPage();

  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
  ];
  const kids: number[] = [];
  pages.forEach((pageOps, i) => {
    const stream = `${pageOps.join('\n')}\nBT /F1 7 Tf ${MARGIN} 24 Td ${pdfString(`Page ${i + 1} of ${pages.length}`)} Tj ET\n`;
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}endstream`);
    const contentRef = objects.length;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${A4.width} ${A4.height}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${contentRef} 0 R >>`,
    );
    kids.push(objects.length);
  });
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  objects.push(`<< /Title ${pdfString('Access report')} /Producer (CareLedger Workstation) >>`);
  return pdfFile(objects, objects.length);
}
