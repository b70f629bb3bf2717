/**
 * Revocation reaches the chart through the inbox: when the `Consent.Revoked` event is applied,
 * the records that consent released are purged from the cache in the SAME transaction that
 * applies the event (the inbox applies a batch's events, checkpoint included, in one
 * transaction), so no cached record outlives the revocation on this workstation. An open chart
 * notices at its next check (ChartService.stillOpen), within one sync.
 */
import type { EventApplier } from '../ledger/inbox';
import { purgeConsent } from './chart-store';

export const chartRevocationApplier: EventApplier = {
  mirror: 'chart-records',
  events: ['Consent.Revoked'],
  async apply(w, event) {
    const payload = event.payload as { consentId?: unknown } | null;
    if (typeof payload?.consentId !== 'string' || payload.consentId.length === 0)
      throw new Error(`event ${event.name} names no consentId`);
    await purgeConsent(w, payload.consentId);
  },
};
