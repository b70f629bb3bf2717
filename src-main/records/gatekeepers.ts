/**
 * What the chart needs from the hospitals' record gatekeepers (docs/formats/record-exchange.md):
 * ask each one for a patient's records, and hear back per hospital what was released, what was
 * withheld and why, or that it could not be reached. The HTTP client is `HttpRecordGatekeepers`
 * (gatekeeper-client.ts); tests give their own.
 */
import type { BreakGlassReason, PurposeOfUse, RecordCategory } from '../../src-shared/records/schemas';

export interface RecordsRequest {
  patientDid: string;
  purpose: PurposeOfUse;
  categories: readonly RecordCategory[];
  /** `urn:uuid:…`, the same in the workstation's access entry (§7). */
  requestId: string;
  breakGlass?: { reasonCode: BreakGlassReason; noteSha256: string };
  /** Only resources changed after this time (the last answer's `meta.lastUpdated`), per hospital. */
  since?: Readonly<Record<string, string>>;
}

export interface ReleasedResources {
  ok: true;
  mspId: string;
  name: string;
  /** FHIR R4 resources as released, each with its anchor extension. */
  resources: object[];
  /** category -> the gatekeeper's sentence, for categories it withheld. */
  withheld: Readonly<Record<string, string>>;
  /** Resources the gatekeeper or this workstation skipped (invalid, too large), one note each. */
  skipped: string[];
  /** The answer's `meta.lastUpdated`, for the next `_since`. */
  asOf: string | null;
}

export interface UnreachableGatekeeper {
  ok: false;
  mspId: string;
  name: string;
  /** What went wrong, in a sentence ("Hospital B's record service did not answer within 10 s"). */
  message: string;
}

export type GatekeeperAnswer = ReleasedResources | UnreachableGatekeeper;

export interface RecordGatekeepers {
  /** Asks every hospital's gatekeeper at once; never throws for one hospital's failure. */
  fetchRecords(request: RecordsRequest): Promise<GatekeeperAnswer[]>;
}

/** The result of checking one released resource against its ledger anchor. */
export interface AnchorCheck {
  state: 'verified' | 'older-version' | 'mismatch' | 'unchecked';
  note: string | null;
}

export interface AnchorVerifier {
  check(resource: object): Promise<AnchorCheck>;
}
