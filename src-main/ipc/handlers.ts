/**
 * The contract's channels mapped onto the services. Each handler only translates: the
 * dispatcher has already checked the sender, the request and the role.
 */
import { createAdmissionHandlers } from '../admission/handlers';
import type { AdmissionDesk } from '../admission/desk';
import { createCredentialingHandlers, type CredentialingService } from '../credentialing';
import type { CacheService } from '../cache/cache-service';
import { createClaimsHandlers, type ClaimsService } from '../claims';
import { organisationRegistryView } from '../organisations/registry-mirror';
import { createRecordsHandlers, type RecordsServices } from '../records/handlers';
import type { SessionService } from '../session/session-service';
import { DateTimeSettings } from '../settings/date-time-settings';
import type { SyncService } from '../sync/sync-service';
import { notConfiguredSyncState } from '../sync/sync-state';
import type { StartState } from '../../src-shared/ipc/contract';
import type { Handlers } from './dispatcher';

export interface HandlerServices {
  cache: CacheService;
  session: SessionService;
  sync?: SyncService;
  dateTime?: DateTimeSettings;
  /** The admission desk, once the cache is open (undefined before: its channels answer CACHE_LOCKED). */
  admissionDesk?: () => AdmissionDesk | undefined;
  /** The claims desk, once the cache is open. */
  claims?: () => ClaimsService | undefined;
  /** Locum credentialing, once the cache is open. */
  credentialing?: () => CredentialingService | undefined;
  /** The clinician's chart and the privacy office, once the cache is open. */
  records?: () => RecordsServices | undefined;
}

/**
 * The first screen's state in one answer. Nothing beyond the cache state while it is not open;
 * the staff list only while signed out (what the sign-in screen shows), and a list that cannot be
 * read is left out rather than failing the whole answer: the sign-in screen then asks for it
 * itself and shows that refusal with its own "Try again".
 */
async function startState(cache: CacheService, session: SessionService, dateTime: DateTimeSettings): Promise<StartState> {
  const cacheState = cache.state();
  if (cacheState.status !== 'open') return { cache: cacheState, session: null, identities: null, dateTime: null };
  const sessionState = session.state();
  const identities = sessionState.status === 'signed-out' ? await session.listIdentities().catch(() => null) : null;
  return { cache: cacheState, session: sessionState, identities, dateTime: dateTime.state() };
}

export function createHandlers({ cache, session, sync, dateTime = new DateTimeSettings(), admissionDesk, credentialing, claims, records }: HandlerServices): Handlers {
  return {
    'cache.state': () => Promise.resolve(cache.state()),
    'cache.setUp': (r) => cache.setUp(r),
    'cache.unlock': (r) => cache.unlock(r),
    'cache.checkIntegrity': () => cache.checkIntegrity(),
    'cache.rebuild': () => cache.rebuild(),
    'cache.importOutbox': (r) => cache.importOutboxExportText(r.exportFileText),

    'session.state': () => Promise.resolve(session.state()),
    'session.listIdentities': () => session.listIdentities(),
    'session.enrolmentOrganisation': () => session.enrolmentOrganisation(),
    'session.importIdentity': (r) => session.importIdentity(r),
    'session.signIn': (r) => session.signIn(r),
    'session.unlock': (r) => session.unlock(r),
    'session.lock': () => session.lock(),
    'session.signOut': () => session.signOut(),
    'session.activity': () => Promise.resolve(session.activity()),
    'session.setAutoLock': (r) => session.setAutoLock(r.minutes),

    'settings.dateTime': () => Promise.resolve(dateTime.state()),
    'settings.setDateTime': (r) => dateTime.save(r),
    'workstation.startState': () => startState(cache, session, dateTime),

    'sync.state': () => (sync ? sync.state() : Promise.resolve(notConfiguredSyncState())),
    'sync.problems': (r) => (sync ? sync.problems(r.limit) : Promise.resolve([])),
    'sync.waiting': (r) => (sync ? sync.waiting(r.limit) : Promise.resolve([])),
    'sync.retry': async (r) => {
      if (!sync) return notConfiguredSyncState();
      await sync.retry(r.seq);
      return sync.state();
    },
    'sync.discard': async (r) => {
      if (!sync) return notConfiguredSyncState();
      await sync.discard(r.seq);
      return sync.state();
    },

    'audit.signInEvents': (r) => session.signInEvents(r.limit),
    'organisations.registry': () => organisationRegistryView(cache.database()),

    ...createAdmissionHandlers(admissionDesk ?? (() => undefined)),
    ...createClaimsHandlers(claims ?? (() => undefined)),
    ...createCredentialingHandlers(credentialing ?? (() => undefined)),
    ...createRecordsHandlers(records ?? (() => undefined)),
  };
}
