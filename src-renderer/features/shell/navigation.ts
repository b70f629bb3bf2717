import type { StaffRole } from '../../../src-shared/ipc/contract';

export type ScreenId = 'admissions' | 'records' | 'claims' | 'credentialing' | 'privacy' | 'sync' | 'settings';

export interface ScreenEntry {
  id: ScreenId;
  /** The label in the navigation and the screen's heading. */
  label: string;
  /** Who sees it. The main process refuses calls outside the role anyway; this only hides. */
  roles: readonly StaffRole[] | 'everyone';
}

/** In navigation order: the role's own work first, then what everyone shares. */
export const SCREENS: readonly ScreenEntry[] = [
  { id: 'admissions', label: 'Admissions desk', roles: ['admissions'] },
  { id: 'records', label: 'Patient records', roles: ['clinician'] },
  { id: 'claims', label: 'Claims', roles: ['claims'] },
  { id: 'credentialing', label: 'Credentialing', roles: ['credentialing'] },
  { id: 'privacy', label: 'Privacy & audit', roles: ['privacy'] },
  { id: 'sync', label: 'Sync', roles: 'everyone' },
  { id: 'settings', label: 'Workstation settings', roles: 'everyone' },
];

export function screensFor(role: StaffRole): ScreenEntry[] {
  return SCREENS.filter((s) => s.roles === 'everyone' || s.roles.includes(role));
}

export function mayOpen(screen: ScreenId, role: StaffRole): boolean {
  return screensFor(role).some((s) => s.id === screen);
}

/** The screen a role lands on after signing in. */
export function homeScreenFor(role: StaffRole): ScreenId {
  return screensFor(role)[0]?.id ?? 'sync';
}
