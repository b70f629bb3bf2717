/**
 * The admission desk, wired to the workstation: the cache, the sync engine's outbox and the
 * identity pipeline reading the sync engine's mirrors (trust registry, status lists, replay).
 */
import path from 'node:path';
import type { CacheDatabase } from '../cache/database';
import { createIdentityVerifier, FileDidWebCache } from '../identity';
import { CacheReplayStore, CacheStatusListMirror, CacheTrustRegistryMirror } from '../ledger/mirrors';
import { DEMO_HOSPITAL_DID } from './demo-config';
import { parsePseudonymKeys, type PseudonymKey } from './pseudonym';
import { AdmissionDeskService, type AdmissionDeskOptions, type DeskLedger } from './desk-service';

export { AdmissionDeskService } from './desk-service';
export type { AdmissionDeskOptions, DeskLedger, DeskVerifier } from './desk-service';
export type { AdmissionDesk, DeskStaff } from './desk';
export { createAdmissionHandlers } from './handlers';

export interface AdmissionSettings {
  /** This hospital's DID (default: CARELEDGER_HOSPITAL_DID, else the demo hospital). */
  hospitalDid?: string;
  /** Offline did:web documents of the issuers (default: CARELEDGER_DID_WEB_CACHE, else <dataDir>/did-web). */
  didWebCacheDir?: string;
  printPdf?: AdmissionDeskOptions['printPdf'];
  now?: () => Date;
  /** The hospital's patient pseudonym keys (default: CARELEDGER_PSEUDONYM_KEYS, `version:hex,…`; none: the workstation's own). */
  pseudonymKeys?: readonly PseudonymKey[];
}

/** Builds the desk once the cache is open. */
export function createAdmissionDesk(options: { db: CacheDatabase; ledger: DeskLedger; dataDir: string; settings?: AdmissionSettings }): AdmissionDeskService {
  const s = options.settings ?? {};
  const hospitalDid = s.hospitalDid ?? process.env['CARELEDGER_HOSPITAL_DID'] ?? DEMO_HOSPITAL_DID;
  const didWebDir = s.didWebCacheDir ?? process.env['CARELEDGER_DID_WEB_CACHE'] ?? path.join(options.dataDir, 'did-web');
  const now = s.now ?? ((): Date => new Date());
  const configuredKeys = process.env['CARELEDGER_PSEUDONYM_KEYS'];
  const pseudonymKeys = s.pseudonymKeys ?? (configuredKeys ? parsePseudonymKeys(configuredKeys) : undefined);
  const replayStore = new CacheReplayStore(options.db, now);
  const verifier = createIdentityVerifier({
    hospitalDid,
    trustRegistry: new CacheTrustRegistryMirror(options.db),
    statusLists: new CacheStatusListMirror(options.db),
    replayStore,
    didWebCache: new FileDidWebCache(didWebDir),
  });
  return new AdmissionDeskService({
    db: options.db,
    ledger: options.ledger,
    verifier,
    hospitalDid,
    now,
    replayStore,
    ...(pseudonymKeys ? { pseudonymKeys } : {}),
    ...(s.printPdf ? { printPdf: s.printPdf } : {}),
  });
}
