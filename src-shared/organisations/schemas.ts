/**
 * What the governance workstation shows of the ledger's registries, as mirrored on this
 * workstation: registered organisations and their kinds, and which issuers are trusted for which
 * credential types. Public registry data only. Plain TypeScript: no electron, no node:*, no DOM.
 */
import { z } from 'zod';
import { OrganisationKind } from './roles';

export const RegisteredOrganisation = z.object({
  mspId: z.string(),
  kind: OrganisationKind,
  did: z.string(),
  name: z.string(),
  registeredAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type RegisteredOrganisation = z.infer<typeof RegisteredOrganisation>;

export const TrustedIssuerEntry = z.object({
  issuerDid: z.string(),
  /** The MSP that operates the issuer (its DID's organisation), and that organisation's name when registered. */
  operatorMspId: z.string(),
  operatorName: z.string().nullable(),
  credentialTypes: z.array(z.string()),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  /** Removed from the registry (kept for the history of earlier checks). */
  removed: z.boolean(),
});
export type TrustedIssuerEntry = z.infer<typeof TrustedIssuerEntry>;

export const OrganisationRegistryView = z.object({
  organisations: z.array(RegisteredOrganisation),
  issuers: z.array(TrustedIssuerEntry),
  /**
   * When this workstation last knew its copy matched the ledger (the older of the two mirrors);
   * null when it has never read the registry (not synced yet).
   */
  asOf: z.string().nullable(),
});
export type OrganisationRegistryView = z.infer<typeof OrganisationRegistryView>;
