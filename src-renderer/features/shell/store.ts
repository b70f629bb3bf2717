import { create } from 'zustand';
import type { ScreenId } from './navigation';

interface ShellStore {
  /** The open screen; null means "the role's home screen". */
  current: ScreenId | null;
  open: (screen: ScreenId) => void;
  reset: () => void;
}

export const useShellStore = create<ShellStore>()((set) => ({
  current: null,
  open(screen) {
    set({ current: screen });
  },
  reset() {
    set({ current: null });
  },
}));
