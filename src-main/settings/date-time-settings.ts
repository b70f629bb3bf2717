/**
 * The workstation's date and time preferences (language, date order, 12/24-hour clock, time
 * zone), kept with its other settings in the encrypted cache's `workstation_setting` table
 * under one key. Until the cache is open, or when nothing was chosen yet, the operating
 * system's language and zone apply.
 *
 * Main builds sentences and documents with dates deep inside services (the verification
 * pipeline's refusals, the wristband PDF): those ask `workstationDates()` for the current
 * formatter instead of each taking the preferences as a parameter. There is one workstation
 * per process, so one current formatter.
 */
import {
  DateTimePreferences,
  createDateTimeFormatter,
  systemDateTimePreferences,
  type DateTimeFormatter,
} from '../../src-shared/datetime';
import type { DateTimeSettingsState } from '../../src-shared/ipc/contract';
import type { CacheDatabase } from '../cache/database';
import { sql } from '../cache/sql';
import { DomainError } from '../errors';

const KEY = 'dateTimePreferences';

let current: DateTimeFormatter = createDateTimeFormatter(systemDateTimePreferences());

/** The formatter for the workstation's current preferences. */
export function workstationDates(): DateTimeFormatter {
  return current;
}

/** Sets the current style without storing it: for tests, and for tools that run without a cache. */
export function setWorkstationDates(preferences: DateTimePreferences = systemDateTimePreferences()): void {
  current = createDateTimeFormatter(preferences);
}

export class DateTimeSettings {
  #db: CacheDatabase | null = null;
  #stored = false;
  readonly #onChange: (state: DateTimeSettingsState) => void;

  /** `onChange`: the style now in force (after the cache opened, or a change was saved), for the open windows. */
  constructor(options: { onChange?: (state: DateTimeSettingsState) => void } = {}) {
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Reads the stored preferences once the cache is open; unusable stored values fall back to the system's. */
  async load(db: CacheDatabase): Promise<void> {
    this.#db = db;
    const row = await db.read((r) => r.get<{ value: string }>(sql`SELECT value FROM workstation_setting WHERE key = ${KEY}`));
    let parsed: DateTimePreferences | null = null;
    if (row) {
      try {
        const result = DateTimePreferences.safeParse(JSON.parse(row.value));
        if (result.success) parsed = result.data;
      } catch {
        parsed = null;
      }
    }
    this.#stored = parsed !== null;
    current = createDateTimeFormatter(parsed ?? systemDateTimePreferences());
    this.#onChange(this.state());
  }

  state(): DateTimeSettingsState {
    return { preferences: current.preferences, chosen: this.#stored, system: systemDateTimePreferences() };
  }

  /** @throws DomainError CACHE_LOCKED before the cache is open. */
  async save(preferences: DateTimePreferences): Promise<DateTimeSettingsState> {
    const db = this.#db;
    if (!db) throw new DomainError('CACHE_LOCKED', 'Open the workstation’s encrypted data first, then change the date and time settings.');
    const value = JSON.stringify(preferences);
    await db.write((w) =>
      w.run(sql`INSERT INTO workstation_setting (key, value) VALUES (${KEY}, ${value}) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
    );
    this.#stored = true;
    current = createDateTimeFormatter(preferences);
    this.#onChange(this.state());
    return this.state();
  }
}
