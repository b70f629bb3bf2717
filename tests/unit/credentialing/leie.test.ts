/**
 * Reading an exclusion list in the OIG LEIE CSV layout: what reaches the ledger (NPI or licence,
 * exclusion type, dates, source; never names), what is skipped and why, stable ids so a second
 * import adds nothing, and a clear refusal for a file that is not such a list.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvFields, ExclusionListError, readExclusionList } from '../../../src-shared/credentialing/leie';

const HEADER = 'LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,EXCLTYPE,EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE';

describe('LEIE exclusion list', () => {
  it('reads the shipped generated sample: every row with an NPI, names left out', () => {
    const text = readFileSync(new URL('../../../resources/sanctions/leie-sample.csv', import.meta.url), 'utf8');
    const read = readExclusionList(text, 'OIG LEIE sample');
    expect(read.rows).toBe(25);
    expect(read.entries.length + read.skipped.length).toBe(25);
    expect(read.entries[0]).toEqual({ sanctionId: 'OIG-LEIE-sample~1457300126~20250301', npi: '1457300126', reason: '1128a1 exclusion', source: 'OIG LEIE sample', from: '2025-03-01T00:00:00.000Z' });
    expect(JSON.stringify(read.entries)).not.toMatch(/VANCE|RITA|Sample Street/);
    expect(read.skipped.every((s) => /no NPI and no licence/.test(s.reason))).toBe(true);
  });

  it('keeps reinstatement dates, reads quoted fields and a licence column, skips bad dates and repeats', () => {
    const text = [
      `${HEADER},LICENSE`,
      'DOE,J,,,,,,1234567893,,"1 Road, Apt 2",X,ZZ,0,1128b4,20240105,20260105,00000000,,',
      'ROE,K,,,,,,0000000000,,,,,,1128a1,20230101,00000000,00000000,,MD-12345',
      'POE,L,,,,,,1234567893,,,,,,1128a1,2024-01-05,00000000,00000000,,',
      'DOE,J,,,,,,1234567893,,"1 Road, Apt 2",X,ZZ,0,1128b4,20240105,20260105,00000000,,',
    ].join('\r\n');
    const read = readExclusionList(text, 'State board');
    expect(read.entries).toEqual([
      { sanctionId: 'State-board~1234567893~20240105', npi: '1234567893', reason: '1128b4 exclusion', source: 'State board', from: '2024-01-05T00:00:00.000Z', until: '2026-01-05T00:00:00.000Z' },
      { sanctionId: 'State-board~L.MD-12345~20230101', licenseNumber: 'MD-12345', reason: '1128a1 exclusion', source: 'State board', from: '2023-01-01T00:00:00.000Z' },
    ]);
    expect(read.skipped).toEqual([
      { line: 4, reason: 'the exclusion date "2024-01-05" is not a date (YYYYMMDD)' },
      { line: 5, reason: 'the same entry appears earlier in the file' },
    ]);
    expect(csvFields('a,"b ""c"", d",e')).toEqual(['a', 'b "c", d', 'e']);
  });

  it('refuses a file that is not an exclusion list, saying what is missing', () => {
    expect(() => readExclusionList('name,date\nx,y', 'x')).toThrow(ExclusionListError);
    expect(() => readExclusionList('name,date\nx,y', 'x')).toThrow(/no NPI, EXCLTYPE, EXCLDATE column/);
  });
});
