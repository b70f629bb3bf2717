/**
 * What the admission desk offers the IPC layer. The implementation is `AdmissionDeskService`
 * (desk-service.ts); this interface keeps the handlers and tests independent of its wiring.
 */
import type { z } from 'zod';
import type {
  AdmissionListItem,
  AdmissionRecord,
  AdmitRequest,
  DeskOptions,
  DischargeRequest,
  ManualRegistrationRequest,
  MergeRequest,
  OverrideRequest,
  PatientMatch,
  PatientSearchRequest,
  PatientSummary,
  ReconcileRequest,
  ScanResult,
  ScanSource,
  TransferRequest,
  UnidentifiedRegistrationRequest,
  WristbandDocument,
  WristbandRequest,
} from '../../src-shared/admission/schemas';

/** The signed-in member of staff making the call. */
export interface DeskStaff {
  id: string;
  displayName: string;
}

export interface AdmissionDesk {
  deskOptions(): Promise<DeskOptions>;
  scan(staff: DeskStaff, text: string, source: ScanSource): Promise<ScanResult>;
  clearScan(staff: DeskStaff): { cleared: boolean };
  override(staff: DeskStaff, request: z.output<typeof OverrideRequest>): Promise<ScanResult>;
  admit(staff: DeskStaff, request: z.output<typeof AdmitRequest>): Promise<AdmissionRecord>;
  transfer(staff: DeskStaff, request: z.output<typeof TransferRequest>): Promise<AdmissionRecord>;
  discharge(staff: DeskStaff, request: z.output<typeof DischargeRequest>): Promise<AdmissionRecord>;
  getAdmission(admissionId: string): Promise<AdmissionRecord>;
  listAdmissions(request: { includeDischarged: boolean; limit: number }): Promise<AdmissionListItem[]>;
  wristband(staff: DeskStaff, request: z.output<typeof WristbandRequest>): Promise<WristbandDocument>;
  searchPatients(request: z.output<typeof PatientSearchRequest>): Promise<PatientMatch[]>;
  registerManual(staff: DeskStaff, request: z.output<typeof ManualRegistrationRequest>): Promise<PatientSummary>;
  registerUnidentified(staff: DeskStaff, request: z.output<typeof UnidentifiedRegistrationRequest>): Promise<PatientSummary>;
  merge(staff: DeskStaff, request: z.output<typeof MergeRequest>): Promise<PatientSummary>;
  reconcile(staff: DeskStaff, request: z.output<typeof ReconcileRequest>): Promise<PatientSummary>;
}
