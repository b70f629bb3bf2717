/**
 * The US OIG List of Excluded Individuals/Entities (LEIE) as a CSV file, read for the ledger's
 * Sanctions contract. The LEIE's columns are LASTNAME, FIRSTNAME, MIDNAME, BUSNAME, GENERAL,
 * SPECIALTY, UPIN, NPI, DOB, ADDRESS, CITY, STATE, ZIP, EXCLTYPE, EXCLDATE, REINDATE,
 * WAIVERDATE, WVRSTATE (dates YYYYMMDD; an NPI of ten zeros means none). A LICENSE column, which
 * the LEIE does not have, is read when present (state boards' lists carry one).
 *
 * What goes to the ledger is what matches a credential: the NPI and/or licence number, the
 * exclusion type (the reason code), the dates and the list's name as the source. Names, birth
 * dates and addresses stay in the file: the ledger is shared by every organisation and holds
 * no personal details beyond identifiers. A row with neither NPI nor licence cannot be matched
 * to a doctor's credentials and is reported, not imported.
 *
 * Sanction ids are made from the row (list, NPI or licence, exclusion date), so importing the
 * same list again, or a newer edition, adds only what is new.
 *
 * Plain TypeScript: no node:*, no DOM.
 */

export interface ExclusionEntry {
  sanctionId: string;
  npi?: string;
  licenseNumber?: string;
  reason: string;
  source: string;
  from: string;
  until?: string;
}

export interface ExclusionListRead {
  entries: ExclusionEntry[];
  /** Rows not imported, with the line number (1 = header) and why. */
  skipped: { line: number; reason: string }[];
  rows: number;
}

export class ExclusionListError extends Error {
  override readonly name = 'ExclusionListError';
}

const REQUIRED = ['NPI', 'EXCLTYPE', 'EXCLDATE'];
const MAX_ROWS = 200_000;

/** One CSV line into fields (RFC 4180 quotes, "" for a quote). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

function isoDay(yyyymmdd: string): string | null {
  if (!/^\d{8}$/.test(yyyymmdd) || yyyymmdd === '00000000') return null;
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00.000Z`;
  const t = Date.parse(iso);
  return Number.isNaN(t) || new Date(t).toISOString() !== iso ? null : iso;
}

/**
 * Reads an LEIE-format CSV. @throws ExclusionListError when the file is not one (no header with
 * NPI, EXCLTYPE and EXCLDATE), or too large.
 */
export function readExclusionList(text: string, source: string): ExclusionListRead {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvFields(lines[0] ?? '').map((h) => h.toUpperCase());
  const missing = REQUIRED.filter((h) => !header.includes(h));
  if (missing.length > 0) {
    throw new ExclusionListError(`This file is not an exclusion list in the LEIE format: its first line has no ${missing.join(', ')} column. Export the list as CSV with its header row and try again.`);
  }
  if (lines.length > MAX_ROWS + 2) throw new ExclusionListError(`This file has more than ${MAX_ROWS} rows; split it and import each part.`);
  const col = (name: string): number => header.indexOf(name);
  const [iNpi, iType, iFrom, iUntil, iLicence] = [col('NPI'), col('EXCLTYPE'), col('EXCLDATE'), col('REINDATE'), col('LICENSE')];
  const slug = source.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'list';
  const entries: ExclusionEntry[] = [];
  const skipped: ExclusionListRead['skipped'] = [];
  const seen = new Set<string>();
  let rows = 0;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] ?? '';
    if (line.trim() === '') continue;
    rows++;
    const f = csvFields(line);
    const rawNpi = f[iNpi] ?? '';
    const npi = /^\d{10}$/.test(rawNpi) && rawNpi !== '0000000000' ? rawNpi : undefined;
    const licence = iLicence >= 0 && /^[A-Za-z0-9][A-Za-z0-9./ -]{0,63}$/.test(f[iLicence] ?? '') ? f[iLicence] : undefined;
    const from = isoDay(f[iFrom] ?? '');
    const until = iUntil >= 0 ? isoDay(f[iUntil] ?? '') : null;
    const type = (f[iType] ?? '').slice(0, 100);
    if (npi === undefined && licence === undefined) {
      skipped.push({ line: n + 1, reason: 'no NPI and no licence number, so it cannot be matched to a doctor' });
      continue;
    }
    if (from === null) {
      skipped.push({ line: n + 1, reason: `the exclusion date "${f[iFrom] ?? ''}" is not a date (YYYYMMDD)` });
      continue;
    }
    if (until !== null && until <= from) {
      skipped.push({ line: n + 1, reason: 'the reinstatement date is not after the exclusion date' });
      continue;
    }
    const sanctionId = `${slug}~${npi ?? `L.${(licence ?? '').replace(/[^A-Za-z0-9.-]/g, '.')}`}~${from.slice(0, 10).replace(/-/g, '')}`.slice(0, 128);
    if (seen.has(sanctionId)) {
      skipped.push({ line: n + 1, reason: 'the same entry appears earlier in the file' });
      continue;
    }
    seen.add(sanctionId);
    entries.push({ sanctionId, ...(npi ? { npi } : {}), ...(licence ? { licenseNumber: licence } : {}), reason: type ? `${type} exclusion` : 'Excluded', source, from, ...(until ? { until } : {}) });
  }
  return { entries, skipped, rows };
}
