import { createDateTimeFormatter, type DateTimeFormatter, type DateTimePreferences } from '../../src-shared/datetime';
import type { StaffRole } from '../../src-shared/ipc/contract';

const ROLE_LABELS: Record<StaffRole, string> = {
  admissions: 'Admissions',
  clinician: 'Clinician',
  claims: 'Claims',
  credentialing: 'Credentialing',
  privacy: 'Privacy officer',
  adjudicator: 'Adjudicator',
  'governance-admin': 'Governance administrator',
  'board-officer': 'Medical board officer',
};

export function roleLabel(role: StaffRole): string {
  return ROLE_LABELS[role];
}

/**
 * MSP IDs are technical (`Hospital1MSP`); staff know the organisation by name. Until the
 * organisation directory exists we show the MSP ID without its conventional suffix.
 */
export function organisationLabel(mspId: string): string {
  return mspId.replace(/MSP$/, '').replace(/([a-z])([A-Z0-9])/g, '$1 $2');
}

// ---- dates and times: one style for the whole workstation (src-shared/datetime) -----------

/**
 * Built on first use, not when the bundle is evaluated: working out the browser's own style
 * (its default locale) costs ~30 ms of a first screen that usually shows no date, and the
 * workstation's preferences usually arrive before any date is shown.
 */
let current: DateTimeFormatter | null = null;
let preferred: DateTimePreferences | null = null;

function dates(): DateTimeFormatter {
  current ??= preferred ? createDateTimeFormatter(preferred) : createDateTimeFormatter();
  return current;
}

/** Switch every date and time on screen to the workstation's preferences (from main). */
export function applyDateTimePreferences(preferences: DateTimePreferences): void {
  preferred = preferences;
  current = null;
}

/** The formatter for date and time fields (patterns, parsing what the clerk typed). */
export function dateTimeStyle(): DateTimeFormatter {
  return dates();
}

/** A calendar date ("YYYY-MM-DD", never shifted by the zone) or an instant's date: "2 Mar 1984". */
export function formatDate(value: Date | string): string {
  return dates().date(value);
}

/** An instant's wall-clock time: "20:39" or "8:39 PM". */
export function formatTime(value: Date | string): string {
  return dates().time(value);
}

/** "6 Dec 2026, 20:39"; `seconds` where order within a minute matters (audit trails). */
export function formatDateTime(value: Date | string, options: { seconds?: boolean; zone?: boolean } = {}): string {
  return dates().dateTime(value, options);
}
