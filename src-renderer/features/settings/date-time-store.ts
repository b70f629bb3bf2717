import { create } from 'zustand';
import type { DateTimePreferences } from '../../../src-shared/datetime';
import type { DateTimeSettingsState, IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { applyDateTimePreferences } from '../../lib/format';

interface DateTimeStore {
  /** null until main has answered; the browser's own style applies meanwhile. */
  settings: DateTimeSettingsState | null;
  /** Bumped on every change so the screens showing dates render again. */
  version: number;
  load: () => Promise<void>;
  save: (preferences: DateTimePreferences) => Promise<IpcError | null>;
  /** A change pushed by main (saved in another window, or the cache just opened). */
  apply: (settings: DateTimeSettingsState) => void;
}

/** The workstation's date and time style, as main keeps it with the other workstation settings. */
export const useDateTimeStore = create<DateTimeStore>()((set, get) => ({
  settings: null,
  version: 0,
  async load() {
    const result = await api['settings.dateTime']({});
    if (!result.ok) return;
    applyDateTimePreferences(result.value.preferences);
    set({ settings: result.value, version: get().version + 1 });
  },
  async save(preferences) {
    const result = await api['settings.setDateTime'](preferences);
    if (!result.ok) return result.error;
    applyDateTimePreferences(result.value.preferences);
    set({ settings: result.value, version: get().version + 1 });
    return null;
  },
  apply(settings) {
    applyDateTimePreferences(settings.preferences);
    set({ settings, version: get().version + 1 });
  },
}));
