/**
 * Locum credentialing, wired to the workstation: the cache, the sync engine's outbox and the
 * identity pipeline (the same verifier class and mirrors as the admission desk).
 */
import path from 'node:path';
import type { CacheDatabase } from '../cache/database';
import { DEMO_HOSPITAL_DID } from '../admission/demo-config';
import { createIdentityVerifier, FileDidWebCache } from '../identity';
import { CacheReplayStore, CacheStatusListMirror, CacheTrustRegistryMirror } from '../ledger/mirrors';
import { CredentialingService, type CredentialingLedger } from './locum-service';

export { CredentialingService } from './locum-service';
export type { CredentialingLedger, LocumStaff, LocumVerifier } from './locum-service';
export { credentialingAlertsApplier } from './alerts';
export { createCredentialingHandlers } from './handlers';

export interface CredentialingSettingsOptions {
  hospitalDid?: string;
  didWebCacheDir?: string;
  now?: () => Date;
}

/** Builds the credentialing service once the cache is open. */
export function createCredentialing(options: { db: CacheDatabase; ledger: CredentialingLedger; dataDir: string; settings?: CredentialingSettingsOptions }): CredentialingService {
  const s = options.settings ?? {};
  const hospitalDid = s.hospitalDid ?? process.env['CARELEDGER_HOSPITAL_DID'] ?? DEMO_HOSPITAL_DID;
  const didWebDir = s.didWebCacheDir ?? process.env['CARELEDGER_DID_WEB_CACHE'] ?? path.join(options.dataDir, 'did-web');
  const now = s.now ?? ((): Date => new Date());
  const verifier = createIdentityVerifier({
    hospitalDid,
    trustRegistry: new CacheTrustRegistryMirror(options.db),
    statusLists: new CacheStatusListMirror(options.db),
    replayStore: new CacheReplayStore(options.db, now),
    didWebCache: new FileDidWebCache(didWebDir),
  });
  return new CredentialingService({ db: options.db, ledger: options.ledger, verifier, hospitalDid, now });
}
