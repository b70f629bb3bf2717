import { create } from 'zustand';
import type { CacheRebuildReport, CacheState, IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';

interface CacheStore {
  /** null until the first answer from the service. */
  cache: CacheState | null;
  /** Set when the service could not even tell us the cache state. */
  loadError: IpcError | null;
  /** What the last rebuild of damaged local data did, shown until the user moves on. */
  rebuildReport: CacheRebuildReport | null;
  load: () => Promise<void>;
  apply: (state: CacheState) => void;
  setRebuildReport: (report: CacheRebuildReport | null) => void;
}

export const useCacheStore = create<CacheStore>()((set) => ({
  cache: null,
  loadError: null,
  rebuildReport: null,
  async load() {
    const result = await api['cache.state']({});
    if (result.ok) set({ cache: result.value, loadError: null });
    else set({ loadError: result.error });
  },
  apply(state) {
    set({ cache: state, loadError: null });
  },
  setRebuildReport(report) {
    set({ rebuildReport: report });
  },
}));
