import { describe, expect, it } from 'vitest';
import {
  DateTimePreferences,
  createDateTimeFormatter,
  dateOrderOf,
  hourCycleOf,
  timeZoneName,
  type DateTimePreferences as Prefs,
} from '../../../src-shared/datetime';

const uk: Prefs = { locale: 'en-GB', dateOrder: 'dmy', hourCycle: 'h23', timeZone: 'Europe/London' };
const us: Prefs = { locale: 'en-US', dateOrder: 'mdy', hourCycle: 'h12', timeZone: 'America/New_York' };
const iso: Prefs = { locale: 'sv-SE', dateOrder: 'ymd', hourCycle: 'h23', timeZone: 'Europe/Stockholm' };

describe('showing dates and times in the workstation style', () => {
  it('writes a calendar date in the chosen order with the month as a word', () => {
    expect(createDateTimeFormatter(uk).date('1984-03-02')).toBe('2 Mar 1984');
    expect(createDateTimeFormatter(us).date('1984-03-02')).toBe('Mar 2, 1984');
    expect(createDateTimeFormatter(iso).date('1984-03-02')).toBe('1984-03-02');
  });

  it('never shifts a birth date by the time zone (west of Greenwich, 2 March stays 2 March)', () => {
    const hawaii = createDateTimeFormatter({ ...uk, timeZone: 'Pacific/Honolulu' });
    expect(hawaii.date('1984-03-02')).toBe('2 Mar 1984');
    expect(hawaii.dateInputValue('1984-03-02')).toBe('02/03/1984');
  });

  it('shows an instant on the wall clock of the workstation zone, 24-hour or 12-hour', () => {
    const at = '2026-12-06T20:39:39Z';
    expect(createDateTimeFormatter(uk).time(at)).toBe('20:39');
    expect(createDateTimeFormatter(uk).time(at, { seconds: true })).toBe('20:39:39');
    expect(createDateTimeFormatter(us).time(at)).toBe('3:39 PM');
    expect(createDateTimeFormatter(uk).dateTime(at)).toBe('6 Dec 2026, 20:39');
    expect(createDateTimeFormatter(us).dateTime(at)).toBe('Dec 6, 2026, 3:39 PM');
    expect(createDateTimeFormatter({ ...uk, hourCycle: 'h12' }).time('2026-12-06T00:05:00Z')).toBe('12:05 am');
    expect(createDateTimeFormatter({ ...us, hourCycle: 'h23' }).time('2026-12-06T05:05:00Z')).toBe('00:05');
  });

  it('takes the date of an instant in the zone, not in UTC (late evening in New York is still that day)', () => {
    expect(createDateTimeFormatter(us).date('2026-12-07T03:00:00Z')).toBe('Dec 6, 2026');
    expect(createDateTimeFormatter(us).calendarDate('2026-12-07T03:00:00Z')).toBe('2026-12-06');
    expect(createDateTimeFormatter(uk).calendarDate('1984-03-02')).toBe('1984-03-02');
  });

  it('names the zone in hospital words, never as an abbreviation', () => {
    expect(timeZoneName('Europe/Lisbon')).toBe('Lisbon time');
    expect(timeZoneName('America/New_York')).toBe('New York time');
    expect(timeZoneName('UTC')).toBe('universal time');
    expect(createDateTimeFormatter(uk).dateTime('2026-07-01T12:00:00Z', { zone: true })).toBe('1 Jul 2026, 13:00 (London time)');
  });

  it('says "unknown" instead of "Invalid Date"', () => {
    const f = createDateTimeFormatter(uk);
    expect(f.date('not a date')).toBe('unknown date');
    expect(f.date('1984-02-30')).toBe('unknown date');
    expect(f.time('yesterday')).toBe('unknown time');
  });

  it('derives the default order and clock from the language', () => {
    expect(dateOrderOf('en-US')).toBe('mdy');
    expect(dateOrderOf('en-GB')).toBe('dmy');
    expect(dateOrderOf('sv-SE')).toBe('ymd');
    expect(hourCycleOf('en-US')).toBe('h12');
    expect(hourCycleOf('de-DE')).toBe('h23');
  });
});

describe('reading what the clerk types', () => {
  it('reads digits in the workstation order', () => {
    expect(createDateTimeFormatter(uk).parseDate('02/03/1984')).toEqual({ ok: true, value: '1984-03-02' });
    expect(createDateTimeFormatter(us).parseDate('02/03/1984')).toEqual({ ok: true, value: '1984-02-03' });
    expect(createDateTimeFormatter(uk).parseDate(' 2.3.1984 ')).toEqual({ ok: true, value: '1984-03-02' });
    expect(createDateTimeFormatter(us).parseDate('1984-03-02')).toEqual({ ok: true, value: '1984-03-02' });
    expect(createDateTimeFormatter(iso).parseDate('1984-3-2')).toEqual({ ok: true, value: '1984-03-02' });
  });

  it('refuses impossible and ambiguous input with a sentence saying what to type', () => {
    const us1 = createDateTimeFormatter(us).parseDate('31/12/1984');
    expect(us1).toEqual({ ok: false, message: expect.stringContaining('There is no month 31: this workstation reads dates as mm/dd/yyyy') });
    expect(createDateTimeFormatter(uk).parseDate('29/02/2023')).toEqual({ ok: false, message: expect.stringContaining('February 2023 has no day 29') });
    expect(createDateTimeFormatter(uk).parseDate('29/02/2024')).toEqual({ ok: true, value: '2024-02-29' });
    expect(createDateTimeFormatter(uk).parseDate('02/03/84')).toEqual({ ok: false, message: expect.stringContaining('four digits') });
    expect(createDateTimeFormatter(uk).parseDate('March 2nd')).toEqual({ ok: false, message: expect.stringContaining('Type the date as dd/mm/yyyy, for example 31/12/1984') });
    expect(createDateTimeFormatter(uk).parseDate('')).toEqual({ ok: false, message: expect.stringContaining('missing') });
  });

  it('reads times in either clock and asks for AM or PM when 12-hour input is ambiguous', () => {
    const h23 = createDateTimeFormatter(uk);
    const h12 = createDateTimeFormatter(us);
    expect(h23.parseTime('20:39')).toEqual({ ok: true, value: { hour: 20, minute: 39 } });
    expect(h23.parseTime('8.05')).toEqual({ ok: true, value: { hour: 8, minute: 5 } });
    expect(h12.parseTime('8:39 pm')).toEqual({ ok: true, value: { hour: 20, minute: 39 } });
    expect(h12.parseTime('12:10 AM')).toEqual({ ok: true, value: { hour: 0, minute: 10 } });
    expect(h12.parseTime('12 PM')).toEqual({ ok: true, value: { hour: 12, minute: 0 } });
    expect(h12.parseTime('20:39')).toEqual({ ok: true, value: { hour: 20, minute: 39 } });
    expect(h12.parseTime('8:39')).toEqual({ ok: false, message: expect.stringContaining('Add AM or PM') });
    expect(h23.parseTime('24:00')).toEqual({ ok: false, message: expect.stringContaining('no hour 24') });
    expect(h23.parseTime('10:75')).toEqual({ ok: false, message: expect.stringContaining('no minute 75') });
    expect(h12.parseTime('13:00 PM')).toEqual({ ok: false, message: expect.stringContaining('1 to 12') });
    expect(h23.parseTime('soon')).toEqual({ ok: false, message: expect.stringContaining('Type the time as hh:mm') });
  });

  it('turns a typed date and time into the instant of the workstation zone', () => {
    expect(createDateTimeFormatter(uk).parseDateTime('06/12/2026', '20:39')).toEqual({ ok: true, value: '2026-12-06T20:39:00.000Z' });
    expect(createDateTimeFormatter(uk).parseDateTime('01/07/2026', '13:00')).toEqual({ ok: true, value: '2026-07-01T12:00:00.000Z' });
    expect(createDateTimeFormatter(us).parseDateTime('12/06/2026', '8:39 PM')).toEqual({ ok: true, value: '2026-12-07T01:39:00.000Z' });
  });

  it('round-trips what it shows in the fields', () => {
    for (const prefs of [uk, us, iso]) {
      const f = createDateTimeFormatter(prefs);
      const at = '2026-12-06T20:39:00.000Z';
      expect(f.parseDateTime(f.dateInputValue(at), f.timeInputValue(at))).toEqual({ ok: true, value: at });
    }
  });

  it('refuses a time skipped when the clocks go forward, and reads a repeated time as the first one', () => {
    const london = createDateTimeFormatter(uk);
    // 29 March 2026: 01:00 GMT -> 02:00 BST; 01:30 never happens in London.
    expect(london.parseDateTime('29/03/2026', '01:30')).toEqual({ ok: false, message: expect.stringContaining('did not happen in London time: the clocks went forward') });
    expect(london.parseDateTime('29/03/2026', '00:59')).toEqual({ ok: true, value: '2026-03-29T00:59:00.000Z' });
    expect(london.parseDateTime('29/03/2026', '02:00')).toEqual({ ok: true, value: '2026-03-29T01:00:00.000Z' });
    // 25 October 2026: 02:00 BST -> 01:00 GMT; 01:30 happens twice, first at 00:30 UTC.
    expect(london.parseDateTime('25/10/2026', '01:30')).toEqual({ ok: true, value: '2026-10-25T00:30:00.000Z' });
    expect(london.time('2026-10-25T00:30:00Z')).toBe('01:30');
    expect(london.time('2026-10-25T01:30:00Z')).toBe('01:30');
    // Half-hour zones: India has no DST; Lord Howe Island moves its clocks by 30 minutes.
    expect(createDateTimeFormatter({ ...us, locale: 'en-IN', timeZone: 'Asia/Kolkata' }).parseDateTime('12/06/2026', '8:39 PM')).toEqual({ ok: true, value: '2026-12-06T15:09:00.000Z' });
    const lordHowe = createDateTimeFormatter({ ...uk, timeZone: 'Australia/Lord_Howe' });
    expect(lordHowe.parseDateTime('04/10/2026', '02:15')).toEqual({ ok: false, message: expect.stringContaining('did not happen in Lord Howe time') });
    expect(lordHowe.parseDateTime('04/10/2026', '02:30')).toEqual({ ok: true, value: '2026-10-03T15:30:00.000Z' });
    expect(lordHowe.parseDateTime('05/04/2026', '01:45')).toEqual({ ok: true, value: '2026-04-04T14:45:00.000Z' });
    // New York, 8 March 2026: 2:30 AM never happens.
    expect(createDateTimeFormatter(us).parseDateTime('03/08/2026', '2:30 AM')).toEqual({ ok: false, message: expect.stringContaining('2:30 AM on Mar 8, 2026 did not happen in New York time') });
  });
});

describe('the preferences schema', () => {
  it('accepts a known language and zone and refuses unknown ones with a sentence', () => {
    expect(DateTimePreferences.safeParse(uk).success).toBe(true);
    const zone = DateTimePreferences.safeParse({ ...uk, timeZone: 'Mars/Olympus' });
    expect(zone.success).toBe(false);
    expect(zone.error?.issues[0]?.message).toContain('not a time zone this workstation knows');
    expect(DateTimePreferences.safeParse({ ...uk, dateOrder: 'ydm' }).success).toBe(false);
  });
});
