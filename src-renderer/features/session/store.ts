import { create } from 'zustand';
import type { EnrolledStaffIdentity, IpcError, SessionState, StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';

interface SessionStore {
  /** null until the first answer from the service. */
  session: SessionState | null;
  loadError: IpcError | null;
  /** Enrolled staff identities for the sign-in screen; null until loaded. */
  identities: EnrolledStaffIdentity[] | null;
  identitiesError: IpcError | null;
  /**
   * True when the list came with the start state (lib/api.ts `loadStartState`) and the sign-in
   * screen has not mounted since: that first mount need not ask again.
   */
  identitiesFromStart: boolean;
  load: () => Promise<void>;
  /** Takes a session state read by this page (the first one read locks a signed-in session). */
  adopt: (state: SessionState) => Promise<void>;
  loadIdentities: () => Promise<void>;
  /** The staff list as the start state brought it. */
  setStartIdentities: (identities: EnrolledStaffIdentity[], beforeScreen: boolean) => void;
  apply: (state: SessionState) => void;
}

/**
 * True until this page has read the session once. A new page load (the browser reopened on the
 * address with its token, a reload, a new window) never resumes a signed-in session without the
 * PIN: it locks the session first, so whoever opens the page sees the lock screen.
 */
let firstLoadOfThisPage = true;

export const useSessionStore = create<SessionStore>()((set, get) => ({
  session: null,
  loadError: null,
  identities: null,
  identitiesError: null,
  identitiesFromStart: false,
  async load() {
    const result = await api['session.state']({});
    if (!result.ok) {
      set({ loadError: result.error });
      return;
    }
    await get().adopt(result.value);
  },
  async adopt(state) {
    if (firstLoadOfThisPage) {
      firstLoadOfThisPage = false;
      if (state.status === 'signed-in') {
        const locked = await api['session.lock']({});
        if (locked.ok) set({ session: locked.value, loadError: null });
        else set({ loadError: locked.error });
        return;
      }
    }
    set({ session: state, loadError: null });
  },
  setStartIdentities(identities, beforeScreen) {
    set({ identities, identitiesError: null, identitiesFromStart: beforeScreen });
  },
  async loadIdentities() {
    // Asked for as soon as the cache is open (so the sign-in screen has the list on its first
    // render) and again by the screen itself; each answer is the list as it is then.
    const result = await api['session.listIdentities']({});
    if (!result.ok) {
      set({ identitiesError: result.error });
      return;
    }
    // An unchanged list is not set again: re-rendering the radios while someone is already
    // tabbing through them must not happen for nothing.
    const current = get().identities;
    if (current !== null && JSON.stringify(current) === JSON.stringify(result.value)) {
      if (get().identitiesError !== null) set({ identitiesError: null });
      return;
    }
    set({ identities: result.value, identitiesError: null });
  },
  apply(state) {
    set({ session: state, loadError: null });
  },
}));

/** The signed-in identity, or null when signed out or locked. */
export function useSignedInIdentity(): StaffIdentitySummary | null {
  return useSessionStore((s) => (s.session?.status === 'signed-in' ? s.session.identity : null));
}
