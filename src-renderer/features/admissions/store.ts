import { create } from 'zustand';
import type {
  AdmissionRecord,
  DeskOptions,
  PatientSummary,
  ScanResult,
  ScanSource,
} from '../../../src-shared/admission/schemas';
import type { IpcError, RequestOf } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';

export type VerifiedScan = Extract<ScanResult, { status: 'verified' }>;
export type CollectingScan = Extract<ScanResult, { status: 'collecting' }>;

/** Which patient record the admission goes to: one picked from the matches, or a new one. */
export type PatientChoice = { kind: 'existing'; patientId: string } | { kind: 'new'; confirmNotDuplicate: boolean };

/** Transfer or discharge of a stay, asked for from the scan flow (the patient is already admitted). */
export interface MovementRequest {
  kind: 'transfer' | 'discharge';
  admissionId: string;
}

/** The desk's tabs. The scan tab is the default: a queue of wallet patients is the common case. */
export type DeskTab = 'scan' | 'current' | 'no-wallet' | 'merge';

interface DeskStore {
  tab: DeskTab;
  options: DeskOptions | null;
  optionsError: IpcError | null;
  /** A multi-part code being collected. */
  collecting: CollectingScan | null;
  /** The verified (or refused) presentation, until the clerk admits or starts over. */
  scan: VerifiedScan | null;
  /** Source of the scan on screen, for the audit trail. */
  scanSource: ScanSource | null;
  /** A manual or emergency patient being admitted without a wallet. */
  walletlessPatient: PatientSummary | null;
  choice: PatientChoice | null;
  admitted: AdmissionRecord | null;
  busy: boolean;
  error: IpcError | null;
  /** Bumped whenever the scanner field should take the focus again (new patient, error). */
  focusTick: number;
  /** Opened on the Current admissions tab: the patient at the desk is already admitted. */
  movement: MovementRequest | null;

  setTab: (tab: DeskTab) => void;
  loadOptions: () => Promise<void>;
  submitScan: (text: string, source: ScanSource) => Promise<void>;
  override: (request: Omit<RequestOf<'admission.override'>, 'scanId'>) => Promise<boolean>;
  choose: (choice: PatientChoice) => void;
  admit: (form: Omit<RequestOf<'admission.admit'>, 'scanId' | 'patient'>) => Promise<void>;
  admitWithoutWallet: (patient: PatientSummary) => void;
  reconcile: (patientId: string) => Promise<PatientSummary | null>;
  startOver: () => Promise<void>;
  clearError: () => void;
  openMovement: (movement: MovementRequest) => void;
  clearMovement: () => void;
}

/** The choice preselected after a scan: the wallet's own record when it exists, else none. */
function defaultChoice(scan: VerifiedScan): PatientChoice | null {
  if (!scan.accepted) return null;
  const same = scan.matches.find((m) => m.strength === 'same-wallet');
  if (same) return { kind: 'existing', patientId: same.patient.patientId };
  // With no candidate at all there is nothing to confuse: a new record is the only answer.
  if (scan.matches.length === 0) return { kind: 'new', confirmNotDuplicate: false };
  // Candidates without the same wallet: the clerk must look and decide (patient safety).
  return null;
}

export const useDeskStore = create<DeskStore>()((set, get) => ({
  tab: 'scan',
  options: null,
  optionsError: null,
  collecting: null,
  scan: null,
  scanSource: null,
  walletlessPatient: null,
  choice: null,
  admitted: null,
  busy: false,
  error: null,
  focusTick: 0,
  movement: null,

  setTab(tab) {
    set({ tab, error: null });
  },

  async loadOptions() {
    const result = await api['admission.deskOptions']({});
    if (result.ok) set({ options: result.value, optionsError: null });
    else set({ optionsError: result.error });
  },

  async submitScan(text, source) {
    const trimmed = text.trim();
    if (trimmed.length === 0 || get().busy) return;
    set({ busy: true, error: null });
    const result = await api['admission.scan']({ text: trimmed, source });
    if (!result.ok) {
      set((s) => ({ busy: false, error: result.error, focusTick: s.focusTick + 1 }));
      return;
    }
    const value = result.value;
    if (value.status === 'collecting') {
      set((s) => ({ busy: false, collecting: value, focusTick: s.focusTick + 1 }));
      return;
    }
    set({
      busy: false,
      collecting: null,
      scan: value,
      scanSource: source,
      walletlessPatient: null,
      choice: defaultChoice(value),
      admitted: null,
    });
  },

  async override(request) {
    const scan = get().scan;
    if (!scan) return false;
    set({ busy: true, error: null });
    const result = await api['admission.override']({ ...request, scanId: scan.scanId });
    if (!result.ok) {
      set({ busy: false, error: result.error });
      return false;
    }
    if (result.value.status !== 'verified') {
      set({ busy: false });
      return false;
    }
    set({ busy: false, scan: result.value, choice: defaultChoice(result.value) });
    return true;
  },

  choose(choice) {
    set({ choice, error: null });
  },

  async admit(form) {
    const { scan, choice, walletlessPatient } = get();
    let patient: RequestOf<'admission.admit'>['patient'];
    if (walletlessPatient) patient = { patientId: walletlessPatient.patientId };
    else if (choice?.kind === 'existing') patient = { patientId: choice.patientId };
    else if (choice?.kind === 'new')
      patient = { createFromScan: true, confirmNotDuplicate: choice.confirmNotDuplicate };
    else return;
    set({ busy: true, error: null });
    const result = await api['admission.admit']({
      ...form,
      ...(scan && !walletlessPatient ? { scanId: scan.scanId } : {}),
      patient,
    });
    if (!result.ok) {
      set({ busy: false, error: result.error });
      // A bed taken meanwhile (another desk): offer the beds free now.
      if (result.error.code === 'CONFLICT') void get().loadOptions();
      return;
    }
    set({ busy: false, admitted: result.value });
    // The bed just taken is no longer free, here or in the next patient's form.
    void get().loadOptions();
  },

  admitWithoutWallet(patient) {
    set({
      tab: 'scan',
      walletlessPatient: patient,
      scan: null,
      collecting: null,
      choice: { kind: 'existing', patientId: patient.patientId },
      admitted: null,
      error: null,
    });
  },

  async reconcile(patientId) {
    const scan = get().scan;
    if (!scan) return null;
    set({ busy: true, error: null });
    const result = await api['patients.reconcile']({ patientId, scanId: scan.scanId });
    if (!result.ok) {
      set({ busy: false, error: result.error });
      return null;
    }
    set({ busy: false, choice: { kind: 'existing', patientId: result.value.patientId } });
    return result.value;
  },

  async startOver() {
    // Forget a half-collected multi-part code in main too, so the next patient's parts never mix in.
    if (get().collecting) await api['admission.clearScan']({});
    set((s) => ({
      collecting: null,
      scan: null,
      scanSource: null,
      walletlessPatient: null,
      choice: null,
      admitted: null,
      error: null,
      busy: false,
      tab: 'scan',
      focusTick: s.focusTick + 1,
    }));
  },

  clearError() {
    set({ error: null });
  },

  openMovement(movement) {
    set({ tab: 'current', movement, error: null });
  },

  clearMovement() {
    set({ movement: null });
  },
}));
