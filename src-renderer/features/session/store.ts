import { create } from 'zustand';
import type { IpcError, SessionState, StaffIdentitySummary } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';

interface SessionStore {
  /** null until the first answer from the service. */
  session: SessionState | null;
  loadError: IpcError | null;
  /** Enrolled staff identities for the sign-in screen; null until loaded. */
  identities: StaffIdentitySummary[] | null;
  identitiesError: IpcError | null;
  load: () => Promise<void>;
  loadIdentities: () => Promise<void>;
  apply: (state: SessionState) => void;
}

export const useSessionStore = create<SessionStore>()((set) => ({
  session: null,
  loadError: null,
  identities: null,
  identitiesError: null,
  async load() {
    const result = await api['session.state']({});
    if (result.ok) set({ session: result.value, loadError: null });
    else set({ loadError: result.error });
  },
  async loadIdentities() {
    const result = await api['session.listIdentities']({});
    if (result.ok) set({ identities: result.value, identitiesError: null });
    else set({ identitiesError: result.error });
  },
  apply(state) {
    set({ session: state, loadError: null });
  },
}));

/** The signed-in identity, or null when signed out or locked. */
export function useSignedInIdentity(): StaffIdentitySummary | null {
  return useSessionStore((s) => (s.session?.status === 'signed-in' ? s.session.identity : null));
}
