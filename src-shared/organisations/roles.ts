/**
 * Which staff roles belong to which kind of organisation.
 *
 * A workstation belongs to one organisation (one MSP), and that organisation is of one kind:
 * the same words as the chaincode's `OrgKind` (ledger/chaincode/src/lib/validate.ts), because
 * the Governance registry on the ledger is where a kind is decided. A role only means something
 * inside the kind it belongs to: `claims` exists at a hospital (billing the insurer) and at an
 * insurer (receiving the claim), `adjudicator` only at an insurer. Enrolment, the IPC
 * dispatcher and the navigation all ask this one table.
 *
 * `gatekeeper` and `issuer` are service roles (the record gatekeeper, a credential issuer):
 * nobody signs in to a workstation with them, so they are not StaffRoles and not listed here.
 *
 * Plain TypeScript: no electron, no node:*, no DOM.
 */
import { z } from 'zod';
import type { StaffRole } from '../ipc/contract';

export const OrganisationKind = z.enum(['hospital', 'insurer', 'medical-board', 'governance']);
export type OrganisationKind = z.infer<typeof OrganisationKind>;
export const ORGANISATION_KINDS: readonly OrganisationKind[] = OrganisationKind.options;

/** The roles each kind of organisation signs in with, in the order the UI lists them. */
export const ROLES_BY_KIND = {
  hospital: ['admissions', 'clinician', 'claims', 'credentialing', 'privacy'],
  insurer: ['claims', 'adjudicator'],
  governance: ['governance-admin'],
  'medical-board': ['board-officer'],
} as const satisfies Record<OrganisationKind, readonly StaffRole[]>;

export type RoleOf<K extends OrganisationKind> = (typeof ROLES_BY_KIND)[K][number];
export type HospitalRole = RoleOf<'hospital'>;
export type InsurerRole = RoleOf<'insurer'>;

/** The roles of one kind of organisation. */
export function rolesOf(kind: OrganisationKind): readonly StaffRole[] {
  return ROLES_BY_KIND[kind];
}

/** Whether staff of an organisation of `kind` may hold `role`. */
export function roleBelongsTo(role: StaffRole, kind: OrganisationKind): boolean {
  return (ROLES_BY_KIND[kind] as readonly StaffRole[]).includes(role);
}

/** The kinds of organisation whose staff may hold `role`. */
export function kindsWithRole(role: StaffRole): OrganisationKind[] {
  return ORGANISATION_KINDS.filter((kind) => roleBelongsTo(role, kind));
}

/** How a kind is named in a sentence: 'a hospital', 'an insurer', … */
export const KIND_IN_A_SENTENCE: Readonly<Record<OrganisationKind, string>> = {
  hospital: 'a hospital',
  insurer: 'an insurer',
  'medical-board': 'a medical board',
  governance: 'the governance body',
};

/** How a kind is named as a label: 'Hospital', 'Insurer', … */
export const KIND_LABEL: Readonly<Record<OrganisationKind, string>> = {
  hospital: 'Hospital',
  insurer: 'Insurer',
  'medical-board': 'Medical board',
  governance: 'Governance',
};
