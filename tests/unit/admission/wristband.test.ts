import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { CODE128_PATTERNS, code128Values, code128Widths } from '../../../src-main/admission/code128';
import { wristbandPdf, type WristbandContent } from '../../../src-main/admission/wristband-pdf';
import { setWorkstationDates } from '../../../src-main/settings/date-time-settings';

beforeAll(async () => {
  // The wasm from node_modules, as bytes: nothing is fetched.
  const require = createRequire(import.meta.url);
  const wasm = await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) }, fireImmediately: false });
});

/** Draws bar widths as a black-on-white bitmap (3 px per module, quiet zones) for a real decoder. */
function raster(widths: number[]): { data: Uint8ClampedArray; width: number; height: number } {
  const px = 3;
  const quiet = 12 * px;
  const width = widths.reduce((a, b) => a + b, 0) * px + 2 * quiet;
  const height = 60;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  let x = quiet;
  widths.forEach((w, i) => {
    if (i % 2 === 0) for (let y = 0; y < height; y++) for (let dx = 0; dx < w * px; dx++) data.fill(0, ((y * width) + x + dx) * 4, ((y * width) + x + dx) * 4 + 3);
    x += w * px;
  });
  return { data, width, height };
}

async function decode(widths: number[]): Promise<string | undefined> {
  const img = raster(widths);
  const results = await readBarcodes({ data: img.data, width: img.width, height: img.height, colorSpace: 'srgb' }, { formats: ['Code128'], tryHarder: true });
  return results[0]?.text;
}

describe('Code 128', () => {
  it('has 106 distinct 11-module symbols and a 13-module stop', () => {
    const symbols = CODE128_PATTERNS.slice(0, 106);
    expect(new Set(symbols).size).toBe(106);
    for (const p of symbols) expect([...p].reduce((a, b) => a + Number(b), 0), p).toBe(11);
    expect([...(CODE128_PATTERNS[106] ?? '')].reduce((a, b) => a + Number(b), 0)).toBe(13);
  });

  it('encodes an MRN with start B, data, mod-103 check and stop', () => {
    // "1": value 17; check = (104 + 17) mod 103 = 18.
    expect(code128Values('1')).toEqual([104, 17, 18, 106]);
  });

  it('is read back by an independent decoder (zxing) for MRNs', async () => {
    for (const mrn of ['1000001-8', '4271935-2', '9999999-5']) expect(await decode(code128Widths(mrn))).toBe(mrn);
  });

  it('refuses characters it cannot carry', () => {
    expect(() => code128Values('Müller')).toThrow(/cannot be put/);
    expect(() => code128Values('')).toThrow();
  });
});

const content: WristbandContent = {
  givenName: 'Maria Fernanda',
  familyName: 'Oliveira-Santos',
  birthDate: '1984-03-02',
  estimatedAgeYears: null,
  gender: 'female',
  mrn: '1000001-8',
  admittedAt: '2026-11-21T10:15:00.000Z',
  wardName: 'Acute Medical Unit',
  bed: 'A03',
  allergies: 'yes',
  unverified: false,
};

/** The text strings and filled rectangles of the (uncompressed) content stream. */
function parsePdf(bytes: Uint8Array): { texts: string[]; bars: { x: number; w: number }[]; mediaBox: number[] } {
  const text = Buffer.from(bytes).toString('latin1');
  const stream = /stream\n([\s\S]*?)endstream/.exec(text)?.[1] ?? '';
  const texts = [...stream.matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g)].map((m) =>
    (m[1] ?? '').replace(/\\([0-7]{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e)),
  );
  const bars = [...stream.matchAll(/^([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f$/gm)].map((m) => ({ x: Number(m[1]), w: Number(m[3]) }));
  const mediaBox = (/\/MediaBox \[([^\]]+)\]/.exec(text)?.[1] ?? '').split(' ').map(Number);
  return { texts, bars, mediaBox };
}

describe('wristband PDF', () => {
  beforeEach(() => setWorkstationDates({ locale: 'en-GB', dateOrder: 'dmy', hourCycle: 'h23', timeZone: 'Europe/London' }));
  afterEach(() => setWorkstationDates());

  it('is a PDF with a consistent cross-reference table', () => {
    const pdf = Buffer.from(wristbandPdf(content)).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    const xref = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
    // Every object offset in the table points at "n 0 obj".
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((o, i) => expect(pdf.startsWith(`${i + 1} 0 obj\n`, o)).toBe(true));
    expect(offsets).toHaveLength(7);
  });

  it('prints name, birth date, MRN, admission date and the allergies flag', () => {
    const { texts, mediaBox } = parsePdf(wristbandPdf(content));
    const all = texts.join('\n');
    expect(all).toContain('OLIVEIRA-SANTOS, Maria Fernanda');
    expect(all).toContain('Born 2 Mar 1984');
    expect(all).toContain('MRN 1000001-8');
    expect(all).toContain('Admitted 21 Nov 2026');
    expect(all).toContain('ALLERGIES: YES');
    expect(mediaBox[2]).toBeCloseTo((250 * 72) / 25.4, 1);
  });

  it("prints dates in the workstation's style and the hospital's calendar day, not the UTC one", () => {
    setWorkstationDates({ locale: 'en-US', dateOrder: 'mdy', hourCycle: 'h12', timeZone: 'Europe/Lisbon' });
    // 00:30 in Lisbon on 1 July is still 30 June in UTC.
    const { texts } = parsePdf(wristbandPdf({ ...content, admittedAt: '2026-06-30T23:30:00.000Z' }, 'label'));
    const all = texts.join('\n');
    expect(all).toContain('Born Mar 2, 1984');
    expect(all).toContain('Admitted Jul 1, 2026');
  });

  it('draws the MRN as a Code 128 barcode whose bars decode back to the MRN', async () => {
    const { bars } = parsePdf(wristbandPdf(content));
    // Rebuild bar/space widths in modules (0.8 pt each) from the rectangles.
    const widths: number[] = [];
    bars.forEach((b, i) => {
      if (i > 0) {
        const prev = bars[i - 1] as { x: number; w: number };
        widths.push(Math.round((b.x - prev.x - prev.w) / 0.8));
      }
      widths.push(Math.round(b.w / 0.8));
    });
    expect(widths).toEqual(code128Widths('1000001-8'));
    expect(await decode(widths)).toBe('1000001-8');
  });

  it('marks unknown allergies, estimated age and an unverified identity; keeps accents (Latin-1)', () => {
    const { texts } = parsePdf(wristbandPdf({ ...content, givenName: 'Male 0142', familyName: 'Unknown', birthDate: null, estimatedAgeYears: 40, allergies: 'unknown', unverified: true }, 'label'));
    const all = texts.join('\n');
    expect(all).toContain('UNKNOWN, Male 0142');
    expect(all).toContain('Age about 40');
    expect(all).toContain('Allergies: NOT ASKED   NOT VERIFIED');
    expect(parsePdf(wristbandPdf({ ...content, familyName: 'Müller (Brandão)' })).texts[0]).toBe('MÜLLER (BRANDÃO), Maria Fernanda');
  });
});
