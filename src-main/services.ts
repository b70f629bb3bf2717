/**
 * The main-process services, wired once and shared by both transports (Electron IPC and the
 * web host). Nothing here imports electron: the OS keychain comes in as an interface.
 *
 * Data-dir layout:
 *   <dataDir>/cache/careledger.db (+ -wal, -shm)   the SQLCipher cache
 *   <dataDir>/cache/key.json                       the wrapped cache key (never plain)
 */
import path from 'node:path';
import { createAdmissionDesk, type AdmissionDeskService, type AdmissionSettings } from './admission';
import { CacheService } from './cache/cache-service';
import { createClaimsService, type ClaimsService } from './claims';
import { createCredentialing, type CredentialingService } from './credentialing';
import type { Keychain } from './cache/keychain';
import { systemClock, type Clock } from './clock';
import type { ScryptParams } from './crypto/secret-box';
import { EventBus } from './events';
import { createDispatcher, type DispatchLog, type Dispatcher } from './ipc/dispatcher';
import { createRecordsServices, type RecordsServices } from './records';
import { DEMO_HOSPITAL_DID } from './admission/demo-config';
import { createHandlers } from './ipc/handlers';
import type { ChannelMspCheck } from './ledger/channel-msp';
import type { OrganisationCa } from './session/organisation-ca';
import { SessionService } from './session/session-service';
import { DateTimeSettings } from './settings/date-time-settings';
import { registeredKind } from './organisations/registry-mirror';
import { ledgerOptionsFromEnv, resolveLedgerSettings, type LedgerOptions } from './sync/ledger-settings';
import { SyncService } from './sync/sync-service';

export interface WorkstationOptions {
  dataDir: string;
  keychain: Keychain | null;
  clock?: Clock;
  /** Validate responses against the contract (development and tests). */
  validateResponses?: boolean;
  scrypt?: ScryptParams;
  log?: DispatchLog;
  /** Session tuning, for tests. */
  maxWrongPins?: number;
  lockoutBaseMs?: number;
  /** Where the ledger is; default from CARELEDGER_GATEWAY_CONFIG / CARELEDGER_DEVNET_BUNDLE. */
  ledger?: LedgerOptions;
  /**
   * The organisation whose staff may enrol, when it does not come with the ledger settings
   * (the demo without a ledger, tests). Default: the ledger settings' MSP definition.
   */
  organisationCa?: () => Promise<OrganisationCa | null>;
  /** Admission desk settings (hospital DID, offline did:web folder, printer). */
  admission?: AdmissionSettings;
}

export interface Workstation {
  dispatcher: Dispatcher;
  events: EventBus;
  cache: CacheService;
  session: SessionService;
  sync: SyncService;
  /** Looks at the cache files and opens the cache when the keychain can. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createWorkstation(options: WorkstationOptions): Workstation {
  const clock = options.clock ?? systemClock;
  const events = new EventBus();
  const cache = new CacheService({
    dir: path.join(options.dataDir, 'cache'),
    keychain: options.keychain,
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    onChange: (state) => events.publish({ type: 'cache', state }),
  });
  const organisationCa = options.organisationCa ?? (async () => (await resolveLedgerSettings(options.ledger ?? ledgerOptionsFromEnv()))?.organisationCa ?? null);
  const sync: SyncService = new SyncService({
    settings: () => resolveLedgerSettings(options.ledger ?? ledgerOptionsFromEnv()),
    organisationCa,
    session: { signingIdentity: () => session.signingIdentity() },
    publish: (state) => events.publish({ type: 'sync', state }),
    // The outbox drains on the sync thread: a backlog never runs on the thread answering the UI.
    offThread: true,
    // Named, so the sync thread runs the inbox as well (workstation-appliers.ts lists them).
    appliers: 'workstation',
  });
  cache.onOpen((db) => sync.start(db));
  // A damaged cache file: stop sending from it; the rebuild starts the engine on the fresh cache.
  cache.onDamaged(() => void sync.close().catch(() => undefined));
  // Re-imported ledger changes: wake the sync engine to send them.
  cache.onImported(() => sync.signersChanged());
  const dateTime = new DateTimeSettings({
    onChange: (state) => {
      events.publish({ type: 'dateTime', state });
      sync.datePreferencesChanged(state.preferences);
    },
  });
  cache.onOpen((db) => dateTime.load(db));
  let admissionDesk: AdmissionDeskService | undefined;
  let claims: ClaimsService | undefined;
  cache.onOpen((db) => {
    claims = createClaimsService({ db, ledger: sync });
    return Promise.resolve();
  });
  let credentialing: CredentialingService | undefined;
  cache.onOpen((db) => {
    credentialing = createCredentialing({ db, ledger: sync, dataDir: options.dataDir, ...(options.admission?.hospitalDid ? { settings: { hospitalDid: options.admission.hospitalDid } } : {}) });
    return Promise.resolve();
  });
  let records: RecordsServices | undefined;
  cache.onOpen((db) => {
    records = createRecordsServices({
      db,
      sync,
      dataDir: options.dataDir,
      hospitalDid: options.admission?.hospitalDid ?? process.env['CARELEDGER_HOSPITAL_DID'] ?? DEMO_HOSPITAL_DID,
      ...(options.admission?.didWebCacheDir ? { didWebCacheDir: options.admission.didWebCacheDir } : {}),
      signedIn: () => {
        const s = session.signingIdentity();
        return s ? { id: s.summary.id, mspId: s.summary.mspId, signing: { certificatePem: s.certificatePem, privateKey: s.privateKey } } : null;
      },
    });
    return Promise.resolve();
  });
  cache.onOpen((db) => {
    admissionDesk = createAdmissionDesk({ db, ledger: sync, dataDir: options.dataDir, ...(options.admission ? { settings: options.admission } : {}) });
    return Promise.resolve();
  });
  const session = new SessionService({
    cache,
    clock,
    organisationCa,
    // Once online, the configured CAs are cross-checked with the channel configuration.
    channelMsp: (): ChannelMspCheck => sync.channelMsp(),
    // The organisation's kind: the Governance registry's word once the mirror knows it.
    registeredKind: async (mspId) => registeredKind(cache.database(), mspId),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    ...(options.maxWrongPins !== undefined ? { maxWrongPins: options.maxWrongPins } : {}),
    ...(options.lockoutBaseMs !== undefined ? { lockoutBaseMs: options.lockoutBaseMs } : {}),
    onChange: (state) => {
      events.publish({ type: 'session', state });
      // Sign-in or lock changes who can sign queued ledger writes.
      sync.signersChanged();
      // Scanned wallet data (PHI) does not outlive the session that scanned it.
      if (state.status === 'signed-out') {
        admissionDesk?.forgetScans();
        credentialing?.forgetScans();
      }
    },
  });
  const dispatcher = createDispatcher({
    handlers: createHandlers({ cache, session, sync, dateTime, admissionDesk: () => admissionDesk, credentialing: () => credentialing, claims: () => claims, records: () => records }),
    session,
    validateResponses: options.validateResponses ?? true,
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    dispatcher,
    events,
    cache,
    session,
    sync,
    start: async () => {
      await cache.start();
    },
    close: async () => {
      session.dispose();
      await sync.close();
      await cache.close();
    },
  };
}
