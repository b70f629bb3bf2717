import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { api, onCallError } from '../lib/api';
import { LockScreen } from '../features/lock/LockScreen';
import { useSessionStore } from '../features/session/store';
import { useDateTimeStore } from '../features/settings/date-time-store';
import { CacheErrorScreen, RebuildReportScreen } from '../features/setup/CacheErrorScreen';
import { CacheUnlockScreen } from '../features/setup/CacheUnlockScreen';
import { SetupScreen } from '../features/setup/SetupScreen';
import { useCacheStore } from '../features/setup/store';
import { useShellStore } from '../features/shell/store';
import type * as AppShellModule from '../features/shell/AppShell';
import { SignInScreen } from '../features/sign-in/SignInScreen';
import { useSyncStore } from '../features/sync/store';
import { AuthLayout } from '../ui/AuthLayout';
import { loadOpenCacheState, needsOpenCacheLoads } from './start-state';
import { Loading } from '../ui/Loading';
import { ErrorNotice } from '../ui/Notice';

/**
 * The signed-in workstation (the shell and every feature screen behind it) is most of the
 * bundle, and the sign-in screen needs none of it: it is a separate chunk, fetched in the
 * background once the first screen is up, so signing in does not wait for it either.
 */
const loadAppShell = (): Promise<typeof AppShellModule> => import('../features/shell/AppShell');
const AppShell = lazy(() => loadAppShell().then((m) => ({ default: m.AppShell })));
const APP_SHELL_PREFETCH_DELAY_MS = 300;

/**
 * Which screen is shown follows from two pieces of state owned by the main process: the
 * encrypted cache (set up? unlocked?) and the staff session (signed out, locked, signed
 * in). The renderer keeps copies, updated from call results and pushed events, and never
 * decides them on its own.
 */
export function App(): ReactNode {
  const cache = useCacheStore((s) => s.cache);
  const cacheError = useCacheStore((s) => s.loadError);
  const loadCache = useCacheStore((s) => s.load);
  const rebuildReport = useCacheStore((s) => s.rebuildReport);
  const session = useSessionStore((s) => s.session);
  const sessionError = useSessionStore((s) => s.loadError);
  const loadSession = useSessionStore((s) => s.load);
  // Every screen shows dates: render again when the workstation's date and time style changes.
  useDateTimeStore((s) => s.version);

  useEffect(() => {
    const unsubscribe = api.onEvent((event) => {
      if (event.type === 'session') useSessionStore.getState().apply(event.state);
      else if (event.type === 'sync') useSyncStore.getState().apply(event.state);
      else if (event.type === 'dateTime') useDateTimeStore.getState().apply(event.state);
      else useCacheStore.getState().apply(event.state);
    });
    // A call that meets a damaged cache file while this page still shows it open: ask the
    // service for the cache's state, so the damaged-data screen (with its rebuild) takes over.
    const offCallErrors = onCallError((error) => {
      if (error.code === 'CACHE_CORRUPT') void loadCache();
    });
    return () => {
      unsubscribe();
      offCallErrors();
    };
  }, [loadCache]);

  const cacheOpen = cache?.status === 'open';
  useEffect(() => {
    // Open from the start, the start state brings the session, staff list and date style; opened
    // later (set up, unlocked, rebuilt, or after a retry), they are asked for here.
    if (cacheOpen && needsOpenCacheLoads()) loadOpenCacheState();
  }, [cacheOpen]);

  useResetOnUserChange();

  const firstScreenUp = session !== null;
  useEffect(() => {
    if (!firstScreenUp) return;
    const timer = window.setTimeout(() => void loadAppShell().catch(() => undefined), APP_SHELL_PREFETCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [firstScreenUp]);

  if (cache === null) {
    return (
      <AuthLayout testId="starting-screen" title="Starting CareLedger">
        {cacheError ? (
          <ErrorNotice error={cacheError}>
            {/* Without a valid token, trying again cannot help; the message says what will. */}
            {cacheError.code === 'FORBIDDEN_SENDER' ? null : (
              <button type="button" className="btn" onClick={() => void loadCache()}>
                Try again
              </button>
            )}
          </ErrorNotice>
        ) : (
          <Loading label="Connecting to the workstation service…" />
        )}
      </AuthLayout>
    );
  }
  switch (cache.status) {
    case 'needs-setup':
      return <SetupScreen keyProtection={cache.keyProtection} />;
    case 'locked':
      return <CacheUnlockScreen keyProtection={cache.keyProtection} needsRecovery={cache.needsRecovery} />;
    case 'error':
      return <CacheErrorScreen error={cache.error} onRetry={() => void loadCache()} />;
    case 'open':
      break;
  }
  if (rebuildReport) {
    return <RebuildReportScreen report={rebuildReport} onDone={() => useCacheStore.getState().setRebuildReport(null)} />;
  }

  if (session === null) {
    return (
      <AuthLayout testId="starting-screen" title="Starting CareLedger">
        {sessionError ? (
          <ErrorNotice error={sessionError}>
            <button type="button" className="btn" onClick={() => void loadSession()}>
              Try again
            </button>
          </ErrorNotice>
        ) : (
          <Loading label="Checking who is signed in…" />
        )}
      </AuthLayout>
    );
  }
  switch (session.status) {
    case 'signed-out':
      return <SignInScreen />;
    case 'locked':
      return <LockScreen identity={session.identity} lockedAt={session.lockedAt} />;
    case 'signed-in':
      return (
        <Suspense
          fallback={
            <AuthLayout testId="opening-screen" title="Opening CareLedger">
              <Loading label="Opening your workstation…" />
            </AuthLayout>
          }
        >
          <AppShell identity={session.identity} locksAt={session.locksAt} />
        </Suspense>
      );
  }
}

/** A new person at the keyboard starts on their own home screen with fresh sync state. */
function useResetOnUserChange(): void {
  const identityId = useSessionStore((s) =>
    s.session && s.session.status !== 'signed-out' ? s.session.identity.id : null,
  );
  const previous = useRef<string | null>(identityId);
  useEffect(() => {
    if (previous.current !== identityId) {
      previous.current = identityId;
      useShellStore.getState().reset();
      useSyncStore.getState().clear();
    }
  }, [identityId]);
}
