/**
 * The claims desk, wired to the workstation once the cache is open: the cache, the sync engine
 * (outbox writes, settlements, own-peer reads) and, for the timeline, the inbox applier that
 * services.ts registers with the other mirrors.
 */
import type { CacheDatabase } from '../cache/database';
import { ClaimsService, type ClaimsLedger } from './claims-service';

export { ClaimsService, CLAIM_OPERATIONS } from './claims-service';
export type { ClaimsStaff, ClaimsLedger } from './claims-service';
export { claimsTimelineApplier } from './claims-applier';
export { createClaimsHandlers } from './handlers';

export function createClaimsService(options: { db: CacheDatabase; ledger: ClaimsLedger; now?: () => Date }): ClaimsService {
  return new ClaimsService({
    db: options.db,
    ledger: options.ledger,
    currency: process.env['CARELEDGER_CLAIM_CURRENCY'] ?? 'USD',
    ...(options.now ? { now: options.now } : {}),
  });
}
