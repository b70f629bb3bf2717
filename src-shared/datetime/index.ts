/**
 * The one date and time style of the workstation, used by the renderer and by main (the
 * wristband PDF, refusal sentences): `Intl` only, driven by the workstation's preferences
 * (language, date order, 12- or 24-hour clock, time zone) kept with its other settings.
 *
 * Two kinds of value cross this module and must not be confused:
 * - a calendar date ("YYYY-MM-DD": a birth date, a coverage start). It has no time zone: it is
 *   printed as written, never shifted a day by the zone the workstation is in.
 * - an instant (a Date or an ISO date-time: admitted at, locked at). It is shown as the wall
 *   clock of the workstation's time zone.
 *
 * Dates are shown with the month as a word in the chosen order ("2 Mar 1984", "Mar 2, 1984"),
 * so a shown date is never ambiguous; the clerk types dates as digits in the same order
 * ("02/03/1984"), and what is typed is read back in that order or refused with a sentence.
 *
 * Plain TypeScript: no node:*, no DOM.
 */
import { z } from 'zod';

export const DATE_ORDERS = ['dmy', 'mdy', 'ymd'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];
export const HOUR_CYCLES = ['h23', 'h12'] as const;
export type HourCycle = (typeof HOUR_CYCLES)[number];

function isKnownLocale(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length === 1;
  } catch {
    return false;
  }
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const DateTimePreferences = z
  .object({
    /** BCP 47 language tag: the language of month names and AM/PM. */
    locale: z.string().min(2).max(35).refine(isKnownLocale, 'This workstation does not know that language. Choose one from the list.'),
    dateOrder: z.enum(DATE_ORDERS),
    hourCycle: z.enum(HOUR_CYCLES),
    /** IANA time zone, e.g. "Europe/Lisbon": the hospital's wall clock. */
    timeZone: z.string().min(1).max(64).refine(isKnownTimeZone, 'That is not a time zone this workstation knows. Choose one from the list.'),
  })
  .strict();
export type DateTimePreferences = z.infer<typeof DateTimePreferences>;

/** The order a locale writes numeric dates in (en-US: mdy, en-GB: dmy, sv: ymd). */
export function dateOrderOf(locale: string): DateOrder {
  const order = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric', year: 'numeric', timeZone: 'UTC' })
    .formatToParts(new Date(Date.UTC(2000, 11, 31)))
    .map((p) => p.type)
    .filter((t) => t === 'day' || t === 'month' || t === 'year')
    .map((t) => t[0])
    .join('');
  return order === 'mdy' || order === 'ymd' ? order : 'dmy';
}

/** Whether a locale usually reads the clock in 12 hours (en-US) or 24 (en-GB, de). */
export function hourCycleOf(locale: string): HourCycle {
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h12' || cycle === 'h11' ? 'h12' : 'h23';
}

/** Preferences as the operating system would have them: its language and time zone. */
export function systemDateTimePreferences(): DateTimePreferences {
  const resolved = new Intl.DateTimeFormat().resolvedOptions();
  const locale = resolved.locale || 'en-GB';
  const timeZone = resolved.timeZone && isKnownTimeZone(resolved.timeZone) ? resolved.timeZone : 'UTC';
  return { locale, dateOrder: dateOrderOf(locale), hourCycle: hourCycleOf(locale), timeZone };
}

const UNIVERSAL_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'GMT', 'Etc/GMT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu']);

/**
 * A time zone as staff say it: "Lisbon time", "New York time"; the universal zone is
 * "universal time" (the abbreviation is jargon at a hospital desk).
 */
export function timeZoneName(timeZone: string): string {
  if (UNIVERSAL_ZONES.has(timeZone)) return 'universal time';
  const city = timeZone.split('/').pop() ?? timeZone;
  return `${city.replace(/_/g, ' ')} time`;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A value to show: a Date, an ISO date-time (instant) or "YYYY-MM-DD" (calendar date). */
export type DateValue = Date | string;

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Formats and reads dates and times in the workstation's style. Create one per preferences
 * (`createDateTimeFormatter`); the `Intl` formatters inside are built once.
 */
export class DateTimeFormatter {
  readonly preferences: DateTimePreferences;
  readonly #civil: Intl.DateTimeFormat;
  readonly #month: Intl.DateTimeFormat;
  readonly #time: Intl.DateTimeFormat;
  readonly #timeSeconds: Intl.DateTimeFormat;

  constructor(preferences: DateTimePreferences) {
    this.preferences = preferences;
    const { locale, hourCycle, timeZone } = preferences;
    this.#civil = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.#month = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' });
    const hour = hourCycle === 'h23' ? '2-digit' : 'numeric';
    this.#time = new Intl.DateTimeFormat(locale, { timeZone, hourCycle, hour, minute: '2-digit' });
    this.#timeSeconds = new Intl.DateTimeFormat(locale, { timeZone, hourCycle, hour, minute: '2-digit', second: '2-digit' });
  }

  // ---- showing ------------------------------------------------------------------------------

  /** A calendar date, or the date of an instant in the workstation's zone: "2 Mar 1984". */
  date(value: DateValue): string {
    const c = this.#civilOf(value);
    if (!c) return 'unknown date';
    const { dateOrder } = this.preferences;
    if (dateOrder === 'ymd') return `${c.year}-${pad2(c.month)}-${pad2(c.day)}`;
    const month = this.#month.format(new Date(Date.UTC(2000, c.month - 1, 15)));
    return dateOrder === 'mdy' ? `${month} ${c.day}, ${c.year}` : `${c.day} ${month} ${c.year}`;
  }

  /** The wall-clock time of an instant: "20:39" or "8:39 PM"; `seconds` for audit trails. */
  time(value: DateValue, options: { seconds?: boolean; zone?: boolean } = {}): string {
    const instant = this.#instantOf(value);
    if (!instant) return 'unknown time';
    const shown = (options.seconds ? this.#timeSeconds : this.#time).format(instant);
    return options.zone ? `${shown} (${this.zoneName()})` : shown;
  }

  /** "2 Mar 1984, 20:39"; `zone` adds "(Lisbon time)" where the reader may be elsewhere. */
  dateTime(value: DateValue, options: { seconds?: boolean; zone?: boolean } = {}): string {
    const instant = this.#instantOf(value);
    if (!instant) return 'unknown time';
    return `${this.date(instant)}, ${this.time(instant, options)}`;
  }

  /** The hospital's calendar date ("YYYY-MM-DD") of an instant: what "today" means at the desk. */
  calendarDate(value: DateValue): string {
    const c = this.#civilOf(value);
    return c ? `${c.year}-${pad2(c.month)}-${pad2(c.day)}` : '';
  }

  /** The workstation's time zone in hospital words: "Lisbon time". */
  zoneName(): string {
    return timeZoneName(this.preferences.timeZone);
  }

  // ---- typing ------------------------------------------------------------------------------

  /** What a date field asks for: "dd/mm/yyyy". */
  datePattern(): string {
    return { dmy: 'dd/mm/yyyy', mdy: 'mm/dd/yyyy', ymd: 'yyyy-mm-dd' }[this.preferences.dateOrder];
  }

  /** What a time field asks for: "hh:mm" or "h:mm AM/PM". */
  timePattern(): string {
    return this.preferences.hourCycle === 'h23' ? 'hh:mm' : 'h:mm AM/PM';
  }

  /** 31 December 1984 written the way a date field reads it, for hints. */
  dateExample(): string {
    return this.dateInputValue('1984-12-31');
  }

  /** A calendar date or an instant's date as the date field shows it: "02/03/1984". */
  dateInputValue(value: DateValue): string {
    const c = this.#civilOf(value);
    if (!c) return '';
    const [d, m, y] = [pad2(c.day), pad2(c.month), String(c.year)];
    return { dmy: `${d}/${m}/${y}`, mdy: `${m}/${d}/${y}`, ymd: `${y}-${m}-${d}` }[this.preferences.dateOrder];
  }

  /** An instant's wall-clock time as the time field shows it: "20:39" or "8:39 PM". */
  timeInputValue(value: DateValue): string {
    const c = this.#civilOf(value);
    return c ? this.#typedTime(c.hour, c.minute) : '';
  }

  #typedTime(hour: number, minute: number): string {
    if (this.preferences.hourCycle === 'h23') return `${pad2(hour)}:${pad2(minute)}`;
    const h = hour % 12 === 0 ? 12 : hour % 12;
    return `${h}:${pad2(minute)} ${hour < 12 ? 'AM' : 'PM'}`;
  }

  /**
   * What the clerk typed in a date field, read in the workstation's order; "YYYY-MM-DD" is
   * accepted whatever the order (it cannot be misread). Returns "YYYY-MM-DD".
   */
  parseDate(text: string): Parsed<string> {
    const typed = text.trim();
    const ask = `Type the date as ${this.datePattern()}, for example ${this.dateExample()}.`;
    if (typed === '') return { ok: false, message: `The date is missing. ${ask}` };
    const parts = typed.split(/\s*[/.\-\s]\s*/);
    if (parts.length !== 3 || parts.some((p) => !/^\d{1,4}$/.test(p))) {
      return { ok: false, message: `“${typed}” is not a date. ${ask}` };
    }
    const [a, b, c] = parts as [string, string, string];
    const order: DateOrder = a.length === 4 ? 'ymd' : this.preferences.dateOrder;
    const [y, m, d] = order === 'ymd' ? [a, b, c] : order === 'mdy' ? [c, a, b] : [c, b, a];
    if (y.length !== 4) return { ok: false, message: `Write the year with four digits (1984, not 84). ${ask}` };
    const year = Number(y);
    const month = Number(m);
    const day = Number(d);
    if (year < 1000) return { ok: false, message: `The year ${y} is not a usable year. ${ask}` };
    if (month < 1 || month > 12) {
      return { ok: false, message: `There is no month ${month}: this workstation reads dates as ${this.datePattern()}. ${ask}` };
    }
    const max = daysInMonth(year, month);
    if (day < 1 || day > max) {
      return { ok: false, message: `${MONTHS_EN[month - 1]} ${year} has no day ${day} (it has ${max} days). Check the day.` };
    }
    return { ok: true, value: `${year}-${pad2(month)}-${pad2(day)}` };
  }

  /**
   * A time typed in a time field. On a 12-hour workstation "8:30" could be morning or evening
   * and is refused until AM or PM is added; "20:30" cannot be misread and is accepted anywhere.
   */
  parseTime(text: string): Parsed<{ hour: number; minute: number }> {
    const typed = text.trim();
    const ask = `Type the time as ${this.timePattern()}, for example ${this.preferences.hourCycle === 'h23' ? '08:30 or 20:30' : '8:30 AM'}.`;
    if (typed === '') return { ok: false, message: `The time is missing. ${ask}` };
    const match = /^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:([ap])\.?\s*m\.?)?$/i.exec(typed);
    if (!match || (match[2] === undefined && match[3] === undefined)) return { ok: false, message: `“${typed}” is not a time. ${ask}` };
    let hour = Number(match[1]);
    const minute = match[2] === undefined ? 0 : Number(match[2]);
    if (minute > 59) return { ok: false, message: `An hour has no minute ${minute}. ${ask}` };
    const half = match[3]?.toLowerCase();
    if (half) {
      if (hour < 1 || hour > 12) return { ok: false, message: `With AM or PM the hour is 1 to 12, not ${hour}. ${ask}` };
      hour = (hour % 12) + (half === 'p' ? 12 : 0);
      return { ok: true, value: { hour, minute } };
    }
    if (hour > 23) return { ok: false, message: `A day has no hour ${hour}. ${ask}` };
    if (this.preferences.hourCycle === 'h12' && hour >= 1 && hour <= 12) {
      return { ok: false, message: `Morning or evening? Add AM or PM: ${hour}:${pad2(minute)} AM or ${hour}:${pad2(minute)} PM.` };
    }
    return { ok: true, value: { hour, minute } };
  }

  /**
   * A date and a time typed by the clerk, as the wall clock of the workstation's time zone,
   * to an instant (ISO, UTC). A time skipped when the clocks go forward is refused; a time
   * that happens twice when they go back is read as the first (earlier) one.
   */
  parseDateTime(dateText: string, timeText: string): Parsed<string> {
    const date = this.parseDate(dateText);
    if (!date.ok) return date;
    const time = this.parseTime(timeText);
    if (!time.ok) return time;
    const instant = this.instantAt(date.value, time.value.hour, time.value.minute);
    if (instant === null) {
      const wall = this.#typedTime(time.value.hour, time.value.minute);
      return {
        ok: false,
        message: `${wall} on ${this.date(date.value)} did not happen in ${this.zoneName()}: the clocks went forward. Check the time.`,
      };
    }
    return { ok: true, value: instant.toISOString() };
  }

  /** The instant at which the zone's wall clock read this date and time (earlier one if twice; null if never). */
  instantAt(calendarDate: string, hour: number, minute: number): Date | null {
    const m = CALENDAR_DATE.exec(calendarDate);
    if (!m) return null;
    const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute);
    const day = 86_400_000;
    const candidates = [...new Set([wall - this.#offsetAt(wall - day), wall - this.#offsetAt(wall + day)])]
      .filter((t) => t + this.#offsetAt(t) === wall)
      .sort((x, y) => x - y);
    return candidates.length === 0 ? null : new Date(candidates[0] as number);
  }

  // ---- internals -----------------------------------------------------------------------------

  /** The zone's offset from UTC, in ms, at an instant. */
  #offsetAt(t: number): number {
    const c = this.#civilOfInstant(new Date(Math.floor(t / 1000) * 1000));
    return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - Math.floor(t / 1000) * 1000;
  }

  #instantOf(value: DateValue): Date | null {
    const d = value instanceof Date ? value : CALENDAR_DATE.test(value) ? null : new Date(value);
    return d === null || Number.isNaN(d.getTime()) ? null : d;
  }

  #civilOf(value: DateValue): Civil | null {
    if (typeof value === 'string') {
      const m = CALENDAR_DATE.exec(value);
      if (m) {
        const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
        return { year, month, day, hour: 0, minute: 0, second: 0 };
      }
    }
    const instant = this.#instantOf(value);
    return instant ? this.#civilOfInstant(instant) : null;
  }

  #civilOfInstant(instant: Date): Civil {
    const out: Record<string, number> = {};
    for (const p of this.#civil.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
    return {
      year: out.year ?? 0,
      month: out.month ?? 1,
      day: out.day ?? 1,
      hour: (out.hour ?? 0) % 24,
      minute: out.minute ?? 0,
      second: out.second ?? 0,
    };
  }
}

export function createDateTimeFormatter(preferences: DateTimePreferences = systemDateTimePreferences()): DateTimeFormatter {
  return new DateTimeFormatter(preferences);
}

/** Languages offered under Workstation settings (any known tag is accepted by the schema). */
export const OFFERED_LOCALES: ReadonlyArray<{ tag: string; name: string }> = [
  { tag: 'en-GB', name: 'English (United Kingdom)' },
  { tag: 'en-US', name: 'English (United States)' },
  { tag: 'en-IE', name: 'English (Ireland)' },
  { tag: 'pt-PT', name: 'Português (Portugal)' },
  { tag: 'es-ES', name: 'Español (España)' },
  { tag: 'fr-FR', name: 'Français (France)' },
  { tag: 'de-DE', name: 'Deutsch (Deutschland)' },
  { tag: 'nl-NL', name: 'Nederlands (Nederland)' },
  { tag: 'pl-PL', name: 'Polski (Polska)' },
  { tag: 'sv-SE', name: 'Svenska (Sverige)' },
];
