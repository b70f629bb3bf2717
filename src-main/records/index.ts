/**
 * The chart and the privacy office, wired to the workstation once the cache is open: the sync
 * engine's outbox (access entries, reviews), its connection (ledger reads signed by the person
 * signed in), the record gatekeepers found through the Governance registry and did:web
 * documents, and the anchor check of every released record.
 */
import path from 'node:path';
import type { CacheDatabase } from '../cache/database';
import { FileDidWebCache } from '../identity';
import type { SyncService } from '../sync/sync-service';
import { ChartService } from './chart-service';
import { HttpRecordGatekeepers, type StaffSigningKey } from './gatekeeper-client';
import { LedgerAnchorVerifier, ledgerQueriesFor, type LedgerQueries } from './ledger-reads';
import { PrivacyOffice } from './privacy-office';
import type { RecordsServices } from './handlers';

export { createRecordsHandlers, type RecordsServices } from './handlers';
export { chartRevocationApplier } from './revocation';

export interface RecordsWiring {
  db: CacheDatabase;
  sync: SyncService;
  dataDir: string;
  hospitalDid: string;
  hospitalName?: string;
  /** The signed-in person: id (for ledger reads) and signing key (for gatekeeper requests). */
  signedIn: () => { id: string; mspId: string; signing: StaffSigningKey } | null;
  didWebCacheDir?: string;
}

export function createRecordsServices(o: RecordsWiring): RecordsServices {
  const queries = (staffId: string): LedgerQueries | null =>
    o.sync.connection?.status() === 'online' ? ledgerQueriesFor(o.sync, staffId) : null;
  const current = (): LedgerQueries | null => {
    const s = o.signedIn();
    return s ? queries(s.id) : null;
  };
  const didWebDir = o.didWebCacheDir ?? process.env['CARELEDGER_DID_WEB_CACHE'] ?? path.join(o.dataDir, 'did-web');
  const hospitalMspId = (): string | null => o.signedIn()?.mspId ?? o.sync.connection?.settings.mspId ?? null;
  const ledger = {
    transact: o.sync.transact.bind(o.sync),
    online: (): boolean => o.sync.connection?.status() === 'online',
  };
  const chart = new ChartService({
    db: o.db,
    ledger,
    hospitalDid: o.hospitalDid,
    hospitalMspId,
    gatekeepers: new HttpRecordGatekeepers({
      ledger: current,
      didWeb: new FileDidWebCache(didWebDir),
      identity: () => o.signedIn()?.signing ?? null,
    }),
    anchors: new LedgerAnchorVerifier(current),
  });
  const privacy = new PrivacyOffice({
    db: o.db,
    ledger,
    queries,
    hospitalMspId,
    hospitalName: o.hospitalName ?? 'This hospital',
  });
  return { chart, privacy };
}
