import type { StaffRole } from '../../src-shared/ipc/contract';

const ROLE_LABELS: Record<StaffRole, string> = {
  admissions: 'Admissions',
  clinician: 'Clinician',
  claims: 'Claims',
  credentialing: 'Credentialing',
  privacy: 'Privacy officer',
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

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

export function formatTime(date: Date | string): string {
  return timeFormat.format(typeof date === 'string' ? new Date(date) : date);
}

export function formatDateTime(date: Date | string): string {
  return dateTimeFormat.format(typeof date === 'string' ? new Date(date) : date);
}

export function formatDate(date: Date | string): string {
  return dateFormat.format(typeof date === 'string' ? new Date(date) : date);
}
