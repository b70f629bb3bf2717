/**
 * A stand-in for the admission desk service, answering the renderer's `admission.*` and
 * `patients.*` calls with contract-valid responses built here (every response is parsed with
 * the contract's own zod schema before it is sent, so a drifted stub fails loudly).
 *
 * Why: the desk screens must be tested for what the clerk sees for each verifier outcome
 * (revoked, untrusted issuer, stale list, replay, near-duplicate…) without depending on the
 * main-process desk being wired. The renderer, the QR decoding, the sign-in and every other
 * channel stay real; only these two channel groups are answered by the stub, and the stub
 * records each request so a test can assert what the renderer really sent (e.g. the exact text
 * decoded from the camera). The real-service flow is in admission-ledger.spec.ts.
 */
import type { Page, Route } from '@playwright/test';
import type {
  AdmissionRecord,
  AdmissionListItem,
  ConsentSummary,
  DeskOptions,
  Eligibility,
  PatientMatch,
  PatientSummary,
  ScanResult,
} from '../../../src-shared/admission/schemas';
import { contract, type ChannelName } from '../../../src-shared/ipc/contract';
import type { CredentialType } from '../../../src-shared/identity/credential-subjects';
import type { CheckId, CheckResult, VerificationCheck, VerificationReport } from '../../../src-shared/identity/report';

export const HOSPITAL_DID = 'did:web:hospital-a.careledger.example';
export const PATIENT_DID = 'did:key:z6MkerkYMkUbJS6RuLAFHTZqYJcwskvpYu5Yrex9jthDR97h';

export const DESK_OPTIONS: DeskOptions = {
  hospitalDid: HOSPITAL_DID,
  wards: [
    { code: 'W-101', name: 'Acute Medical Unit', beds: ['A01', 'A02', 'A03'] },
    { code: 'W-102', name: 'Surgical Ward 2', beds: ['S01', 'S02'] },
  ],
  occupiedBeds: [],
  clinicians: [
    { id: 'clin-okafor', name: 'Dr Maya Okafor' },
    { id: 'clin-lindqvist', name: 'Dr Erik Lindqvist' },
  ],
  overrideReasons: [
    { code: 'status-list-unavailable-emergency', label: 'Emergency: the revocation list could not be updated' },
    { code: 'issuer-confirmed-status-by-phone', label: 'The issuer confirmed the status by phone' },
  ],
};

const NOW = '2026-11-21T10:00:00.000Z';

function check(id: CheckId, result: CheckResult, message: string): VerificationCheck {
  return { id, result, message };
}

/** What to change in an otherwise all-pass report. */
export interface ReportChange {
  /** 'presentation' or a credential index (0 identity, 1 coverage, 2 consent). */
  where: 'presentation' | number;
  id: CheckId;
  result: CheckResult;
  message: string;
}

export function report(changes: ReportChange[] = [], withConsent = true): VerificationReport {
  const presentation: VerificationCheck[] = [
    check('presentation.format', 'pass', 'The wallet code is a presentation in the expected format.'),
    check('presentation.signature', 'pass', "The presentation is signed by the patient's wallet key."),
    check('presentation.freshness', 'pass', 'The code was made 12 seconds ago.'),
    check('presentation.audience', 'pass', 'The code was made for this hospital.'),
    check('presentation.replay', 'pass', 'This code has not been used before.'),
    check('workstation.clock', 'pass', "This workstation's clock looks right."),
  ];
  const credential = (label: string): VerificationCheck[] => [
    check('credential.signature', 'pass', `The ${label} is signed by its issuer.`),
    check('credential.holder-binding', 'pass', `The ${label} belongs to the wallet that presented it.`),
    check('credential.issuer-trust', 'pass', `The issuer is trusted to issue a ${label} (operated by GovernanceMSP).`),
    check('credential.validity-period', 'pass', `The ${label} is within its valid dates.`),
    check('credential.revocation', 'pass', `The ${label} has not been revoked.`),
    check('credential.schema', 'pass', `The ${label} holds every required detail.`),
  ];
  const types: CredentialType[] = ['PatientIdentityCredential', 'InsuranceCoverageCredential', ...(withConsent ? (['ConsentGrantCredential'] as const) : [])];
  const labels = ['identity card', 'insurance card', 'consent grant'];
  const credentials = types.map((type, index) => ({
    index,
    type,
    id: `urn:uuid:0000000${index}-0000-4000-8000-000000000000`,
    issuer: index === 2 ? PATIENT_DID : 'did:web:issuer.careledger.example',
    subject: PATIENT_DID,
    validFrom: '2026-01-01T00:00:00.000Z',
    validUntil: '2027-12-31T00:00:00.000Z',
    credentialSubject: null,
    verified: true,
    checks: credential(labels[index] ?? 'credential'),
  }));
  for (const change of changes) {
    const list = change.where === 'presentation' ? presentation : credentials[change.where]?.checks;
    const target = list?.find((c) => c.id === change.id);
    if (!target) throw new Error(`No check ${change.id} at ${String(change.where)}`);
    target.result = change.result;
    target.message = change.message;
    if (change.where !== 'presentation') {
      const cred = credentials[change.where];
      if (cred) cred.verified = false;
    }
  }
  const all = [...presentation, ...credentials.flatMap((c) => c.checks)];
  const verdict = all.some((c) => c.result === 'fail') ? 'invalid' : all.some((c) => c.result === 'cannot-determine') ? 'cannot-determine' : 'valid';
  const summary =
    verdict === 'valid'
      ? 'The wallet code and its 3 credentials passed every check.'
      : verdict === 'invalid'
        ? 'The wallet code failed a check: see the list.'
        : 'Some checks could not be made: see the list.';
  return {
    verdict,
    checkedAt: NOW,
    summary,
    presentation: { id: 'urn:uuid:presentation-1', holder: PATIENT_DID, audience: HOSPITAL_DID, nonce: 'n-1', issuedAt: NOW, expiresAt: NOW },
    checks: presentation,
    credentials,
    override: null,
  };
}

export function patient(over: Partial<PatientSummary> = {}): PatientSummary {
  return {
    patientId: 'pat-1',
    mrn: '1000017-4',
    givenName: 'Maria',
    familyName: 'Oliveira',
    birthDate: '1984-03-02',
    estimatedAgeYears: null,
    gender: 'female',
    identityStatus: 'wallet-verified',
    walletDid: PATIENT_DID,
    allergies: 'no',
    mergedInto: null,
    createdAt: NOW,
    ...over,
  };
}

export const CONSENT: ConsentSummary = {
  status: 'granted',
  text: 'Maria Oliveira allows Hospital A to see her demographics, conditions and medications, for treatment and payment, until 20 Feb 2027.',
  consentId: 'urn:uuid:consent-1',
  grantee: HOSPITAL_DID,
  granteeName: 'Hospital A',
  purposes: ['treatment', 'payment'],
  categories: ['demographics', 'conditions', 'medications'],
  validFrom: '2026-11-21',
  validUntil: '2027-02-20',
};

export const ELIGIBLE: Eligibility = {
  status: 'eligible',
  message: 'Covered on 21 Nov 2026 by the plan below.',
  insurerName: 'Acme Health Insurance',
  insurerDid: 'did:web:insurer.careledger.example',
  memberId: 'ACME-448812',
  planName: 'Silver 80',
  groupNumber: 'G-100',
  coverageStart: '2026-01-01',
  coverageEnd: '2026-12-31',
  checkedFor: '2026-11-21',
};

export function verified(over: Partial<Extract<ScanResult, { status: 'verified' }>> = {}): ScanResult {
  const r = over.report ?? report();
  const accepted = r.verdict === 'valid' || (r.verdict === 'cannot-determine' && r.override !== null);
  return {
    status: 'verified',
    scanId: 'scan-1',
    report: r,
    accepted,
    canOverride: r.verdict === 'cannot-determine' && r.override === null,
    identity: accepted
      ? { patientDid: PATIENT_DID, givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', gender: 'female', nationalId: 'PT-1984-0302', address: null }
      : null,
    matches: accepted ? [{ patient: patient(), score: 100, strength: 'same-wallet', reasons: [{ code: 'wallet-did', message: 'Same wallet', points: 100 }] }] : [],
    consent: accepted ? CONSENT : null,
    eligibility: accepted ? ELIGIBLE : null,
    ...over,
  };
}

export const NEAR_MATCH: PatientMatch = {
  patient: patient({ patientId: 'pat-2', mrn: '1000025-7', givenName: 'Mariah', walletDid: null, identityStatus: 'manual-unverified', birthDate: '1984-02-03' }),
  score: 78,
  strength: 'likely',
  reasons: [
    { code: 'family-name-exact', message: 'same family name', points: 30 },
    { code: 'given-name-variant', message: 'given name spelled differently (Mariah / Maria)', points: 20 },
    { code: 'birth-date-day-month-swapped', message: 'birth date with day and month swapped', points: 28 },
  ],
};

export function admission(over: Partial<AdmissionRecord> = {}): AdmissionRecord {
  return {
    admissionId: 'adm-1',
    encounterId: 'enc-1',
    patient: patient(),
    status: 'admitted',
    wardCode: 'W-101',
    wardName: 'Acute Medical Unit',
    bed: 'A02',
    attendingClinicianId: 'clin-okafor',
    attendingClinicianName: 'Dr Maya Okafor',
    reason: 'Community-acquired pneumonia',
    admittedAt: NOW,
    dischargedAt: null,
    consent: CONSENT,
    eligibility: ELIGIBLE,
    unverifiedIdentity: false,
    ledger: { admission: 'queued', consent: 'queued' },
    movements: [],
    ...over,
  };
}

type Handler = (request: Record<string, unknown>) => unknown;

/** Installs the stand-in on a page. Handlers may be replaced per test; requests are recorded. */
export class AdmissionDeskStub {
  readonly calls: { channel: string; request: Record<string, unknown> }[] = [];
  readonly handlers: Partial<Record<ChannelName, Handler>> = {
    'admission.deskOptions': () => DESK_OPTIONS,
    'admission.scan': () => verified(),
    'admission.clearScan': () => ({ cleared: true }),
    'admission.admit': (r) =>
      admission({
        bed: String(r.bed),
        reason: String(r.reason),
        ...((r.patient as { patientId?: string }).patientId === 'pat-2' ? { patient: NEAR_MATCH.patient } : {}),
      }),
    'admission.list': (): AdmissionListItem[] => [
      {
        admissionId: 'adm-1',
        patientId: 'pat-1',
        mrn: '1000017-4',
        patientName: 'OLIVEIRA, Maria',
        status: 'admitted',
        wardCode: 'W-101',
        wardName: 'Acute Medical Unit',
        bed: 'A02',
        admittedAt: NOW,
        allergies: 'yes',
        hasConsent: true,
        unverifiedIdentity: false,
      },
    ],
    'admission.wristband': () => ({ fileName: 'wristband-1000017-4.pdf', mimeType: 'application/pdf', pdfBase64: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64'), printed: false }),
    'patients.search': () => [],
  };

  async install(page: Page): Promise<void> {
    await page.route(/\/api\/call\/(admission|patients)\.[A-Za-z]+$/, (route) => this.answer(route));
  }

  requests(channel: ChannelName): Record<string, unknown>[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.request);
  }

  private async answer(route: Route): Promise<void> {
    const channel = new URL(route.request().url()).pathname.split('/').pop() as ChannelName;
    const request = (route.request().postDataJSON() ?? {}) as Record<string, unknown>;
    this.calls.push({ channel, request });
    const handler = this.handlers[channel];
    let body: unknown;
    if (!handler) body = { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `The stub does not answer ${channel}.` } };
    else {
      try {
        const value = contract[channel].response.parse(handler(request));
        body = { ok: true, value };
      } catch (error) {
        if (error instanceof StubRefusal) body = { ok: false, error: error.ipc };
        else throw error;
      }
    }
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  }
}

/** Thrown from a handler to answer with an IPC error instead of a value. */
export class StubRefusal extends Error {
  constructor(readonly ipc: { code: string; message: string; details?: Record<string, unknown> }) {
    super(ipc.message);
  }
}
