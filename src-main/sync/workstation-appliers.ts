/**
 * The event appliers, by a name the sync thread can be given: closures cannot cross to a
 * worker thread, so the thread imports this module and looks its set up by name.
 *
 * `workstation` is what the workstation runs (services.ts); `careledger` the chaincode's own
 * mirrors (trust registry, status lists, sanctions, consents, admissions), which is what a
 * SyncService gets when it is given no appliers.
 */
import { bedOccupancyApplier } from '../admission/occupancy';
import { claimsTimelineApplier } from '../claims/claims-applier';
import { credentialingAlertsApplier } from '../credentialing/alerts';
import type { EventApplier } from '../ledger/inbox';
import { CARELEDGER_APPLIERS } from '../ledger/mirrors';
import { organisationRegistryApplier } from '../organisations/registry-mirror';
import { chartRevocationApplier } from '../records/revocation';

export const APPLIER_SETS = {
  careledger: CARELEDGER_APPLIERS,
  // The desk's bed occupancy comes from the ledger's admission events too (other desks' patients).
  workstation: [...CARELEDGER_APPLIERS, organisationRegistryApplier, bedOccupancyApplier, credentialingAlertsApplier, claimsTimelineApplier, chartRevocationApplier],
} as const satisfies Record<string, readonly EventApplier[]>;

export type ApplierSetName = keyof typeof APPLIER_SETS;
