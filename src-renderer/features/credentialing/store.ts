import { create } from 'zustand';
import type { CredentialingOptions, LocumAlert, LocumScanResult, LocumVerification, PrivilegeLine } from '../../../src-shared/credentialing/schemas';
import type { IpcError, RequestOf } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';

export type CredentialingTab = 'verify' | 'tracker' | 'policy';
type Collecting = Extract<LocumScanResult, { status: 'collecting' }>;

interface CredentialingStore {
  tab: CredentialingTab;
  options: CredentialingOptions | null;
  collecting: Collecting | null;
  verification: LocumVerification | null;
  granted: PrivilegeLine | null;
  privileges: PrivilegeLine[] | null;
  alerts: LocumAlert[];
  busy: boolean;
  error: IpcError | null;
  setTab: (tab: CredentialingTab) => void;
  load: () => Promise<void>;
  submitScan: (text: string, source: RequestOf<'credentialing.scan'>['source']) => Promise<void>;
  openFile: (fileText: string) => Promise<void>;
  startOver: () => Promise<void>;
  grant: (request: Omit<RequestOf<'credentialing.grant'>, 'verificationId'>) => Promise<boolean>;
  recordRefusal: () => Promise<void>;
  refreshVerification: () => Promise<void>;
  loadPrivileges: () => Promise<void>;
  loadAlerts: () => Promise<void>;
  change: (kind: 'suspend' | 'reinstate' | 'expire', privilegeId: string, reason?: RequestOf<'credentialing.suspend'>['reason']) => Promise<void>;
  resolveAlert: (alertId: number, action: 'suspend' | 'acknowledge') => Promise<void>;
  saveOptions: (options: CredentialingOptions) => void;
  setError: (error: IpcError | null) => void;
}

export const useCredentialingStore = create<CredentialingStore>((set, get) => ({
  tab: 'verify',
  options: null,
  collecting: null,
  verification: null,
  granted: null,
  privileges: null,
  alerts: [],
  busy: false,
  error: null,
  setTab: (tab) => set({ tab }),
  load: async () => {
    const result = await api['credentialing.options']({});
    if (result.ok) set({ options: result.value });
    else set({ error: result.error });
    await get().loadAlerts();
  },
  submitScan: async (text, source) => {
    set({ busy: true, error: null });
    const result = await api['credentialing.scan']({ text, source });
    if (!result.ok) set({ busy: false, error: result.error });
    else if (result.value.status === 'collecting') set({ busy: false, collecting: result.value });
    else set({ busy: false, collecting: null, verification: result.value.verification, granted: null });
  },
  openFile: async (fileText) => {
    set({ busy: true, error: null });
    const result = await api['credentialing.openPresentation']({ fileText });
    if (!result.ok) set({ busy: false, error: result.error });
    else if (result.value.status === 'collecting') set({ busy: false, collecting: result.value });
    else set({ busy: false, collecting: null, verification: result.value.verification, granted: null });
  },
  startOver: async () => {
    await api['credentialing.clearScan']({});
    set({ collecting: null, verification: null, granted: null, error: null });
  },
  grant: async (request) => {
    const v = get().verification;
    if (!v) return false;
    set({ busy: true, error: null });
    const result = await api['credentialing.grant']({ ...request, verificationId: v.verificationId });
    if (!result.ok) {
      set({ busy: false, error: result.error });
      return false;
    }
    set({ busy: false, granted: result.value });
    await get().refreshVerification();
    return true;
  },
  recordRefusal: async () => {
    const v = get().verification;
    if (!v) return;
    set({ busy: true, error: null });
    const result = await api['credentialing.recordRefusal']({ verificationId: v.verificationId });
    if (result.ok) set({ busy: false, verification: result.value });
    else set({ busy: false, error: result.error });
  },
  refreshVerification: async () => {
    const v = get().verification;
    if (!v) return;
    const result = await api['credentialing.verification']({ verificationId: v.verificationId });
    if (result.ok) set({ verification: result.value });
    const g = get().granted;
    if (g) {
      const lines = await api['credentialing.privileges']({ includeEnded: true, limit: 10_000 });
      if (lines.ok) set({ granted: lines.value.find((l) => l.privilegeId === g.privilegeId) ?? g });
    }
  },
  loadPrivileges: async () => {
    const result = await api['credentialing.privileges']({ includeEnded: false, limit: 5000 });
    if (result.ok) set({ privileges: result.value });
    else set({ error: result.error });
  },
  loadAlerts: async () => {
    const result = await api['credentialing.alerts']({ includeClosed: false });
    if (result.ok) set({ alerts: result.value });
  },
  change: async (kind, privilegeId, reason) => {
    set({ busy: true, error: null });
    const result =
      kind === 'suspend'
        ? await api['credentialing.suspend']({ privilegeId, reason: reason ?? 'other' })
        : kind === 'reinstate'
          ? await api['credentialing.reinstate']({ privilegeId })
          : await api['credentialing.expire']({ privilegeId });
    set({ busy: false, ...(result.ok ? {} : { error: result.error }) });
    await get().loadPrivileges();
  },
  resolveAlert: async (alertId, action) => {
    set({ busy: true, error: null });
    const result = await api['credentialing.resolveAlert']({ alertId, action });
    if (result.ok) set({ busy: false, alerts: result.value });
    else set({ busy: false, error: result.error });
    await get().loadPrivileges();
  },
  saveOptions: (options) => set({ options }),
  setError: (error) => set({ error }),
}));
