import { create } from 'zustand';
import type { IpcError, SyncState } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';

interface SyncStore {
  sync: SyncState | null;
  error: IpcError | null;
  load: () => Promise<void>;
  apply: (state: SyncState) => void;
  clear: () => void;
}

export const useSyncStore = create<SyncStore>()((set) => ({
  sync: null,
  error: null,
  async load() {
    const result = await api['sync.state']({});
    if (result.ok) set({ sync: result.value, error: null });
    else set({ error: result.error });
  },
  apply(state) {
    set({ sync: state, error: null });
  },
  clear() {
    set({ sync: null, error: null });
  },
}));
