/**
 * The text of a PDF, page by page, for the chart's document viewer. The app's content security
 * policy allows no frames or plugins (src-main/security/csp.ts: frame-src and object-src 'none'),
 * so a document is shown as its text inside the page instead of in the browser's PDF plug-in or
 * as a download. Reads the text-showing operators (Tj, TJ, ', ") of each page's content stream,
 * inflating FlateDecode streams; a PDF whose text cannot be read this way (scanned images,
 * embedded font encodings) gives no lines, and the viewer says so.
 */
import { inflateSync } from 'node:zlib';

const MAX_PAGES = 200;

function unescapePdfString(s: string): string {
  return s.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_m, c: string) => {
    if (/^[0-7]+$/.test(c)) return String.fromCharCode(parseInt(c, 8));
    return (
      ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' } as Record<string, string>)[c] ??
      c
    );
  });
}

/** Text lines of one content stream: one line per text object or line move. */
function linesOf(content: string): string[] {
  const lines: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current.trim()) lines.push(current.trim());
    current = '';
  };
  const tokens = /\((?:\\.|[^\\)])*\)|\[(?:\((?:\\.|[^\\)])*\)|[^\]])*\]\s*TJ|\bT[d*D]\b|\bET\b|\bTj\b|'|"/g;
  let lastString = '';
  for (const m of content.matchAll(tokens)) {
    const t = m[0];
    if (t.startsWith('(')) lastString = unescapePdfString(t.slice(1, -1));
    else if (t === 'Tj' || t === "'" || t === '"') {
      if (t !== 'Tj') flush();
      current += lastString;
    } else if (t.startsWith('[')) {
      current += [...t.matchAll(/\((?:\\.|[^\\)])*\)/g)].map((x) => unescapePdfString(x[0].slice(1, -1))).join('');
    } else flush();
  }
  flush();
  return lines;
}

export function pdfTextPages(pdf: Uint8Array): string[][] {
  const raw = Buffer.from(pdf).toString('latin1');
  const pages: string[][] = [];
  const streamPattern = /<<([^]*?)>>\s*stream\r?\n/g;
  for (const m of raw.matchAll(streamPattern)) {
    if (pages.length >= MAX_PAGES) break;
    const dict = m[1] ?? '';
    if (/\/Subtype\s*\/Image|\/Type\s*\/XObject|\/Length1|\/FontFile/.test(dict)) continue;
    const start = (m.index ?? 0) + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    let bytes = Buffer.from(raw.slice(start, end), 'latin1');
    if (/\/FlateDecode/.test(dict)) {
      try {
        bytes = inflateSync(bytes);
      } catch {
        continue;
      }
    } else if (/\/Filter/.test(dict)) continue;
    const lines = linesOf(bytes.toString('latin1'));
    if (lines.length > 0) pages.push(lines);
  }
  return pages;
}
