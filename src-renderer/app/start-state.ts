/**
 * The first screen's state, from one call (`workstation.startState`, sent by the entry before
 * the bundle was evaluated), handed to the stores that own each part. The stores keep their own
 * loaders for everything after the start: a retry, a cache opened later, a pushed change.
 *
 * The web host's event stream also sends the cache and session states when it connects, and
 * may beat the start call's answer; while that answer is on its way nothing asks for the same
 * things again (on a busy workstation those extra calls only slow the answer down).
 */
import { loadStartState } from '../lib/api';
import { useSessionStore } from '../features/session/store';
import { useDateTimeStore } from '../features/settings/date-time-store';
import { useCacheStore } from '../features/setup/store';

let pending = false;
/** True from a start state that opened the cache until App's effect for an open cache has run once. */
let coveredOpenCache = false;

/** Whether the start call's answer is still on its way (it will bring the session, staff list and date style). */
export function startStatePending(): boolean {
  return pending;
}

/**
 * Whether what an open cache shows (the session, the staff list and the date style) needs asking
 * for: not while the start call is on its way, nor right after it brought them. Consumes the
 * start's coverage: the next opening of the cache (after a rebuild, say) asks again.
 */
export function needsOpenCacheLoads(): boolean {
  if (pending) return false;
  const covered = coveredOpenCache;
  coveredOpenCache = false;
  return !covered;
}

/** Asks for what an open cache shows, side by side. */
export function loadOpenCacheState(): void {
  void useSessionStore.getState().load();
  // The sign-in screen's staff list, fetched alongside the session instead of after it.
  void useSessionStore.getState().loadIdentities();
  // The style is kept in the encrypted cache: read it once the cache is open (before sign-in).
  void useDateTimeStore.getState().load();
}

export async function loadFirstScreen(): Promise<void> {
  pending = true;
  let result: Awaited<ReturnType<typeof loadStartState>>;
  try {
    result = await loadStartState();
  } finally {
    pending = false;
  }
  if (!result.ok) {
    // A pushed event opened the cache meanwhile: ask for the rest one by one, as App would have.
    if (useCacheStore.getState().cache?.status === 'open') loadOpenCacheState();
    // Otherwise the starting screen shows the sentence and its "Try again" (which asks for the cache state).
    else useCacheStore.setState({ loadError: result.error });
    return;
  }
  const { cache, session, identities, dateTime } = result.value;
  // Dates first, so the first screen shows them in the workstation's style.
  if (dateTime) useDateTimeStore.getState().apply(dateTime);
  // (If a pushed session state already put the sign-in screen up, that screen has mounted and
  // skipped its own ask; the flag would otherwise wrongly spare its next mount.)
  if (identities) useSessionStore.getState().setStartIdentities(identities, useSessionStore.getState().session === null);
  // Signed out, but the list could not be read: ask for it alone, so the sign-in screen says why.
  else if (session?.status === 'signed-out') void useSessionStore.getState().loadIdentities();
  if (session) {
    // Unless a pushed event opened the cache in the meantime (App's effect has run for it then).
    coveredOpenCache = cache.status === 'open' && useCacheStore.getState().cache?.status !== 'open';
    // A signed-in session found by a new page is locked before anything shows (adopt waits for that).
    await useSessionStore.getState().adopt(session);
  }
  useCacheStore.getState().apply(cache);
}
