import type { StaffRole } from '../../../src-shared/ipc/contract';
import type { OrganisationKind } from '../../../src-shared/organisations/roles';

export type ScreenId = 'admissions' | 'records' | 'claims' | 'credentialing' | 'privacy' | 'governance' | 'sync' | 'settings';

/** Who is signed in, as far as the navigation cares: their role at an organisation of a kind. */
export interface Viewer {
  role: StaffRole;
  organisationKind: OrganisationKind;
}

export interface ScreenEntry {
  id: ScreenId;
  /** The label in the navigation and the screen's heading. */
  label: string;
  /**
   * Who sees it: per organisation kind, the roles. The main process refuses calls outside the
   * role and kind anyway (ChannelAccess); this only hides.
   */
  audience: Partial<Record<OrganisationKind, readonly StaffRole[]>> | 'everyone';
}

/** In navigation order: the role's own work first, then what everyone shares. */
export const SCREENS: readonly ScreenEntry[] = [
  { id: 'admissions', label: 'Admissions desk', audience: { hospital: ['admissions'] } },
  { id: 'records', label: 'Patient records', audience: { hospital: ['clinician'] } },
  // A hospital's claims clerk sends claims; an insurer's claims clerk and adjudicator receive them.
  { id: 'claims', label: 'Claims', audience: { hospital: ['claims'], insurer: ['claims', 'adjudicator'] } },
  { id: 'credentialing', label: 'Credentialing', audience: { hospital: ['credentialing'] } },
  { id: 'privacy', label: 'Privacy & audit', audience: { hospital: ['privacy'] } },
  { id: 'governance', label: 'Governance', audience: { governance: ['governance-admin'] } },
  { id: 'sync', label: 'Sync', audience: 'everyone' },
  { id: 'settings', label: 'Workstation settings', audience: 'everyone' },
];

export function screensFor(viewer: Viewer): ScreenEntry[] {
  return SCREENS.filter((s) => s.audience === 'everyone' || (s.audience[viewer.organisationKind] ?? []).includes(viewer.role));
}

export function mayOpen(screen: ScreenId, viewer: Viewer): boolean {
  return screensFor(viewer).some((s) => s.id === screen);
}

/** The screen a person lands on after signing in. */
export function homeScreenFor(viewer: Viewer): ScreenId {
  return screensFor(viewer)[0]?.id ?? 'sync';
}
